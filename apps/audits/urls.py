from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.audit_list, name="list"),
    path("plan/", views.plan, name="plan"),
    path("plan/add/", views.plan_add, name="plan_add"),
    path("plan/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plan/<int:pk>/start/", views.audit_start, name="start"),
    path("<int:pk>/", views.audit_detail, name="detail"),
    path("<int:pk>/conduct/", views.audit_conduct, name="conduct"),
    path("<int:pk>/items/<int:item_pk>/", views.answer_save, name="answer"),
    path("<int:pk>/complete/", views.audit_complete, name="complete"),
    path("<int:pk>/report.pdf", views.audit_report, name="report"),
    path("answers/<int:pk>/photo/", views.answer_photo, name="photo"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/new-version/", views.template_new_version, name="template_new_version"),
]
