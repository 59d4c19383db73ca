"""The filters of the audit lists, one FilterSet per list for its page and its API endpoint.

Each validates the query parameters (a unit outside the user's scope, an unknown auditor, a
month outside the records' window or typed wrong is a field error: 400) and hands the cleaned
values to the selector that does the filtering."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.accounts.models import User
from apps.common.filters import PortalFilterSet, StrictBooleanFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import selectors
from .forms import MonthField, MonthInput
from .models import Audit


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    """A month (YYYY-MM) inside the records' window, cleaned to its first day (a string in the schema)."""

    field_class = MonthField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MonthInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)


def _units(request):
    return unit_list_for_user(request.user) if request is not None else StructuralUnit.objects.none()


def _auditors(request):
    if request is None:
        return User.objects.none()
    return selectors.auditor_filter_choices(request.user)


class MonthRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        begins, ends = data.get("month_from"), data.get("month_to")
        if begins and ends and ends < begins:
            self.add_error("month_to", _("The last month comes before the first."))
        return data


class AuditFilterSet(PortalFilterSet):
    """Audits: by unit, auditor and months (completed audits by the month they were completed in,
    the others by the month they were started in). The page passes its tab as `tab`; the API
    filters by `status`."""

    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    auditor = django_filters.ModelChoiceFilter(label=_("Auditor"), queryset=_auditors, empty_label=_("Anyone"))
    month_from = MonthFilter(label=_("From month"))
    month_to = MonthFilter(label=_("To month"))

    class Meta:
        form = MonthRangeForm

    def __init__(self, *args, tab: str = "", **kwargs):
        self.tab = tab
        super().__init__(*args, **kwargs)

    def filter_with(self, queryset, *, status="", unit=None, auditor=None, month_from=None, month_to=None):
        return selectors.audit_filter(
            queryset,
            tab=status or self.tab,
            unit_id=unit,
            auditor_id=auditor,
            month_from=month_from,
            month_to=month_to,
        )


class AuditApiFilterSet(AuditFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Audit.Status.choices)


class PlanEntryFilterSet(PortalFilterSet):
    """The audit plan: by month, unit, auditor, and (API) only the entries not yet started."""

    month = MonthFilter(label=_("Month"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    auditor = django_filters.ModelChoiceFilter(label=_("Auditor"), queryset=_auditors, empty_label=_("Anyone"))
    not_started = StrictBooleanFilter(label=_("Not started"), widget=forms.HiddenInput)

    def __init__(self, *args, default_month=None, not_started: bool = False, **kwargs):
        self.default_month = default_month
        self.force_not_started = not_started
        super().__init__(*args, **kwargs)

    def filter_with(self, queryset, *, month=None, unit=None, auditor=None, not_started=False):
        return selectors.plan_entry_filter(
            queryset,
            month=month or self.default_month,
            unit_id=unit,
            auditor_id=auditor,
            not_started=not_started or self.force_not_started,
        )

    @property
    def shown_month(self):
        """The month shown: the one asked for, else the default."""
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("month") or self.default_month
        return self.default_month


class ChecklistTemplateFilterSet(PortalFilterSet):
    active = StrictBooleanFilter(label=_("In use"))

    def filter_with(self, queryset, *, active=None):
        return queryset if active is None else queryset.filter(is_active=active)
