"""Permission-walk expectations for the contractor pages and API (see tests/walk.py): the pages'
in walk_pages.py, the API's in walk_api.py; the records both visit are built here."""

from datetime import timedelta

from django.utils import timezone


def build(ctx) -> None:
    """A company with a worker (medical clearance and induction in force), a work order in the
    main unit's crew, an active pass opening the crew, and a gate check of it."""
    from apps.contractors.models import AccessPass, ContractorCompany, ContractorWorker, GateCheck, WorkOrder

    today = timezone.localdate()
    company = ContractorCompany.objects.create(name="Stroymontazh LLC", tax_number="7701234567")
    worker = ContractorWorker.objects.create(company=company, full_name="Ivanov Ivan", job_title="Welder")
    for kind in ("medical", "induction"):
        worker.documents.create(kind=kind, valid_until=today + timedelta(days=200))
    order = WorkOrder.objects.create(
        company=company, number="WO-1", title="Pipe welding", unit=ctx.crew, starts_on=today,
        ends_on=today + timedelta(days=90), responsible=ctx.hse_specialist, status="in_progress",
    )  # fmt: skip
    access_pass = AccessPass.objects.create(
        number="P-000001", holder=worker, company=company, work_order=order, valid_from=today,
        valid_until=today + timedelta(days=60), issued_by=ctx.hse_head,
    )  # fmt: skip
    access_pass.zones.set([ctx.crew])
    ctx.company = company
    ctx.company_document = company.documents.create(
        kind="insurance", number="INS-1", valid_until=today + timedelta(days=300)
    )
    ctx.worker = worker
    ctx.work_order = order
    ctx.access_pass = access_pass
    ctx.gate_check = GateCheck.objects.create(
        access_pass=access_pass, number_presented="P-000001", checked_by=ctx.hse_head, allowed=True
    )
    from apps.contractors.models import Sanction, Violation

    ctx.violation = Violation.objects.create(
        company=company, work_order=order, severity="serious", description="No barrier around the pit",
        unit=ctx.crew, observed_at=timezone.now(), recorded_by=ctx.hse_specialist,
    )  # fmt: skip
    ctx.sanction = Sanction.objects.create(
        violation=ctx.violation, company=company, kind="warning", reason="First time", decided_by=ctx.hse_specialist
    )


def _expectations() -> dict:
    expectations: dict = {}
    for name in ("walk_pages", "walk_api", "walk_violations"):
        try:
            module = __import__(f"tests.contractors.{name}", fromlist=["EXPECTATIONS"])
        except ModuleNotFoundError as error:
            if error.name != f"tests.contractors.{name}":
                raise
            continue
        expectations.update(module.EXPECTATIONS)
    return expectations


EXPECTATIONS: dict = _expectations()
