"""Factories for internships and signals, created directly (not through the services) so tests can
set any status or date. Related rows stay consistent: the host foreman is a foreman on the
internship's unit roll, the specialist an HSE specialist covering the unit, a signal's unit is its
internship's and its source follows from whether it has an internship."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.roles import Role
from apps.internships.models import Internship, InternshipContact, InternshipDay, Signal

from . import PersonFactory, UnitFactory, UserFactory


def _today():
    return timezone.localdate()


class InternshipFactory(factory.django.DjangoModelFactory):
    """A planned three-day internship starting today (`status=...`, `starts_on=...` for others)."""

    class Meta:
        model = Internship

    unit = factory.SubFactory(UnitFactory)
    specialist = factory.LazyAttribute(lambda o: UserFactory(role=Role.HSE_SPECIALIST, units=[o.unit]))
    host_foreman = factory.LazyAttribute(lambda o: PersonFactory(unit=o.unit, is_foreman=True, job_title="Foreman"))
    starts_on = factory.LazyFunction(_today)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=2))
    proposed_days = 3
    proposal_reason = "1 person in 1 job title: 3 days"
    status = Internship.Status.PLANNED
    created_by = factory.SelfAttribute("specialist")


class InternshipDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InternshipDay

    internship = factory.SubFactory(InternshipFactory, status=Internship.Status.IN_PROGRESS)
    day = factory.SelfAttribute("internship.starts_on")
    morning_work_order = "Clean the flotation cell launders"
    crew_roles = "Flotation operator, fitter"
    work_done = "Hosed down launders with the operators"


class InternshipContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InternshipContact

    internship = factory.SubFactory(InternshipFactory, status=Internship.Status.IN_PROGRESS)
    name = factory.Sequence(lambda n: f"Contact {n}")
    job_title = "Flotation operator"


class SignalFactory(factory.django.DjangoModelFactory):
    """A new signal heard during an in-progress internship, recorded today. `internship=None` makes
    it a worker-form submission (then give `unit`)."""

    class Meta:
        model = Signal

    internship = factory.SubFactory(InternshipFactory, status=Internship.Status.IN_PROGRESS)
    unit = factory.LazyAttribute(lambda o: o.internship.unit if o.internship else UnitFactory())
    source = factory.LazyAttribute(lambda o: Signal.Source.INTERNSHIP if o.internship else Signal.Source.WORKER_FORM)
    kind = Signal.Kind.PPE
    raw_text = factory.Sequence(lambda n: f"Nobody gives us new face shields, mine is scratched ({n})")
    recorded_on = factory.LazyFunction(_today)
    status = Signal.Status.NEW


class AnsweredSignalFactory(SignalFactory):
    status = Signal.Status.ANSWERED
    response = Signal.Response.PPE_PROVIDED
    response_text = "Face shields restocked in the crew room"
    paraphrase = "Face shields wear out and are not replaced"
    responded_on = factory.LazyFunction(_today)
