from datetime import UTC, date, datetime, timedelta

import pytest

from apps.audits.models import Audit, AuditPlanEntry
from apps.audits.selectors import audit_list_for_user, audits_done_vs_planned, plan_entry_list_for_user

MONTH = date(2026, 10, 1)


@pytest.fixture
def plan(org, template, hse_specialist, hse_head, outsider):
    """October: specialist 3 planned (crew done, shop in progress, crew again not started),
    outsider 1 planned and done in the other shop, 1 unplanned audit done in the crew;
    September: one more done for the specialist (must not count for October)."""
    version = template.current_version()

    def entry(unit, auditor, month=MONTH, status=None, code=None):
        tpl = template
        if code:
            tpl = type(template).objects.create(name=code, code=code)
        planned = AuditPlanEntry.objects.create(
            unit=unit, auditor=auditor, month=month, template=tpl, planned_by=hse_head
        )
        if status:
            _audit(unit, auditor, status, planned)
        return planned

    def _audit(unit, auditor, status, planned=None, completed=datetime(2026, 10, 20, 9, tzinfo=UTC)):
        return Audit.objects.create(
            plan_entry=planned, unit=unit, auditor=auditor, template_version=version, status=status,
            started_at=completed - timedelta(hours=1),
            completed_at=completed if status == Audit.Status.COMPLETED else None,
        )  # fmt: skip

    entry(org.crew, hse_specialist, status=Audit.Status.COMPLETED)
    entry(org.shop, hse_specialist, status=Audit.Status.IN_PROGRESS)
    entry(org.crew, hse_specialist, code="lifting")
    entry(org.other_shop, outsider, status=Audit.Status.COMPLETED)
    _audit(org.crew, hse_specialist, Audit.Status.COMPLETED)
    entry(org.crew, hse_specialist, month=date(2026, 9, 1), status=Audit.Status.COMPLETED, code="september")


def test_totals_for_everyone(plan, hse_head):
    result = audits_done_vs_planned(user=hse_head, month=MONTH)
    assert (result["planned"], result["done"], result["unplanned"]) == (4, 2, 1)


def test_per_auditor_and_per_unit(plan, hse_head, hse_specialist, outsider):
    result = audits_done_vs_planned(user=hse_head, month=date(2026, 10, 17))
    by_auditor = {row["auditor_id"]: (row["planned"], row["done"]) for row in result["by_auditor"]}
    assert by_auditor == {hse_specialist.pk: (3, 1), outsider.pk: (1, 1)}
    by_unit = {row["unit"]: (row["planned"], row["done"]) for row in result["by_unit"]}
    assert by_unit == {"Flotation crew": (2, 1), "Concentrator": (1, 0), "Transport shop": (1, 1)}


def test_scoped_to_the_users_units(plan, hse_specialist, outsider):
    mine = audits_done_vs_planned(user=hse_specialist, month=MONTH)
    assert (mine["planned"], mine["done"], mine["unplanned"]) == (3, 1, 1)
    theirs = audits_done_vs_planned(user=outsider, month=MONTH)
    assert (theirs["planned"], theirs["done"], theirs["unplanned"]) == (1, 1, 0)


def test_by_units(plan, org):
    result = audits_done_vs_planned(units=[org.crew], month=MONTH)
    assert (result["planned"], result["done"]) == (2, 1)
    september = audits_done_vs_planned(units=[org.crew.pk], month=date(2026, 9, 1))
    assert (september["planned"], september["done"], september["unplanned"]) == (1, 1, 0)


def test_an_empty_month(plan, hse_head):
    result = audits_done_vs_planned(user=hse_head, month=date(2026, 11, 1))
    assert (result["planned"], result["done"], result["by_auditor"]) == (0, 0, [])


def test_lists_are_scoped(plan, hse_specialist, outsider, line_manager, pass_admin):
    assert audit_list_for_user(hse_specialist).count() == 4
    assert audit_list_for_user(outsider).count() == 1
    assert audit_list_for_user(line_manager).count() == 4
    assert plan_entry_list_for_user(outsider).count() == 1
    assert plan_entry_list_for_user(hse_specialist).count() == 4
