from django.shortcuts import render

from apps.accounts.access import capability_required
from apps.core.pagination import paginate, query_without_page

from .forms import AuditFilterForm
from .selectors import audit_entry_list_for_user


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
