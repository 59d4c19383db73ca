"""Scoped reads for trainings, for pages and API alike.

Courses and required trainings are enterprise-wide. Sessions are scoped by the unit they are for,
plus the sessions the user teaches wherever they are; attendee candidates are the people of the
units the user sees. A trainer's activity is read by the trainer, their line manager and the HSE
head (`rules.can_view_trainer_activity`), in two aggregate queries however many trainers."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.accounts.access import can, unit_ids_in_scope
from apps.contractors.models import ContractorWorker
from apps.org.models import Person, StructuralUnit

from .models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession

Status = TrainingSession.Status
Presence = Attendance.Presence


def _count_of(queryset, field: str):
    """A correlated COUNT (no join fan-out when a row is annotated with several counts)."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def course_list():
    """Every course, with how many requirements name it and how many trainers may teach it."""
    return Course.objects.annotate(
        requirement_count=_count_of(TrainingRequirement.objects.all(), "course"),
        trainer_count=_count_of(Trainer.objects.filter(is_active=True), "course"),
    ).order_by("name", "id")


def requirement_list(*, course: Course | None = None):
    requirements = TrainingRequirement.objects.select_related("course", "unit")
    if course is not None:
        requirements = requirements.filter(course=course)
    return requirements.order_by("course__name", "applies_to", "job_title", "unit__name", "id")


def trainer_list_for_user(user):
    """The qualifications of the trainers whose activity the user may see: all of them for the HSE
    head, otherwise the user's own and those of the people reporting to them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Trainer.objects.none()
    trainers = Trainer.objects.select_related("user", "course")
    if not can(user, "trainings.view_all_trainer_activity"):
        trainers = trainers.filter(Q(user=user) | Q(user__line_manager=user))
    return trainers.order_by("user__last_name", "user__first_name", "user_id", "course__name")


def session_list_for_user(user):
    """Sessions for the units the user sees, and the ones they teach, with their course, trainer
    and unit, how many attendees and how many were present."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return TrainingSession.objects.none()
    sessions = TrainingSession.objects.select_related("course", "trainer", "unit")
    scope = unit_ids_in_scope(user)
    if not can(user, "trainings.view"):
        sessions = sessions.filter(trainer=user)
    elif scope is not None:
        sessions = sessions.filter(Q(unit__in=scope) | Q(trainer=user))
    # Counted per row shown (correlated subqueries, run after the page's LIMIT), not by joining every
    # attendance of every session before paginating: 170 ms → a few at plant scale.
    return sessions.annotate(
        attendee_count=_attendance_count(),
        present_count=_attendance_count(presence=Presence.PRESENT),
    ).order_by("-date", "-id")


def _attendance_count(**where):
    rows = Attendance.objects.filter(session=OuterRef("pk"), **where).order_by().values("session")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def session_attendances(session: TrainingSession):
    """A session's attendees, employees and contractor workers, by name."""
    return (
        Attendance.objects.filter(session=session)
        .select_related("person", "person__unit", "contractor_worker__company")
        .annotate(attendee_sort=Coalesce("person__full_name", "contractor_worker__full_name"))
        .order_by("attendee_sort", "id")
    )


def _subtree(unit_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    seen, stack = set(), [unit_id]
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.add(pk)
            stack.extend(children.get(pk, ()))
    return seen


def attendee_candidates(session: TrainingSession, user):
    """Who can still be put on the session: the active people of the units the user sees (and of
    the session's unit and those under it), and the active contractor workers, not on it yet."""
    people = Person.objects.filter(is_active=True).select_related("unit")
    scope = unit_ids_in_scope(user)
    if scope is not None:
        people = people.filter(unit__in=set(scope) | _subtree(session.unit_id))
    people = people.exclude(pk__in=session.attendances.filter(person__isnull=False).values("person_id"))
    workers = (
        ContractorWorker.objects.filter(is_active=True)
        .exclude(pk__in=session.attendances.filter(contractor_worker__isnull=False).values("contractor_worker_id"))
        .select_related("company")
    )
    return people.order_by("full_name", "id"), workers.order_by("full_name", "id")


@dataclass
class TrainerActivity:
    user: object
    sessions_planned: int = 0  # planned, not yet delivered
    sessions_delivered: int = 0
    hours_delivered: Decimal = Decimal("0")
    preparation_hours: Decimal = Decimal("0")  # of the sessions delivered and planned
    attendees: int = 0  # present at the sessions delivered
    feedback_average: float | None = None
    feedback_count: int = 0


def trainer_activity_rows(users, *, since: date | None = None, until: date | None = None) -> list[TrainerActivity]:
    """Each user's activity as an internal trainer over [since, until] (session dates, both
    included; open-ended when not given), in the order given: two aggregate queries however many
    users. Cancelled sessions do not count."""
    users = list(users)
    rows = {user.pk: TrainerActivity(user=user) for user in users}
    if not rows:
        return []
    sessions = TrainingSession.objects.filter(trainer_id__in=rows).exclude(status=Status.CANCELLED)
    if since is not None:
        sessions = sessions.filter(date__gte=since)
    if until is not None:
        sessions = sessions.filter(date__lte=until)
    delivered = Q(status=Status.DELIVERED)
    for row in (
        sessions.order_by()
        .values("trainer_id")
        .annotate(
            planned=Count("pk", filter=Q(status=Status.PLANNED)),
            delivered=Count("pk", filter=delivered),
            hours=Sum("hours", filter=delivered),
            preparation=Sum("preparation_hours"),
        )
    ):
        activity = rows[row["trainer_id"]]
        activity.sessions_planned, activity.sessions_delivered = row["planned"], row["delivered"]
        activity.hours_delivered = row["hours"] or Decimal("0")
        activity.preparation_hours = row["preparation"] or Decimal("0")
    attendances = Attendance.objects.filter(
        session__in=sessions.filter(delivered).values("pk"), presence=Presence.PRESENT
    )
    for row in (
        attendances.order_by()
        .values("session__trainer_id")
        .annotate(
            attendees=Count("pk"),
            feedback_count=Count("feedback_score"),
            feedback_average=Avg("feedback_score"),
        )
    ):
        activity = rows[row["session__trainer_id"]]
        activity.attendees, activity.feedback_count = row["attendees"], row["feedback_count"]
        if row["feedback_average"] is not None:
            activity.feedback_average = round(float(row["feedback_average"]), 2)
    return [rows[user.pk] for user in users]


def certificate_by_code(code: str) -> Attendance | None:
    """The attendance a certificate's code names (for its verification page), or None."""
    code = (code or "").strip()
    if not code or len(code) > 24:
        return None
    return (
        Attendance.objects.select_related("session__course", "person", "contractor_worker")
        .filter(certificate_code=code)
        .first()
    )
