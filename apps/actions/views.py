from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
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
from apps.org.selectors import unit_list_for_user

from . import rules, selectors, services
from .filters import ActionFilterSet
from .forms import ActionEditForm, ActionForm, CancelForm, CompleteForm, EvidenceForm, VerifyForm
from .models import Action, ActionEvidence


def _get_action(request, pk) -> Action:
    return get_object_or_404(
        selectors.action_list_for_user(request.user).select_related("owner__line_manager", "created_by"), pk=pk
    )


@capability_required("actions.view")
def action_list(request):
    today = timezone.localdate()
    filterset = ActionFilterSet(request.GET, queryset=selectors.action_list_for_user(request.user), request=request)
    actions, status = filtered_for_page(filterset)
    return render(
        request,
        "actions/action_list.html",
        {
            "tab": filterset.current_tab,
            "filter": filterset,
            "keep": {"tab": filterset.current_tab},
            "tab_errors": filterset.errors.get("tab", []),
            "page": paginate(request, actions),
            "query": query_without_page(request),
            "counts": selectors.action_counts_for_user(request.user, today=today),
            "today": today,
            "can_create": can(request.user, "actions.create"),
        },
        status=status,
    )


@capability_required("actions.create")
def action_create(request):
    units = unit_list_for_user(request.user)
    form = ActionForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action %(ref)s opened.") % {"ref": action.reference})
            return redirect(action)
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/action_form.html", {"form": form, "creating": True}, status=status)


def _detail_context(request, action, **forms):
    user = request.user
    can_change = rules.may_change_status(user, action)
    can_verify = rules.may_verify(user, action)
    context = {
        "action": action,
        "source_record": action.source_record,
        "today": timezone.localdate(),
        "history": history_for(action).select_related("actor")[:50],
        "evidence_files": action.evidence_files.select_related("uploaded_by"),
        "follow_ups": action.follow_ups.all(),
        "can_start": can_change and action.status == Action.Status.OPEN,
        "can_complete": can_change and action.is_open,
        "can_add_evidence": can_change and action.status != Action.Status.CANCELLED,
        "can_verify": can_verify and action.status == Action.Status.DONE,
        "can_cancel": rules.may_cancel(user, action) and action.status in (*Action.OPEN_STATUSES, Action.Status.DONE),
        "can_edit": rules.may_edit(user, action) and action.is_open,
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "verify_form": forms.get("verify_form") or VerifyForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
    }
    return context


@capability_required("actions.view")
def action_detail(request, pk):
    action = _get_action(request, pk)
    return render(request, "actions/action_detail.html", _detail_context(request, action))


@capability_required("actions.view")
def action_edit(request, pk):
    action = _get_action(request, pk)
    if not (rules.may_edit(request.user, action) and action.is_open):
        raise PermissionDenied
    initial = {name: getattr(action, name) for name in services.EDITABLE_FIELDS}
    form = ActionEditForm(request.POST or None, initial=initial, units=None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reason = data.pop("reason", "")
        try:
            services.action_update(actor=request.user, action=action, reason=reason, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Action %(ref)s updated.") % {"ref": action.reference})
            return redirect(action)
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/action_form.html", {"form": form, "action": action}, status=status)


def _transition(request, pk, form_class, form_key, call, done_message):
    """POST a status change: call the service, or show the form's errors on the detail page."""
    action = _get_action(request, pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is None or form.is_valid():
        try:
            call(action, form.cleaned_data if form else {})
        except StateConflict as conflict:
            # Someone else changed the action first: show what it is now, with the reason.
            messages.error(request, " ".join(conflict.messages))
            return redirect(action)
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(action)
            add_service_errors(form, error)
        else:
            messages.success(request, done_message % {"ref": action.reference})
            return redirect(action)
    action.refresh_from_db()
    return render(
        request, "actions/action_detail.html", _detail_context(request, action, **{form_key: form}), status=400
    )


@require_POST
@capability_required("actions.view")
def action_start(request, pk):
    return _transition(
        request,
        pk,
        None,
        None,
        lambda action, data: services.action_start(actor=request.user, action=action),
        _("Action %(ref)s is in progress."),
    )


@require_POST
@capability_required("actions.view")
def action_complete(request, pk):
    return _transition(
        request,
        pk,
        CompleteForm,
        "complete_form",
        lambda action, data: services.action_complete(
            actor=request.user, action=action, evidence=data["evidence"], files=data["files"]
        ),
        _("Action %(ref)s is done. It now waits for verification."),
    )


@require_POST
@capability_required("actions.view")
def action_verify(request, pk):
    def verify(action, data):
        services.action_verify(
            actor=request.user,
            action=action,
            effective=data["effective"],
            note=data["note"],
            not_effective_then=data.get("not_effective_then") or "reopen",
            follow_up={"due_date": data.get("follow_up_due_date")},
        )

    return _transition(request, pk, VerifyForm, "verify_form", verify, _("Verification of %(ref)s recorded."))


@require_POST
@capability_required("actions.view")
def action_cancel(request, pk):
    return _transition(
        request,
        pk,
        CancelForm,
        "cancel_form",
        lambda action, data: services.action_cancel(actor=request.user, action=action, reason=data["reason"]),
        _("Action %(ref)s cancelled."),
    )


@require_POST
@capability_required("actions.view")
def evidence_add(request, pk):
    return _transition(
        request,
        pk,
        EvidenceForm,
        "evidence_form",
        lambda action, data: services.evidence_add(actor=request.user, action=action, files=data["files"]),
        _("Evidence added to %(ref)s."),
    )


@capability_required("actions.view")
def evidence_download(request, pk):
    """Evidence files are served only to those who may see the action (never from a public URL)."""
    evidence = get_object_or_404(
        ActionEvidence.objects.filter(action__in=selectors.action_list_for_user(request.user)), pk=pk
    )
    return uploads.file_response(evidence.file, filename=evidence.original_name)
