"""Which target applies: unit (nearest ancestor) over role over enterprise-wide, the latest
valid_from on or before the month; and setting targets through the service."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.kpis.models import KpiTarget
from apps.kpis.services import target_remove, target_set
from apps.kpis.targets import target_for, targets_for
from tests.factories import KpiTargetFactory, UnitFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_no_target():
    assert target_for("observations", month=MAR) is None


def test_enterprise_wide_target_from_its_month_on():
    KpiTargetFactory(kpi="observations", valid_from=FEB, value=Decimal(8))
    assert target_for("observations", month=JAN) is None  # one month before
    assert target_for("observations", month=FEB) == 8
    assert target_for("observations", month=MAR) == 8


def test_the_latest_valid_from_wins():
    KpiTargetFactory(kpi="observations", valid_from=JAN, value=Decimal(6))
    KpiTargetFactory(kpi="observations", valid_from=MAR, value=Decimal(10))
    assert target_for("observations", month=FEB) == 6
    assert target_for("observations", month=MAR) == 10


def test_role_over_enterprise_wide():
    KpiTargetFactory(kpi="observations", value=Decimal(8))
    KpiTargetFactory(kpi="observations", role=Role.LINE_MANAGER, value=Decimal(4))
    assert target_for("observations", month=MAR, role=Role.LINE_MANAGER) == 4
    assert target_for("observations", month=MAR, role=Role.HSE_SPECIALIST) == 8
    assert target_for("observations", month=MAR) == 8


def test_a_role_target_not_yet_in_force_leaves_the_enterprise_one():
    KpiTargetFactory(kpi="observations", value=Decimal(8))
    KpiTargetFactory(kpi="observations", role=Role.LINE_MANAGER, value=Decimal(4), valid_from=MAR)
    assert target_for("observations", month=FEB, role=Role.LINE_MANAGER) == 8


def test_unit_over_role_and_the_nearest_ancestor_wins():
    shop = UnitFactory()
    crew = UnitFactory(parent=shop)
    team = UnitFactory(parent=crew)
    KpiTargetFactory(kpi="feedback_share", value=Decimal(80))
    KpiTargetFactory(kpi="feedback_share", role=Role.LINE_MANAGER, value=Decimal(70))
    KpiTargetFactory(kpi="feedback_share", unit=shop, value=Decimal(90))
    assert target_for("feedback_share", month=MAR, unit=team, role=Role.LINE_MANAGER) == 90  # from the shop
    KpiTargetFactory(kpi="feedback_share", unit=crew, value=Decimal(95))
    assert target_for("feedback_share", month=MAR, unit=team) == 95  # the crew is nearer
    assert target_for("feedback_share", month=MAR, unit=shop) == 90
    assert target_for("feedback_share", month=MAR, unit=UnitFactory(), role=Role.LINE_MANAGER) == 70


def test_a_unit_target_not_yet_in_force_falls_back():
    shop = UnitFactory()
    KpiTargetFactory(kpi="feedback_share", value=Decimal(80))
    KpiTargetFactory(kpi="feedback_share", unit=shop, value=Decimal(90), valid_from=MAR)
    assert target_for("feedback_share", month=FEB, unit=shop) == 80
    assert target_for("feedback_share", month=MAR, unit=shop) == 90


def test_several_units_share_only_a_common_ancestors_target(django_assert_max_num_queries):
    shop = UnitFactory()
    crew_a, crew_b = UnitFactory(parent=shop), UnitFactory(parent=shop)
    KpiTargetFactory(kpi="feedback_share", value=Decimal(80))
    KpiTargetFactory(kpi="feedback_share", unit=crew_a, value=Decimal(99))
    assert targets_for(["feedback_share"], month=MAR, unit_ids=[crew_a.pk, crew_b.pk]) == {"feedback_share": 80}
    KpiTargetFactory(kpi="feedback_share", unit=shop, value=Decimal(90))
    with django_assert_max_num_queries(2):
        found = targets_for(["feedback_share", "trir"], month=MAR, unit_ids=[crew_a.pk, crew_b.pk])
    assert found == {"feedback_share": 90, "trir": None}
    assert targets_for(["feedback_share"], month=MAR, unit_ids=None) == {"feedback_share": 80}


def test_bulk_is_one_query_without_unit_targets(django_assert_num_queries):
    KpiTargetFactory(kpi="observations")
    KpiTargetFactory(kpi="trir", value=Decimal("1.0"))
    with django_assert_num_queries(1):
        found = targets_for(["observations", "trir", "dart"], month=MAR, unit_ids=[1, 2], role=Role.HSE_SPECIALIST)
    assert found == {"observations": 8, "trir": 1, "dart": None}


# --- Services --------------------------------------------------------------------------------------


def test_the_head_sets_a_target_and_the_audit_log_keeps_before_and_after(hse_head):
    target = target_set(actor=hse_head, kpi="trir", value="1.5", valid_from=date(2026, 3, 17), reason="benchmark")
    assert (target.valid_from, target.value, target.set_by) == (MAR, Decimal("1.5"), hse_head)
    again = target_set(actor=hse_head, kpi="trir", value="1.2", valid_from=MAR)
    assert again.pk == target.pk and KpiTarget.objects.count() == 1
    entries = list(AuditEntry.objects.filter(action="kpis.target.set").order_by("id"))
    assert entries[0].data["before"] is None and entries[0].data["after"]["value"] == "1.50"
    assert entries[1].data["before"]["value"] == "1.50" and entries[1].data["after"]["value"] == "1.20"
    target_remove(actor=hse_head, target=again, reason="wrong basis")
    assert not KpiTarget.objects.exists()
    assert AuditEntry.objects.filter(action="kpis.target.removed").get().data["before"]["value"] == "1.20"


def test_only_the_head_sets_targets(line_manager, hse_specialist):
    for user in (line_manager, hse_specialist):
        with pytest.raises(PermissionDenied):
            target_set(actor=user, kpi="trir", value=1, valid_from=MAR)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kpi": "nothing"}, "kpi"),
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"role": "pope"}, "role"),
        ({"reason": "x" * 501}, "reason"),
    ],
)
def test_bad_targets_are_refused(hse_head, fields, field):
    values = {"kpi": "trir", "value": 1, "valid_from": MAR, **fields}
    with pytest.raises(ValidationError) as error:
        target_set(actor=hse_head, **values)
    assert field in error.value.message_dict


def test_a_target_is_for_a_role_or_a_unit_not_both(hse_head, org):
    with pytest.raises(ValidationError):
        target_set(actor=hse_head, kpi="trir", value=1, valid_from=MAR, role=Role.LINE_MANAGER, unit=org.shop)
    unit_target = target_set(actor=hse_head, kpi="trir", value=1, valid_from=MAR, unit=org.shop)
    assert unit_target.unit == org.shop and unit_target.role == ""
