"""The audit log page: the trail of the user's units. It lives in the top layer because it needs
the scope rules of `accounts`, which itself writes to the trail (`apps.audit`, below it)."""

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.accounts.access import capability_required, unit_ids_in_scope
from apps.accounts.models import User
from apps.audit.models import AuditEntry
from apps.common.dates import day_after_start, day_start
from apps.common.filters import PortalFilterSet, RecordDateFilter, filtered_for_page
from apps.common.pagination import paginate, query_without_page

ENTRIES_PER_PAGE = 50
# What an action code (or the start of one) looks like: dot-separated words, "org.hours_worked".
ACTION_PREFIX = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*\.?$",
    _("An action code is made of words separated by dots, e.g. org.hours_worked."),
    code="invalid_action",
)


def audit_entry_list_for_user(user, *, action_prefix: str = "", actor_id=None, date_from=None, date_to=None):
    """The audit trail a user may read: entries of their units (and, for enterprise-wide
    roles, entries not tied to a unit).

    `action_prefix` matches whole words ("org.person" finds "org.person.created", not
    "org.personnel..."); the dates are inclusive days of the site's time zone, compared with the
    raw `created_at` column so its index serves the query."""
    entries = AuditEntry.objects.select_related("unit")  # the actor is shown by its stored name
    scope = unit_ids_in_scope(user)
    if scope is not None:
        entries = entries.filter(unit_id__in=scope)
    action_prefix = action_prefix.strip().lower().removesuffix(".")
    if action_prefix:
        entries = entries.filter(Q(action=action_prefix) | Q(action__startswith=f"{action_prefix}."))
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if date_from:
        entries = entries.filter(created_at__gte=day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=day_after_start(date_to))
    return entries


def _actors(request):
    return User.objects.order_by("last_name", "first_name", "username")


class AuditFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned


class AuditEntryFilterSet(PortalFilterSet):
    action = django_filters.CharFilter(
        label=_("Action code"), max_length=100, validators=[ACTION_PREFIX], help_text=_("e.g. org.hours_worked")
    )
    actor = django_filters.ModelChoiceFilter(label=_("Who"), queryset=_actors)
    date_from = RecordDateFilter(label=_("From"))
    date_to = RecordDateFilter(label=_("To"))

    layout = {"action": "col-md-3", "actor": "col-md-3"}

    class Meta:
        model = AuditEntry
        fields: list[str] = []
        form = AuditFilterForm

    def filter_with(self, queryset, *, action="", actor=None, date_from=None, date_to=None, **_values):
        return audit_entry_list_for_user(
            self.request.user,
            action_prefix=action,
            actor_id=getattr(actor, "pk", None),
            date_from=date_from,
            date_to=date_to,
        )


@capability_required("audit.view_log")
def entry_list(request):
    filterset = AuditEntryFilterSet(request.GET, queryset=audit_entry_list_for_user(request.user), request=request)
    entries, status = filtered_for_page(filterset)
    context = {
        "filter": filterset,
        "page": paginate(request, entries, per_page=ENTRIES_PER_PAGE),
        "query": query_without_page(request),
    }
    return render(request, "audit/entry_list.html", context, status=status)


app_name = "audit"
urlpatterns = [path("", entry_list, name="entry_list")]
