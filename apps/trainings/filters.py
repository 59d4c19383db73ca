"""The list filters of the training pages and their API endpoints (see apps/common/filters.py): a
malformed parameter or a unit outside the user's scope is a field error (400), never ignored."""

from datetime import timedelta

import django_filters
import django_filters.fields
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.accounts.models import User
from apps.common.filters import PortalFilterSet, RecordDateFilter, SearchFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_choices_for_user

from . import matrix
from .models import Course, TrainingSession

# The session list opens on the upcoming sessions and those of the last RECENT_DAYS days.
RECENT_DAYS = 90
# The trainers' activity covers the last ACTIVITY_DAYS days unless a period is given.
ACTIVITY_DAYS = 365

# The states of a matrix cell, as apps.trainings.matrix names them (the legend's order).
CELL_STATES = [
    (matrix.VALID, pgettext_lazy("training state", "Valid")),
    (matrix.EXPIRING, _("Expiring soon")),
    (matrix.EXPIRED, pgettext_lazy("training state", "Expired")),
    (matrix.MISSING, _("Missing")),
]
# The matrix's state filter: people with at least one such cell.
STATE_FILTERS = [
    (matrix.ATTENTION, _("Needs attention (expiring, expired or missing)")),
    (matrix.EXPIRED, pgettext_lazy("training state", "Expired")),
    (matrix.EXPIRING, _("Expiring soon")),
    (matrix.MISSING, _("Missing")),
]


def _units(request):
    return unit_choices_for_user(request.user) if request is not None else StructuralUnit.objects.none()


def _courses(request):
    return Course.objects.order_by("name", "pk")


def _trainers(request):
    return (
        User.objects.filter(trainer_qualifications__isnull=False).distinct().order_by("last_name", "first_name", "pk")
    )


class _UserChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class TrainerChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _UserChoiceField


class PeriodForm(forms.Form):
    """The filters' form: a period (date_from, date_to) that does not end before it starts."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period cannot end before it starts."))
        return data


class SessionFilterSet(PortalFilterSet):
    course = django_filters.ModelChoiceFilter(label=_("Course"), queryset=_courses, empty_label=_("Any course"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    trainer = TrainerChoiceFilter(label=_("Trainer"), queryset=_trainers, empty_label=_("Any trainer"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TrainingSession.Status.choices, empty_label=_("Any status")
    )
    date_from = RecordDateFilter(label=_("From"))
    date_to = RecordDateFilter(label=_("To"))

    layout = {"date_from": "col-6 col-md-2", "date_to": "col-6 col-md-2", "status": "col-6 col-md-2"}

    class Meta:
        model = TrainingSession
        fields: list[str] = []
        form = PeriodForm

    def filter_with(self, queryset, **values):
        for name in ("course", "unit", "trainer", "status"):
            if name in values:
                queryset = queryset.filter(**{name: values[name]})
        if "date_from" in values:
            queryset = queryset.filter(date__gte=values["date_from"])
        if "date_to" in values:
            queryset = queryset.filter(date__lte=values["date_to"])
        if "date_from" not in values and "date_to" not in values and self.default_recent:
            # Upcoming and recent: a list that opens on years of history shows none of it well.
            queryset = queryset.filter(date__gte=timezone.localdate() - timedelta(days=RECENT_DAYS))
        return queryset

    # The page opens on the recent sessions; the API lists them all unless a period is given.
    default_recent = True


class SessionAPIFilterSet(SessionFilterSet):
    default_recent = False


@extend_schema_field(OpenApiTypes.INT)
class RecordChoiceFilter(django_filters.ModelChoiceFilter):
    """A record chosen by id (the schema says so: the filter set's model does not hold it)."""


class MatrixFilterSet(PortalFilterSet):
    """Validates the matrix's parameters; the matrix itself reads them (matrix_people_for_user)."""

    unit = RecordChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All my units"))
    job_title = SearchFilter(label=_("Job title"), help_text=_("As on the roll (capitals do not matter)."))
    course = RecordChoiceFilter(label=_("Course"), queryset=_courses, empty_label=_("Every course"))
    state = django_filters.ChoiceFilter(label=_("State"), choices=STATE_FILTERS, empty_label=_("Any state"))

    class Meta:
        model = Course  # the filters are read by hand: no queryset is filtered here
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        return queryset  # the people are chosen by matrix_people_for_user with params()

    def params(self) -> dict:
        """The cleaned filters as keyword arguments of matrix_people_for_user."""
        data = self.form.cleaned_data
        return {
            "unit": data.get("unit"),
            "job_title": (data.get("job_title") or "").strip(),
            "course": data.get("course"),
            "state": data.get("state") or "",
        }


class PeriodFilterSet(PortalFilterSet):
    """The trainers' activity: a period, by default the last ACTIVITY_DAYS days."""

    date_from = RecordDateFilter(label=_("From"))
    date_to = RecordDateFilter(label=_("To"))

    layout = {"date_from": "col-6 col-md-3", "date_to": "col-6 col-md-3"}

    class Meta:
        model = TrainingSession
        fields: list[str] = []
        form = PeriodForm

    def period(self):
        """(since, until) of the valid filters, the default where none is given."""
        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        until = data.get("date_to") or timezone.localdate()
        since = data.get("date_from") or until - timedelta(days=ACTIVITY_DAYS)
        return since, until
