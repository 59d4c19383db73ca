from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/hours/", views.hours_record, name="hours_record"),
    path("people/", views.person_list, name="person_list"),
]
