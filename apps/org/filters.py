"""Filters of the organisation's lists, shared by the pages and the API (apps/common/filters.py).

Each FilterSet validates its parameters and hands the cleaned values to the selector; a unit or
site outside the user's scope is not among the choices, so it is a field error (400)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from apps.common.dates import month_start
from apps.common.filters import PortalFilterSet, RecordDateFilter, SearchFilter

from . import selectors
from .models import HoursWorked, Person, Site, StructuralUnit

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class YesNoFilter(django_filters.TypedChoiceFilter):
    """`true` or `false`; anything else is a field error (django-filter's BooleanFilter would
    read `?is_active=banana` as "no filter" and silently show everything)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


def _units_in_scope(request):
    return selectors.unit_choices_for_user(request.user)


def _sites_in_scope(request):
    return selectors.site_list_for_user(request.user)


def _pk(value):
    return getattr(value, "pk", None)


class SiteFilterSet(PortalFilterSet):
    q = SearchFilter(help_text=_("Name or code."))

    class Meta:
        model = Site
        fields: list[str] = []

    def filter_with(self, queryset, *, q="", **_values):
        return selectors.site_list_for_user(self.request.user, search=q)


class UnitFilterSet(PortalFilterSet):
    q = SearchFilter(help_text=_("Name or code."))
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=_sites_in_scope)
    parent = django_filters.ModelChoiceFilter(label=_("Parent unit"), queryset=_units_in_scope)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=StructuralUnit.Kind.choices)
    is_active = YesNoFilter(label=_("Active"))

    layout = {"q": "col-md-4", "site": "col-6 col-md-3", "kind": "col-6 col-md-3", "is_active": "col-md-2"}

    class Meta:
        model = StructuralUnit
        fields: list[str] = []

    def filter_with(self, queryset, *, q="", site=None, parent=None, kind="", is_active=None, **_values):
        return selectors.unit_list_for_user(
            self.request.user, site_id=_pk(site), parent_id=_pk(parent), kind=kind, is_active=is_active, search=q
        )


class UnitPageFilterSet(UnitFilterSet):
    """The unit list page shows the tree: filtering by parent is what the tree itself does."""

    parent = None


class PersonFilterSet(PortalFilterSet):
    q = SearchFilter(help_text=_("Name, job title or personnel number."))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units_in_scope)
    is_foreman = YesNoFilter(label=_("Foreman"))
    is_active = YesNoFilter(label=_("On the roll"))

    layout = {"q": "col-md-4", "unit": "col-md-4", "is_foreman": "col-6 col-md-2", "is_active": "col-6 col-md-2"}

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_with(self, queryset, *, q="", unit=None, is_foreman=None, is_active=None, **_values):
        return selectors.person_list_for_user(
            self.request.user, unit_id=_pk(unit), search=q, is_foreman=is_foreman, is_active=is_active
        )


class MonthRangeForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("month_from"), cleaned.get("month_to")
        if first and last and month_start(last) < month_start(first):
            self.add_error("month_to", _("The last month cannot be before the first."))
        return cleaned


MONTH_FORMATS = ["%Y-%m-%d", "%Y-%m"]


class HoursWorkedFilterSet(PortalFilterSet):
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units_in_scope)
    month_from = RecordDateFilter(label=_("From month"), input_formats=MONTH_FORMATS, help_text=_("YYYY-MM or a date."))
    month_to = RecordDateFilter(label=_("To month"), input_formats=MONTH_FORMATS, help_text=_("YYYY-MM or a date."))

    class Meta:
        model = HoursWorked
        fields: list[str] = []
        form = MonthRangeForm

    def filter_with(self, queryset, *, unit=None, month_from=None, month_to=None, **_values):
        return selectors.hours_worked_list_for_user(
            self.request.user, unit_id=_pk(unit), month_from=month_from, month_to=month_to
        )
