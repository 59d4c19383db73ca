from django.urls import path, register_converter

from . import posters, public_views, views

app_name = "internships"


class IsoDateConverter:
    """`2026-05-14` in a path, as a date (an impossible date is no match: 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        from datetime import date

        return date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    # Internships
    path("", views.internship_list, name="list"),
    path("new/", views.internship_create, name="create"),
    path("<int:pk>/", views.internship_detail, name="detail"),
    path("<int:pk>/edit/", views.internship_edit, name="edit"),
    path("<int:pk>/start/", views.internship_start, name="start"),
    path("<int:pk>/cancel/", views.internship_cancel, name="cancel"),
    path("<int:pk>/days/<isodate:day>/", views.day_log, name="day_log"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/finish/", views.internship_finish, name="finish"),
    path("<int:pk>/host-review/", views.host_review, name="host_review"),
    # Signals
    path("<int:pk>/signals/new/", views.signal_create, name="signal_create"),
    path("signals/", views.signal_list, name="signal_list"),
    path("signals/<int:pk>/", views.signal_detail, name="signal_detail"),
    path("signals/<int:pk>/take-up/", views.signal_take_up, name="signal_take_up"),
    path("signals/<int:pk>/respond/", views.signal_respond, name="signal_respond"),
    # The unit's "you said — we did" board and its QR poster
    path("board/<int:unit_pk>/", posters.board, name="board"),
    path("board/<int:unit_pk>/print/", posters.board_print, name="board_print"),
    path("board/<int:unit_pk>/poster/", posters.feedback_poster, name="feedback_poster"),
    # The workers' anonymous form (no login)
    path("feedback/<str:token>/", public_views.feedback_form, name="feedback_form"),
    path("feedback/<str:token>/thanks/", public_views.feedback_thanks, name="feedback_thanks"),
]
