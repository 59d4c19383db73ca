"""Factories for trainings, created directly (not through the services) so tests can set any date
or state. Related rows stay consistent: a session's trainer holds a qualification for its course
(`TrainingSessionFactory` makes one), and a passed attendance is valid until the session date plus
the course's validity (`AttendanceFactory(passed_on=date)` for one, `valid_until=...` to force it)."""

from datetime import date

import factory
from django.utils import timezone

from apps.accounts.roles import Role
from apps.trainings.models import Attendance, Course, Trainer, TrainingRequirement, TrainingSession
from apps.trainings.services import add_months

from . import PersonFactory, UnitFactory, UserFactory


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"course-{n}")
    name = factory.Sequence(lambda n: f"Course {n}")
    validity_months = 12
    default_hours = 4


class TrainingRequirementFactory(factory.django.DjangoModelFactory):
    """A course required of a job title anywhere (`unit=...` to limit it; `applies_to="unit"` or
    `"contractor_zone"` with a unit for the others)."""

    class Meta:
        model = TrainingRequirement

    course = factory.SubFactory(CourseFactory)
    applies_to = TrainingRequirement.AppliesTo.JOB_TITLE
    job_title = factory.LazyAttribute(lambda o: "Mechanic" if o.applies_to == "job_title" else "")
    unit = None


class TrainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trainer
        django_get_or_create = ("user", "course")

    user = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    course = factory.SubFactory(CourseFactory)
    qualified_on = date(2020, 1, 1)
    qualification = "Train-the-trainer course, certificate TT-001"


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A planned session today, its trainer qualified for the course (a qualification is made)."""

    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    trainer = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    unit = factory.SubFactory(UnitFactory)
    date = factory.LazyFunction(timezone.localdate)
    hours = 4
    place = "Training room 1"
    status = TrainingSession.Status.PLANNED
    created_by = factory.SelfAttribute("trainer")

    @factory.post_generation
    def qualified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            TrainerFactory(user=self.trainer, course=self.course)


class AttendanceFactory(factory.django.DjangoModelFactory):
    """An employee registered on a session. `passed_on=day` gives a delivered session of that day
    with the attendee present and passed (valid until day + the course's validity); `valid_until=`
    sets the end date directly (present and passed)."""

    class Meta:
        model = Attendance

    class Params:
        passed_on = None
        course = None

    session = factory.LazyAttribute(
        lambda o: (
            TrainingSessionFactory(
                date=o.passed_on, status=TrainingSession.Status.DELIVERED, **({"course": o.course} if o.course else {})
            )
            if o.passed_on
            else TrainingSessionFactory(**({"course": o.course} if o.course else {}))
        )
    )
    person = factory.SubFactory(PersonFactory)
    contractor_worker = None
    presence = factory.LazyAttribute(
        lambda o: Attendance.Presence.PRESENT if (o.passed_on or o.valid_until) else Attendance.Presence.REGISTERED
    )
    passed = factory.LazyAttribute(lambda o: True if (o.passed_on or o.valid_until) else None)
    valid_until = factory.LazyAttribute(
        lambda o: add_months(o.passed_on, o.session.course.validity_months) if o.passed_on else None
    )
    certificate_code = factory.Maybe(
        "valid_until", yes_declaration=factory.Sequence(lambda n: f"CERT-{n:06d}"), no_declaration=None
    )
