"""/kpis/ pages of the executive summary, the escalations and the monthly reports."""

from django.urls import path

from . import summary_views as views

urlpatterns = [
    path("summary/", views.summary_page, name="summary"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/new/", views.escalation_create, name="escalation_create"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/decide/", views.escalation_decide, name="escalation_decide"),
    path("escalations/<int:pk>/withdraw/", views.escalation_withdraw, name="escalation_withdraw"),
    path("reports/", views.report_list, name="report_list"),
    path("reports/request/", views.report_request, name="report_request"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/file/", views.report_file, name="report_file"),
]
