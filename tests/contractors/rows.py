"""Rows for the contractor tests of services, the gate, selectors, tasks and races.

Built with the ORM where a test needs a state the services would refuse to make (a pass already
expired, blocked yesterday, a document that ran out), and with the services where the rule under
test is theirs. Passes made here are numbered "T-…", so they never take part in the services' own
"P-000001" numbering."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apps.audit.selectors import history_for
from apps.contractors import services
from apps.contractors.models import AccessPass, ContractorCompany, ContractorWorker, WorkOrder

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)

_tax_numbers = itertools.count(7_700_000_001)
_orders = itertools.count(1)
_passes = itertools.count(1)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of `day` at the site."""
    return datetime.combine(day, time(hour, minute), tzinfo=SITE)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def company(name: str = "Stroymontazh LLC", *, status: str = "approved", reason: str = "") -> ContractorCompany:
    return ContractorCompany.objects.create(
        name=name, tax_number=str(next(_tax_numbers)), status=status, status_reason=reason
    )


def worker(
    of: ContractorCompany,
    full_name: str = "Ivanov I. I.",
    *,
    documents=("medical", "induction"),
    valid_until: date | None = None,
    is_active: bool = True,
) -> ContractorWorker:
    """A worker with the documents the gate needs, in force until `valid_until` (200 days ahead)."""
    person = ContractorWorker.objects.create(company=of, full_name=full_name, job_title="Welder", is_active=is_active)
    for kind in documents:
        person.documents.create(kind=kind, number=f"{kind[:3].upper()}-1", valid_until=valid_until or day(200))
    return person


def work_order(of: ContractorCompany, unit, responsible, *, status: str = "in_progress", starts: int = -10,
               ends: int = 90, reason: str = "", **fields) -> WorkOrder:  # fmt: skip
    return WorkOrder.objects.create(
        company=of, number=fields.pop("number", f"WO-{next(_orders)}"), title=fields.pop("title", "Pipe welding"),
        unit=unit,
        starts_on=day(starts), ends_on=day(ends), responsible=responsible, status=status, stop_reason=reason,
        **fields,
    )  # fmt: skip


def access_pass(holder: ContractorWorker, *, zones, issued_by, order: WorkOrder | None = None, status: str = "active",
                reason: str = "", valid_from: date | None = None, valid_until: date | None = None,
                number: str | None = None, **fields) -> AccessPass:  # fmt: skip
    """A pass in any status and with any dates (the ORM, not the service)."""
    if status not in ("active", "expired") and not reason:
        reason = f"Set {status} by the test"
    made = AccessPass.objects.create(
        number=number or f"T-{next(_passes):06d}", holder=holder, company=holder.company, work_order=order,
        valid_from=valid_from or day(-30), valid_until=valid_until or day(60), status=status, status_reason=reason,
        issued_by=issued_by, **fields,
    )  # fmt: skip
    made.zones.set(zones)
    return made


def codes(record) -> list[str]:
    """The audit codes of a record, oldest first."""
    return list(history_for(record).order_by("created_at", "id").values_list("action", flat=True))


def entries(record) -> list:
    return list(history_for(record).order_by("created_at", "id"))


@dataclass
class World:
    """One approved company with a worker whose documents are in force, a work order in progress
    in the main unit's crew (the line manager answers for it), and an active pass issued by the
    pass office through the service, opening the crew."""

    company: ContractorCompany
    worker: ContractorWorker
    order: WorkOrder
    access_pass: AccessPass


def build_world(org, *, pass_admin, responsible, valid_until: date | None = None) -> World:
    firm = company()
    person = worker(firm)
    order = work_order(firm, org.crew, responsible)
    issued = services.pass_issue(
        actor=pass_admin, holder=person, zones=[org.crew], valid_from=TODAY, valid_until=valid_until or day(60),
        work_order=order,
    )  # fmt: skip
    return World(company=firm, worker=person, order=order, access_pass=issued)
