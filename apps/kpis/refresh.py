"""Which unit-months to recompute when a measured record changes: Django signal receivers,
connected in `KpisConfig.ready()`.

Signals are used here, and only here, because the kpis app sits above the apps it measures in the
layers (pyproject.toml, import-linter): observations, audits, actions, incidents, contractors,
trainings, internships and org must not import it, so they cannot call it from their services. A
receiver asks for the months the record counts in (`snapshots.refresh_requested`) once the
transaction commits: a change rolled back asks for nothing, and the save itself never waits for
the refresh nor fails because of it.

Bulk loads (the demo, the scale generator, `bulk_create`/`update`) send no signals: the nightly
full run (`kpis.refresh_all`) covers them."""

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from apps.common.dates import month_start

from .measures import REPEAT_WINDOW
from .snapshots import refresh_requested_many

logger = logging.getLogger(__name__)

# An attendance marked for a session long ago changes the training compliance of every month
# since: at most this many months back are asked for (the nightly run covers the rest).
MAX_MONTHS_BACK = 24


def _month(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return month_start(value)


def _months_since(value, *, until: date) -> list[date]:
    """The months from value's up to until's (both included), at most MAX_MONTHS_BACK of them."""
    first = _month(value)
    if first is None:
        return []
    months, month = [], month_start(until)
    while month >= first and len(months) < MAX_MONTHS_BACK:
        months.append(month)
        month = month_start(month - timedelta(days=1))
    return months


def _today_month() -> date:
    return month_start(timezone.localdate())


# --- What each record counts in: (unit id, months) -------------------------------------------------


def _observation(obj):
    moment = obj.observed_at
    # Repeat findings: a late-entered observation can make later ones repeats (90 days on).
    later = _months_since(moment, until=min(timezone.localdate(), timezone.localdate(moment + REPEAT_WINDOW)))
    return [(obj.unit_id, [_month(moment), *later])]


def _audit(obj):
    plan_month = None
    if obj.plan_entry_id is not None:
        plan_month = obj.plan_entry.month if obj.__class__.plan_entry.is_cached(obj) else None
        if plan_month is None:
            from apps.audits.models import AuditPlanEntry

            plan_month = AuditPlanEntry.objects.filter(pk=obj.plan_entry_id).values_list("month", flat=True).first()
    return [(obj.unit_id, [_month(obj.started_at), _month(obj.completed_at), plan_month])]


def _plan_entry(obj):
    return [(obj.unit_id, [obj.month])]


def _action(obj):
    # Overdue figures of the current month; on time when done; overdue in the month it fell due.
    return [(obj.unit_id, [_today_month(), _month(obj.completed_at), _month(obj.due_date)])]


def _incident(obj):
    return [(obj.unit_id, [_month(obj.occurred_at)])]


def _investigation(obj):
    from apps.incidents.models import Incident

    unit_id = Incident.objects.filter(pk=obj.incident_id).values_list("unit_id", flat=True).first()
    return [(unit_id, [_month(obj.closed_at)])] if unit_id else []


def _sanction(obj):
    from apps.contractors.models import Violation

    unit_id = Violation.objects.filter(pk=obj.violation_id).values_list("unit_id", flat=True).first()
    return [(unit_id, [_month(obj.decided_at)])] if unit_id else []


def _contractor_audit(obj):
    from apps.audits.models import Audit

    audit = Audit.objects.filter(pk=obj.audit_id).values("unit_id", "completed_at").first()
    return [(audit["unit_id"], [_month(audit["completed_at"])])] if audit else []


def _session(obj):
    return [(obj.unit_id, [_month(obj.date)])]


def _attendance(obj):
    """Training compliance of the person's unit, every month since the session."""
    if obj.person_id is None:
        return []
    from apps.org.models import Person
    from apps.trainings.models import TrainingSession

    unit_id = Person.objects.filter(pk=obj.person_id).values_list("unit_id", flat=True).first()
    session_date = TrainingSession.objects.filter(pk=obj.session_id).values_list("date", flat=True).first()
    if unit_id is None:
        return []
    return [(unit_id, _months_since(session_date or timezone.localdate(), until=timezone.localdate()))]


def _person(obj):
    return [(obj.unit_id, [_today_month()])]


def _internship_day(obj):
    from apps.internships.models import Internship

    unit_id = Internship.objects.filter(pk=obj.internship_id).values_list("unit_id", flat=True).first()
    return [(unit_id, [_month(obj.day)])] if unit_id else []


def _signal(obj):
    from apps.internships.models import SIGNAL_ANSWER_DAYS

    due = obj.recorded_on + timedelta(days=SIGNAL_ANSWER_DAYS) if obj.recorded_on else None
    return [(obj.unit_id, [_month(due)])]


def _hours(obj):
    return [(obj.unit_id, [_month(obj.month)])]


def _measured_models():
    from apps.actions.models import Action
    from apps.audits.models import Audit, AuditPlanEntry
    from apps.contractors.models import ContractorAudit, Sanction
    from apps.incidents.models import Incident, Investigation
    from apps.internships.models import InternshipDay, Signal
    from apps.observations.models import Observation
    from apps.org.models import HoursWorked, Person
    from apps.trainings.models import Attendance, TrainingSession

    return {
        Observation: _observation,
        Audit: _audit,
        AuditPlanEntry: _plan_entry,
        Action: _action,
        Incident: _incident,
        Investigation: _investigation,
        Sanction: _sanction,
        ContractorAudit: _contractor_audit,
        TrainingSession: _session,
        Attendance: _attendance,
        Person: _person,
        InternshipDay: _internship_day,
        Signal: _signal,
        HoursWorked: _hours,
    }


def affected(instance) -> set[tuple[int, date]]:
    """The (unit id, month) pairs whose figures a record counts in (months to come left out)."""
    what = _measured_models().get(type(instance))
    if what is None:
        return set()
    last = _today_month()
    pairs = set()
    for unit_id, months in what(instance):
        if unit_id is None:
            continue
        pairs.update((unit_id, month) for month in months if month is not None and month <= last)
    return pairs


def _request(instance) -> None:
    """After the commit: ask for the refresh of what the record counts in. Nothing here runs inside
    the transaction that saved the record (no query added to it)."""
    try:
        pairs = affected(instance)
        if pairs:
            refresh_requested_many(pairs)
    except Exception:  # a refresh request must never break what triggered it; the nightly run covers it
        logger.exception("KPI refresh request failed for %r", instance)


def _changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # fixtures being loaded
    transaction.on_commit(lambda: _request(instance))


def connect() -> None:
    """Connect the receivers (KpisConfig.ready())."""
    for model in _measured_models():
        post_save.connect(_changed, sender=model, dispatch_uid=f"kpis-refresh-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"kpis-refresh-delete-{model._meta.label}")
