"""Factories for contractors and passes, created directly (not through the services) so tests can
set any status or date. Related rows stay consistent: a pass's company is its holder's, its zones
default to its work order's unit, and a worker holds a medical clearance and a site induction in
force unless told otherwise (`WorkerFactory(documents={})` for none,
`WorkerFactory(documents={"medical": yesterday})` for an expired one)."""

from datetime import timedelta

import factory
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contractors.models import (
    REQUIRED_WORKER_DOCUMENTS,
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    WorkerDocument,
    WorkOrder,
)

from . import UnitFactory, UserFactory

# How long documents, work orders and passes made here stay in force from today.
DOCUMENT_DAYS = 200
WORK_ORDER_DAYS = 90
PASS_DAYS = 60


def today():
    return timezone.localdate()


def in_days(days: int):
    return today() + timedelta(days=days)


class CompanyFactory(factory.django.DjangoModelFactory):
    """An approved company (`status="suspended", status_reason="…"` for another)."""

    class Meta:
        model = ContractorCompany

    name = factory.Sequence(lambda n: f"Contractor {n} LLC")
    tax_number = factory.Sequence(lambda n: f"{7700000000 + n:010d}")
    status = ContractorCompany.Status.APPROVED


class CompanyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyDocument

    company = factory.SubFactory(CompanyFactory)
    kind = CompanyDocument.Kind.INSURANCE
    number = factory.Sequence(lambda n: f"INS-{n}")
    valid_until = factory.LazyFunction(lambda: in_days(DOCUMENT_DAYS * 2))


class WorkerDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerDocument

    worker = factory.SubFactory("tests.factories.contractors.WorkerFactory", documents={})
    kind = WorkerDocument.Kind.MEDICAL
    number = factory.Sequence(lambda n: f"MED-{n}")
    valid_until = factory.LazyFunction(lambda: in_days(DOCUMENT_DAYS))


class WorkerFactory(factory.django.DjangoModelFactory):
    """A worker of an approved company, with the documents the gate requires in force.

    `documents` maps a document kind to its end date: `{}` gives none, `{"medical": yesterday}`
    gives an expired medical clearance (and no induction)."""

    class Meta:
        model = ContractorWorker
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    full_name = factory.Sequence(lambda n: f"Contractor Worker {n}")
    job_title = "Welder"

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = dict.fromkeys(REQUIRED_WORKER_DOCUMENTS, in_days(DOCUMENT_DAYS))
        for kind, valid_until in extracted.items():
            WorkerDocumentFactory(worker=self, kind=kind, valid_until=valid_until)


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A work order in progress in a unit, for 90 days from today."""

    class Meta:
        model = WorkOrder

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"WO-{n:05d}")
    title = factory.Sequence(lambda n: f"Maintenance job {n}")
    unit = factory.SubFactory(UnitFactory)
    starts_on = factory.LazyFunction(today)
    ends_on = factory.LazyFunction(lambda: in_days(WORK_ORDER_DAYS))
    responsible = factory.SubFactory(UserFactory, role=Role.HSE_SPECIALIST)
    status = WorkOrder.Status.IN_PROGRESS


class AccessPassFactory(factory.django.DjangoModelFactory):
    """An active pass of a worker (of the work order's company when one is given), valid from
    today for 60 days (never beyond the work order), opening `zones` (default: the work order's
    unit, else a new unit)."""

    class Meta:
        model = AccessPass
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"F-{n:06d}")
    work_order = None
    holder = factory.SubFactory(
        WorkerFactory,
        company=factory.LazyAttribute(
            lambda w: w.factory_parent.work_order.company if w.factory_parent.work_order else CompanyFactory()
        ),
    )
    company = factory.SelfAttribute("holder.company")
    valid_from = factory.LazyFunction(today)
    valid_until = factory.LazyAttribute(
        lambda o: min(in_days(PASS_DAYS), o.work_order.ends_on) if o.work_order else in_days(PASS_DAYS)
    )
    status = AccessPass.Status.ACTIVE
    issued_by = factory.SubFactory(UserFactory, role=Role.PASS_ADMIN)

    @factory.post_generation
    def zones(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [self.work_order.unit] if self.work_order else [UnitFactory()]
        self.zones.set(extracted)


class GateCheckFactory(factory.django.DjangoModelFactory):
    """A recorded check of a pass that let its holder in."""

    class Meta:
        model = GateCheck

    access_pass = factory.SubFactory(AccessPassFactory)
    number_presented = factory.LazyAttribute(lambda o: o.access_pass.number if o.access_pass else "X-UNKNOWN")
    checked_by = factory.SubFactory(UserFactory, role=Role.PASS_ADMIN)
    checkpoint = "Gate 1"
    allowed = True
    reasons = factory.LazyFunction(list)
