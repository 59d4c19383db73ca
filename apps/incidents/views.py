from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required
from apps.common import uploads
from apps.common.errors import StateConflict
from apps.common.filters import filtered_for_page
from apps.common.forms import add_service_errors
from apps.common.pagination import paginate, query_without_page
from apps.common.pdf import pdf_response, render_pdf
from apps.common.versioning import VersionConflict, show_conflict
from apps.org.selectors import unit_list_for_user

from . import quality, rules, selectors, services
from .filters import IncidentFilterSet
from .fivewhys import BLAME_ADVICE
from .forms import (
    ApproveForm,
    AttachmentForm,
    ChainForm,
    FactEditForm,
    FactForm,
    IncidentForm,
    InvestigationActionForm,
    LinkForm,
    OpenInvestigationForm,
    PersonForm,
    StepForm,
    TimelineForm,
    VersionForm,
)
from .models import CauseTreeFact, CauseTreeLink, IncidentAttachment, Investigation, WhyChain, WhyStep


def _get_incident(request, pk):
    return get_object_or_404(selectors.incident_list_for_user(request.user), pk=pk)


def _get_investigation(request, pk) -> Investigation:
    return get_object_or_404(selectors.investigation_list_for_user(request.user).prefetch_related("members"), pk=pk)


@capability_required("incidents.view")
def incident_list(request):
    """The incidents the user sees, filtered (a malformed filter: its error in place, status 400),
    with the rates of the filtered unit and period (the last twelve months by default)."""
    filterset = IncidentFilterSet(request.GET, queryset=selectors.incident_list_for_user(request.user), request=request)
    incidents, status = filtered_for_page(filterset)
    filters = filterset.form.cleaned_data if status == 200 else {}
    today = timezone.localdate()
    rates_from = filters.get("date_from") or today.replace(day=1).replace(year=today.year - 1)
    rates_to = filters.get("date_to") or today
    rates = selectors.incident_rates(
        units=[filters["unit"]] if filters.get("unit") else None, user=request.user, date_from=rates_from,
        date_to=rates_to,
    )  # fmt: skip
    context = {
        "rates": rates,
        "rates_from": rates_from,
        "rates_to": rates_to,
        "filter": filterset,
        "page": paginate(request, incidents),
        "query": query_without_page(request),
        "can_report": can(request.user, "incidents.report"),
    }
    return render(request, "incidents/incident_list.html", context, status=status)


@capability_required("incidents.report")
def incident_create(request):
    form = IncidentForm(request.POST or None, units=unit_list_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Incident %(ref)s reported.") % {"ref": incident.reference})
            return redirect(incident)
    status = 400 if request.method == "POST" else 200
    return render(request, "incidents/incident_form.html", {"form": form}, status=status)


def _incident_context(request, incident, **forms):
    user = request.user
    show_medical = rules.may_view_medical(user, incident)
    can_edit = rules.may_edit_incident(user, incident)
    investigation = getattr(incident, "investigation", None) if hasattr(incident, "investigation") else None
    return {
        "incident": incident,
        "investigation": investigation,
        "people": incident.people.select_related("person"),
        "timeline": incident.timeline.all(),
        "attachments": incident.attachments.select_related("uploaded_by"),
        "show_medical": show_medical,
        "can_edit": can_edit,
        "can_open_investigation": rules.may_open_investigation(user, incident),
        "person_form": forms.get("person_form") or PersonForm(incident=incident, show_medical=show_medical),
        "timeline_form": forms.get("timeline_form") or TimelineForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "open_form": forms.get("open_form") or OpenInvestigationForm(initial={"coordinator": user.pk}),
    }


@capability_required("incidents.view")
def incident_detail(request, pk):
    incident = _get_incident(request, pk)
    return render(request, "incidents/incident_detail.html", _incident_context(request, incident))


def _incident_post(request, pk, make_form, form_key, call, done_message, *, check=rules.may_edit_incident):
    incident = _get_incident(request, pk)
    if not check(request.user, incident):
        raise PermissionDenied
    form = make_form(incident)
    if form.is_valid():
        try:
            result = call(incident, form.cleaned_data)
        except StateConflict as conflict:
            # Someone else was first (the incident is investigated now): say so above the page.
            messages.error(request, " ".join(conflict.messages))
            incident = _get_incident(request, pk)
            form = None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect(result or incident)
    forms = {form_key: form} if form is not None else {}
    return render(request, "incidents/incident_detail.html", _incident_context(request, incident, **forms), status=400)


@require_POST
@capability_required("incidents.view")
def person_add(request, pk):
    def make(incident):
        return PersonForm(request.POST, incident=incident, show_medical=rules.may_view_medical(request.user, incident))

    def call(incident, data):
        services.person_add(actor=request.user, incident=incident, **data)

    return _incident_post(request, pk, make, "person_form", call, _("Person added."))


@require_POST
@capability_required("incidents.view")
def timeline_add(request, pk):
    return _incident_post(
        request, pk, lambda incident: TimelineForm(request.POST), "timeline_form",
        lambda incident, data: services.timeline_add(actor=request.user, incident=incident, **data) and None,
        _("Timeline event added."),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def attachment_add(request, pk):
    return _incident_post(
        request, pk, lambda incident: AttachmentForm(request.POST, request.FILES), "attachment_form",
        lambda incident, data: services.attachment_add(actor=request.user, incident=incident, files=data["files"])
        and None,
        _("Attachment added."),
    )  # fmt: skip


@capability_required("incidents.view")
def attachment_download(request, pk):
    """Attachments are served only to those who see the incident (never from a public URL)."""
    attachment = get_object_or_404(
        IncidentAttachment.objects.filter(incident__in=selectors.incident_list_for_user(request.user).values("pk")),
        pk=pk,
    )
    return uploads.file_response(attachment.file, filename=attachment.original_name)


@require_POST
@capability_required("investigations.coordinate")
def investigation_open(request, pk):
    return _incident_post(
        request, pk, lambda incident: OpenInvestigationForm(request.POST), "open_form",
        lambda incident, data: services.investigation_open(actor=request.user, incident=incident, **data),
        _("Investigation opened."), check=rules.may_coordinate,
    )  # fmt: skip


# Investigation page ---------------------------------------------------------------------------


def _cause_choices(analysis):
    choices = []
    for chain in analysis.chains:
        for step in chain.steps_list:
            if step.is_root_cause:
                choices.append((f"why-{step.pk}", _("Root cause: %(text)s") % {"text": step.answer}))
    for fact in analysis.facts:
        if not fact.is_final_event:
            label = _("Unusual fact: %(text)s") if fact.is_unusual else _("Fact: %(text)s")
            choices.append((f"fact-{fact.pk}", label % {"text": fact.text}))
    return choices


def _investigation_context(request, investigation, analysis=None, **forms):
    user = request.user
    analysis = analysis or selectors.investigation_analysis(investigation)
    editable = rules.may_edit_investigation(user, investigation)
    advance = rules.may_advance(user, investigation)
    status = investigation.status
    S = Investigation.Status
    return {
        "investigation": investigation,
        "incident": investigation.incident,
        "analysis": analysis,
        "svg": analysis.svg(),
        "score": analysis.quality(),
        "rules": quality.RULES,
        "members": list(investigation.members.all()),
        "can_edit": editable,
        "can_start_analysis": advance and status == S.OPENED,
        "can_plan_actions": advance and status == S.ANALYSIS,
        "can_approve": rules.may_approve(user, investigation) and status == S.ACTIONS_PLANNED,
        "can_close": advance and status == S.APPROVED,
        "blame_advice": BLAME_ADVICE,
        "approve_form": forms.get("approve_form") or ApproveForm(initial={"version": investigation.version}),
        "chain_form": forms.get("chain_form") or ChainForm(),
        "step_form": forms.get("step_form") or StepForm(),
        "step_chain": forms.get("step_chain"),
        "fact_form": forms.get("fact_form") or FactForm(facts=analysis.facts),
        # A fact edit refused because the fact changed meanwhile: what was typed, on that fact.
        "fact_edit_form": forms.get("fact_edit_form"),
        "fact_edit_pk": forms.get("fact_edit_pk"),
        "link_form": forms.get("link_form") or LinkForm(facts=analysis.facts),
        "action_form": forms.get("action_form")
        or InvestigationActionForm(causes=_cause_choices(analysis), initial={"cause": request.GET.get("cause", "")}),
        "today": timezone.localdate(),
    }


@capability_required("incidents.view")
def investigation_detail(request, pk):
    investigation = _get_investigation(request, pk)
    return render(request, "incidents/investigation_detail.html", _investigation_context(request, investigation))


def _investigation_post(request, investigation, form, form_key, call, done_message, *, on_conflict=None, **extra):
    """POST an editor change: call the service, or show the form's errors on the page (400). A
    change the investigation's status no longer allows (it was approved meanwhile) is told above
    the page, whose editors are then gone. A save refused because the record changed since the
    user read it (a VersionConflict) shows the page as it is now with the forms `on_conflict`
    gives (what was typed kept), 409."""
    if not rules.may_work_on_analysis(request.user, investigation):
        raise PermissionDenied
    if form is None or form.is_valid():
        try:
            call(form.cleaned_data if form is not None else {})
        except VersionConflict as conflict:
            if on_conflict is None:
                raise
            investigation = _get_investigation(request, investigation.pk)
            context = _investigation_context(request, investigation, **on_conflict(conflict))
            return render(request, "incidents/investigation_detail.html", context, status=409)
        except StateConflict as conflict:
            messages.error(request, " ".join(conflict.messages))
            investigation = _get_investigation(request, investigation.pk)
            return render(
                request, "incidents/investigation_detail.html", _investigation_context(request, investigation),
                status=400,
            )  # fmt: skip
        except ValidationError as error:
            if form is None:
                messages.error(request, " ".join(error.messages))
                return redirect(investigation)
            add_service_errors(form, error)
        else:
            messages.success(request, done_message)
            return redirect(investigation)
    context = _investigation_context(request, investigation, **{form_key: form}, **extra)
    return render(request, "incidents/investigation_detail.html", context, status=400)


@require_POST
@capability_required("incidents.view")
def investigation_status(request, pk, step):
    investigation = _get_investigation(request, pk)
    calls = {
        "analysis": (services.investigation_start_analysis, _("Analysis started.")),
        "plan": (services.investigation_plan_actions, _("Actions planned: the investigation waits for approval.")),
        "approve": (services.investigation_approve, _("Investigation approved.")),
        "close": (services.investigation_close, _("Investigation closed.")),
    }
    if step not in calls:
        raise Http404
    service, done = calls[step]
    approving = step == "approve"
    form = ApproveForm(request.POST) if approving else VersionForm(request.POST)
    if not form.is_valid():
        if not approving:  # a tampered version: nothing the user typed to show
            messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
            return redirect(investigation)
        return render(
            request, "incidents/investigation_detail.html",
            _investigation_context(request, investigation, approve_form=form), status=400,
        )  # fmt: skip
    kwargs = {"note": form.cleaned_data["note"]} if approving else {}
    try:
        service(actor=request.user, investigation=investigation, version=form.cleaned_data["version"], **kwargs)
    except VersionConflict as conflict:
        # Changed since the user read it: the page as it is now, 409. The HSE head's note stays on
        # the approval form (saving it again approves what she now sees); a button's step is told.
        investigation = _get_investigation(request, pk)
        forms = {}
        if approving and investigation.status == Investigation.Status.ACTIONS_PLANNED:
            show_conflict(form, conflict)
            forms["approve_form"] = form
        else:
            messages.error(request, " ".join(conflict.messages))
        context = _investigation_context(request, investigation, **forms)
        return render(request, "incidents/investigation_detail.html", context, status=409)
    except ValidationError as error:  # StateConflict too: someone else moved it first
        messages.error(request, " ".join(error.messages))
        investigation = _get_investigation(request, pk)
        return render(request, "incidents/investigation_detail.html", _investigation_context(request, investigation),
                      status=400)  # fmt: skip
    messages.success(request, done)
    return redirect(investigation)


@require_POST
@capability_required("incidents.view")
def chain_add(request, pk):
    investigation = _get_investigation(request, pk)
    return _investigation_post(
        request, investigation, ChainForm(request.POST), "chain_form",
        lambda data: services.chain_add(actor=request.user, investigation=investigation, **data),
        _("Why-chain added: now ask why."),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def step_add(request, pk):
    chain = get_object_or_404(WhyChain, pk=pk)
    investigation = _get_investigation(request, chain.investigation_id)
    form = StepForm(request.POST)

    def call(data):
        services.step_add(actor=request.user, chain=chain, **data)
        if form.blame_warning:
            messages.warning(request, form.blame_warning)

    return _investigation_post(request, investigation, form, "step_form", call, _("Answer added."), step_chain=chain.pk)


@require_POST
@capability_required("incidents.view")
def step_remove(request, pk):
    step = get_object_or_404(WhyStep.objects.select_related("chain"), pk=pk)
    investigation = _get_investigation(request, step.chain.investigation_id)
    return _investigation_post(
        request, investigation, None, None, lambda data: services.step_remove(actor=request.user, step=step),
        _("Answer removed."),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def fact_add(request, pk):
    investigation = _get_investigation(request, pk)
    facts = list(investigation.facts.all())
    form = FactForm(request.POST, facts=facts)

    def call(data):
        leads_to = next((fact for fact in facts if fact.pk == data.get("leads_to")), None)
        services.fact_add(
            actor=request.user, investigation=investigation, text=data["text"],
            is_unusual=data.get("is_unusual", False), leads_to=leads_to,
        )  # fmt: skip

    return _investigation_post(request, investigation, form, "fact_form", call, _("Fact added to the tree."))


def _fact_conflict(request, fact):
    """What a refused fact edit or removal shows: the fact's edit form as the user sent it (the
    text typed, the current version), open on that fact, above it the fact as it is now."""

    def forms(conflict):
        form = FactEditForm(request.POST)
        form.is_valid()
        show_conflict(form, conflict)
        return {"fact_edit_form": form, "fact_edit_pk": fact.pk}

    return forms


@require_POST
@capability_required("incidents.view")
def fact_edit(request, pk):
    fact = get_object_or_404(CauseTreeFact, pk=pk)
    investigation = _get_investigation(request, fact.investigation_id)
    return _investigation_post(
        request, investigation, FactEditForm(request.POST), "fact_form",
        lambda data: services.fact_update(actor=request.user, fact=fact, **data), _("Fact changed."),
        on_conflict=_fact_conflict(request, fact),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def fact_remove(request, pk):
    """The remove button is on the fact's edit form: it sends the fact's version as the user read it."""
    fact = get_object_or_404(CauseTreeFact, pk=pk)
    investigation = _get_investigation(request, fact.investigation_id)
    return _investigation_post(
        request, investigation, VersionForm(request.POST), "fact_form",
        lambda data: services.fact_remove(actor=request.user, fact=fact, version=data["version"]),
        _("Fact removed."), on_conflict=_fact_conflict(request, fact),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def link_add(request, pk):
    investigation = _get_investigation(request, pk)
    facts = {fact.pk: fact for fact in investigation.facts.all()}
    form = LinkForm(request.POST, facts=list(facts.values()))
    return _investigation_post(
        request, investigation, form, "link_form",
        lambda data: services.link_add(
            actor=request.user, investigation=investigation, antecedent=facts[data["antecedent"]],
            consequent=facts[data["consequent"]],
        ),
        _("Link added."),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def link_remove(request, pk):
    link = get_object_or_404(CauseTreeLink, pk=pk)
    investigation = _get_investigation(request, link.investigation_id)
    return _investigation_post(
        request, investigation, None, None, lambda data: services.link_remove(actor=request.user, link=link),
        _("Link removed."),
    )  # fmt: skip


@require_POST
@capability_required("incidents.view")
def action_add(request, pk):
    investigation = _get_investigation(request, pk)
    analysis = selectors.investigation_analysis(investigation)
    form = InvestigationActionForm(request.POST, causes=_cause_choices(analysis))

    def call(data):
        kind, _sep, cause_id = data.pop("cause").partition("-")
        model = WhyStep if kind == "why" else CauseTreeFact
        cause = model.objects.get(pk=int(cause_id))
        services.investigation_action_add(actor=request.user, investigation=investigation, cause=cause, **data)

    return _investigation_post(request, investigation, form, "action_form", call, _("Action opened and linked."))


def _report_signers(investigation, members) -> list[tuple[str, str]]:
    """Who signs the printed report: the coordinator, each commission member, and the HSE head who
    approves (the name left blank for a hand-written one while not yet approved)."""
    signers = [(_("Coordinator"), str(investigation.coordinator))]
    signers += [(_("Commission member"), str(member)) for member in members if member != investigation.coordinator]
    signers.append((_("Approved by (HSE head)"), str(investigation.approved_by or "")))
    return signers


@capability_required("incidents.view")
def report_pdf(request, pk):
    investigation = _get_investigation(request, pk)
    incident = investigation.incident
    analysis = selectors.investigation_analysis(investigation)
    context = {
        "investigation": investigation,
        "incident": incident,
        "analysis": analysis,
        "svg": analysis.svg(),
        "score": analysis.quality(),
        "members": list(investigation.members.all()),
        "people": incident.people.select_related("person"),
        "timeline": incident.timeline.all(),
        "show_medical": rules.may_view_medical(request.user, incident),
        "generated_at": timezone.now(),
    }
    context["signers"] = _report_signers(investigation, context["members"])
    pdf = render_pdf("incidents/investigation_report_pdf.html", context, request=request)
    return pdf_response(pdf, filename=f"investigation-{incident.reference}")
