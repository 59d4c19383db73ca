from django.urls import path

from . import views

app_name = "trainings"

urlpatterns = [
    # Sessions: the section's landing page
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/deliver/", views.session_deliver, name="session_deliver"),
    path("sessions/<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("sessions/<int:pk>/sheet.pdf", views.attendance_sheet, name="attendance_sheet"),
    # One attendee of a session
    path("attendance/<int:pk>/remove/", views.attendee_remove, name="attendee_remove"),
    path("attendance/<int:pk>/mark/", views.attendance_mark, name="attendance_mark"),
    path("attendance/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("attendance/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("attendance/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    # The public verification page a certificate's QR code opens (no sign-in)
    path("certificates/<str:code>/", views.verify, name="verify"),
    # The competence matrix
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/export.csv", views.matrix_csv, name="matrix_csv"),
    # Courses, what they are required of, who teaches them
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/requirements/", views.requirement_add, name="requirement_add"),
    path("requirements/<int:pk>/remove/", views.requirement_remove, name="requirement_remove"),
    path("courses/<int:pk>/trainers/", views.trainer_add, name="trainer_add"),
    path("qualifications/<int:pk>/withdraw/", views.trainer_withdraw, name="trainer_withdraw"),
    # Internal trainers' activity
    path("trainers/", views.trainer_list, name="trainer_list"),
    path("trainers/<int:pk>/", views.trainer_detail, name="trainer_detail"),
]
