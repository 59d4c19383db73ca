"""Who may change an action's status, verify, cancel and re-plan it (apps/actions/rules.py), each
rule tested on both sides: the owner, the owner's line manager, HSE roles in scope, the creator."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.roles import Role
from apps.actions import rules
from tests.factories import ActionFactory, UserFactory


@pytest.fixture
def people(org, owner, line_manager, hse_specialist, hse_head, executive, outsider, system_admin):
    other_manager = UserFactory(username="other-manager", role=Role.LINE_MANAGER, units=[org.shop])
    crew_specialist = UserFactory(username="crew-specialist", role=Role.HSE_SPECIALIST, units=[org.crew])
    return {
        "owner": owner,
        "owners_manager": line_manager,
        "other_manager": other_manager,  # covers the unit, manages someone else
        "hse_specialist": hse_specialist,  # covers the shop, so the crew under it
        "crew_specialist": crew_specialist,
        "hse_head": hse_head,
        "outsider": outsider,  # an HSE specialist of another site
        "executive": executive,
        "system_admin": system_admin,
        "anonymous": AnonymousUser(),
    }


STATUS_CHANGERS = {"owner", "owners_manager", "hse_specialist", "crew_specialist", "hse_head"}
VERIFIERS = STATUS_CHANGERS - {"owner"}


@pytest.mark.parametrize("who", ["owner", "owners_manager", "other_manager", "hse_specialist", "crew_specialist",
                                 "hse_head", "outsider", "executive", "system_admin", "anonymous"])  # fmt: skip
def test_who_may_change_status_verify_and_cancel(people, action, who):
    user = people[who]
    assert rules.may_change_status(user, action) is (who in STATUS_CHANGERS)
    assert rules.may_verify(user, action) is (who in VERIFIERS)
    assert rules.may_cancel(user, action) is (who in VERIFIERS)


def test_an_hse_owner_still_never_verifies_own_action(org, hse_specialist):
    own = ActionFactory(unit=org.crew, owner=hse_specialist, created_by=hse_specialist)
    assert rules.may_change_status(hse_specialist, own) is True
    assert rules.may_verify(hse_specialist, own) is False
    assert rules.may_cancel(hse_specialist, own) is False


def test_the_managers_right_follows_the_owner_not_the_unit(org, owner, line_manager):
    """The owner's line manager may act on the owner's action in a unit the manager does not cover."""
    elsewhere = ActionFactory(unit=org.other_shop, owner=owner)
    assert rules.may_change_status(line_manager, elsewhere) is True
    assert rules.may_verify(line_manager, elsewhere) is True


def test_an_owner_without_a_manager_gives_nobody_the_managers_right(org, other_owner_without_manager, line_manager):
    action = ActionFactory(unit=org.other_shop, owner=other_owner_without_manager)
    assert rules.may_change_status(line_manager, action) is False
    assert rules.may_verify(line_manager, action) is False


@pytest.fixture
def other_owner_without_manager(org):
    return UserFactory(username="lonely", role=Role.LINE_MANAGER, units=[org.other_shop], line_manager=None)


@pytest.mark.parametrize("who", ["owner", "owners_manager", "hse_specialist", "hse_head"])
def test_inactive_users_may_do_nothing(people, action, who):
    user = people[who]
    user.is_active = False
    assert rules.may_change_status(user, action) is False
    assert rules.may_verify(user, action) is False
    assert rules.may_edit(user, action) is False


def test_hse_rights_stop_at_the_scope(people, org):
    far = ActionFactory(unit=org.other_shop, owner=UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop]))
    assert rules.may_change_status(people["hse_specialist"], far) is False
    assert rules.may_verify(people["hse_specialist"], far) is False
    assert rules.may_change_status(people["outsider"], far) is True
    assert rules.may_change_status(people["hse_head"], far) is True


class TestMayEdit:
    def test_verifiers_may_edit(self, people, action):
        for who in sorted(VERIFIERS):
            assert rules.may_edit(people[who], action) is True, who

    def test_the_owner_and_strangers_may_not(self, people, action):
        for who in ["owner", "other_manager", "outsider", "executive", "system_admin", "anonymous"]:
            assert rules.may_edit(people[who], action) is False, who

    def test_the_creator_may_while_they_may_open_actions_in_the_unit(self, org, people):
        creator = people["other_manager"]  # covers the shop: may open actions in the crew
        action = ActionFactory(unit=org.crew, owner=people["owner"], created_by=creator)
        assert rules.may_edit(creator, action) is True
        creator.units.set([org.other_shop])
        from apps.accounts.access import forget_scope

        forget_scope(creator)
        assert rules.may_edit(creator, action) is False  # the unit is no longer theirs

    def test_a_creator_whose_role_no_longer_opens_actions_may_not(self, org, people):
        creator = UserFactory(username="former-manager", role=Role.EXECUTIVE)
        action = ActionFactory(unit=org.crew, owner=people["owner"], created_by=creator)
        assert rules.may_edit(creator, action) is False

    def test_a_creator_who_owns_the_action_may_re_plan_it(self, org, people):
        """Pinned as the rule stands: the creator clause does not exclude the owner."""
        owner = people["owners_manager"]
        action = ActionFactory(unit=org.crew, owner=owner, created_by=owner)
        assert rules.may_verify(owner, action) is False
        assert rules.may_edit(owner, action) is True
