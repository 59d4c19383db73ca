import pytest

from apps.accounts.roles import Role
from tests.factories import ActionFactory, UserFactory


@pytest.fixture
def owner(org, line_manager):
    """A foreman-level owner of actions in the main unit, reporting to the line manager."""
    return UserFactory(username="owner", role=Role.LINE_MANAGER, units=[org.crew], line_manager=line_manager)


@pytest.fixture
def action(org, owner, hse_specialist):
    return ActionFactory(unit=org.crew, owner=owner, created_by=hse_specialist)
