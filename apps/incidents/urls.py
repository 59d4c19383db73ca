from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/people/", views.person_add, name="person_add"),
    path("<int:pk>/timeline/", views.timeline_add, name="timeline_add"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/investigate/", views.investigation_open, name="investigation_open"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation"),
    path("investigations/<int:pk>/status/<slug:step>/", views.investigation_status, name="investigation_status"),
    path("investigations/<int:pk>/chains/", views.chain_add, name="chain_add"),
    path("chains/<int:pk>/whys/", views.step_add, name="step_add"),
    path("whys/<int:pk>/remove/", views.step_remove, name="step_remove"),
    path("investigations/<int:pk>/facts/", views.fact_add, name="fact_add"),
    path("facts/<int:pk>/edit/", views.fact_edit, name="fact_edit"),
    path("facts/<int:pk>/remove/", views.fact_remove, name="fact_remove"),
    path("investigations/<int:pk>/links/", views.link_add, name="link_add"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
    path("investigations/<int:pk>/actions/", views.action_add, name="action_add"),
    path("investigations/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
]
