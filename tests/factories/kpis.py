"""Factories for the records the KPIs measure that have none elsewhere (incidents, investigations,
audits and their plan, contractor audits and sanctions) and for the kpis app's own rows (targets,
snapshots). Created directly (not through the services), so tests can set any date or state."""

from datetime import UTC, date, datetime
from decimal import Decimal

import factory

from apps.accounts.roles import Role
from apps.audits.models import (
    Audit,
    AuditAnswer,
    AuditPlanEntry,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateVersion,
)
from apps.contractors.models import ContractorAudit, Sanction, Violation
from apps.incidents.models import Incident, Investigation
from apps.kpis.models import KpiSnapshot, KpiTarget

from . import UnitFactory, UserFactory
from .contractors import CompanyFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """A first-aid injury (`classification=`, `days_lost=` for others)."""

    class Meta:
        model = Incident

    type = Incident.Type.INJURY
    actual_severity = 2
    potential_severity = 3
    occurred_at = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    unit = factory.SubFactory(UnitFactory)
    location = "Conveyor 3"
    description = "Hand cut while cleaning spillage."
    classification = Incident.Classification.FIRST_AID
    days_lost = 0
    reported_by = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)


class InvestigationFactory(factory.django.DjangoModelFactory):
    """An opened investigation (`status="closed", closed_at=..., approved_by=...` for a closed one:
    `ClosedInvestigationFactory`)."""

    class Meta:
        model = Investigation

    incident = factory.SubFactory(IncidentFactory)
    coordinator = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    deadline = date(2026, 3, 20)


class ClosedInvestigationFactory(InvestigationFactory):
    status = Investigation.Status.CLOSED
    approved_by = factory.SubFactory(UserFactory, role=Role.HSE_HEAD)
    approved_at = factory.SelfAttribute("closed_at")
    closed_at = datetime(2026, 3, 18, 6, 0, tzinfo=UTC)


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"Checklist {n}")
    code = factory.Sequence(lambda n: f"checklist-{n}")


class ChecklistVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplateVersion

    template = factory.SubFactory(ChecklistTemplateFactory)
    number = 1
    published_by = factory.SubFactory(UserFactory, role=Role.HSE_HEAD)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    version = factory.SubFactory(ChecklistVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Guard {n} in place")


class AuditPlanEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditPlanEntry

    unit = factory.SubFactory(UnitFactory)
    auditor = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    month = date(2026, 3, 1)
    template = factory.SubFactory(ChecklistTemplateFactory)
    planned_by = factory.SelfAttribute("auditor")


class AuditFactory(factory.django.DjangoModelFactory):
    """An audit in progress (`status="completed", completed_at=...` for a completed one)."""

    class Meta:
        model = Audit

    unit = factory.SubFactory(UnitFactory)
    auditor = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    template_version = factory.SubFactory(ChecklistVersionFactory)
    started_at = datetime(2026, 3, 5, 5, 0, tzinfo=UTC)


class CompletedAuditFactory(AuditFactory):
    status = Audit.Status.COMPLETED
    completed_at = factory.LazyAttribute(lambda o: o.started_at)


class AuditAnswerFactory(factory.django.DjangoModelFactory):
    """A non-compliant answer (a finding) on an item of the audit's checklist version."""

    class Meta:
        model = AuditAnswer

    audit = factory.SubFactory(CompletedAuditFactory)
    item = factory.LazyAttribute(lambda o: ChecklistItemFactory(version=o.audit.template_version))
    result = AuditAnswer.Result.NON_COMPLIANT
    comment = "Guard missing"


class ContractorAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractorAudit

    audit = factory.SubFactory(CompletedAuditFactory)
    company = factory.SubFactory(CompanyFactory)


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Violation

    company = factory.SubFactory(CompanyFactory)
    severity = Violation.Severity.SERIOUS
    description = "Worked at height without a harness"
    unit = factory.SubFactory(UnitFactory)
    observed_at = datetime(2026, 3, 5, 5, 0, tzinfo=UTC)
    recorded_by = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)


class SanctionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sanction

    violation = factory.SubFactory(ViolationFactory)
    company = factory.SelfAttribute("violation.company")
    kind = Sanction.Kind.WARNING
    reason = "First serious violation"
    decided_by = factory.SubFactory(UserFactory, role=Role.HSE_HEAD)
    decided_at = factory.SelfAttribute("violation.observed_at")


class KpiTargetFactory(factory.django.DjangoModelFactory):
    """An enterprise-wide target from January 2026 (`role=` or `unit=` for the others)."""

    class Meta:
        model = KpiTarget

    kpi = "observations"
    valid_from = date(2026, 1, 1)
    value = Decimal("8")
    set_by = factory.SubFactory(UserFactory, role=Role.HSE_HEAD)


class KpiSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiSnapshot

    kpi = "observations"
    month = date(2026, 3, 1)
    unit = factory.SubFactory(UnitFactory)
    person = None
    numerator = Decimal("1")
    denominator = None
