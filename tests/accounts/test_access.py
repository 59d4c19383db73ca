import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from apps.accounts.access import (
    can,
    capability_required,
    forget_scope,
    get_in_scope_or_404,
    require,
    scope_queryset,
    unit_ids_in_scope,
    unit_in_scope,
)
from apps.accounts.roles import CAPABILITIES, Role, UnknownCapability
from apps.org.models import Person, StructuralUnit
from tests.factories import PersonFactory, UnitFactory, UserFactory


def test_unknown_capability_fails_loudly(hse_head):
    with pytest.raises(UnknownCapability):
        can(hse_head, "org.veiw")


@pytest.mark.parametrize("user", [None, AnonymousUser()])
def test_unknown_capability_fails_even_for_someone_who_may_do_nothing(db, user):
    with pytest.raises(UnknownCapability):
        can(user, "org.veiw")
    with pytest.raises(UnknownCapability):
        require(user, "org.veiw")


class TestScope:
    def test_specialist_sees_assigned_units_and_everything_under_them(self, org, hse_specialist):
        area = UnitFactory(parent=org.crew, kind="area")
        facility = UnitFactory(parent=area, kind="facility")
        assert unit_ids_in_scope(hse_specialist) == {org.shop.pk, org.crew.pk, area.pk, facility.pk}

    def test_a_unit_above_or_beside_the_assigned_one_is_not_in_scope(self, org):
        sibling = UnitFactory(parent=org.shop, kind="crew")
        manager = UserFactory(role=Role.LINE_MANAGER, units=[org.crew])
        assert unit_ids_in_scope(manager) == {org.crew.pk}
        assert not unit_in_scope(manager, org.shop)
        assert not unit_in_scope(manager, sibling)

    def test_a_user_of_a_unit_and_of_one_under_it_sees_the_whole_subtree(self, org):
        # Stack order matters: the unit under it is met twice, and what follows must still be seen.
        top = UnitFactory(name="A top")
        zeta = UnitFactory(parent=top, name="Zeta", kind="crew")
        beta = UnitFactory(parent=top, name="Beta", kind="crew")
        under_beta = UnitFactory(parent=beta, name="Under beta", kind="area")
        user = UserFactory(role=Role.HSE_SPECIALIST, units=[top, zeta])
        assert unit_ids_in_scope(user) == {top.pk, zeta.pk, beta.pk, under_beta.pk}

    def test_several_assigned_units_on_different_sites(self, org):
        user = UserFactory(role=Role.HSE_SPECIALIST, units=[org.crew, org.other_shop])
        assert unit_ids_in_scope(user) == {org.crew.pk, org.other_shop.pk}

    @pytest.mark.parametrize("role", ["hse_head", "executive", "pass_admin", "system_admin"])
    def test_enterprise_wide_roles_see_every_unit(self, org, persona, role):
        user = persona(role)
        assert unit_ids_in_scope(user) is None
        assert unit_in_scope(user, org.other_shop)
        assert unit_in_scope(user, 999999)

    @pytest.mark.parametrize("role", ["hse_specialist", "line_manager"])
    def test_assigned_roles_see_only_their_units(self, org, role):
        user = UserFactory(role=role, units=[org.shop])
        assert unit_ids_in_scope(user) == {org.shop.pk, org.crew.pk}

    def test_inactive_users_and_users_without_role_see_nothing(self, org):
        inactive_head = UserFactory(role=Role.HSE_HEAD, is_active=False)
        inactive_specialist = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop], is_active=False)
        no_role = UserFactory(role="", units=[org.shop])
        for user in (inactive_head, inactive_specialist, no_role, AnonymousUser(), None):
            assert unit_ids_in_scope(user) == frozenset()
            assert not unit_in_scope(user, org.shop)
            assert list(scope_queryset(StructuralUnit.objects.all(), user, unit_field="pk")) == []

    def test_a_user_without_units_sees_nothing(self, org):
        assert unit_ids_in_scope(UserFactory(role=Role.HSE_SPECIALIST)) == frozenset()

    def test_unit_in_scope_takes_a_unit_or_its_id(self, org, hse_specialist):
        assert unit_in_scope(hse_specialist, org.crew)
        assert unit_in_scope(hse_specialist, org.crew.pk)
        assert not unit_in_scope(hse_specialist, org.other_shop)
        assert not unit_in_scope(hse_specialist, org.other_shop.pk)

    def test_scope_filters_querysets(self, org, hse_specialist, outsider, hse_head):
        units = StructuralUnit.objects.all()
        assert set(scope_queryset(units, hse_specialist, unit_field="pk")) == {org.shop, org.crew}
        assert set(scope_queryset(units, outsider, unit_field="pk")) == {org.other_shop}
        assert scope_queryset(units, hse_head, unit_field="pk").count() == 3

    def test_scope_filters_by_the_unit_field_by_default(self, org, hse_specialist, outsider):
        assert [p.full_name for p in scope_queryset(Person.objects.all(), hse_specialist)] == ["Petrov P. P."]
        assert [p.full_name for p in scope_queryset(Person.objects.all(), outsider)] == ["Sidorov S. S."]

    def test_scope_is_computed_once_per_request_user(self, org, hse_specialist, django_assert_num_queries):
        unit_ids_in_scope(hse_specialist)
        with django_assert_num_queries(0):
            unit_ids_in_scope(hse_specialist)

    def test_an_empty_scope_is_cheap_too(self, org, django_assert_num_queries):
        user = UserFactory(role=Role.HSE_SPECIALIST)
        with django_assert_num_queries(2):  # the unit tree and the user's units
            assert unit_ids_in_scope(user) == frozenset()
        with django_assert_num_queries(0):
            unit_ids_in_scope(user)

    def test_forget_scope_reads_the_units_again(self, org, hse_specialist):
        assert unit_ids_in_scope(hse_specialist) == {org.shop.pk, org.crew.pk}
        hse_specialist.units.set([org.other_shop])
        assert unit_ids_in_scope(hse_specialist) == {org.shop.pk, org.crew.pk}  # cached for the request
        forget_scope(hse_specialist)
        assert unit_ids_in_scope(hse_specialist) == {org.other_shop.pk}
        forget_scope(hse_specialist)  # nothing cached: no error
        forget_scope(hse_specialist)


class TestCan:
    def test_capability_in_a_unit_needs_the_unit_in_scope(self, org, hse_specialist):
        assert can(hse_specialist, "org.record_hours", org.crew)
        assert can(hse_specialist, "org.record_hours")
        assert not can(hse_specialist, "org.record_hours", org.other_shop)

    def test_role_without_the_capability_is_refused_even_in_its_unit(self, org, line_manager):
        assert can(line_manager, "org.view", org.shop)
        assert not can(line_manager, "org.record_hours", org.shop)
        assert not can(line_manager, "org.record_hours")

    def test_inactive_user_and_user_without_role_can_do_nothing(self, org):
        inactive = UserFactory(role=Role.HSE_HEAD, is_active=False)
        no_role = UserFactory(role="", units=[org.shop])
        for capability in CAPABILITIES:
            assert not can(inactive, capability), capability
            assert not can(no_role, capability), capability
            assert not can(AnonymousUser(), capability), capability
            assert not can(None, capability), capability

    def test_require_raises_permission_denied_naming_the_capability(self, org, line_manager):
        require(line_manager, "org.view", org.shop)
        with pytest.raises(PermissionDenied) as error:
            require(line_manager, "org.record_hours", org.shop)
        assert error.value.args == ("org.record_hours",)
        with pytest.raises(PermissionDenied):
            require(line_manager, "org.view", org.other_shop)


class TestObjectForUser:
    """Outside the scope: 404 (the record's existence is not disclosed)."""

    def test_in_scope_is_returned(self, org, hse_specialist):
        person = Person.objects.get(full_name="Petrov P. P.")
        assert get_in_scope_or_404(Person.objects.all(), hse_specialist, pk=person.pk) == person
        assert get_in_scope_or_404(StructuralUnit.objects.all(), hse_specialist, unit_field="pk", pk=org.crew.pk)

    def test_outside_the_scope_is_404_like_a_missing_one(self, org, hse_specialist):
        person = PersonFactory(unit=org.other_shop)
        with pytest.raises(Http404):
            get_in_scope_or_404(Person.objects.all(), hse_specialist, pk=person.pk)
        with pytest.raises(Http404):
            get_in_scope_or_404(StructuralUnit.objects.all(), hse_specialist, unit_field="pk", pk=org.other_shop.pk)
        with pytest.raises(Http404):
            get_in_scope_or_404(Person.objects.all(), hse_specialist, pk=999999)


class TestCapabilityRequired:
    @staticmethod
    def view(request):
        return HttpResponse("ok")

    def test_a_typo_fails_when_the_view_is_declared(self):
        with pytest.raises(UnknownCapability):
            capability_required("org.veiw")

    def test_the_view_names_its_capability(self):
        assert capability_required("org.manage")(self.view).capability == "org.manage"

    def test_anonymous_is_sent_to_login_a_role_without_it_gets_403(self, org, line_manager, hse_head):
        view = capability_required("org.manage")(self.view)
        request = RequestFactory().get("/x/")
        request.user = AnonymousUser()
        response = view(request)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        request.user = line_manager
        with pytest.raises(PermissionDenied):
            view(request)
        request.user = hse_head
        assert view(request).content == b"ok"
