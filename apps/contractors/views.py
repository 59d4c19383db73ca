"""The contractor and pass pages: parse, check, call a service, render.

Mutations are POST only. A service's ValidationError is shown on its form in place (400); a
StateConflict (someone changed the record first) is shown as a message over the record as it is
now. Every list is paginated; every read goes through the app's selectors, so scoping is the same
as the API's."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required, require
from apps.audit.selectors import history_for
from apps.common import uploads
from apps.common.csv_export import SafeCSVWriter
from apps.common.errors import StateConflict
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.versioning import VersionConflict, show_conflict
from apps.org.selectors import unit_list_for_user

from . import gate, selectors, services
from .filters import AccessPassFilterSet, CompanyFilterSet, WorkOrderFilterSet
from .forms import (
    DEFAULT_PASS_DAYS,
    CompanyDocumentForm,
    CompanyForm,
    CompanyStatusForm,
    GateForm,
    PassBulkForm,
    PassExtendForm,
    PassIssueForm,
    PassReasonForm,
    WorkerDocumentForm,
    WorkerForm,
    WorkOrderForm,
    WorkOrderStepForm,
)
from .models import REQUIRED_WORKER_DOCUMENTS, AccessPass, ContractorCompany, ContractorWorker, WorkOrder

PassStatus = AccessPass.Status

# The CSV of the pass list: at most this many rows (narrow the filters for more).
EXPORT_MAX = 10_000
# Where the gate page keeps the checkpoint a guard typed, for the next checks of the shift.
GATE_CHECKPOINT_KEY = "contractors.gate_checkpoint"
# Rows of a record's own lists shown on its page (the full list is one link away).
DETAIL_ROWS = 10
HISTORY_ROWS = 50
CHECK_ROWS = 20
# A bulk action reports this many refusals one by one, then how many more.
BULK_REFUSALS_SHOWN = 10


# --- Helpers -----------------------------------------------------------------------------------------


def _status_label(choices, value) -> str:
    if value is None:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _status_history(record, choices) -> list[dict]:
    """The record's audit entries with the status before and after each change (from the entry's
    `data["status"]`), newest first."""
    rows = []
    for entry in history_for(record)[:HISTORY_ROWS]:
        change = entry.data.get("status") if isinstance(entry.data, dict) else None
        before = after = ""
        if isinstance(change, list | tuple) and len(change) == 2:
            before, after = _status_label(choices, change[0]), _status_label(choices, change[1])
        rows.append({"entry": entry, "before": before, "after": after})
    return rows


def _described(refusals) -> list[str]:
    return [gate.describe(refusal if isinstance(refusal, dict) else refusal.as_dict()) for refusal in refusals or []]


def _check_rows(checks) -> list[dict]:
    return [{"check": check, "reasons": _described(check.reasons)} for check in checks]


def _photo_url(worker) -> str:
    return reverse("contractors:worker_photo", args=[worker.pk]) if worker and worker.photo else ""


SECTION_TABS = [
    # (key, label, URL name, capability)
    ("passes", gettext_lazy("Passes"), "contractors:pass_list", "passes.view"),
    ("companies", gettext_lazy("Companies"), "contractors:company_list", "contractors.view"),
    ("work_orders", gettext_lazy("Work orders"), "contractors:work_order_list", "contractors.view"),
    ("violations", gettext_lazy("Violations"), "contractors:violation_list", "contractors.view"),
]


def _tabs(request, active: str) -> list[dict]:
    """The contractor section's tabs the user may open (the templates do not decide)."""
    return [
        {"label": label, "url": reverse(url_name), "active": key == active}
        for key, label, url_name, capability in SECTION_TABS
        if can(request.user, capability)
    ]


def _list_redirect(url_name: str, query: QueryDict):
    """Back to a list with the filters it had (re-encoded: only a query string follows the path)."""
    params = query.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return redirect(reverse(url_name) + (f"?{encoded}" if encoded else ""))


# --- Passes ------------------------------------------------------------------------------------------


def _filtered_passes(request):
    visible = selectors.pass_list_for_user(request.user)
    filterset = AccessPassFilterSet(request.GET, queryset=visible, request=request)
    passes, status = filtered_for_page(filterset)
    return filterset, passes, status


def _pass_list_page(request, filterset, passes, status, bulk_form=None):
    user = request.user
    can_bulk = can(user, "passes.issue")
    if can_bulk and bulk_form is None:
        bulk_form = PassBulkForm(passes=AccessPass.objects.none(), auto_id="bulk_%s")
    chosen = set()
    if bulk_form is not None and bulk_form.is_bound:
        chosen = set(bulk_form["passes"].value() or [])
    return render(
        request,
        "contractors/pass_list.html",
        {
            "filter": filterset,
            "page": paginate(request, passes.prefetch_related("zones")),
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "can_issue": can_bulk,
            "can_bulk": can_bulk,
            "can_check": can(user, "passes.check"),
            "bulk_form": bulk_form,
            "tabs": _tabs(request, "passes"),
            "soon": timezone.localdate() + timedelta(days=selectors.EXPIRY_WARNING_DAYS),
            "chosen": {str(pk) for pk in chosen},
        },
        status=status,
    )


@capability_required("passes.view")
def pass_list(request):
    return _pass_list_page(request, *_filtered_passes(request))


@capability_required("passes.view")
def pass_export(request):
    """The filtered pass list as CSV (every text cell spreadsheet-safe). A malformed filter answers
    the list page with its errors; more than EXPORT_MAX rows is refused with a message (narrow the
    filters), never a file silently cut short."""
    filterset, passes, status = _filtered_passes(request)
    if status != 200:
        return _pass_list_page(request, filterset, passes, status)
    if passes.order_by()[: EXPORT_MAX + 1].count() > EXPORT_MAX:
        messages.error(
            request,
            _("More than %(n)s passes match: narrow the filters to export them.")
            % {"n": number_format(EXPORT_MAX, force_grouping=True)},
        )
        return _list_redirect("contractors:pass_list", request.GET)
    writer = SafeCSVWriter()
    header = [
        _("Pass number"), _("Holder"), _("Job title"), _("Company"), _("Work order"), _("Units and zones"),
        _("Valid from"), _("Valid until"), _("Status"), _("Reason for the status"), _("Issued"),
    ]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for access_pass in passes.prefetch_related("zones").iterator(chunk_size=500):
            yield writer.writerow(
                [
                    access_pass.number,
                    access_pass.holder.full_name,
                    access_pass.holder.job_title,
                    access_pass.company.name,
                    access_pass.work_order.number if access_pass.work_order else "",
                    "; ".join(zone.name for zone in access_pass.zones.all()),
                    access_pass.valid_from.isoformat(),
                    access_pass.valid_until.isoformat(),
                    access_pass.get_status_display(),
                    access_pass.status_reason,
                    timezone.localtime(access_pass.issued_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="passes-{timezone.localdate():%Y%m%d}.csv"'
    return response


@require_POST
@capability_required("passes.issue")
def pass_bulk(request):
    """Extend or suspend the ticked passes, each through its service (each its own transaction):
    the page says how many changed and which were refused, and why. The filters of the list ride
    on the form's URL, so a form error shows the same list again."""
    filterset, passes, status = _filtered_passes(request)
    form = PassBulkForm(request.POST, passes=selectors.pass_list_for_user(request.user), auto_id="bulk_%s")
    if not form.is_valid():
        return _pass_list_page(request, filterset, passes, 400, bulk_form=form)
    data = form.cleaned_data
    extend = data["operation"] == PassBulkForm.EXTEND
    changed, refused, stale = [], [], []
    for access_pass in sorted(data["passes"], key=lambda p: p.number):
        version = form.seen_version(access_pass)
        try:
            if extend:
                services.pass_extend(
                    actor=request.user, access_pass=access_pass, valid_until=data["valid_until"], reason=data["reason"],
                    version=version,
                )  # fmt: skip
            else:
                services.pass_suspend(
                    actor=request.user, access_pass=access_pass, reason=data["reason"], version=version
                )
        except ValidationError as error:
            refused.append((access_pass.number, error))
            if isinstance(error, VersionConflict):
                stale.append(access_pass)
        else:
            changed.append(access_pass.number)
    if not changed and _same_form_error(refused, form):
        # The same refusal for every pass is about what was typed (no reason, a bad date): show it
        # on the form, with the ticks kept.
        add_service_errors(form, refused[0][1])
        return _pass_list_page(request, filterset, passes, 400, bulk_form=form)
    if changed:
        if extend:
            text = ngettext(
                "%(count)d pass extended to %(date)s.", "%(count)d passes extended to %(date)s.", len(changed)
            ) % {"count": len(changed), "date": date_format(data["valid_until"], "SHORT_DATE_FORMAT")}
        else:
            text = ngettext("%(count)d pass suspended.", "%(count)d passes suspended.", len(changed)) % {
                "count": len(changed)
            }
        messages.success(request, text)
    for number, error in refused[:BULK_REFUSALS_SHOWN]:
        messages.warning(
            request, _("%(number)s not changed: %(why)s") % {"number": number, "why": " ".join(error.messages)}
        )
    if len(refused) > BULK_REFUSALS_SHOWN:
        more = len(refused) - BULK_REFUSALS_SHOWN
        messages.warning(
            request, ngettext("…and %(count)d more not changed.", "…and %(count)d more not changed.", more)
            % {"count": more},
        )  # fmt: skip
    if stale:
        return _bulk_again(request, filterset, passes, stale)
    return _list_redirect("contractors:pass_list", request.GET)


def _bulk_again(request, filterset, passes, stale):
    """Passes that changed after the list was opened were left alone: the list as it is now (the
    rows' versions current), the form as it was sent with only those passes still ticked, 409."""
    data = request.POST.copy()
    data.setlist("passes", [str(access_pass.pk) for access_pass in stale])
    form = PassBulkForm(data, passes=selectors.pass_list_for_user(request.user), auto_id="bulk_%s")
    form.is_valid()
    form.add_error(
        None,
        ngettext(
            "%(count)d pass changed after you opened the list and was not changed: it is still ticked. Review it "
            "and apply again.",
            "%(count)d passes changed after you opened the list and were not changed: they are still ticked. "
            "Review them and apply again.",
            len(stale),
        )
        % {"count": len(stale)},
    )
    return _pass_list_page(request, filterset, passes, 409, bulk_form=form)


def _same_form_error(refused, form) -> bool:
    """True when every pass was refused with the same ValidationError on one of the form's fields."""
    if not refused:
        return False
    errors = [error for _, error in refused]
    if any(isinstance(error, StateConflict) or not hasattr(error, "error_dict") for error in errors):
        return False
    first = errors[0].message_dict
    return all(error.message_dict == first for error in errors) and set(first) <= set(form.fields)


@capability_required("passes.issue")
def pass_issue(request):
    user = request.user
    work_orders = selectors.work_order_list_for_user(user)
    initial = {"holder": request.GET.get("holder", "")}
    order_id = request.GET.get("work_order", "")
    order = work_orders.filter(pk=order_id).first() if order_id.isdigit() and len(order_id) < 19 else None
    if order is not None:
        # From a work order's page: its unit, and no further than its end.
        initial.update(work_order=order.pk, zones=[order.unit_id])
        initial["valid_until"] = min(order.ends_on, timezone.localdate() + timedelta(days=DEFAULT_PASS_DAYS))
    form = PassIssueForm(request.POST or None, units=unit_list_for_user(user), work_orders=work_orders, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            access_pass = services.pass_issue(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pass %(number)s issued.") % {"number": access_pass.number})
            return redirect(access_pass)
    status = 400 if request.method == "POST" else 200
    return render(request, "contractors/pass_form.html", {"form": form}, status=status)


def _get_pass(request, pk) -> AccessPass:
    passes = selectors.pass_list_for_user(request.user).select_related(
        "holder__company", "work_order__unit", "issued_by"
    )
    return get_object_or_404(passes.prefetch_related("zones", "holder__documents"), pk=pk)


PASS_FORMS = {
    # step: (form class, capability, statuses it starts from)
    "extend": (PassExtendForm, "passes.issue", (PassStatus.ACTIVE, PassStatus.SUSPENDED, PassStatus.EXPIRED)),
    "suspend": (PassReasonForm, "passes.issue", (PassStatus.ACTIVE,)),
    "reinstate": (PassReasonForm, "passes.issue", (PassStatus.SUSPENDED,)),
    "block": (PassReasonForm, "passes.block", (PassStatus.ACTIVE, PassStatus.SUSPENDED)),
    "unblock": (PassReasonForm, "passes.unblock", (PassStatus.BLOCKED,)),
    "revoke": (
        PassReasonForm,
        "passes.issue",
        (PassStatus.ACTIVE, PassStatus.SUSPENDED, PassStatus.BLOCKED, PassStatus.EXPIRED),
    ),
}


def _pass_form(step, data=None, *, access_pass=None):
    initial = {"version": access_pass.version} if access_pass is not None else None
    return PASS_FORMS[step][0](data, auto_id=f"{step}_%s", initial=initial)


def _pass_context(request, access_pass, **bound_forms) -> dict:
    user = request.user
    today = timezone.localdate()
    holder = access_pass.holder
    refusals = gate.refusals_for(access_pass, today=today, documents=list(holder.documents.all()))
    context = {
        "access_pass": access_pass,
        "holder": holder,
        "company": access_pass.company,
        "work_order": access_pass.work_order,
        "zones": list(access_pass.zones.all()),
        "photo_url": _photo_url(holder),
        "today": today,
        "gate_allowed": not refusals,
        "gate_reasons": _described(refusals),
        "history": _status_history(access_pass, PassStatus),
        "checks": _check_rows(selectors.pass_checks(access_pass, limit=CHECK_ROWS)),
        "can_check": can(user, "passes.check"),
        "can_print": can(user, "passes.issue"),
    }
    for step, (_form, capability, sources) in PASS_FORMS.items():
        context[f"can_{step}"] = access_pass.status in sources and can(user, capability)
        context[f"{step}_form"] = bound_forms.get(step) or _pass_form(step, access_pass=access_pass)
    context["can_change"] = any(context[f"can_{step}"] for step in PASS_FORMS)
    return context


@capability_required("passes.view")
def pass_detail(request, pk):
    access_pass = _get_pass(request, pk)
    return render(request, "contractors/pass_detail.html", _pass_context(request, access_pass))


def _pass_step(request, pk, step, call, done_message):
    """POST one status change of a pass: 404 outside the user's scope, 403 without the capability,
    the service's refusal shown on its form (400) or, when the pass changed meanwhile, as a message."""
    access_pass = _get_pass(request, pk)
    require(request.user, PASS_FORMS[step][1])
    form = _pass_form(step, request.POST)
    if form.is_valid():
        try:
            call(access_pass, form.cleaned_data)
        except VersionConflict as conflict:
            # Changed since the page was read: the pass as it is now, the form as it was sent (the
            # current version in it, so sending it again after a look is accepted), 409.
            access_pass = _get_pass(request, pk)
            context = _pass_context(request, access_pass)
            if context[f"can_{step}"]:
                show_conflict(form, conflict)
                context[f"{step}_form"] = form
            else:  # the step is no longer possible (revoked meanwhile …): told above the page
                messages.error(request, " ".join(conflict.messages))
            return render(request, "contractors/pass_detail.html", context, status=409)
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(access_pass)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done_message(access_pass))
            return redirect(access_pass)
    access_pass = _get_pass(request, pk)
    return render(
        request, "contractors/pass_detail.html", _pass_context(request, access_pass, **{step: form}), status=400
    )


@require_POST
@capability_required("passes.view")
def pass_extend(request, pk):
    return _pass_step(
        request, pk, "extend",
        lambda p, data: services.pass_extend(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s extended to %(date)s.")
        % {"number": p.number, "date": date_format(p.valid_until, "SHORT_DATE_FORMAT")},
    )  # fmt: skip


@require_POST
@capability_required("passes.view")
def pass_suspend(request, pk):
    return _pass_step(
        request, pk, "suspend",
        lambda p, data: services.pass_suspend(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s suspended.") % {"number": p.number},
    )  # fmt: skip


@require_POST
@capability_required("passes.view")
def pass_reinstate(request, pk):
    return _pass_step(
        request, pk, "reinstate",
        lambda p, data: services.pass_reinstate(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s is active again.") % {"number": p.number},
    )  # fmt: skip


@require_POST
@capability_required("passes.view")
def pass_block(request, pk):
    return _pass_step(
        request, pk, "block",
        lambda p, data: services.pass_block(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s blocked: it is refused at every gate.") % {"number": p.number},
    )  # fmt: skip


@require_POST
@capability_required("passes.view")
def pass_unblock(request, pk):
    return _pass_step(
        request, pk, "unblock",
        lambda p, data: services.pass_unblock(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s unblocked; it is now %(status)s.")
        % {"number": p.number, "status": p.get_status_display().lower()},
    )  # fmt: skip


@require_POST
@capability_required("passes.view")
def pass_revoke(request, pk):
    return _pass_step(
        request, pk, "revoke",
        lambda p, data: services.pass_revoke(actor=request.user, access_pass=p, **data),
        lambda p: _("Pass %(number)s revoked.") % {"number": p.number},
    )  # fmt: skip


# --- The gate ----------------------------------------------------------------------------------------


def _is_prefetch(request) -> bool:
    """A browser fetching the page ahead of a tap (address-bar prerendering) is not a check."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose.lower() or "prerender" in purpose.lower()


def _gate_result(request, check, decision) -> dict:
    access_pass = decision.access_pass
    result = {
        "allowed": decision.allowed,
        "number": check.number_presented,
        "checked_at": check.checked_at,
        "checkpoint": check.checkpoint,
        "reasons": _described(check.reasons),
        "access_pass": access_pass,
    }
    if access_pass is not None:
        holder = access_pass.holder
        result.update(
            holder=holder,
            company=access_pass.company,
            photo_url=_photo_url(holder),
            zones=[zone.name for zone in access_pass.zones.all()],
        )
        # A guard checks any card; the pass's own page is for those whose scope holds it.
        if selectors.pass_list_for_user(request.user).filter(pk=access_pass.pk).exists():
            result["pass_url"] = access_pass.get_absolute_url()
    return result


@capability_required("passes.check")
def gate_page(request):
    """The guard's phone page. The QR code on a card holds only the number, so a camera app opens
    `?number=P-000123`: that GET checks at once (and records the check, as any check is recorded).
    Only roles with passes.check reach this far; anyone else gets 403 and learns nothing."""
    checkpoint = request.session.get(GATE_CHECKPOINT_KEY, "")
    number_given = request.GET.get("number", "").strip()
    if request.method == "POST":
        form = GateForm(request.POST)
    elif number_given and not _is_prefetch(request):
        form = GateForm({"number": number_given, "checkpoint": request.GET.get("checkpoint", checkpoint)})
    else:
        form = GateForm(initial={"number": number_given, "checkpoint": checkpoint})
    result, status = None, 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            if data["checkpoint"] != checkpoint:
                request.session[GATE_CHECKPOINT_KEY] = checkpoint = data["checkpoint"]
            try:
                check, decision = services.gate_check(
                    actor=request.user, number=data["number"], checkpoint=data["checkpoint"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                result, status = _gate_result(request, check, decision), 200
                # Ready for the next card: an empty number, the same checkpoint.
                form = GateForm(initial={"checkpoint": checkpoint})
    return render(
        request,
        "contractors/gate.html",
        {"form": form, "result": result},
        status=status,
    )


# --- Companies ---------------------------------------------------------------------------------------


def _count_of(queryset, field: str):
    """A correlated COUNT of `queryset`'s rows whose `field` is the outer row (0 when none): read for
    the page's rows only, never a join over every worker and pass."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


@capability_required("contractors.view")
def company_list(request):
    user = request.user
    show_passes = can(user, "passes.view")
    companies = selectors.company_list_for_user(user).annotate(
        worker_count=_count_of(ContractorWorker.objects.filter(is_active=True), "company")
    )
    if show_passes:
        active = selectors.pass_list_for_user(user).filter(status=PassStatus.ACTIVE)
        companies = companies.annotate(active_pass_count=_count_of(active, "company"))
    filterset = CompanyFilterSet(request.GET, queryset=companies, request=request)
    rows, status = filtered_for_page(filterset)
    return render(
        request,
        "contractors/company_list.html",
        {
            "filter": filterset,
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "show_passes": show_passes,
            "can_create": can(user, "contractors.manage_companies"),
            "tabs": _tabs(request, "companies"),
        },
        status=status,
    )


def _get_company(request, pk) -> ContractorCompany:
    return get_object_or_404(selectors.company_list_for_user(request.user), pk=pk)


def _documents(documents, today: date) -> list[dict]:
    """Documents with their state today: an expired one is flagged, and said to be replaced when a
    newer one of its kind is in force."""
    in_force = {doc.kind for doc in documents if doc.valid_until >= today}
    return [
        {
            "document": doc,
            "expired": doc.valid_until < today,
            "replaced": doc.valid_until < today and doc.kind in in_force,
            "days_left": (doc.valid_until - today).days,
        }
        for doc in documents
    ]


def _company_context(request, company, status_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    show_passes = can(user, "passes.view")
    orders = list(selectors.work_order_list_for_user(user).filter(company=company)[: DETAIL_ROWS + 1])
    passes = []
    if show_passes:
        passes = list(
            selectors.pass_list_for_user(user).filter(company=company).prefetch_related("zones")[: DETAIL_ROWS + 1]
        )
    return {
        "company": company,
        "today": today,
        "documents": _documents(list(company.documents.all()), today),
        "workers": paginate(request, company.workers.order_by("-is_active", "full_name", "id")),
        "work_orders": orders[:DETAIL_ROWS],
        "more_work_orders": len(orders) > DETAIL_ROWS,
        "passes": passes[:DETAIL_ROWS],
        "more_passes": len(passes) > DETAIL_ROWS,
        "show_passes": show_passes,
        "history": _status_history(company, ContractorCompany.Status),
        "can_set_status": can(user, "contractors.manage_companies"),
        "can_add_document": can(user, "contractors.manage_companies"),
        "can_add_worker": can(user, "contractors.manage_workers"),
        "can_add_work_order": can(user, "contractors.manage_work_orders") and company.is_approved,
        "status_form": status_form or CompanyStatusForm(auto_id="status_%s", current=company.status),
    }


@capability_required("contractors.view")
def company_detail(request, pk):
    company = _get_company(request, pk)
    return render(request, "contractors/company_detail.html", _company_context(request, company))


@capability_required("contractors.manage_companies")
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": company.name})
            return redirect(company)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contractors/simple_form.html",
        {
            "form": form,
            "title": _("Register a contractor company"),
            "submit": _("Register"),
            "cancel_url": reverse("contractors:company_list"),
            "breadcrumbs": [(reverse("contractors:company_list"), _("Contractors"))],
        },
        status=status,
    )


@require_POST
@capability_required("contractors.view")
def company_set_status(request, pk):
    company = _get_company(request, pk)
    require(request.user, "contractors.manage_companies")
    form = CompanyStatusForm(request.POST, auto_id="status_%s")
    if form.is_valid():
        try:
            services.company_set_status(actor=request.user, company=company, **form.cleaned_data)
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(company)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": company.name, "status": company.get_status_display().lower()},
            )
            return redirect(company)
    company = _get_company(request, pk)
    return render(
        request, "contractors/company_detail.html", _company_context(request, company, status_form=form), status=400
    )


@capability_required("contractors.view")
def company_document_add(request, pk):
    company = _get_company(request, pk)
    require(request.user, "contractors.manage_companies")
    form = CompanyDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_document_add(actor=request.user, company=company, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Document added to %(name)s.") % {"name": company.name})
            return redirect(company)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contractors/simple_form.html",
        {
            "form": form,
            "title": _("Add a company document"),
            "subtitle": company.name,
            "submit": _("Add the document"),
            "cancel_url": company.get_absolute_url(),
            "breadcrumbs": [
                (reverse("contractors:company_list"), _("Contractors")),
                (company.get_absolute_url(), company.name),
            ],
        },
        status=status,
    )


# --- Workers -----------------------------------------------------------------------------------------


@capability_required("contractors.view")
def worker_create(request, pk):
    company = _get_company(request, pk)
    require(request.user, "contractors.manage_workers")
    form = WorkerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_create(actor=request.user, company=company, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": worker.full_name})
            return redirect(worker)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contractors/simple_form.html",
        {
            "form": form,
            "multipart": True,
            "title": _("Register a worker"),
            "subtitle": company.name,
            "submit": _("Register"),
            "cancel_url": company.get_absolute_url(),
            "breadcrumbs": [
                (reverse("contractors:company_list"), _("Contractors")),
                (company.get_absolute_url(), company.name),
            ],
        },
        status=status,
    )


def _get_worker(request, pk) -> ContractorWorker:
    return get_object_or_404(selectors.worker_list_for_user(request.user), pk=pk)


@capability_required("contractors.view")
def worker_detail(request, pk):
    user = request.user
    worker = _get_worker(request, pk)
    today = timezone.localdate()
    documents = list(worker.documents.all())
    required = []
    for kind in REQUIRED_WORKER_DOCUMENTS:
        latest = max((doc.valid_until for doc in documents if doc.kind == kind), default=None)
        in_force = latest is not None and latest >= today
        required.append({"label": kind.label, "valid_until": latest, "in_force": in_force})
    show_passes = can(user, "passes.view")
    passes = (
        paginate(request, selectors.pass_list_for_user(user).filter(holder=worker).prefetch_related("zones"))
        if show_passes
        else None
    )
    return render(
        request,
        "contractors/worker_detail.html",
        {
            "worker": worker,
            "company": worker.company,
            "today": today,
            "photo_url": _photo_url(worker),
            "documents": _documents(sorted(documents, key=lambda d: (d.kind, d.valid_until)), today),
            "required": required,
            "passes": passes,
            "show_passes": show_passes,
            "can_add_document": can(user, "contractors.manage_workers"),
            "can_issue": can(user, "passes.issue") and worker.is_active and worker.company.is_approved,
        },
    )


@capability_required("contractors.view")
def worker_document_add(request, pk):
    worker = _get_worker(request, pk)
    require(request.user, "contractors.manage_workers")
    form = WorkerDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_document_add(actor=request.user, worker=worker, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Document added for %(name)s.") % {"name": worker.full_name})
            return redirect(worker)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "contractors/simple_form.html",
        {
            "form": form,
            "title": _("Add a worker document"),
            "subtitle": f"{worker.full_name} · {worker.company.name}",
            "submit": _("Add the document"),
            "cancel_url": worker.get_absolute_url(),
            "breadcrumbs": [
                (reverse("contractors:company_list"), _("Contractors")),
                (worker.company.get_absolute_url(), worker.company.name),
                (worker.get_absolute_url(), worker.full_name),
            ],
        },
        status=status,
    )


@capability_required("contractors.view")
def worker_photo(request, pk):
    """A worker's photo, served only to those who read contractors (never from a public URL)."""
    worker = _get_worker(request, pk)
    if not worker.photo:
        raise Http404
    # Shown inline on the worker, pass and gate pages (raster pictures only; see uploads.file_response).
    return uploads.file_response(worker.photo, filename=f"worker-{worker.pk}", inline_pictures=True)


# --- Work orders -------------------------------------------------------------------------------------


@capability_required("contractors.view")
def work_order_list(request):
    user = request.user
    filterset = WorkOrderFilterSet(request.GET, queryset=selectors.work_order_list_for_user(user), request=request)
    orders, status = filtered_for_page(filterset)
    return render(
        request,
        "contractors/work_order_list.html",
        {
            "filter": filterset,
            "page": paginate(request, orders),
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "can_create": can(user, "contractors.manage_work_orders"),
            "tabs": _tabs(request, "work_orders"),
        },
        status=status,
    )


def _get_work_order(request, pk) -> WorkOrder:
    return get_object_or_404(selectors.work_order_list_for_user(request.user), pk=pk)


WORK_ORDER_STEP_LABELS = {
    "start": _("Start the work"),
    "stop": _("Stop the work"),
    "resume": _("Resume the work"),
    "finish": _("Finish the work"),
}


def _work_order_context(request, order, step_forms=None) -> dict:
    user = request.user
    may_manage = can(user, "contractors.manage_work_orders", order.unit)
    step_forms = step_forms or {}
    steps = []
    for step, spec in services.WORK_ORDER_STEPS.items():
        sources, needs_reason = spec[0], spec[2]  # (from, to, reason required, …)
        if may_manage and order.status in sources:
            steps.append(
                {
                    "name": step,
                    "label": WORK_ORDER_STEP_LABELS[step],
                    "needs_reason": needs_reason,
                    "form": step_forms.get(step) or WorkOrderStepForm(auto_id=f"{step}_%s"),
                    "url": reverse("contractors:work_order_step", args=[order.pk, step]),
                    "danger": step == "stop",
                }
            )
    show_passes = can(user, "passes.view")
    passes = None
    if show_passes:
        on_order = selectors.pass_list_for_user(user).filter(work_order=order)
        passes = paginate(request, on_order.prefetch_related("zones"))
    return {
        "order": order,
        "today": timezone.localdate(),
        "steps": steps,
        "passes": passes,
        "show_passes": show_passes,
        "can_issue": can(user, "passes.issue")
        and order.status not in (WorkOrder.Status.STOPPED, WorkOrder.Status.FINISHED),
        "history": _status_history(order, WorkOrder.Status),
    }


@capability_required("contractors.view")
def work_order_detail(request, pk):
    order = _get_work_order(request, pk)
    return render(request, "contractors/work_order_detail.html", _work_order_context(request, order))


@capability_required("contractors.manage_work_orders")
def work_order_create(request):
    form = WorkOrderForm(request.POST or None, units=unit_list_for_user(request.user))
    if request.GET.get("company") and not form.is_bound:
        form.initial["company"] = request.GET["company"]
    if request.method == "POST" and form.is_valid():
        try:
            order = services.work_order_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Work order %(number)s opened.") % {"number": order.number})
            return redirect(order)
    status = 400 if request.method == "POST" else 200
    return render(request, "contractors/work_order_form.html", {"form": form}, status=status)


@require_POST
@capability_required("contractors.view")
def work_order_step(request, pk, step):
    if step not in services.WORK_ORDER_STEPS:
        raise Http404
    order = _get_work_order(request, pk)
    require(request.user, "contractors.manage_work_orders", order.unit)
    form = WorkOrderStepForm(request.POST, auto_id=f"{step}_%s")
    if form.is_valid():
        try:
            services.work_order_step(actor=request.user, order=order, step=step, reason=form.cleaned_data["reason"])
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(order)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Work order %(number)s is now %(status)s.")
                % {"number": order.number, "status": order.get_status_display().lower()},
            )
            return redirect(order)
    order = _get_work_order(request, pk)
    return render(
        request, "contractors/work_order_detail.html", _work_order_context(request, order, {step: form}), status=400
    )
