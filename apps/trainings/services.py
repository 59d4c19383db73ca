"""Writes for trainings: courses and who must take them, internal trainers, sessions, attendance,
feedback and certificates.

Courses, required trainings and trainer qualifications are the HSE head's (`trainings.manage_courses`).
Sessions are planned by a role that runs them (a line manager only once qualified as a trainer,
`rules.can_plan_session`) and run by their trainer or the HSE function of the unit
(`rules.can_run_session`). A training's validity follows from the session date alone: present and
passed ⇒ valid until the session date plus the course's validity in months (calendar months:
31 January + 1 month = the last day of February). Every change that matters keeps an audit entry
(`trainings.session.delivered`, `trainings.attendance.corrected`, …)."""

import calendar
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.access import require, unit_in_scope
from apps.accounts.roles import roles_with
from apps.audit.services import log_action
from apps.common.dates import validate_past_date, validate_record_date
from apps.common.errors import StateConflict
from apps.common.locking import lock_and_reload
from apps.org.models import StructuralUnit

from . import rules
from .models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession, new_certificate_code

REASON_MAX_LENGTH = 500
FEEDBACK_MIN, FEEDBACK_MAX = 1, 5

Status = TrainingSession.Status
Presence = Attendance.Presence

COURSE_FIELDS = ("code", "name", "description", "validity_months", "default_hours", "is_active")
SESSION_FIELDS = ("course", "trainer", "unit", "date", "hours", "place", "preparation_hours")


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until_for(session: TrainingSession) -> date:
    """The last day a training passed at this session is valid."""
    return add_months(session.date, session.course.validity_months)


def _reason(reason: str | None, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Say why: the reason is kept with the change.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX_LENGTH}]})
    return reason


def _state_conflict(session: TrainingSession) -> StateConflict:
    return StateConflict(
        _("This session is already %(status)s.") % {"status": session.get_status_display().lower()},
        code="state_conflict",
    )


def _require_run(actor, session: TrainingSession) -> None:
    if not rules.can_run_session(actor, session):
        raise PermissionDenied("trainings: not the trainer of this session nor the HSE function of its unit")


def _changes(instance, fields: dict) -> dict:
    """{field: [before, after]} of the fields that change, as JSON-friendly values."""

    def shown(value):
        if hasattr(value, "pk"):
            return value.pk
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, bool | int | str | None) else str(value)

    changed = {}
    for name, value in list(fields.items()):
        model_field = instance._meta.get_field(name)
        if not model_field.is_relation:
            try:
                fields[name] = value = model_field.to_python(value)
            except ValidationError as error:
                raise ValidationError({name: error.messages}) from None
        before = getattr(instance, name)
        if before != value:
            changed[name] = [shown(before), shown(value)]
    return changed


# --- Courses and required trainings ---------------------------------------------------------------


@transaction.atomic
def course_create(
    *, actor, code: str, name: str, validity_months: int, default_hours=4, description: str = ""
) -> Course:
    """A course the enterprise teaches, valid for `validity_months` from the session date (the HSE head)."""
    require(actor, "trainings.manage_courses")
    course = Course(
        code=(code or "").strip(), name=(name or "").strip(), validity_months=validity_months,
        default_hours=default_hours, description=(description or "").strip(),
    )  # fmt: skip
    course.full_clean()
    course.save()
    log_action(actor=actor, action="trainings.course.created", target=course,
               data={"validity_months": course.validity_months})  # fmt: skip
    return course


@transaction.atomic
def course_update(*, actor, course: Course, **fields) -> Course:
    """Change a course's code, name, description, validity, usual length or whether it is taught.
    A new validity applies to trainings passed from then on: a validity already granted stays."""
    require(actor, "trainings.manage_courses")
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This cannot be changed here.")] for name in sorted(unknown)})
    for name in ("code", "name", "description"):
        if name in fields and isinstance(fields[name], str):
            fields[name] = fields[name].strip()
    lock_and_reload(course)
    changed = _changes(course, fields)
    for name, value in fields.items():
        setattr(course, name, value)
    course.full_clean()
    course.save()
    if changed:
        log_action(actor=actor, action="trainings.course.updated", target=course, data=changed)
    return course


def _same_requirement(applies_to: str, course: Course, job_title: str, unit):
    existing = TrainingRequirement.objects.filter(course=course, applies_to=applies_to)
    if applies_to == TrainingRequirement.AppliesTo.JOB_TITLE:
        existing = existing.filter(job_title__iexact=job_title)
    existing = existing.filter(unit__isnull=True) if unit is None else existing.filter(unit=unit)
    return existing.exists()


@transaction.atomic
def requirement_add(*, actor, course: Course, applies_to: str, job_title: str = "", unit=None) -> TrainingRequirement:
    """Require a course of a job title (anywhere, or in a unit and the units under it), of everyone
    in a unit (and its sub-units), or of contractor workers whose pass opens a zone (or a unit under
    it). The same requirement twice is refused."""
    require(actor, "trainings.manage_courses")
    if applies_to not in TrainingRequirement.AppliesTo.values:
        raise ValidationError({"applies_to": [_("Choose a job title, a unit or a contractor zone.")]})
    job_title = (job_title or "").strip()
    if applies_to != TrainingRequirement.AppliesTo.JOB_TITLE:
        job_title = ""
    requirement = TrainingRequirement(course=course, applies_to=applies_to, job_title=job_title, unit=unit)
    requirement.full_clean()
    if _same_requirement(applies_to, course, job_title, unit):
        field = "job_title" if applies_to == TrainingRequirement.AppliesTo.JOB_TITLE else "unit"
        raise ValidationError({field: [_("%(course)s is already required here.") % {"course": course.name}]})
    requirement.save()
    log_action(
        actor=actor, action="trainings.requirement.added", target=requirement, unit=unit,
        data={"course": course.pk, "applies_to": applies_to, "job_title": job_title},
    )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_remove(*, actor, requirement: TrainingRequirement) -> None:
    """Stop requiring a course there (the trainings already passed stay on record)."""
    require(actor, "trainings.manage_courses")
    log_action(
        actor=actor, action="trainings.requirement.removed", target=requirement, unit=requirement.unit,
        data={"course": requirement.course_id, "applies_to": requirement.applies_to,
              "job_title": requirement.job_title},
    )  # fmt: skip
    requirement.delete()


# --- Internal trainers ---------------------------------------------------------------------------


@transaction.atomic
def trainer_qualify(*, actor, user, course: Course, qualified_on: date, qualification: str) -> Trainer:
    """Qualify a user to teach a course: someone of a role that runs sessions (an HSE specialist,
    the HSE head, a line manager), since a day that has come, saying how they qualified.
    Qualifying a withdrawn trainer again reactivates them with the new details."""
    require(actor, "trainings.manage_courses")
    errors: dict[str, list[str]] = {}
    if user is None or not user.is_active or user.role not in roles_with("trainings.run_sessions"):
        errors["user"] = [_("Only an HSE specialist, the HSE head or a line manager can be an internal trainer.")]
    qualification = (qualification or "").strip()
    if not qualification:
        errors["qualification"] = [_("Say how they qualified (course, certificate number).")]
    if qualified_on is None:
        errors["qualified_on"] = [_("Give a date.")]
    else:
        try:
            validate_past_date(qualified_on)
        except ValidationError as error:
            errors["qualified_on"] = error.messages
    if errors:
        raise ValidationError(errors)
    trainer = Trainer.objects.select_for_update().filter(user=user, course=course).first()
    if trainer is not None and trainer.is_active:
        raise ValidationError({"user": [_("%(user)s already teaches %(course)s.") % {"user": user, "course": course}]})
    action = "trainings.trainer.reactivated" if trainer is not None else "trainings.trainer.qualified"
    if trainer is None:
        trainer = Trainer(user=user, course=course)
    trainer.qualified_on, trainer.qualification, trainer.is_active = qualified_on, qualification, True
    trainer.full_clean(validate_unique=False)
    trainer.save()
    log_action(
        actor=actor, action=action, target=trainer,
        data={"user": user.pk, "course": course.pk, "qualified_on": qualified_on.isoformat()},
    )  # fmt: skip
    return trainer


@transaction.atomic
def trainer_withdraw(*, actor, trainer: Trainer, reason: str) -> Trainer:
    """Withdraw a trainer's qualification for a course (with a reason): no new sessions of it."""
    require(actor, "trainings.manage_courses")
    reason = _reason(reason)
    lock_and_reload(trainer)
    if not trainer.is_active:
        raise StateConflict(_("This trainer's qualification is already withdrawn."), code="state_conflict")
    trainer.is_active = False
    trainer.save(update_fields=["is_active"])
    log_action(actor=actor, action="trainings.trainer.withdrawn", target=trainer, reason=reason)
    return trainer


# --- Sessions ------------------------------------------------------------------------------------


def _session_errors(*, course, trainer, unit, day, actor) -> dict:
    errors: dict[str, list[str]] = {}
    if day is None:
        errors["date"] = [_("Give a date.")]
    else:
        try:
            validate_record_date(day)
        except ValidationError as error:
            errors["date"] = error.messages
    if course is not None and not course.is_active:
        errors["course"] = [_("This course is no longer taught.")]
    if unit is None:
        errors["unit"] = [_("Choose the unit the session is for.")]
    elif not unit_in_scope(actor, unit):
        errors["unit"] = [_("You may plan sessions only for the units you see.")]
    if "date" not in errors and course is not None and not rules.may_teach(trainer, course, day):
        errors["trainer"] = [
            _("%(trainer)s is not qualified to teach %(course)s on this date.")
            % {"trainer": trainer or "—", "course": course}
        ]
    return errors


@transaction.atomic
def session_plan(*, actor, course: Course, trainer, unit, date: date, hours, place: str,
                 preparation_hours=0) -> TrainingSession:  # fmt: skip
    """Plan a session of a course for a unit the actor sees, taught by a trainer qualified for the
    course on or before the session's date. Who may plan: `rules.can_plan_session`."""
    if not rules.can_plan_session(actor):
        raise PermissionDenied("trainings: may not plan sessions")
    errors = _session_errors(course=course, trainer=trainer, unit=unit, day=date, actor=actor)
    if errors:
        raise ValidationError(errors)
    session = TrainingSession(
        course=course, trainer=trainer, unit=unit, date=date, hours=hours, place=(place or "").strip(),
        preparation_hours=preparation_hours if preparation_hours is not None else 0, created_by=actor,
    )  # fmt: skip
    session.full_clean()
    session.save()
    log_action(
        actor=actor, action="trainings.session.planned", target=session,
        data={"course": course.pk, "trainer": trainer.pk, "date": date.isoformat()},
    )  # fmt: skip
    return session


def _refresh_validity(session: TrainingSession) -> None:
    """After a session's date or course changed: the trainings already marked passed follow it."""
    until = valid_until_for(session)
    session.attendances.filter(valid_until__isnull=False).update(valid_until=until)


@transaction.atomic
def session_update(*, actor, session: TrainingSession, **fields) -> TrainingSession:
    """Change a planned session (course, trainer, unit, date, hours, place, preparation hours):
    its trainer must still be qualified for the course on the date, its unit one the actor sees."""
    _require_run(actor, session)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This cannot be changed here.")] for name in sorted(unknown)})
    lock_and_reload(session)
    if session.status != Status.PLANNED:
        raise _state_conflict(session)
    if "place" in fields and isinstance(fields["place"], str):
        fields["place"] = fields["place"].strip()
    changed = _changes(session, fields)
    for name, value in fields.items():
        setattr(session, name, value)
    if {"course", "trainer", "unit", "date"} & set(changed):
        unit = session.unit if "unit" in changed else None
        errors = _session_errors(
            course=session.course, trainer=session.trainer, unit=unit or session.unit, day=session.date,
            actor=actor,
        )  # fmt: skip
        if "unit" not in changed:
            errors.pop("unit", None)  # the trainer of a session may not see its unit: they keep it
        if errors:
            raise ValidationError(errors)
    session.full_clean()
    session.save()
    if {"course", "date"} & set(changed):
        _refresh_validity(session)
    if changed:
        log_action(actor=actor, action="trainings.session.updated", target=session, data=changed)
    return session


@transaction.atomic
def session_cancel(*, actor, session: TrainingSession, reason: str) -> TrainingSession:
    """Cancel a planned session, saying why (kept as its result). Nobody's training follows from a
    cancelled session: any validity already marked is withdrawn."""
    _require_run(actor, session)
    reason = _reason(reason)
    lock_and_reload(session)
    if session.status != Status.PLANNED:
        raise _state_conflict(session)
    session.status = Status.CANCELLED
    session.result = reason
    session.save(update_fields=["status", "result"])
    session.attendances.filter(valid_until__isnull=False).update(valid_until=None, certificate_code=None)
    log_action(actor=actor, action="trainings.session.cancelled", target=session, reason=reason,
               data={"status": [Status.PLANNED, Status.CANCELLED]})  # fmt: skip
    return session


@transaction.atomic
def session_deliver(*, actor, session: TrainingSession, result: str = "") -> TrainingSession:
    """Close a session that took place (its date has come): at least one attendee marked present;
    those still only registered are marked absent."""
    _require_run(actor, session)
    lock_and_reload(session)
    if session.status != Status.PLANNED:
        raise _state_conflict(session)
    if session.date > timezone.localdate():
        raise ValidationError({"date": [_("This session's date has not come yet: deliver it on the day.")]})
    if not session.attendances.filter(presence=Presence.PRESENT).exists():
        raise ValidationError({"attendances": [_("Mark who was present first: nobody is marked present.")]})
    now = timezone.now()
    absent = session.attendances.filter(presence=Presence.REGISTERED).update(
        presence=Presence.ABSENT, passed=None, valid_until=None, certificate_code=None, marked_by=actor, marked_at=now
    )
    session.status = Status.DELIVERED
    session.delivered_at = now
    session.result = (result or "").strip()
    session.full_clean()
    session.save(update_fields=["status", "delivered_at", "result"])
    counts = {
        "present": session.attendances.filter(presence=Presence.PRESENT).count(),
        "passed": session.attendances.filter(valid_until__isnull=False).count(),
        "absent": session.attendances.filter(presence=Presence.ABSENT).count(),
    }
    log_action(
        actor=actor, action="trainings.session.delivered", target=session,
        data={"status": [Status.PLANNED, Status.DELIVERED], "marked_absent": absent, **counts},
    )  # fmt: skip
    return session


# --- Attendees and attendance --------------------------------------------------------------------


def _person_in_reach(actor, session: TrainingSession, person) -> bool:
    """An employee can be put on a session by someone who sees their unit, or who runs a session
    for their unit (or a unit above it)."""
    if unit_in_scope(actor, person.unit_id):
        return True
    unit_id, seen = person.unit_id, set()
    parents = dict(StructuralUnit.objects.values_list("id", "parent_id"))
    while unit_id is not None and unit_id not in seen:
        if unit_id == session.unit_id:
            return True
        seen.add(unit_id)
        unit_id = parents.get(unit_id)
    return False


@transaction.atomic
def attendee_add(*, actor, session: TrainingSession, person=None, contractor_worker=None) -> Attendance:
    """Put one attendee on a session that is not cancelled: an employee on the roll (of a unit the
    actor sees or the session is for) or an active contractor worker, each at most once."""
    _require_run(actor, session)
    lock_and_reload(session)
    if session.status == Status.CANCELLED:
        raise _state_conflict(session)
    if (person is None) == (contractor_worker is None):
        raise ValidationError({"person": [_("Choose one employee or one contractor worker.")]})
    if person is not None:
        if not person.is_active:
            raise ValidationError({"person": [_("%(name)s is no longer on the roll.") % {"name": person.full_name}]})
        if not _person_in_reach(actor, session, person):
            raise ValidationError({"person": [_("You may add only people of the units you see.")]})
        if session.attendances.filter(person=person).exists():
            raise ValidationError({"person": [_("%(name)s is already on this session.") % {"name": person.full_name}]})
    else:
        if not contractor_worker.is_active:
            raise ValidationError(
                {"contractor_worker": [_("%(name)s no longer works for the company.")
                                       % {"name": contractor_worker.full_name}]}
            )  # fmt: skip
        if session.attendances.filter(contractor_worker=contractor_worker).exists():
            raise ValidationError(
                {"contractor_worker": [_("%(name)s is already on this session.")
                                       % {"name": contractor_worker.full_name}]}
            )  # fmt: skip
    attendance = Attendance(session=session, person=person, contractor_worker=contractor_worker)
    attendance.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:  # a second tab added them a moment ago
        raise ValidationError({"person": [_("This attendee is already on this session.")]}) from None
    log_action(
        actor=actor, action="trainings.attendee.added", target=session,
        data={"person": person.pk if person else None, "contractor_worker": getattr(contractor_worker, "pk", None)},
    )  # fmt: skip
    return attendance


@transaction.atomic
def attendee_remove(*, actor, attendance: Attendance) -> None:
    """Take an attendee off a session before it is delivered."""
    session = attendance.session
    _require_run(actor, session)
    lock_and_reload(session)
    if session.status != Status.PLANNED:
        raise _state_conflict(session)
    log_action(
        actor=actor, action="trainings.attendee.removed", target=session,
        data={"person": attendance.person_id, "contractor_worker": attendance.contractor_worker_id},
    )  # fmt: skip
    attendance.delete()


@transaction.atomic
def attendance_mark(*, actor, attendance: Attendance, presence: str, passed: bool | None = None) -> Attendance:
    """Mark an attendee present or absent (and, when present, passed or not) on the session's day
    or later. Present and passed ⇒ valid until the session date + the course's validity, with a
    certificate code given once (kept through re-marks); anything else ⇒ no validity, no
    certificate. The trainer or the HSE function may correct a mark after delivery: the correction
    is kept in the trail with the mark before and after. A revoked certificate is not re-marked."""
    session = attendance.session
    _require_run(actor, session)
    lock_and_reload(session)
    lock_and_reload(attendance)
    if session.status == Status.CANCELLED:
        raise _state_conflict(session)
    if presence not in Presence.values:
        raise ValidationError({"presence": [_("Choose present or absent.")]})
    if presence == Presence.REGISTERED and session.status == Status.DELIVERED:
        raise ValidationError({"presence": [_("The session took place: mark the attendee present or absent.")]})
    if presence != Presence.REGISTERED and session.date > timezone.localdate():
        raise ValidationError({"presence": [_("The session has not taken place yet: mark attendance on the day.")]})
    if attendance.is_revoked:
        raise StateConflict(_("This certificate was revoked: it is not marked again."), code="state_conflict")
    passed = bool(passed) if presence == Presence.PRESENT and passed is not None else None
    before = {"presence": attendance.presence, "passed": attendance.passed}
    attendance.presence, attendance.passed = presence, passed
    if presence == Presence.PRESENT and passed:
        attendance.valid_until = valid_until_for(session)
        attendance.certificate_code = attendance.certificate_code or new_certificate_code()
    else:
        attendance.valid_until = None
        attendance.certificate_code = None
    if presence != Presence.PRESENT:
        attendance.feedback_score, attendance.feedback_comment = None, ""
    attendance.marked_by, attendance.marked_at = actor, timezone.now()
    attendance.full_clean(validate_unique=False)
    attendance.save()
    after = {"presence": presence, "passed": passed}
    if session.status == Status.DELIVERED:
        log_action(
            actor=actor, action="trainings.attendance.corrected", target=session,
            data={"attendance": attendance.pk, "presence": [before["presence"], presence],
                  "passed": [before["passed"], passed]},
        )  # fmt: skip
    elif before != after:
        log_action(
            actor=actor, action="trainings.attendance.marked", target=session,
            data={"attendance": attendance.pk, "presence": [before["presence"], presence],
                  "passed": [before["passed"], passed]},
        )  # fmt: skip
    return attendance


@transaction.atomic
def feedback_record(*, actor, attendance: Attendance, score: int, comment: str = "") -> Attendance:
    """An attendee's rating of the session (1 to 5) and comment: for attendees who were present,
    recorded by the attendee themselves (their portal account), the trainer or the HSE function."""
    own = attendance.person_id is not None and attendance.person.user_id == getattr(actor, "pk", None)
    if not (own and actor.is_active) and not rules.can_run_session(actor, attendance.session):
        raise PermissionDenied("trainings: may not record this attendee's feedback")
    lock_and_reload(attendance)
    if attendance.presence != Presence.PRESENT:
        raise ValidationError({"score": [_("Only an attendee who was present rates the session.")]})
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = None
    if score is None or not FEEDBACK_MIN <= score <= FEEDBACK_MAX:
        raise ValidationError({"score": [_("Rate from 1 to 5.")]})
    attendance.feedback_score = score
    attendance.feedback_comment = (comment or "").strip()
    attendance.full_clean(validate_unique=False)
    attendance.save(update_fields=["feedback_score", "feedback_comment"])
    log_action(actor=actor, action="trainings.feedback.recorded", target=attendance.session,
               data={"attendance": attendance.pk, "score": score})  # fmt: skip
    return attendance


@transaction.atomic
def certificate_revoke(*, actor, attendance: Attendance, reason: str) -> Attendance:
    """Revoke a certificate (a mistake, a fraud), with a reason: the verification page says
    revoked, and the training no longer counts in the matrix or at the gate."""
    require(actor, "trainings.revoke_certificates", attendance.session.unit_id)
    reason = _reason(reason)
    lock_and_reload(attendance)
    if attendance.valid_until is None or not attendance.certificate_code:
        raise StateConflict(_("This attendee holds no certificate from this session."), code="state_conflict")
    if attendance.is_revoked:
        raise StateConflict(_("This certificate is already revoked."), code="state_conflict")
    attendance.revoked_at, attendance.revoked_by, attendance.revoke_reason = timezone.now(), actor, reason
    attendance.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    log_action(actor=actor, action="trainings.certificate.revoked", target=attendance.session, reason=reason,
               data={"attendance": attendance.pk})  # fmt: skip
    return attendance
