"""The filters of this app's lists, for the incident list page and every API list alike
(apps/common/filters.py): each validates its parameters and hands the cleaned values to the
app's selector. A unit or an investigation outside the user's scope is an unknown choice."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.common.filters import PortalFilterSet, RecordDateFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import selectors
from .models import Incident, Investigation


def _units(request):
    if request is None:
        return StructuralUnit.objects.none()
    return unit_list_for_user(request.user)


def _investigations(request):
    if request is None:
        return Investigation.objects.none()
    return selectors.investigation_list_for_user(request.user)


class PeriodForm(forms.Form):
    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class _PeriodFilterSet(PortalFilterSet):
    """A unit (with the units under it) and the days from … to (inclusive) of the incident."""

    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    date_from = RecordDateFilter(label=_("From"))
    date_to = RecordDateFilter(label=_("To"))


class IncidentFilterSet(_PeriodFilterSet):
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Incident.Type.choices, empty_label=_("Any type"))
    classification = django_filters.ChoiceFilter(
        label=_("Classification"), choices=Incident.Classification.choices, empty_label=_("Any classification")
    )

    layout = {"classification": "col-12 col-md-2", "date_from": "col-6 col-md-2", "date_to": "col-6 col-md-2"}

    class Meta:
        model = Incident
        form = PeriodForm
        fields = ["type", "unit", "classification", "date_from", "date_to"]

    def filter_with(self, queryset, *, unit=None, **values):
        return selectors.incident_filter(queryset, unit_id=unit.pk if unit else None, **values)


class InvestigationFilterSet(_PeriodFilterSet):
    # The incident's unit (so the schema knows it is a unit's id).
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_units, empty_label=_("All units"), field_name="incident__unit"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Investigation.Status.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Investigation
        form = PeriodForm
        fields = ["status", "unit", "date_from", "date_to"]

    def filter_with(self, queryset, *, unit=None, **values):
        return selectors.investigation_filter(queryset, unit_id=unit.pk if unit else None, **values)


class AnalysisFilterSet(PortalFilterSet):
    """The why-chains, facts or links of one investigation (one the user sees)."""

    investigation = django_filters.ModelChoiceFilter(label=_("Investigation"), queryset=_investigations)

    def filter_with(self, queryset, *, investigation=None):
        return queryset.filter(investigation=investigation) if investigation else queryset
