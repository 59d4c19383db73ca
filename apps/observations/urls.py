from django.urls import path

from . import views

app_name = "observations"

urlpatterns = [
    path("", views.observation_list, name="list"),
    path("new/", views.observation_create, name="create"),
    path("export.csv", views.observation_export, name="export"),
    path("stats/", views.observation_stats, name="stats"),
    path("<int:pk>/", views.observation_detail, name="detail"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
