"""The action register's list filters, for the list page and `GET /api/v1/actions/` alike.

The FilterSet validates the parameters (an unknown tab or status, a unit outside the user's
scope, a malformed date: a field error, 400); the filtering itself is `selectors.action_filter`."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.common.filters import PortalFilterSet, RecordDateFilter, SearchFilter
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_list_for_user

from . import selectors
from .models import Action

TAB_CHOICES = [("mine", _("My actions")), ("units", _("My units")), ("overdue", _("Overdue"))]
ACTIVE = "active"  # open or in progress


@extend_schema_field(OpenApiTypes.STR)
class SourceFilter(django_filters.ChoiceFilter):
    """The kinds are registered by the source apps at start-up, so the schema says "string"."""


def _units(request):
    return unit_list_for_user(request.user) if request is not None else StructuralUnit.objects.none()


def _owners(request):
    return selectors.owner_choices()


class ActionFilterSet(PortalFilterSet):
    tab = django_filters.ChoiceFilter(
        label=_("Tab"),
        choices=TAB_CHOICES,
        widget=forms.HiddenInput,
        help_text=_("mine: owned by me; units: my units (the default); overdue: open and past the due date."),
    )
    q = SearchFilter(help_text=_("Words in the title or the details."))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_units, empty_label=_("All units"))
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_owners, empty_label=_("Anyone"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ACTIVE, _("Open or in progress")), *Action.Status.choices],
        empty_label=_("Any status"),
    )
    source = SourceFilter(
        label=_("Source"),
        choices=selectors.source_choices,
        empty_label=_("Any source"),
        help_text=_("A registered kind of source (observation, safety_audit, investigation, ...) or none."),
    )
    control_level = django_filters.ChoiceFilter(
        label=_("Level"), choices=Action.ControlLevel.choices, empty_label=_("Any level")
    )
    due_from = RecordDateFilter(label=_("Due from"))
    due_to = RecordDateFilter(label=_("Due to"))

    layout = {
        "q": "col-md-4",
        "unit": "col-6 col-md-4",
        "owner": "col-6 col-md-4",
        "control_level": "col-6 col-md-2",
        "due_from": "col-6 col-md-2",
        "due_to": "col-6 col-md-2",
    }

    class Meta:
        model = Action
        fields = []

    def filter_with(self, queryset, **values):
        return selectors.action_filter(
            queryset,
            user=self.request.user,
            today=timezone.localdate(),
            tab=values.get("tab", "units"),
            unit_id=values["unit"].pk if "unit" in values else None,
            status=values.get("status", ""),
            owner_id=values["owner"].pk if "owner" in values else None,
            source=values.get("source", ""),
            control_level=values.get("control_level", ""),
            due_from=values.get("due_from"),
            due_to=values.get("due_to"),
            search=values.get("q", ""),
        )

    @property
    def current_tab(self) -> str:
        """The tab the page's pills show: the one asked for when it is a tab, else "units"."""
        asked = (self.data or {}).get("tab")
        return asked if asked in dict(TAB_CHOICES) else "units"

    def hidden_fields(self):
        # The page keeps the tab through the filter card's `keep`, with the pills.
        return [field for field in super().hidden_fields() if field.name != "tab"]
