"""The one filter of the observation list: the list page, its CSV export and the API list.

A parameter that is malformed or outside the user's reach (`?unit=` of a unit they cannot see,
`?date_from=0001-01-01`, `?tab=all`) is a field error: 400 on the API, shown in place on the page.
The filtering itself is the selector's (`selectors.observation_filter`)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.access import scope_queryset, unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.common.filters import PortalFilterSet, RecordDateFilter, SearchFilter
from apps.org.models import StructuralUnit

from . import selectors
from .models import Observation

FEEDBACK_CHOICES = [("yes", _("Feedback given")), ("no", _("No feedback"))]
TAB_CHOICES = [("mine", _("My observations")), ("units", _("My units"))]


def _user(request):
    return getattr(request, "user", None)


def units_for(request):
    """The units the user may filter by: those they see."""
    return scope_queryset(StructuralUnit.objects.order_by("site__name", "name"), _user(request), unit_field="pk")


def observers_for(request):
    """Who may have logged an observation the user reads: the users who log observations, or, for
    a user who sees some units, the users covering those units and the user. Read from the users
    table (hundreds of rows), never by a DISTINCT over a million observations."""
    user = _user(request)
    observers = User.objects.filter(role__in=roles_with("observations.log"))
    scope = unit_ids_in_scope(user)
    if scope is not None:
        observers = User.objects.filter(Q(units__in=scope) | Q(pk=getattr(user, "pk", None))).distinct()
    return observers.order_by("last_name", "first_name", "pk")


class ObservationFilterSet(PortalFilterSet):
    tab = django_filters.ChoiceFilter(choices=TAB_CHOICES, widget=forms.HiddenInput)
    q = SearchFilter()
    date_from = RecordDateFilter(label=_("From"))
    date_to = RecordDateFilter(label=_("To"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=units_for, empty_label=_("All units"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Observation.Kind.choices, empty_label=_("Any kind"))
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=lambda request: selectors.category_choices(), empty_label=_("Any category")
    )
    observer = django_filters.ModelChoiceFilter(label=_("Observer"), queryset=observers_for, empty_label=_("Anyone"))
    feedback = django_filters.ChoiceFilter(
        label=_("Feedback"), choices=FEEDBACK_CHOICES, empty_label=_("With or without")
    )

    layout = {
        "q": "col-md-4",
        "date_from": "col-6 col-md-2",
        "date_to": "col-6 col-md-2",
        "unit": "col-6 col-md-4",
    }

    class Meta:
        model = Observation
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        return selectors.observation_filter(
            queryset,
            user=_user(self.request),
            tab=values.get("tab", "units"),
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
            unit_id=_pk(values.get("unit")),
            kind=values.get("kind", ""),
            category_id=_pk(values.get("category")),
            observer_id=_pk(values.get("observer")),
            feedback=values.get("feedback", ""),
            search=values.get("q", ""),
        )

    @property
    def current_tab(self) -> str:
        """The tab shown: the `tab` parameter when it is valid, else "units"."""
        if not self.is_bound:
            return "units"
        self.is_valid()
        return self.form.cleaned_data.get("tab") or "units"

    @property
    def is_filtering(self) -> bool:
        """A tab is not a filter: the card opens for the other parameters (or an error)."""
        if not self.is_bound or not self.is_valid():
            return bool(self.is_bound and self.errors)
        return any(value not in (None, "", []) for name, value in self.form.cleaned_data.items() if name != "tab")

    def hidden_fields(self):
        return []  # the tab travels as the card's `keep` parameter, so "Clear" keeps it too


def _pk(value):
    return getattr(value, "pk", None)
