from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.export_list, name="list"),
    path("<uuid:pk>/", views.export_detail, name="detail"),
    path("<uuid:pk>/download/", views.export_download, name="download"),
]
