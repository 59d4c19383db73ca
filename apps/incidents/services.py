from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.actions.models import Action
from apps.actions.services import action_create
from apps.audit.selectors import history_for
from apps.audit.services import log_action
from apps.common import uploads
from apps.common.errors import StateConflict
from apps.common.locking import lock_and_reload
from apps.common.versioning import bump, bump_stored, check_version

from . import rules
from .models import (
    CauseTreeFact,
    CauseTreeLink,
    Incident,
    IncidentAttachment,
    Investigation,
    InvolvedPerson,
    TimelineEvent,
    WhyChain,
    WhyStep,
)
from .selectors import investigation_analysis

ATTACHMENT_MAX_BYTES = 10 * uploads.MEGABYTE


def _check(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Incidents ------------------------------------------------------------------------------------


@transaction.atomic
def incident_report(
    *,
    actor,
    unit,
    type: str,
    actual_severity: int,
    potential_severity: int,
    occurred_at,
    location: str,
    description: str,
    immediate_actions: str = "",
    classification: str = Incident.Classification.NONE,
    days_lost: int = 0,
) -> Incident:
    """Register an incident in a unit the reporter covers. It happened inside the records' window
    and not in the future (the field's validator)."""
    require(actor, "incidents.report", unit)
    incident = Incident(
        unit=unit,
        type=type,
        actual_severity=actual_severity,
        potential_severity=potential_severity,
        occurred_at=occurred_at,
        location=location,
        description=description,
        immediate_actions=immediate_actions,
        classification=classification,
        days_lost=days_lost or 0,
        reported_by=actor,
    )
    incident.full_clean()
    incident.save()
    log_action(actor=actor, action="incidents.incident.reported", target=incident, data={"type": type})
    return incident


@transaction.atomic
def person_add(*, actor, incident: Incident, role: str, person=None, name: str = "", **medical) -> InvolvedPerson:
    """Record someone involved. Medical details are recorded only by those who may read them."""
    _check(rules.may_edit_incident(actor, incident), _("You may not change this incident."))
    unknown = set(medical) - set(InvolvedPerson.MEDICAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    if any(value not in (None, "") for value in medical.values()):
        _check(rules.may_view_medical(actor, incident), _("Only HSE and the commission record medical details."))
    if person is not None and person.unit_id != incident.unit_id:
        raise ValidationError({"person": _("Choose a person of the incident's unit.")})
    if person is None and not (name or "").strip():
        raise ValidationError({"name": _("Choose a person from the roll or type a name.")})
    involved = InvolvedPerson(incident=incident, role=role, person=person, name=(name or "").strip(), **medical)
    involved.full_clean()
    involved.save()
    # The medical details themselves never go to the audit log.
    log_action(actor=actor, action="incidents.person.added", target=incident, data={"role": role})
    return involved


@transaction.atomic
def timeline_add(*, actor, incident: Incident, at, description: str) -> TimelineEvent:
    """Add an event to the incident's timeline: within `TimelineEvent.SPAN` of the incident."""
    _check(rules.may_edit_incident(actor, incident), _("You may not change this incident."))
    event = TimelineEvent(incident=incident, at=at, description=description)
    event.full_clean()
    event.save()
    log_action(actor=actor, action="incidents.timeline.added", target=incident)
    return event


@transaction.atomic
def attachment_add(*, actor, incident: Incident, files) -> list[IncidentAttachment]:
    """Attach photos, videos and documents, each checked by its content (not its name)."""
    _check(rules.may_edit_incident(actor, incident), _("You may not change this incident."))
    for upload in files:
        uploads.checked_upload(upload, kinds=uploads.INCIDENT_FILES, max_bytes=ATTACHMENT_MAX_BYTES, field="files")
    added = [
        IncidentAttachment.objects.create(
            incident=incident, file=upload, original_name=uploads.client_name(upload), uploaded_by=actor
        )
        for upload in files
    ]
    log_action(
        actor=actor,
        action="incidents.attachment.added",
        target=incident,
        data={"files": [a.original_name for a in added]},
    )
    return added


# Investigation workflow ------------------------------------------------------------------------


@transaction.atomic
def investigation_open(*, actor, incident: Incident, coordinator, members=()) -> Investigation:
    """Open the investigation with its commission. Someone whose role coordinates investigations
    leads it; the deadline follows from the higher of actual and potential severity. The incident
    is locked first, so of two people opening it at once one succeeds and the other is told it is
    already being investigated."""
    incident = lock_and_reload(incident)
    require(actor, "investigations.coordinate", incident.unit)
    if Investigation.objects.filter(incident=incident).exists():
        raise StateConflict(_("This incident is already being investigated."))
    if not rules.may_lead_commission(coordinator):
        raise ValidationError({"coordinator": _("An HSE specialist coordinates the commission.")})
    investigation = Investigation(
        incident=incident, coordinator=coordinator, deadline=Investigation.deadline_for(incident)
    )
    investigation.full_clean(exclude=["incident"])
    investigation.save()
    members = [member for member in members if member.pk != coordinator.pk]
    investigation.members.set(members)
    log_action(
        actor=actor,
        action="incidents.investigation.opened",
        target=investigation,
        unit=incident.unit,
        data={
            "coordinator": coordinator.pk,
            "members": [m.pk for m in members],
            "deadline": str(investigation.deadline),
        },
    )
    return investigation


def _require_status(investigation: Investigation, *statuses) -> None:
    """The status found on the locked row allows the step, or someone changed it first."""
    if investigation.status not in statuses:
        raise StateConflict(
            _(
                "This cannot be done now: the investigation is “%(status)s” (someone may have just changed it). "
                "Reload the page to see its current state."
            )
            % {"status": investigation.get_status_display()}
        )


def _require_version(investigation: Investigation, version: int | None) -> None:
    """Nothing changed in the investigation (its status, its analysis) since the user read
    `version`: an approval is of the analysis the HSE head saw, not of one changed meanwhile."""
    check_version(
        investigation, version, history=history_for(investigation),
        message=_(
            "Someone else changed this investigation (%(who)s, %(when)s) after you opened it. Your changes were "
            "not saved: review the current version and try again."
        ),
    )  # fmt: skip


def _move(investigation, actor, status, code, reason="", **fields):
    investigation.status = status
    for name, value in fields.items():
        setattr(investigation, name, value)
    investigation.save(update_fields=["status", *fields, bump(investigation)])
    log_action(actor=actor, action=code, target=investigation, unit=investigation.incident.unit, reason=reason)
    return investigation


@transaction.atomic
def investigation_start_analysis(*, actor, investigation: Investigation, version: int | None = None) -> Investigation:
    """Opened → analysis: the coordinator or HSE roles of the unit."""
    investigation = lock_and_reload(investigation)
    _check(rules.may_advance(actor, investigation), _("Only the coordinator or HSE roles move the investigation on."))
    _require_version(investigation, version)
    _require_status(investigation, Investigation.Status.OPENED)
    return _move(investigation, actor, Investigation.Status.ANALYSIS, "incidents.investigation.analysis_started")


def _require_causes_covered(investigation: Investigation) -> None:
    uncovered = investigation_analysis(investigation).uncovered
    if uncovered:
        raise ValidationError(
            _("Every root cause needs an action first. Without one: %(causes)s.")
            % {"causes": "; ".join(f"“{cause.record}”" for cause in uncovered)}
        )


@transaction.atomic
def investigation_plan_actions(*, actor, investigation: Investigation, version: int | None = None) -> Investigation:
    """Analysis → actions planned, when at least one method is complete (Five Whys or cause tree)."""
    investigation = lock_and_reload(investigation)
    _check(rules.may_advance(actor, investigation), _("Only the coordinator or HSE roles move the investigation on."))
    _require_version(investigation, version)
    _require_status(investigation, Investigation.Status.ANALYSIS)
    if not investigation_analysis(investigation).rca_done:
        raise ValidationError(
            _(
                "Complete one method first: a why-chain that ends in a root cause, or a valid cause tree "
                "with the final event and its antecedents."
            )
        )
    return _move(investigation, actor, Investigation.Status.ACTIONS_PLANNED, "incidents.investigation.actions_planned")


@transaction.atomic
def investigation_approve(
    *, actor, investigation: Investigation, note: str = "", version: int | None = None
) -> Investigation:
    """Actions planned → approved, by the HSE head; every root cause has an action."""
    investigation = lock_and_reload(investigation)
    _check(rules.may_approve(actor, investigation), _("Only the HSE head approves investigations."))
    _require_version(investigation, version)
    _require_status(investigation, Investigation.Status.ACTIONS_PLANNED)
    _require_causes_covered(investigation)
    investigation.approval_note = note
    investigation.full_clean(exclude=["incident", "coordinator", "approved_by"])
    return _move(
        investigation,
        actor,
        Investigation.Status.APPROVED,
        "incidents.investigation.approved",
        reason=note,
        approved_by=actor,
        approved_at=timezone.now(),
        approval_note=note,
    )


@transaction.atomic
def investigation_close(*, actor, investigation: Investigation, version: int | None = None) -> Investigation:
    """Approved → closed. Refused while a root cause (or an unusual fact) has no action that is
    not cancelled."""
    investigation = lock_and_reload(investigation)
    _check(rules.may_advance(actor, investigation), _("Only the coordinator or HSE roles close investigations."))
    _require_version(investigation, version)
    _require_status(investigation, Investigation.Status.APPROVED)
    _require_causes_covered(investigation)
    return _move(
        investigation, actor, Investigation.Status.CLOSED, "incidents.investigation.closed", closed_at=timezone.now()
    )


def _lock_for_edit(actor, investigation: Investigation) -> Investigation:
    """Lock the investigation for a change of its analysis, then check who and when: the
    commission and HSE roles (else 403), while the investigation is still editable (else a
    conflict: it was approved meanwhile). Changes of one analysis thus run one after the other,
    so each sees the tree the previous one left (no loop made of two links added at once). Every
    change of the analysis raises the investigation's version (rolled back with a refused change)."""
    investigation = lock_and_reload(investigation)
    _check(rules.may_work_on_analysis(actor, investigation), _("You may not change this investigation."))
    if not investigation.is_editable:
        raise StateConflict(
            _("The investigation is “%(status)s”: its analysis can no longer change.")
            % {"status": investigation.get_status_display()}
        )
    bump_stored(investigation)
    return investigation


def _gone() -> StateConflict:
    return StateConflict(_("Someone has just removed this from the analysis; reload the page."))


# Five Whys ------------------------------------------------------------------------------------


@transaction.atomic
def chain_add(*, actor, investigation: Investigation, problem_statement: str) -> WhyChain:
    investigation = _lock_for_edit(actor, investigation)
    chain = WhyChain(investigation=investigation, problem_statement=(problem_statement or "").strip())
    chain.full_clean()
    chain.save()
    log_action(actor=actor, action="incidents.why_chain.added", target=investigation, unit=investigation.unit)
    return chain


@transaction.atomic
def step_add(*, actor, chain: WhyChain, answer: str, is_root_cause: bool = False) -> WhyStep:
    """Answer the next why. A chain ends at its root cause: nothing is added after it; and it has
    at most `WhyChain.MAX_STEPS` answers."""
    investigation = _lock_for_edit(actor, chain.investigation)
    last = chain.steps.order_by("-order").first()
    if last and last.is_root_cause:
        message = _("This chain already ends in its root cause “%(cause)s”. Remove that answer to ask another why.")
        raise ValidationError({"answer": message % {"cause": last.answer}})
    if last and last.order >= WhyChain.MAX_STEPS:
        message = _("A chain has at most %(count)d whys: mark the root cause, or start another chain.")
        raise ValidationError({"answer": message % {"count": WhyChain.MAX_STEPS}})
    step = WhyStep(
        chain=chain, order=(last.order + 1) if last else 1, answer=(answer or "").strip(), is_root_cause=is_root_cause
    )
    step.full_clean()
    step.save()
    log_action(
        actor=actor, action="incidents.why.added", target=investigation, unit=investigation.unit,
        data={"root_cause": is_root_cause},
    )  # fmt: skip
    return step


@transaction.atomic
def step_remove(*, actor, step: WhyStep) -> None:
    """Only the last answer of a chain is removed, so the chain never has a gap."""
    investigation = _lock_for_edit(actor, step.chain.investigation)
    step = WhyStep.objects.filter(pk=step.pk).first()
    if step is None:
        raise _gone()
    if step.chain.steps.aggregate(last=Max("order"))["last"] != step.order:
        raise ValidationError(_("Remove the answers after this one first: each answer explains the previous one."))
    if step.actions.exists():
        raise ValidationError(_("An action addresses this root cause; it stays."))
    step.delete()
    log_action(actor=actor, action="incidents.why.removed", target=investigation, unit=investigation.unit)


# Cause tree -----------------------------------------------------------------------------------


def _validate_tree(investigation: Investigation) -> None:
    """Raise with the commission-friendly messages when the stored tree is not valid; called after
    each change inside its transaction, so a wrong change is rolled back."""
    errors = investigation_analysis(investigation).tree_errors
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def fact_add(
    *, actor, investigation: Investigation, text: str, is_unusual: bool = False, leads_to: CauseTreeFact | None = None
) -> CauseTreeFact:
    """The first fact is the final event (the incident itself); every later fact is added as an
    antecedent of a fact already in the tree, so the tree always stays connected."""
    investigation = _lock_for_edit(actor, investigation)
    has_facts = investigation.facts.exists()
    if has_facts and leads_to is None:
        raise ValidationError({"leads_to": _("Choose the fact this one led to: the tree is built backwards.")})
    if leads_to is not None and leads_to.investigation_id != investigation.pk:
        raise ValidationError({"leads_to": _("That fact is not in this tree.")})
    if leads_to is not None and not CauseTreeFact.objects.filter(pk=leads_to.pk).exists():
        raise _gone()
    # The final event is the incident itself: never "unusual" (as in fact_update).
    fact = CauseTreeFact(
        investigation=investigation, text=(text or "").strip(), is_unusual=is_unusual and has_facts,
        is_final_event=not has_facts,
    )  # fmt: skip
    fact.full_clean()
    fact.save()
    if leads_to is not None:
        CauseTreeLink.objects.create(investigation=investigation, antecedent=fact, consequent=leads_to)
    _validate_tree(investigation)
    log_action(
        actor=actor, action="incidents.fact.added", target=investigation, unit=investigation.unit,
        data={"fact": fact.pk, "leads_to": getattr(leads_to, "pk", None)},
    )  # fmt: skip
    return fact


def _require_fact_version(investigation: Investigation, fact: CauseTreeFact, version: int | None) -> None:
    """The fact is as the user read it (edited in place: its own version, so two members editing
    two facts of one tree do not refuse each other)."""
    check_version(
        fact, version, history=history_for(investigation).filter(data__fact=fact.pk),
        message=_(
            "Someone else changed this fact (%(who)s, %(when)s) after you opened it. Your changes were not saved: "
            "review the current version and try again."
        ),
    )  # fmt: skip


@transaction.atomic
def fact_update(
    *, actor, fact: CauseTreeFact, text: str, is_unusual: bool, version: int | None = None
) -> CauseTreeFact:
    """Change a fact's text and whether it is unusual (the final event is never "unusual"); refused
    when the fact changed since the user read `version`."""
    investigation = _lock_for_edit(actor, fact.investigation)
    fact = CauseTreeFact.objects.filter(pk=fact.pk).first()
    if fact is None:
        raise _gone()
    _require_fact_version(investigation, fact, version)
    fact.text = (text or "").strip()
    fact.is_unusual = is_unusual and not fact.is_final_event
    bump(fact)
    fact.full_clean()
    fact.save()
    _validate_tree(investigation)
    log_action(
        actor=actor, action="incidents.fact.changed", target=investigation, unit=investigation.unit,
        data={"fact": fact.pk},
    )  # fmt: skip
    return fact


@transaction.atomic
def fact_remove(*, actor, fact: CauseTreeFact, version: int | None = None) -> None:
    """Refused when facts would be left without a path to the final event, or when the fact
    changed since the user read `version` (they would remove what they have not seen)."""
    investigation = _lock_for_edit(actor, fact.investigation)
    current = CauseTreeFact.objects.filter(pk=fact.pk).first()
    if current is None:
        raise _gone()
    _require_fact_version(investigation, current, version)
    if fact.actions.exists():
        raise ValidationError(_("An action addresses this fact; it stays."))
    # Delete by query: the caller's instance keeps its id when the change is refused.
    CauseTreeFact.objects.filter(pk=fact.pk).delete()
    _validate_tree(investigation)
    log_action(
        actor=actor, action="incidents.fact.removed", target=investigation, unit=investigation.unit,
        data={"fact": fact.pk},
    )  # fmt: skip


@transaction.atomic
def link_add(
    *, actor, investigation: Investigation, antecedent: CauseTreeFact, consequent: CauseTreeFact
) -> CauseTreeLink:
    """Link two facts already in the tree (a conjunction or a disjunction); loops are refused."""
    investigation = _lock_for_edit(actor, investigation)
    if antecedent.investigation_id != investigation.pk or consequent.investigation_id != investigation.pk:
        raise ValidationError(_("Both facts must be in this tree."))
    if antecedent.pk == consequent.pk:
        raise ValidationError({"consequent": _("A fact cannot be its own cause.")})
    if CauseTreeFact.objects.filter(pk__in=[antecedent.pk, consequent.pk]).count() != 2:
        raise _gone()
    if CauseTreeLink.objects.filter(antecedent=antecedent, consequent=consequent).exists():
        raise ValidationError({"consequent": _("These facts are already linked.")})
    link = CauseTreeLink.objects.create(investigation=investigation, antecedent=antecedent, consequent=consequent)
    _validate_tree(investigation)
    log_action(actor=actor, action="incidents.link.added", target=investigation, unit=investigation.unit)
    return link


@transaction.atomic
def link_remove(*, actor, link: CauseTreeLink) -> None:
    """Refused when a fact would no longer lead to the final event."""
    investigation = _lock_for_edit(actor, link.investigation)
    if not CauseTreeLink.objects.filter(pk=link.pk).delete()[0]:
        raise _gone()
    _validate_tree(investigation)
    log_action(actor=actor, action="incidents.link.removed", target=investigation, unit=investigation.unit)


# Actions --------------------------------------------------------------------------------------


@transaction.atomic
def investigation_action_add(
    *,
    actor,
    investigation: Investigation,
    cause,
    title: str,
    owner,
    due_date: date,
    control_level: str,
    description: str = "",
    priority: str = Action.Priority.MEDIUM,
) -> Action:
    """Open an action in the one register for a root cause (why) or a fact of the tree, and link it."""
    investigation = _lock_for_edit(actor, investigation)
    if isinstance(cause, WhyStep):
        if cause.chain.investigation_id != investigation.pk:
            raise ValidationError(_("That cause is not in this investigation."))
    elif isinstance(cause, CauseTreeFact):
        if cause.investigation_id != investigation.pk:
            raise ValidationError(_("That cause is not in this investigation."))
    else:
        raise ValidationError(_("Choose the cause this action addresses."))
    if not type(cause).objects.filter(pk=cause.pk).exists():
        raise _gone()
    action = action_create(
        actor=actor,
        title=title,
        unit=investigation.incident.unit,
        owner=owner,
        due_date=due_date,
        control_level=control_level,
        priority=priority,
        description=description,
        source_record=cause,
    )
    log_action(
        actor=actor, action="incidents.investigation.action_linked", target=investigation, unit=investigation.unit,
        data={"action": action.pk},
    )  # fmt: skip
    return action


# The workflow steps by name, for the pages and the API alike.
INVESTIGATION_STEPS = {
    "analysis": investigation_start_analysis,
    "plan": investigation_plan_actions,
    "approve": investigation_approve,
    "close": investigation_close,
}
