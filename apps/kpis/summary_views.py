"""The executive summary, the escalations and the monthly reports: parse, check, call a service,
render.

The summary page is the executive's (and the HSE head's, who prepares it): one screen that says
whether we are safer than last month and where the executive must act, with the decision form of
each open escalation in place. Mutations are POST only; a service's refusal is shown on its form in
place (400); a StateConflict (someone decided or withdrew first) is a message over the record as it
is now."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import can, capability_required, require
from apps.audit.selectors import history_for
from apps.common.errors import StateConflict
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.periods import DEFAULT_PERIOD, period_from
from apps.org.selectors import unit_list_for_user

from . import escalations as services
from . import reports
from . import summary as summaries
from .models import Escalation, MonthlyReport
from .selectors import last_complete_month
from .summary_forms import DecideForm, EscalationFilterSet, EscalationForm, MonthForm, ReportRequestForm, WithdrawForm

VIEW = "kpis.view_executive_summary"
HISTORY_ROWS = 20
# The page the decide form came from: the summary (errors shown there, in place) or the detail.
FROM_SUMMARY = "summary"


# --- The summary --------------------------------------------------------------------------------


def _month(request, today, query=None):
    """The month asked for (?month=YYYY-MM) and the picker form. By default the last complete
    month, the one the monthly report is about: a month that began yesterday compares nothing
    with the one before (the current month is one choice away, "so far"). A malformed month is an
    error on the picker (the page then shows the default month, 400)."""
    query = request.GET if query is None else query
    default = last_complete_month(today)
    if "month" not in query:
        return default, MonthForm(today=today, initial={"month": f"{default:%Y-%m}"}), 200
    form = MonthForm(query, today=today)
    if form.is_valid():
        return form.cleaned_data["month"], form, 200
    return default, form, 400


def _links(request, summary) -> dict:
    """Drill-down addresses for the roles that may open them (the template does not decide)."""
    user = request.user
    show_actions = can(user, "actions.view")
    owner_links = [
        f"{reverse('actions:list')}?tab=overdue&owner={owner.owner_id}" if show_actions else None
        for owner in summary.overdue_by_owner
    ]
    return {
        "show_incidents": can(user, "incidents.view"),
        "show_actions": show_actions,
        "show_contractors": can(user, "contractors.view"),
        "owner_links": owner_links,
        "oldest_overdue": max(summary.overdue_by_owner, key=lambda owner: owner.days_late, default=None),
    }


def _summary_context(request, *, month, today, month_form, decide_forms=None, here=None, query=None) -> dict:
    user = request.user
    # The trends' period (?months=3, 6 or 12; 12 by default, and when malformed: an error on the picker).
    period, period_form, period_valid = period_from(request.GET if query is None else query)
    summary = summaries.executive_summary(month=month, today=today, trend_months=period)
    may_decide = can(user, "kpis.decide_escalations")
    decide_forms = decide_forms or {}
    links = _links(request, summary)
    open_rows = [
        {
            "escalation": escalation,
            "overdue": escalation.is_overdue(today),
            "days_left": (escalation.deadline - today).days,
            "options": services.option_lines(escalation),
            "form": decide_forms.get(escalation.pk) or (DecideForm(escalation=escalation) if may_decide else None),
        }
        for escalation in summary.escalations_open
    ]
    return {
        "summary": summary,
        "today": today,
        "month_form": month_form,
        "month_label": summaries.month_label(summary.month),
        "period": period,
        "period_form": period_form,
        "period_valid": period_valid,
        "period_keep": {"month": f"{summary.month:%Y-%m}"},
        "keep_months": period if period != DEFAULT_PERIOD else None,
        "cards": summaries.card_views(summary.cards),
        "lagging": summaries.card_views(summary.lagging, chart_kind="columns"),
        "overdue_chart": summaries.overdue_chart(summary, links=links["owner_links"]),
        "escalation_sentence": summaries.escalation_sentence(summary),
        "overdue_sentence": summaries.overdue_sentence(summary),
        "open_rows": open_rows,
        "may_decide": may_decide,
        "may_raise": can(user, "kpis.raise_escalations"),
        "may_generate": can(user, "kpis.generate_monthly_report"),
        "here": here or request.get_full_path(),  # where a decision made on the page comes back to
        **links,
    }


@capability_required(VIEW)
def summary_page(request):
    today = timezone.localdate()
    month, form, status = _month(request, today)
    context = _summary_context(request, month=month, today=today, month_form=form)
    return render(request, "kpis/summary.html", context, status=status if context["period_valid"] else 400)


# --- Escalations ----------------------------------------------------------------------------------


def _escalations():
    return Escalation.objects.select_related("raised_by", "decided_by", "unit")


def _get_escalation(pk) -> Escalation:
    return get_object_or_404(_escalations(), pk=pk)


@capability_required(VIEW)
def escalation_list(request):
    filterset = EscalationFilterSet(request.GET, queryset=_escalations().order_by("-raised_at", "-id"), request=request)
    rows, status = filtered_for_page(filterset)
    page = paginate(request, rows)
    today = timezone.localdate()
    for escalation in page:
        escalation.overdue = escalation.is_overdue(today)
    return render(
        request,
        "kpis/escalation_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query_without_page(request),
            "may_raise": can(request.user, "kpis.raise_escalations"),
            "today": today,
        },
        status=status,
    )


@capability_required("kpis.raise_escalations")
def escalation_create(request):
    units = unit_list_for_user(request.user).order_by("name", "id")
    form = EscalationForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_raise(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Escalation raised: the executive has been told."))
            return redirect(escalation)
    status = 400 if request.method == "POST" else 200
    return render(request, "kpis/escalation_form.html", {"form": form}, status=status)


def _detail_context(request, escalation, *, decide_form=None, withdraw_form=None) -> dict:
    user = request.user
    today = timezone.localdate()
    is_open = escalation.status == Escalation.Status.OPEN
    may_decide = is_open and can(user, "kpis.decide_escalations")
    may_withdraw = is_open and can(user, "kpis.raise_escalations")
    return {
        "escalation": escalation,
        "today": today,
        "overdue": escalation.is_overdue(today),
        "options": services.option_lines(escalation),
        "decide_form": decide_form or (DecideForm(escalation=escalation) if may_decide else None),
        "withdraw_form": withdraw_form or (WithdrawForm() if may_withdraw else None),
        "history": list(history_for(escalation)[:HISTORY_ROWS]),
    }


@capability_required(VIEW)
def escalation_detail(request, pk):
    escalation = _get_escalation(pk)
    return render(request, "kpis/escalation_detail.html", _detail_context(request, escalation))


def _back_to_summary(request) -> str | None:
    """The summary page (with its month) the decide form was posted from, if it was."""
    if request.POST.get("from") != FROM_SUMMARY:
        return None
    url = request.POST.get("next") or reverse("kpis:summary")
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        url = reverse("kpis:summary")
    return url


@require_POST
@capability_required(VIEW)
def escalation_decide(request, pk):
    escalation = _get_escalation(pk)
    require(request.user, "kpis.decide_escalations")
    form = DecideForm(request.POST, escalation=escalation)
    back = _back_to_summary(request)
    if form.is_valid():
        try:
            services.escalation_decide(
                actor=request.user,
                escalation=escalation,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(back or escalation.get_absolute_url())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Decision recorded: %(title)s. The HSE head has been told.") % {"title": escalation.title}
            )
            return redirect(back or escalation.get_absolute_url())
    if back:
        today = timezone.localdate()
        query = QueryDict(urlsplit(back).query)
        month, month_form, _status = _month(request, today, query)
        context = _summary_context(
            request, month=month, today=today, month_form=month_form, decide_forms={escalation.pk: form}, here=back,
            query=query,
        )  # fmt: skip
        return render(request, "kpis/summary.html", context, status=400)
    escalation = _get_escalation(pk)
    return render(
        request, "kpis/escalation_detail.html", _detail_context(request, escalation, decide_form=form), status=400
    )


@require_POST
@capability_required(VIEW)
def escalation_withdraw(request, pk):
    escalation = _get_escalation(pk)
    require(request.user, "kpis.raise_escalations")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.escalation_withdraw(actor=request.user, escalation=escalation, reason=form.cleaned_data["reason"])
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(escalation)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Escalation withdrawn."))
            return redirect(escalation)
    escalation = _get_escalation(pk)
    context = _detail_context(request, escalation, withdraw_form=form)
    return render(request, "kpis/escalation_detail.html", context, status=400)


# --- Monthly reports --------------------------------------------------------------------------------


def _report_list_context(request, *, form=None) -> dict:
    reports_ = MonthlyReport.objects.select_related("requested_by").order_by("-month", "-requested_at", "-id")
    today = timezone.localdate()
    may_generate = can(request.user, "kpis.generate_monthly_report")
    initial = {"month": f"{last_complete_month(today):%Y-%m}"}
    return {
        "page": paginate(request, reports_),
        "query": query_without_page(request),
        "may_generate": may_generate,
        "form": form or (ReportRequestForm(today=today, initial=initial) if may_generate else None),
    }


@capability_required(VIEW)
def report_list(request):
    return render(request, "kpis/report_list.html", _report_list_context(request))


@require_POST
@capability_required("kpis.generate_monthly_report")
def report_request(request):
    form = ReportRequestForm(request.POST, today=timezone.localdate())
    if form.is_valid():
        try:
            report = reports.report_request(actor=request.user, month=form.cleaned_data["month"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The report of %(month)s is being generated: it will be listed here and e-mailed when ready.")
                % {"month": summaries.month_label(report.month)},
            )
            return redirect(f"{reverse('kpis:report_list')}#report-{report.pk}")
    return render(request, "kpis/report_list.html", _report_list_context(request, form=form), status=400)


@require_GET
@capability_required(VIEW)
def report_status(request, pk):
    """One report's row: the list polls it (htmx) while the report is queued or being made."""
    report = get_object_or_404(MonthlyReport.objects.select_related("requested_by"), pk=pk)
    return render(request, "kpis/report_status.html", {"report": report})


@capability_required(VIEW)
def report_file(request, pk):
    report = get_object_or_404(MonthlyReport, ~Q(file=""), pk=pk, status=MonthlyReport.Status.DONE)
    if not report.file:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=reports.report_filename(report.month))
