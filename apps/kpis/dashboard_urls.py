"""/kpis/ pages of the dashboards, scorecards, work queue and targets (dashboard_views.py)."""

from django.urls import path

from . import dashboard_views as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecards/", views.scorecard_all, name="scorecard_all"),
    path("scorecards/<int:user_pk>/", views.scorecard_person, name="scorecard_person"),
    path("work-queue/", views.work_queue_page, name="work_queue"),
    path("work-queue/<slug:section>/", views.work_queue_section, name="work_queue_section"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
]
