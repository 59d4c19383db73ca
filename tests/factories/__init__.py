"""Factories that keep related rows consistent: a unit's parent is on the same site, a user's
units are the ones their role covers."""

from datetime import date
from decimal import Decimal

import factory

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.observations.models import Observation, ObservationCategory
from apps.org.models import HoursWorked, Person, Site, StructuralUnit

PASSWORD = "correct-horse-battery"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"site-{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StructuralUnit

    site = factory.LazyAttribute(lambda o: o.parent.site if o.parent else SiteFactory())
    parent = None
    name = factory.Sequence(lambda n: f"Shop {n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = StructuralUnit.Kind.SHOP


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Worker {n}")
    personnel_number = factory.Sequence(lambda n: f"P-{n:05d}")
    job_title = "Mechanic"
    unit = factory.SubFactory(UnitFactory)


class HoursWorkedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HoursWorked

    unit = factory.SubFactory(UnitFactory)
    month = date(2026, 1, 1)
    hours = Decimal("1000.0")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@plant.test")
    role = Role.HSE_SPECIALIST
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)
        if create:
            self.save()


class ActionFactory(factory.django.DjangoModelFactory):
    """An open action in a unit, owned by someone; created directly (not through the service)
    so tests can set any due date or status."""

    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Fix hazard {n}")
    unit = factory.SubFactory(UnitFactory)
    owner = factory.SubFactory(UserFactory, role=Role.LINE_MANAGER)
    created_by = factory.SelfAttribute("owner")
    due_date = date(2026, 12, 1)
    control_level = Action.ControlLevel.ENGINEERING


class ObservationCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObservationCategory
        django_get_or_create = ("code",)

    code = "ppe"
    name_en = "PPE"
    name_ru = "СИЗ"


class ObservationFactory(factory.django.DjangoModelFactory):
    """An unsafe condition seen in the observer's unit; created directly (any time, any values)."""

    class Meta:
        model = Observation

    observer = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    unit = factory.SubFactory(UnitFactory)
    kind = Observation.Kind.UNSAFE_CONDITION
    category = factory.SubFactory(ObservationCategoryFactory)
    description = factory.Sequence(lambda n: f"Oil spill near pump {n}")


# Contractors and passes: in their own module (imported last, it builds on the factories above).
from .contractors import (  # noqa: E402
    AccessPassFactory,
    CompanyDocumentFactory,
    CompanyFactory,
    GateCheckFactory,
    WorkerDocumentFactory,
    WorkerFactory,
    WorkOrderFactory,
)

# Internships and signals: in their own module (builds on the factories above).
from .internships import (  # noqa: E402
    AnsweredSignalFactory,
    InternshipContactFactory,
    InternshipDayFactory,
    InternshipFactory,
    SignalFactory,
)

# KPIs: the measured records without factories elsewhere (incidents, audits, sanctions), targets
# and snapshots.
from .kpis import (  # noqa: E402
    AuditAnswerFactory,
    AuditFactory,
    AuditPlanEntryFactory,
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    ChecklistVersionFactory,
    ClosedInvestigationFactory,
    CompletedAuditFactory,
    ContractorAuditFactory,
    IncidentFactory,
    InvestigationFactory,
    KpiSnapshotFactory,
    KpiTargetFactory,
    SanctionFactory,
    ViolationFactory,
)

# Trainings: after contractors (an attendee may be a contractor worker).
from .trainings import (  # noqa: E402
    AttendanceFactory,
    CourseFactory,
    TrainerFactory,
    TrainingRequirementFactory,
    TrainingSessionFactory,
)

__all__ = [
    "AuditAnswerFactory",
    "AuditFactory",
    "AuditPlanEntryFactory",
    "ChecklistItemFactory",
    "ChecklistTemplateFactory",
    "ChecklistVersionFactory",
    "ClosedInvestigationFactory",
    "CompletedAuditFactory",
    "ContractorAuditFactory",
    "IncidentFactory",
    "InvestigationFactory",
    "KpiSnapshotFactory",
    "KpiTargetFactory",
    "SanctionFactory",
    "ViolationFactory",
    "PASSWORD",
    "AccessPassFactory",
    "ActionFactory",
    "AnsweredSignalFactory",
    "AttendanceFactory",
    "CourseFactory",
    "TrainerFactory",
    "TrainingRequirementFactory",
    "TrainingSessionFactory",
    "CompanyDocumentFactory",
    "CompanyFactory",
    "GateCheckFactory",
    "HoursWorkedFactory",
    "InternshipContactFactory",
    "InternshipDayFactory",
    "InternshipFactory",
    "ObservationCategoryFactory",
    "ObservationFactory",
    "PersonFactory",
    "SignalFactory",
    "SiteFactory",
    "UnitFactory",
    "UserFactory",
    "WorkOrderFactory",
    "WorkerDocumentFactory",
    "WorkerFactory",
]
