"""Writes for internships in production and their signals.

An internship is planned (specialist, unit, host foreman, 3 to 7 days), started, logged day by
day, and finished with a summary whose actions go into the action register with the internship as
their source; or cancelled. Every state change writes an audit entry `internships.<thing>.<verb>`.

Signals are confidential and anonymous by construction, and these services keep them so:
- no signal's raw text, and nothing that could identify a worker, goes into an audit entry, a log
  line or a notification (this module has no logger at all);
- recording a signal during an internship is audited on the INTERNSHIP, with no text and no
  reference to the signal;
- a worker's submission from the unit's QR form has no actor and writes no audit entry at all;
- taking up and answering a signal are audited on the signal, with the responder as actor and
  the kind of response only.

Services that depend on today's date take an optional `today` (the local date by default), so the
demo and tests can place records in time."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import can, require
from apps.accounts.models import User
from apps.actions.services import action_create
from apps.audit.services import log_action
from apps.common.dates import short_date, validate_record_date
from apps.common.errors import StateConflict
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.common.locking import lock_and_reload
from apps.org.models import Person, StructuralUnit

from . import rules
from .escalation import signals_escalate  # noqa: F401 - a service of this app, with its digest
from .length import proposal_for_unit
from .models import (
    INTERNSHIP_MAX_DAYS,
    INTERNSHIP_MIN_DAYS,
    Internship,
    InternshipContact,
    InternshipDay,
    Signal,
)

Status = Internship.Status

EDITABLE_FIELDS = ("specialist", "host_foreman", "starts_on", "ends_on")
DAY_TEXT_FIELDS = ("morning_work_order", "crew_roles", "work_done", "risks_seen", "surprises", "shift_handover")
ACTION_FIELDS = ("title", "owner", "due_date", "control_level")
REASON_MAX_LENGTH = 500
HOST_COMMENT_MAX_LENGTH = 1000


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _text(value, field: str, *, required: bool = False, max_length: int = LONG_TEXT_MAX_LENGTH) -> str:
    """Free text as stored: stripped, within its cap; refused on `field` when required and empty."""
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    try:
        MaxLengthValidator(max_length)(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    return value


def _conflict(internship: Internship) -> StateConflict:
    return StateConflict(
        _("This internship is %(status)s.") % {"status": internship.get_status_display().lower()},
        code="state_conflict",
    )


def _require_status(internship: Internship, *statuses: str) -> None:
    if internship.status not in statuses:
        raise _conflict(internship)


def _check(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not change this internship."))


# --- Planning ----------------------------------------------------------------------------------


def _plan_errors(
    *, specialist, unit: StructuralUnit, host_foreman, starts_on, ends_on, today: date, internship=None
) -> dict:
    """What is wrong with a plan (field -> messages): the same checks for a new plan and a re-plan."""
    errors: dict[str, list[str]] = {}
    if not unit.is_active:
        errors["unit"] = [_("This unit is no longer active.")]
    if specialist is None or not specialist.is_active or not can(specialist, "internships.run", unit):
        errors["specialist"] = [_("Choose an HSE specialist who covers this unit.")]
    if host_foreman is None or host_foreman.unit_id != unit.pk or not host_foreman.is_foreman:
        errors["host_foreman"] = [_("Choose a foreman on this unit's roll.")]
    elif not host_foreman.is_active:
        errors["host_foreman"] = [_("This foreman is no longer on the roll.")]
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if value is None:
            errors[name] = [_("Give a date.")]
            continue
        try:
            validate_record_date(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors.keys() & {"starts_on", "ends_on"}:
        return errors
    if starts_on < today and (internship is None or internship.starts_on != starts_on):
        errors["starts_on"] = [_("The first day cannot be in the past.")]
    length = (ends_on - starts_on).days + 1
    if ends_on < starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first.")]
    elif not INTERNSHIP_MIN_DAYS <= length <= INTERNSHIP_MAX_DAYS:
        errors["ends_on"] = [
            _("An internship lasts %(min)s to %(max)s days.") % {"min": INTERNSHIP_MIN_DAYS, "max": INTERNSHIP_MAX_DAYS}
        ]
    elif "specialist" not in errors:
        overlapping = Internship.objects.filter(
            specialist=specialist, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exclude(status=Status.CANCELLED)
        if internship is not None:
            overlapping = overlapping.exclude(pk=internship.pk)
        other = overlapping.select_related("unit").first()
        if other is not None:
            errors["starts_on"] = [
                _("%(specialist)s already has an internship in %(unit)s from %(start)s to %(end)s.")
                % {"specialist": specialist, "unit": other.unit, "start": short_date(other.starts_on),
                   "end": short_date(other.ends_on)}
            ]  # fmt: skip
    return errors


def _days_after(day: date, days: int) -> date | None:
    """The day `days` after `day`; None past the calendar's end (the date's own check then says
    it is outside the records' window)."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _lock_specialist(specialist) -> None:
    # Two plans for the same specialist at once: the second waits, then sees the first's dates.
    if specialist is not None and specialist.pk:
        User.objects.select_for_update().filter(pk=specialist.pk).values_list("pk", flat=True).first()


@transaction.atomic
def internship_plan(
    *,
    actor,
    specialist,
    unit: StructuralUnit,
    host_foreman: Person,
    starts_on: date,
    ends_on: date | None = None,
    today: date | None = None,
) -> Internship:
    """Plan an internship. The actor and the specialist each need `internships.run` in the unit
    (the specialist an HSE role covering it); the host is an active foreman on the unit's own roll;
    it lasts 3 to 7 days (the proposed length when `ends_on` is not given), starts today or later,
    and does not overlap another (not cancelled) internship of the same specialist. The proposal
    and its reason are kept with the plan, whatever length was chosen."""
    require(actor, "internships.run", unit)
    today = _today(today)
    proposal = proposal_for_unit(unit)
    if ends_on is None and starts_on is not None:
        ends_on = _days_after(starts_on, proposal.days - 1)
    _lock_specialist(specialist)
    errors = _plan_errors(
        specialist=specialist, unit=unit, host_foreman=host_foreman, starts_on=starts_on, ends_on=ends_on, today=today
    )
    if errors:
        raise ValidationError(errors)
    internship = Internship(
        specialist=specialist, unit=unit, host_foreman=host_foreman, starts_on=starts_on, ends_on=ends_on,
        proposed_days=proposal.days, proposal_reason=proposal.reason[:500], created_by=actor,
    )  # fmt: skip
    internship.full_clean()
    internship.save()
    log_action(
        actor=actor, action="internships.internship.planned", target=internship,
        data={"specialist": specialist.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
              "days": internship.length_days, "proposed_days": proposal.days},
    )  # fmt: skip
    return internship


@transaction.atomic
def internship_update(*, actor, internship: Internship, today: date | None = None, **fields) -> Internship:
    """Re-plan a planned internship (specialist, host foreman, first and last day) with the same
    checks as planning. Moving the first day without a last day keeps the length. Only the
    specialist, whoever planned it or the HSE head. Nothing changed: nothing logged."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Internship fields cannot be edited: {sorted(unknown)}")
    lock_and_reload(internship)
    _check(rules.can_manage_internship(actor, internship))
    _require_status(internship, Status.PLANNED)
    today = _today(today)
    if "starts_on" in fields and "ends_on" not in fields and fields["starts_on"] is not None:
        fields["ends_on"] = _days_after(fields["starts_on"], internship.length_days - 1)
    changed = {name: value for name, value in fields.items() if getattr(internship, name) != value}
    if not changed:
        return internship
    planned = {name: getattr(internship, name) for name in EDITABLE_FIELDS} | changed
    _lock_specialist(planned["specialist"])
    errors = _plan_errors(unit=internship.unit, today=today, internship=internship, **planned)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in changed.items():
        old = getattr(internship, name)
        changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
        setattr(internship, name, value)
    internship.full_clean()
    internship.save()
    log_action(actor=actor, action="internships.internship.updated", target=internship, data={"changes": changes})
    return internship


@transaction.atomic
def internship_start(*, actor, internship: Internship, today: date | None = None) -> Internship:
    """Planned -> in progress, by its specialist, on a day between its first and last."""
    lock_and_reload(internship)
    _check(rules.is_specialist_of(actor, internship), _("Only the internship's specialist may start it."))
    _require_status(internship, Status.PLANNED)
    today = _today(today)
    if not internship.starts_on <= today <= internship.ends_on:
        raise ValidationError(
            _("An internship is started between its first day (%(start)s) and its last (%(end)s).")
            % {"start": short_date(internship.starts_on), "end": short_date(internship.ends_on)}
        )
    internship.status = Status.IN_PROGRESS
    internship.save(update_fields=["status"])
    log_action(actor=actor, action="internships.internship.started", target=internship)
    return internship


@transaction.atomic
def internship_cancel(*, actor, internship: Internship, reason: str) -> Internship:
    """Cancel a planned or running internship, with a reason (kept in the audit trail). Its log
    and signals stay: the signals still need their responses."""
    lock_and_reload(internship)
    _check(rules.can_manage_internship(actor, internship))
    _require_status(internship, Status.PLANNED, Status.IN_PROGRESS)
    reason = _text(reason, "reason", max_length=REASON_MAX_LENGTH)
    if not reason:
        raise ValidationError({"reason": [_("Say why the internship is cancelled.")]})
    before = internship.status
    internship.status = Status.CANCELLED
    internship.save(update_fields=["status"])
    log_action(
        actor=actor, action="internships.internship.cancelled", target=internship, reason=reason,
        data={"status": [before, Status.CANCELLED]},
    )  # fmt: skip
    return internship


# --- The daily log and the contacts --------------------------------------------------------------


def _require_open_log(actor, internship: Internship, today: date) -> None:
    _check(rules.is_specialist_of(actor, internship), _("Only the internship's specialist keeps its log."))
    if not rules.open_for_log(internship, today):
        if internship.status == Status.FINISHED:
            raise StateConflict(
                _("This internship finished more than %(n)d days ago: its log is closed.")
                % {"n": rules.CORRECTION_DAYS},
                code="state_conflict",
            )
        raise _conflict(internship)


@transaction.atomic
def day_log_save(
    *,
    actor,
    internship: Internship,
    day: date,
    morning_work_order: str,
    crew_roles: str,
    work_done: str,
    risks_seen: str = "",
    surprises: str = "",
    shift_handover: str = "",
    today: date | None = None,
) -> InternshipDay:
    """Write (or rewrite) the log of one day, by the internship's specialist: a day between its
    first and last, not in the future, while it is in progress or within CORRECTION_DAYS days of
    finishing (to complete or correct it). The morning work order, the crew roles and the work done
    are required."""
    lock_and_reload(internship)
    today = _today(today)
    _require_open_log(actor, internship, today)
    if day is None:
        raise ValidationError({"day": [_("Give a date.")]})
    if not internship.starts_on <= day <= internship.ends_on:
        raise ValidationError(
            {"day": [_("Choose a day of the internship (%(start)s to %(end)s).")
                     % {"start": short_date(internship.starts_on), "end": short_date(internship.ends_on)}]}
        )  # fmt: skip
    if day > today:
        raise ValidationError({"day": [_("A day is logged once it has begun.")]})
    values = {
        "morning_work_order": _text(morning_work_order, "morning_work_order", required=True),
        "crew_roles": _text(crew_roles, "crew_roles", required=True, max_length=300),
        "work_done": _text(work_done, "work_done", required=True),
        "risks_seen": _text(risks_seen, "risks_seen"),
        "surprises": _text(surprises, "surprises"),
        "shift_handover": _text(shift_handover, "shift_handover"),
    }
    entry = InternshipDay.objects.filter(internship=internship, day=day).first()
    created = entry is None
    if created:
        entry = InternshipDay(internship=internship, day=day)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()
    log_action(
        actor=actor, action="internships.day.logged" if created else "internships.day.updated", target=internship,
        data={"day": day.isoformat()},
    )  # fmt: skip
    return entry


@transaction.atomic
def contact_add(
    *,
    actor,
    internship: Internship,
    name: str,
    job_title: str = "",
    how_to_reach: str = "",
    is_safety_ambassador: bool = False,
    today: date | None = None,
) -> InternshipContact:
    """Someone met who agreed to be contacted later (or a safety ambassador), by the specialist,
    while the log is open. The audit entry names no one: it says a contact was added."""
    lock_and_reload(internship)
    _require_open_log(actor, internship, _today(today))
    contact = InternshipContact(
        internship=internship,
        name=_text(name, "name", required=True, max_length=200),
        job_title=_text(job_title, "job_title", max_length=200),
        how_to_reach=_text(how_to_reach, "how_to_reach", max_length=200),
        is_safety_ambassador=bool(is_safety_ambassador),
    )
    contact.full_clean()
    contact.save()
    log_action(
        actor=actor, action="internships.contact.added", target=internship,
        data={"contact": contact.pk, "safety_ambassador": contact.is_safety_ambassador},
    )  # fmt: skip
    return contact


@transaction.atomic
def contact_remove(*, actor, contact: InternshipContact, today: date | None = None) -> None:
    """Remove a contact (they changed their mind), by the specialist, while the log is open."""
    internship = contact.internship
    lock_and_reload(internship)
    _require_open_log(actor, internship, _today(today))
    contact_id = contact.pk
    contact.delete()
    log_action(actor=actor, action="internships.contact.removed", target=internship, data={"contact": contact_id})


# --- Finishing and the host's review -------------------------------------------------------------


def _action_errors(actions: list[dict]) -> list[str]:
    messages = []
    for number, item in enumerate(actions, start=1):
        missing = [name for name in ACTION_FIELDS if not item.get(name)]
        if missing:
            messages.append(_("Action %(n)d: give %(fields)s.") % {"n": number, "fields": ", ".join(missing)})
    return messages


@transaction.atomic
def internship_finish(
    *,
    actor,
    internship: Internship,
    summary: str,
    instruction_changes: str,
    actions=(),
    today: date | None = None,
) -> Internship:
    """In progress -> finished, by its specialist, once at least one day is logged, with a closing
    summary (required) and what to change in instructions and rules. Each of `actions` (dicts of
    title, owner, due_date, control_level and optional description, priority) opens an action in
    the register with this internship as its source, in the internship's unit; an action refused
    there (a past due date, an inactive owner) refuses the whole finish."""
    lock_and_reload(internship)
    _check(rules.is_specialist_of(actor, internship), _("Only the internship's specialist may finish it."))
    _require_status(internship, Status.IN_PROGRESS)
    today = _today(today)
    errors = {}
    try:
        summary = _text(summary, "summary", required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        instruction_changes = _text(instruction_changes, "instruction_changes")
    except ValidationError as error:
        errors.update(error.message_dict)
    actions = [dict(item) for item in actions]
    action_messages = _action_errors(actions)
    if action_messages:
        errors["actions"] = action_messages
    if not internship.days.exists():
        errors["__all__"] = [_("Log at least one day before finishing the internship.")]
    if errors:
        raise ValidationError(errors)
    created = []
    for number, item in enumerate(actions, start=1):
        try:
            created.append(
                action_create(
                    actor=actor,
                    title=item["title"],
                    unit=internship.unit,
                    owner=item["owner"],
                    due_date=item["due_date"],
                    control_level=item["control_level"],
                    priority=item.get("priority") or "medium",
                    description=item.get("description") or "",
                    source_record=internship,
                    today=today,
                )  # fmt: skip
            )
        except ValidationError as error:
            details = error.messages
            raise ValidationError(
                {"actions": [_("Action %(n)d: %(error)s") % {"n": number, "error": " ".join(details)}]}
            ) from None
    internship.status = Status.FINISHED
    internship.summary = summary
    internship.instruction_changes = instruction_changes
    internship.finished_at = timezone.now()
    # No full_clean() here: the plan was checked when made, and a host foreman who has since moved
    # to another unit must not keep the internship from being finished.
    internship.save(update_fields=["status", "summary", "instruction_changes", "finished_at"])
    log_action(
        actor=actor, action="internships.internship.finished", target=internship,
        data={"days_logged": internship.days.count(), "actions": [action.pk for action in created]},
    )  # fmt: skip
    return internship


@transaction.atomic
def host_review_record(
    *, actor, internship: Internship, host_view: str, comment: str = "", today: date | None = None
) -> Internship:
    """The host foreman's short review (did the specialist work as a member of the crew or stay a
    visitor), of an internship in progress or finished: entered by its specialist from the
    foreman's note on paper, or by the unit's line manager. A second review replaces the first."""
    lock_and_reload(internship)
    _check(rules.can_record_host_review(actor, internship), _("You may not record the host foreman's review."))
    _require_status(internship, Status.IN_PROGRESS, Status.FINISHED)
    if host_view not in Internship.HostView.values:
        raise ValidationError({"host_view": [_("Choose a member of the crew or a visitor.")]})
    internship.host_view = host_view
    internship.host_comment = _text(comment, "comment", max_length=HOST_COMMENT_MAX_LENGTH)
    internship.host_reviewed_on = _today(today)
    internship.save(update_fields=["host_view", "host_comment", "host_reviewed_on"])
    log_action(actor=actor, action="internships.internship.host_reviewed", target=internship,
               data={"host_view": host_view})  # fmt: skip
    return internship


# --- Signals -------------------------------------------------------------------------------------


def _signal_kind(kind: str) -> str:
    if kind not in Signal.Kind.values:
        raise ValidationError({"kind": [_("Choose what kind of signal it is.")]})
    return kind


@transaction.atomic
def signal_record(*, actor, internship: Internship, kind: str, raw_text: str, today: date | None = None) -> Signal:
    """A signal heard during the internship, recorded by its specialist while the log is open. It
    keeps the date only, and no audit entry is written: an entry's timestamp, matched with the
    signals' order, would tell the time of day it was heard and so, with the day's log, the crew
    member. The signal row itself is the record."""
    lock_and_reload(internship)
    today = _today(today)
    _check(rules.is_specialist_of(actor, internship), _("Only the internship's specialist records its signals."))
    if not rules.open_for_log(internship, today):
        raise _conflict(internship)
    signal = Signal(
        unit=internship.unit, internship=internship, source=Signal.Source.INTERNSHIP, kind=_signal_kind(kind),
        raw_text=_text(raw_text, "raw_text", required=True), recorded_on=today,
    )  # fmt: skip
    signal.full_clean()
    signal.save()
    return signal


@transaction.atomic
def signal_submit_from_form(*, unit: StructuralUnit, kind: str, text: str, today: date | None = None) -> Signal:
    """A worker's signal from the unit's QR form: no actor, no audit entry, no log line; the date
    only. The unit must be active."""
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": [_("This form is no longer in use.")]})
    signal = Signal(
        unit=unit, internship=None, source=Signal.Source.WORKER_FORM, kind=_signal_kind(kind),
        raw_text=_text(text, "text", required=True), recorded_on=_today(today),
    )  # fmt: skip
    signal.full_clean()
    signal.save()
    return signal


def _lock_signal(actor, signal: Signal) -> Signal:
    lock_and_reload(signal)
    _check(rules.can_answer_signal(actor, signal), _("You may not answer this signal."))
    if signal.status == Signal.Status.ANSWERED:
        raise StateConflict(_("This signal has already been answered."), code="state_conflict")
    return signal


@transaction.atomic
def signal_take_up(*, actor, signal: Signal) -> Signal:
    """New -> being worked on, by someone who may answer it (`rules.can_answer_signal`)."""
    _lock_signal(actor, signal)
    if signal.status == Signal.Status.IN_PROGRESS:
        raise StateConflict(_("This signal is already being worked on."), code="state_conflict")
    signal.status = Signal.Status.IN_PROGRESS
    signal.save(update_fields=["status"])
    log_action(actor=actor, action="internships.signal.taken_up", target=signal)
    return signal


@transaction.atomic
def signal_respond(
    *, actor, signal: Signal, response: str, response_text: str, paraphrase: str, today: date | None = None
) -> Signal:
    """Answer a signal (new or being worked on): the kind of response, what was done, and the
    paraphrase the unit's board shows (required, and not the raw text word for word). By someone
    who may answer it (`rules.can_answer_signal`); the audit entry keeps the kind of response only."""
    _lock_signal(actor, signal)
    errors = {}
    if response not in Signal.Response.values:
        errors["response"] = [_("Choose the response: rule changed, procedure simplified, tool replaced, "
                                "PPE provided or explained.")]  # fmt: skip
    for name, value, cap in (("response_text", response_text, LONG_TEXT_MAX_LENGTH), ("paraphrase", paraphrase, 500)):
        try:
            _text(value, name, required=True, max_length=cap)
        except ValidationError as error:
            errors.update(error.message_dict)
    paraphrase = (paraphrase or "").strip()
    if "paraphrase" not in errors and " ".join(paraphrase.lower().split()) == " ".join(signal.raw_text.lower().split()):
        errors["paraphrase"] = [_("Reword it: the board must not show the words as they were said.")]
    if errors:
        raise ValidationError(errors)
    before = signal.status
    signal.status = Signal.Status.ANSWERED
    signal.response = response
    signal.response_text = response_text.strip()
    signal.paraphrase = paraphrase
    signal.responded_on = _today(today)
    signal.full_clean()
    signal.save(update_fields=["status", "response", "response_text", "paraphrase", "responded_on"])
    log_action(actor=actor, action="internships.signal.answered", target=signal,
               data={"response": response, "status": [before, Signal.Status.ANSWERED]})  # fmt: skip
    return signal
