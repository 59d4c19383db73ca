"""The audit log page: the trail of the user's units. It lives in the top layer because it needs
the scope rules of `accounts`, which itself writes to the trail (`apps.audit`, below it)."""

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from apps.accounts.access import capability_required, unit_ids_in_scope
from apps.audit.models import AuditEntry
from apps.common.pagination import paginate, query_without_page


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action code"), required=False, help_text=_("e.g. org.hours_worked"))
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


def audit_entry_list_for_user(user, *, action_prefix: str = "", actor_id=None, date_from=None, date_to=None):
    """The audit trail a user may read: entries of their units (and, for enterprise-wide
    roles, entries not tied to a unit)."""
    entries = AuditEntry.objects.select_related("actor", "unit")
    scope = unit_ids_in_scope(user)
    if scope is not None:
        entries = entries.filter(unit_id__in=scope)
    if action_prefix:
        entries = entries.filter(Q(action=action_prefix) | Q(action__startswith=f"{action_prefix}."))
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


@capability_required("audit.view_log")
def entry_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list_for_user(
        request.user,
        action_prefix=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    return render(
        request,
        "audit/entry_list.html",
        {"form": form, "page": paginate(request, entries, per_page=50), "query": query_without_page(request)},
    )


app_name = "audit"
urlpatterns = [path("", entry_list, name="entry_list")]
