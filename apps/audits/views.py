from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required
from apps.audit.selectors import history_for
from apps.common import uploads
from apps.common.errors import StateConflict
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.pdf import pdf_response, render_pdf
from apps.org.selectors import unit_list_for_user

from . import rules, selectors, services
from .filters import AuditFilterSet, PlanEntryFilterSet
from .forms import AnswerForm, CompleteForm, PlanDeleteForm, PlanEntryForm, TemplateCreateForm, TemplateVersionForm
from .models import Audit, AuditAnswer, AuditPlanEntry, ChecklistTemplate, compute_score


def _this_month():
    return timezone.localdate().replace(day=1)


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


# Lists -----------------------------------------------------------------------------------------


@capability_required("audits.view")
def audit_list(request):
    user = request.user
    tab = request.GET.get("tab", "planned")
    if tab not in selectors.TABS:
        tab = "planned"
    month = _this_month()
    if tab == "planned":
        filterset = PlanEntryFilterSet(
            request.GET,
            queryset=selectors.plan_entry_list_for_user(user),
            request=request,
            default_month=month,
            not_started=True,
        )
    else:
        filterset = AuditFilterSet(request.GET, queryset=selectors.audit_list_for_user(user), request=request, tab=tab)
    rows, status = filtered_for_page(filterset)
    return render(
        request,
        "audits/audit_list.html",
        {
            "tab": tab,
            "filter": filterset,
            "keep": {"tab": tab},
            "page": paginate(request, rows),
            "query": query_without_page(request),
            "month": month,
            "summary": selectors.audits_done_vs_planned(user=user, month=month),
            "last_month": selectors.audits_done_vs_planned(
                user=user, month=(month - timezone.timedelta(days=1)).replace(day=1)
            ),
            "in_progress_count": selectors.audit_list_for_user(user).filter(status=Audit.Status.IN_PROGRESS).count(),
            "can_conduct": can(user, "audits.conduct"),
            "can_plan": can(user, "audits.plan"),
        },
        status=status,
    )


def _plan_context(request, add_form=None):
    user = request.user
    filterset = PlanEntryFilterSet(
        request.GET, queryset=selectors.plan_entry_list_for_user(user), request=request, default_month=_this_month()
    )
    entries, status = filtered_for_page(filterset)
    month = filterset.shown_month
    can_plan = can(user, "audits.plan")
    if can_plan and add_form is None:
        add_form = PlanEntryForm(
            units=unit_list_for_user(user), auditors=selectors.auditor_choices(user), month=max(month, _this_month())
        )
    return {
        "filter": filterset,
        "add_form": add_form,
        "month": month,
        "previous_month": (month - timezone.timedelta(days=1)).replace(day=1),
        "next_month": (month + timezone.timedelta(days=32)).replace(day=1),
        "entries": entries,
        "summary": selectors.audits_done_vs_planned(user=user, month=month),
        "can_plan": can_plan,
        "can_conduct": can(user, "audits.conduct"),
        "this_month": _this_month(),
    }, status


@capability_required("audits.view")
def plan(request):
    context, status = _plan_context(request)
    return render(request, "audits/plan.html", context, status=status)


@require_POST
@capability_required("audits.plan")
def plan_add(request):
    user = request.user
    form = PlanEntryForm(request.POST, units=unit_list_for_user(user), auditors=selectors.auditor_choices(user))
    if form.is_valid():
        try:
            entry = services.plan_entry_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Audit added to the plan: %(entry)s.") % {"entry": entry})
            return redirect(entry)
    context, _status = _plan_context(request, add_form=form)
    return render(request, "audits/plan.html", context, status=400)


def _get_entry(request, pk) -> AuditPlanEntry:
    return get_object_or_404(selectors.plan_entry_list_for_user(request.user), pk=pk)


@require_POST
@capability_required("audits.view")
def plan_delete(request, pk):
    entry = _get_entry(request, pk)
    form = PlanDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect(entry)
    try:
        services.plan_entry_delete(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Removed from the plan: %(entry)s.") % {"entry": entry})
    return redirect(entry)


@require_POST
@capability_required("audits.view")
def audit_start(request, pk):
    entry = _get_entry(request, pk)
    try:
        audit = services.audit_start(actor=request.user, plan_entry=entry)
    except ValidationError as error:
        messages.error(request, _refusal(error))
        existing = Audit.objects.filter(plan_entry_id=entry.pk).first()
        return redirect(existing or reverse("audits:plan"))
    messages.success(request, _("Audit %(ref)s started.") % {"ref": audit.reference})
    return redirect("audits:conduct", pk=audit.pk)


# One audit -------------------------------------------------------------------------------------


def _get_audit(request, pk) -> Audit:
    return selectors.audit_detail_for_user(request.user, pk)


@capability_required("audits.view")
def audit_detail(request, pk):
    audit = _get_audit(request, pk)
    answers = list(selectors.answers_of(audit))
    counts = dict.fromkeys(AuditAnswer.Result.values, 0)
    for answer in answers:
        if answer.result:
            counts[answer.result] += 1
    return render(
        request,
        "audits/audit_detail.html",
        {
            "audit": audit,
            "answers": answers,
            "counts": counts,
            "unanswered": sum(1 for answer in answers if not answer.result),
            "actions": [action for answer in answers for action in answer.found_actions],
            "history": history_for(audit).select_related("actor")[:50],
            "can_conduct": rules.may_conduct(request.user, audit) and not audit.is_completed,
        },
    )


def _check_conduct(request, audit):
    if not rules.may_conduct(request.user, audit):
        raise PermissionDenied


def _answer_form(answer, data=None, files=None):
    initial = {"result": answer.result or None, "comment": answer.comment}
    return AnswerForm(data, files, prefix=f"item-{answer.item_id}", initial=initial)


def _progress(answers):
    answered = sum(1 for answer in answers if answer.result)
    total = len(answers)
    return {"answered": answered, "total": total, "percent": round(answered * 100 / total) if total else 0}


@capability_required("audits.view")
def audit_conduct(request, pk):
    audit = _get_audit(request, pk)
    _check_conduct(request, audit)
    if audit.is_completed:
        return redirect(audit)
    answers = list(selectors.answers_of(audit))
    return render(
        request,
        "audits/audit_conduct.html",
        {
            "audit": audit,
            "cards": [(answer, _answer_form(answer)) for answer in answers],
            "progress": _progress(answers),
        },
    )


@require_POST
@capability_required("audits.view")
def answer_save(request, pk, item_pk):
    """Save one item's answer. The phone page posts each answer as it is given (htmx, the card's
    inputs stay as typed) and gets back the item's state, its photo and the progress; without
    JavaScript the whole page posts and comes back at the item."""
    audit = _get_audit(request, pk)
    _check_conduct(request, audit)
    answer = get_object_or_404(audit.answers.select_related("item"), item_id=item_pk)
    form = _answer_form(answer, request.POST, request.FILES)
    saved = conflict = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            answer = services.audit_answer(
                actor=request.user,
                audit=audit,
                item=answer.item,
                result=data["result"],
                comment=data["comment"],
                photo=data["photo"],
                remove_photo=data["remove_photo"],
            )
        except StateConflict as error:
            conflict = True
            form.add_error(None, error.messages)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
    if saved and not request.htmx:
        return redirect(f"{reverse('audits:conduct', args=[audit.pk])}#item-{answer.item_id}")
    if not saved and request.FILES and not request.htmx and not form.has_error("photo"):
        # A browser cannot refill a file input after a full page: say so rather than drop the
        # photo silently. (On the phone page the input keeps the file and the next save sends it.)
        form.add_error("photo", _("The photo was not saved: choose it again."))
    status = 200 if saved else 409 if conflict else 400
    answers = list(selectors.answers_of(audit))
    if saved:
        answer = next(other for other in answers if other.pk == answer.pk)
    if request.htmx:
        response = render(
            request,
            "audits/_answer_saved.html",
            {"audit": audit, "answer": answer, "form": form, "saved": saved, "progress": _progress(answers)},
            status=status,
        )
        # The page trusts this marker, not the status alone: a sign-in page after the session
        # ended also answers 200.
        response["X-Answer-Saved"] = "true" if saved else "false"
        if form.has_error("photo"):
            # The page drops a refused photo from its file input, so it does not block the next save.
            response["X-Answer-Photo-Refused"] = "true"
        return response
    cards = [(other, form if other.pk == answer.pk else _answer_form(other)) for other in answers]
    return render(
        request,
        "audits/audit_conduct.html",
        {"audit": audit, "cards": cards, "progress": _progress(answers)},
        status=status,
    )


@capability_required("audits.view")
def audit_complete(request, pk):
    """Review before finishing: what is unanswered, the score, and who owns each finding."""
    audit = _get_audit(request, pk)
    _check_conduct(request, audit)
    if audit.is_completed:
        return redirect(audit)
    answers = list(selectors.answers_of(audit))
    # An audit without findings posts an empty form: bind it on any POST.
    data = request.POST if request.method == "POST" else None
    form = CompleteForm(data, answers=answers, default_owner=services.default_action_owner(audit))
    if request.method == "POST" and form.is_valid():
        try:
            audit = services.audit_complete(actor=request.user, audit=audit, nc_actions=form.nc_actions())
        except StateConflict as error:
            # Finished meanwhile (another tab, the HSE head): show what was recorded.
            messages.warning(request, _refusal(error))
            return redirect(audit)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            opened = sum(1 for answer in answers if answer.is_non_compliant)
            messages.success(
                request,
                _("Audit %(ref)s completed. Score: %(score)s. Actions opened: %(count)s.")
                % {
                    "ref": audit.reference,
                    "score": "—" if audit.score is None else f"{audit.score}%",
                    "count": opened,
                },
            )
            return redirect(audit)
    status = 400 if request.method == "POST" else 200
    unanswered = [answer for answer in answers if not answer.result]
    return render(
        request,
        "audits/audit_complete.html",
        {
            "audit": audit,
            "form": form,
            "unanswered": unanswered,
            "score": compute_score(answers),
            "progress": _progress(answers),
        },
        status=status,
    )


@capability_required("audits.view")
def audit_report(request, pk):
    audit = _get_audit(request, pk)
    answers = list(selectors.answers_of(audit))
    counts = dict.fromkeys(AuditAnswer.Result.values, 0)
    for answer in answers:
        if answer.result:
            counts[answer.result] += 1
    # The auditor signs, and the manager of the audited unit acknowledges the findings (a blank
    # line to write in when the unit has no manager in the portal).
    managers = [str(manager) for manager in selectors.unit_managers(audit.unit)] or [""]
    signers = [(_("Auditor"), str(audit.auditor))] + [(_("Manager of the audited unit"), name) for name in managers]
    pdf = render_pdf(
        "audits/audit_report_pdf.html",
        {"audit": audit, "answers": answers, "counts": counts, "generated_at": timezone.now(), "signers": signers},
        request=request,
    )
    return pdf_response(pdf, filename=f"{audit.reference} {audit.unit.name} {audit.started_at:%Y-%m-%d}")


@capability_required("audits.view")
def answer_photo(request, pk):
    """Audit photos are served only to those who may see the audit (never from a public URL)."""
    answer = get_object_or_404(AuditAnswer.objects.filter(audit__in=selectors.audit_list_for_user(request.user)), pk=pk)
    if not answer.photo:
        raise Http404
    # Shown inline in the answer's <img> (raster pictures only; see uploads.file_response).
    return uploads.file_response(
        answer.photo, filename=f"audit-{answer.audit_id}-item-{answer.item_id}", inline_pictures=True
    )


# Checklist templates ---------------------------------------------------------------------------


@capability_required("audits.view")
def template_list(request):
    templates = list(selectors.template_list_for_user(request.user))
    return render(
        request,
        "audits/template_list.html",
        {"templates": templates, "can_manage": can(request.user, "audits.manage_templates")},
    )


@capability_required("audits.view")
def template_detail(request, pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    versions = list(selectors.versions_with_items(template))
    number = request.GET.get("version")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    return render(
        request,
        "audits/template_detail.html",
        {
            "template": template,
            "versions": versions,
            "shown": shown,
            "can_manage": can(request.user, "audits.manage_templates"),
        },
    )


@capability_required("audits.manage_templates")
def template_create(request):
    form = TemplateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            template = services.template_create(
                actor=request.user,
                name=data["name"],
                code=data["code"],
                description=data["description"],
                items=data["items"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Checklist %(name)s published.") % {"name": template.name})
            return redirect(template)
    status = 400 if request.method == "POST" else 200
    return render(request, "audits/template_create.html", {"form": form}, status=status)


@capability_required("audits.manage_templates")
def template_new_version(request, pk):
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    current = template.current_version()
    current_items = list(selectors.items_of(current)) if current else []
    form = TemplateVersionForm(
        request.POST or None,
        initial={
            "items": TemplateVersionForm.as_text(current_items),
            "based_on": current.number if current else 0,
        },
    )
    if request.method == "POST" and form.is_valid():
        # Guidance is kept for items whose text did not change.
        guidance = {item.text: item.guidance for item in current_items}
        items = [{**item, "guidance": guidance.get(item["text"], "")} for item in form.cleaned_data["items"]]
        try:
            version = services.template_publish_new_version(
                actor=request.user,
                template=template,
                items=items,
                notes=form.cleaned_data["notes"],
                based_on=form.cleaned_data["based_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Version %(number)s published.") % {"number": version.number})
            return redirect(template)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "audits/template_version_form.html",
        {"template": template, "form": form, "current": current},
        status=status,
    )
