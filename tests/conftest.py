"""Personas reused by every test: one user per role covering the main unit, and an outsider
(an HSE specialist of a unit on another site)."""

from dataclasses import dataclass

import pytest

from apps.accounts.roles import Role
from tests.factories import PersonFactory, UnitFactory, UserFactory


@dataclass
class Org:
    shop: object  # the main unit: a shop with a crew under it
    crew: object
    other_shop: object  # another site's shop, covered only by the outsider


@pytest.fixture
def org(db):
    shop = UnitFactory(name="Concentrator", code="concentrator")
    crew = UnitFactory(name="Flotation crew", code="flotation", parent=shop, kind="crew")
    other_shop = UnitFactory(name="Transport shop", code="transport")
    PersonFactory(unit=crew, full_name="Petrov P. P.", job_title="Flotation operator")
    PersonFactory(unit=other_shop, full_name="Sidorov S. S.", job_title="Haul truck driver")
    return Org(shop=shop, crew=crew, other_shop=other_shop)


@pytest.fixture
def hse_head(org):
    return UserFactory(username="head", role=Role.HSE_HEAD)


@pytest.fixture
def hse_specialist(org, hse_head):
    return UserFactory(username="specialist", role=Role.HSE_SPECIALIST, units=[org.shop], line_manager=hse_head)


@pytest.fixture
def line_manager(org):
    return UserFactory(username="manager", role=Role.LINE_MANAGER, units=[org.shop])


@pytest.fixture
def executive(org):
    return UserFactory(username="executive", role=Role.EXECUTIVE)


@pytest.fixture
def pass_admin(org):
    return UserFactory(username="passoffice", role=Role.PASS_ADMIN)


@pytest.fixture
def system_admin(org):
    return UserFactory(username="admin", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(org):
    return UserFactory(username="outsider", role=Role.HSE_SPECIALIST, units=[org.other_shop])


PERSONAS = ["hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin", "outsider"]


@pytest.fixture
def persona(request):
    """`persona("hse_head")` returns that persona's user (or None for "anonymous")."""

    def get(name):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.fixture
def client_as(client):
    """A test client signed in as the given user (anonymous when None)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures of one test never show in another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
