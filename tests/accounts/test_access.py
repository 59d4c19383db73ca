import pytest

from apps.accounts.access import can, scope_queryset, unit_ids_in_scope
from apps.accounts.roles import CAPABILITIES, Role, UnknownCapability
from apps.org.models import StructuralUnit
from tests.factories import UnitFactory, UserFactory


def test_unknown_capability_fails_loudly(hse_head):
    with pytest.raises(UnknownCapability):
        can(hse_head, "org.veiw")


def test_specialist_sees_assigned_units_and_everything_under_them(org, hse_specialist):
    grandchild = UnitFactory(parent=org.crew, kind="area")
    assert unit_ids_in_scope(hse_specialist) == {org.shop.pk, org.crew.pk, grandchild.pk}


def test_enterprise_wide_roles_see_every_unit(hse_head, executive, pass_admin, system_admin):
    for user in (hse_head, executive, pass_admin, system_admin):
        assert unit_ids_in_scope(user) is None


def test_scope_filters_querysets(org, hse_specialist, outsider):
    units = StructuralUnit.objects.all()
    assert set(scope_queryset(units, hse_specialist, unit_field="pk")) == {org.shop, org.crew}
    assert set(scope_queryset(units, outsider, unit_field="pk")) == {org.other_shop}


def test_capability_in_a_unit_needs_the_unit_in_scope(org, hse_specialist):
    assert can(hse_specialist, "org.record_hours", org.crew)
    assert not can(hse_specialist, "org.record_hours", org.other_shop)


def test_role_without_the_capability_is_refused_even_in_its_unit(org, line_manager):
    assert can(line_manager, "org.view", org.shop)
    assert not can(line_manager, "org.record_hours", org.shop)


def test_inactive_user_and_user_without_role_can_do_nothing(org):
    inactive = UserFactory(role=Role.HSE_HEAD, is_active=False)
    no_role = UserFactory(role="", units=[org.shop])
    assert not can(inactive, "org.view")
    assert not can(no_role, "org.view")
    assert unit_ids_in_scope(no_role) == frozenset()


def test_every_capability_names_only_real_roles():
    for capability, roles in CAPABILITIES.items():
        assert roles, capability
        assert roles <= set(Role), capability


def test_scope_is_computed_once_per_request_user(org, hse_specialist, django_assert_num_queries):
    unit_ids_in_scope(hse_specialist)
    with django_assert_num_queries(0):
        unit_ids_in_scope(hse_specialist)
