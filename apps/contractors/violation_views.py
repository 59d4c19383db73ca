"""The contractor audit, violation and sanction pages, and the scorecard (parse, check, call,
render)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required, require
from apps.actions.selectors import actions_of
from apps.audits.selectors import audit_list_for_user
from apps.common import uploads
from apps.common.errors import StateConflict
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.org.selectors import unit_list_for_user

from . import sanctions, scorecard, selectors
from .models import ContractorCompany, Sanction, Violation
from .views import _tabs
from .violation_forms import ContractorAuditForm, LiftForm, SanctionForm, ViolationForm


def _get_violation(request, pk) -> Violation:
    return get_object_or_404(selectors.violation_list_for_user(request.user), pk=pk)


@capability_required("contractors.view")
def violation_list(request):
    violations = selectors.violation_list_for_user(request.user)
    severity = request.GET.get("severity", "")
    if severity in Violation.Severity.values:
        violations = violations.filter(severity=severity)
    company_id = request.GET.get("company", "")
    company = None
    if company_id.isdigit() and len(company_id) < 19:
        company = ContractorCompany.objects.filter(pk=int(company_id)).first()
        violations = violations.filter(company_id=int(company_id))
    return render(
        request,
        "contractors/violation_list.html",
        {
            "tabs": _tabs(request, "violations"),
            "page": paginate(request, violations.prefetch_related("sanctions")),
            "query": query_without_page(request),
            "severity": severity,
            "severities": Violation.Severity.choices,
            "company": company,
            "can_record": can(request.user, "contractors.record_violations"),
        },
    )


@capability_required("contractors.view")
def violation_evidence(request, pk):
    """A violation's evidence file, served only to those who may see the violation (never from a
    public URL), as an attachment."""
    violation = _get_violation(request, pk)
    if not violation.evidence:
        raise Http404
    return uploads.file_response(violation.evidence, filename=f"violation-{violation.pk}-evidence")


@capability_required("contractors.record_violations")
def violation_create(request):
    companies = ContractorCompany.objects.order_by("name", "id")
    form = ViolationForm(
        request.POST or None, request.FILES or None, companies=companies, units=unit_list_for_user(request.user),
        initial={"company": request.GET.get("company"), "work_order": request.GET.get("work_order"),
                 "observed_at": timezone.localtime().replace(second=0, microsecond=0)},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            violation = sanctions.violation_record(
                actor=request.user, company=data["company"], severity=data["severity"],
                description=data["description"], unit=data["unit"], observed_at=data["observed_at"],
                work_order=data["work_order"], workers=data["workers"], location=data["location"],
                evidence=data["evidence"],
            )  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if violation.severity == Violation.Severity.CRITICAL:
                messages.warning(request, _("Critical violation recorded: the work is stopped and its passes blocked."))
            else:
                messages.success(request, _("Violation recorded. Decide the sanction below."))
            return redirect(violation)
    return render(
        request,
        "contractors/simple_form.html",
        {
            "form": form,
            "title": _("Record a contractor violation"),
            "submit": _("Record"),
            "multipart": True,
            "cancel_url": reverse("contractors:violation_list"),
            "breadcrumbs": [(reverse("contractors:violation_list"), _("Violations"))],
        },  # fmt: skip
        status=400 if request.method == "POST" else 200,
    )


def _detail(request, violation, *, sanction_form=None, lift_forms=None, status=200):
    user = request.user
    may_sanction = can(user, "contractors.sanction", violation.unit)
    proposed = sanctions.proposed_sanction(violation)
    in_force = list(violation.sanctions.select_related("decided_by", "lifted_by").prefetch_related("passes"))
    return render(
        request,
        "contractors/violation_detail.html",
        {
            "tabs": _tabs(request, "violations"),
            "violation": violation,
            "workers": list(violation.workers.all()),
            "repetition": sanctions.repetition_of(violation),
            "proposed": proposed,
            "proposed_label": Sanction.Kind(proposed).label,
            "sanctions": [
                {"sanction": s, "lift_form": (lift_forms or {}).get(s.pk) or LiftForm(auto_id=f"lift{s.pk}_%s")}
                for s in in_force
            ],
            "actions": actions_of(violation),
            "may_sanction": may_sanction,
            "sanction_form": sanction_form or SanctionForm(initial={"kind": proposed}, auto_id="sanction_%s"),
        },
        status=status,
    )


@capability_required("contractors.view")
def violation_detail(request, pk):
    return _detail(request, _get_violation(request, pk))


@require_POST
@capability_required("contractors.view")
def sanction_apply(request, pk):
    violation = _get_violation(request, pk)
    require(request.user, "contractors.sanction", violation.unit)
    form = SanctionForm(request.POST, auto_id="sanction_%s")
    if form.is_valid():
        try:
            sanction = sanctions.sanction_apply(actor=request.user, violation=violation, **form.cleaned_data)
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(violation)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sanction decided: %(kind)s.") % {"kind": sanction.get_kind_display()})
            return redirect(violation)
    return _detail(request, violation, sanction_form=form, status=400)


@require_POST
@capability_required("contractors.view")
def sanction_lift(request, pk):
    sanction = get_object_or_404(
        Sanction.objects.select_related("violation").filter(
            violation__in=selectors.violation_list_for_user(request.user)
        ),
        pk=pk,
    )
    violation = sanction.violation
    require(request.user, "contractors.sanction", violation.unit)
    form = LiftForm(request.POST, auto_id=f"lift{sanction.pk}_%s")
    if form.is_valid():
        try:
            sanctions.sanction_lift(actor=request.user, sanction=sanction, reason=form.cleaned_data["reason"])
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            return redirect(violation)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Sanction lifted. Its passes stay blocked until the pass office unblocks them.")
            )
            return redirect(violation)
    return _detail(request, violation, lift_forms={sanction.pk: form}, status=400)


@capability_required("contractors.view")
def company_scorecard(request, pk):
    company = get_object_or_404(selectors.company_list_for_user(request.user), pk=pk)
    card = scorecard.company_scorecard(company, today=timezone.localdate())
    peak = max([n for _month, n in card.trend] + [1])
    return render(
        request,
        "contractors/company_scorecard.html",
        {
            "tabs": _tabs(request, "companies"),
            "company": company,
            "card": card,
            "trend": [{"month": month, "count": n, "height": round(100 * n / peak)} for month, n in card.trend],
            "severities": [
                {"key": key, "label": label, "count": card.by_severity[key], "rate": card.rate_per_10k[key]}
                for key, label in Violation.Severity.choices
            ],
        },
    )


@capability_required("contractors.view")
def company_audits(request, pk):
    """A company's contractor audits (the audits app's audits tied to it), and the form that
    starts one."""
    from .models import ContractorAudit

    company = get_object_or_404(selectors.company_list_for_user(request.user), pk=pk)
    may_audit = can(request.user, "audits.conduct")
    form = None
    if may_audit:
        form = ContractorAuditForm(
            request.POST or None, company=company, units=unit_list_for_user(request.user),
            initial={"work_order": request.GET.get("work_order")},
        )  # fmt: skip
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("audits.conduct")
        if form.is_valid():
            try:
                link = sanctions.contractor_audit_start(actor=request.user, company=company, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Contractor audit started: answer the checklist item by item."))
                return redirect("audits:conduct", pk=link.audit_id)
    audits = ContractorAudit.objects.filter(company=company, audit__in=audit_list_for_user(request.user))
    audits = audits.select_related("audit__unit", "audit__auditor", "audit__template_version__template", "work_order")
    return render(
        request,
        "contractors/company_audits.html",
        {"tabs": _tabs(request, "companies"), "company": company, "page": paginate(request, audits), "form": form},
        status=400 if request.method == "POST" else 200,
    )
