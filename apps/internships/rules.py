"""Row rules of internships and signals, for views, the API and selectors alike.

Who may read a signal's raw text (what was said, in the words it was said):
- the HSE specialist who heard it (the internship's specialist), while they hold an HSE role;
- the HSE head (capability `internships.read_all_signals`);
- for a signal a worker sent from the unit's QR form (it has no recorder), also the HSE
  specialists covering the unit (capability `internships.answer_signals` in the unit).
Nobody else: not line managers, not executives, not other specialists, not system admins. They
see the paraphrase on the unit's board once the signal is answered.
"""

from django.db.models import Q
from django.utils import timezone

from apps.accounts.access import can, unit_ids_in_scope

from .models import Internship, Signal

# A finished internship's log, contacts and signals may still be corrected for this many days.
CORRECTION_DAYS = 3


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role)


def can_read_signal(user, signal: Signal) -> bool:
    """May this user read the signal's raw text? (See the module docstring.)"""
    if not _signed_in(user):
        return False
    if can(user, "internships.read_all_signals"):
        return True
    if signal.source == Signal.Source.WORKER_FORM:
        return can(user, "internships.answer_signals", signal.unit_id)
    # Heard during an internship: only the specialist who heard it (the internship is loaded with
    # the signal by the selectors, so this reads no row).
    return (
        signal.internship_id is not None
        and signal.internship.specialist_id == user.pk
        and can(user, "internships.answer_signals")
    )


def can_answer_signal(user, signal: Signal) -> bool:
    """Take up and answer a signal: an HSE role covering the unit who may read the raw text."""
    return can(user, "internships.answer_signals", signal.unit_id) and can_read_signal(user, signal)


def readable_signals(user, queryset):
    """The rows of `queryset` whose raw text the user may read: `can_read_signal` as a filter."""
    if not _signed_in(user):
        return queryset.none()
    if can(user, "internships.read_all_signals"):
        return queryset
    if not can(user, "internships.answer_signals"):
        return queryset.none()
    own = Q(source=Signal.Source.INTERNSHIP, internship__specialist_id=user.pk)
    scope = unit_ids_in_scope(user)
    from_form = Q(source=Signal.Source.WORKER_FORM)
    if scope is not None:
        from_form &= Q(unit_id__in=scope)
    return queryset.filter(own | from_form)


def is_specialist_of(user, internship: Internship) -> bool:
    """The internship's own specialist, still an HSE role covering its unit: keeps its daily log,
    its contacts and its signals, starts and finishes it."""
    return _signed_in(user) and internship.specialist_id == user.pk and can(user, "internships.run", internship.unit_id)


def can_manage_internship(user, internship: Internship) -> bool:
    """Re-plan, start or cancel: the specialist, whoever planned it, or an HSE role who sees every
    unit (the HSE head) — each with `internships.run` in the unit."""
    if not can(user, "internships.run", internship.unit_id):
        return False
    return user.pk in (internship.specialist_id, internship.created_by_id) or user.sees_all_units


def can_record_host_review(user, internship: Internship) -> bool:
    """The host foreman's short review is entered by the specialist (from the foreman's note on
    paper) or by the unit's line manager (`internships.record_host_review` in the unit)."""
    return is_specialist_of(user, internship) or can(user, "internships.record_host_review", internship.unit_id)


def open_for_log(internship: Internship, today) -> bool:
    """The daily log, contacts and signals can be written while the internship is in progress,
    and for CORRECTION_DAYS days after it finished (to complete or correct them)."""
    if internship.status == Internship.Status.IN_PROGRESS:
        return True
    if internship.status == Internship.Status.FINISHED and internship.finished_at is not None:
        finished_on = timezone.localtime(internship.finished_at).date()
        return (today - finished_on).days <= CORRECTION_DAYS
    return False
