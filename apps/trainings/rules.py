"""Who may do what to one training session or trainer: the row rules that views, the API and the
selectors share. Role capabilities come from `apps.accounts.roles`; these add the facts of the
row: who the session's trainer is, whom a trainer reports to, what a trainer is qualified for."""

from datetime import date

from apps.accounts.access import can

from .models import Course, Trainer, TrainingSession


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _is_qualified_trainer(user) -> bool:
    """Holds an active qualification to teach some course."""
    return Trainer.objects.filter(user_id=user.pk, is_active=True).exists()


def can_plan_session(user, unit=None) -> bool:
    """Plan a session (in `unit`, when given): a role that runs sessions, in its units. The HSE
    function organises any session; a line manager plans only once they are an internal trainer
    themselves (an active qualification in any course)."""
    if not _active(user) or not can(user, "trainings.run_sessions", unit):
        return False
    return can(user, "trainings.run_any_session", unit) or _is_qualified_trainer(user)


def can_run_session(user, session: TrainingSession) -> bool:
    """Edit, add attendees, mark attendance, deliver: the session's trainer, or the HSE function of
    the session's unit (an HSE specialist covering it, the HSE head)."""
    if not _active(user):
        return False
    if session.trainer_id == user.pk and can(user, "trainings.run_sessions"):
        return True
    return can(user, "trainings.run_any_session", session.unit_id)


def can_view_trainer_activity(user, trainer_user) -> bool:
    """A trainer's activity: the trainer themselves, the trainer's line manager, or a role that
    reads every trainer's activity (the HSE head)."""
    if not _active(user) or trainer_user is None:
        return False
    if trainer_user.pk == user.pk:
        return True
    if trainer_user.line_manager_id is not None and trainer_user.line_manager_id == user.pk:
        return True
    return can(user, "trainings.view_all_trainer_activity")


def may_teach(user, course: Course, on: date) -> bool:
    """May `user` be the trainer of a session of `course` on the day `on`: an active user of a role
    that runs sessions, with an active qualification for the course obtained on or before that day."""
    if user is None or not getattr(user, "is_active", False) or course is None or on is None:
        return False
    if not can(user, "trainings.run_sessions"):
        return False
    return Trainer.objects.filter(user_id=user.pk, course_id=course.pk, is_active=True, qualified_on__lte=on).exists()
