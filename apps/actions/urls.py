from django.urls import path

from . import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_create, name="create"),
    path("<int:pk>/", views.action_detail, name="detail"),
    path("<int:pk>/edit/", views.action_edit, name="edit"),
    path("<int:pk>/start/", views.action_start, name="start"),
    path("<int:pk>/complete/", views.action_complete, name="complete"),
    path("<int:pk>/verify/", views.action_verify, name="verify"),
    path("<int:pk>/cancel/", views.action_cancel, name="cancel"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
]
