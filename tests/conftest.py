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


def make_org() -> Org:
    """The units and people the personas cover (what the `org` fixture returns)."""
    shop = UnitFactory(name="Concentrator", code="concentrator")
    crew = UnitFactory(name="Flotation crew", code="flotation", parent=shop, kind="crew")
    other_shop = UnitFactory(name="Transport shop", code="transport")
    PersonFactory(unit=crew, full_name="Petrov P. P.", job_title="Flotation operator")
    PersonFactory(unit=other_shop, full_name="Sidorov S. S.", job_title="Haul truck driver")
    return Org(shop=shop, crew=crew, other_shop=other_shop)


def make_hse_head(org):
    return UserFactory(username="head", role=Role.HSE_HEAD)


def make_hse_specialist(org, hse_head):
    return UserFactory(username="specialist", role=Role.HSE_SPECIALIST, units=[org.shop], line_manager=hse_head)


def make_line_manager(org):
    return UserFactory(username="manager", role=Role.LINE_MANAGER, units=[org.shop])


def make_executive(org):
    return UserFactory(username="executive", role=Role.EXECUTIVE)


def make_pass_admin(org):
    return UserFactory(username="passoffice", role=Role.PASS_ADMIN)


def make_system_admin(org):
    return UserFactory(username="admin", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True)


def make_outsider(org):
    return UserFactory(username="outsider", role=Role.HSE_SPECIALIST, units=[org.other_shop])


def make_personas(org) -> dict:
    """Every persona at once, by fixture name: for a world built once for many tests (the
    permission walk), where the function-scoped fixtures below cannot be used."""
    hse_head = make_hse_head(org)
    return {
        "hse_specialist": make_hse_specialist(org, hse_head),
        "hse_head": hse_head,
        "line_manager": make_line_manager(org),
        "executive": make_executive(org),
        "pass_admin": make_pass_admin(org),
        "system_admin": make_system_admin(org),
        "outsider": make_outsider(org),
    }


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def hse_head(org):
    return make_hse_head(org)


@pytest.fixture
def hse_specialist(org, hse_head):
    return make_hse_specialist(org, hse_head)


@pytest.fixture
def line_manager(org):
    return make_line_manager(org)


@pytest.fixture
def executive(org):
    return make_executive(org)


@pytest.fixture
def pass_admin(org):
    return make_pass_admin(org)


@pytest.fixture
def system_admin(org):
    return make_system_admin(org)


@pytest.fixture
def outsider(org):
    return make_outsider(org)


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


@pytest.fixture(autouse=True)
def _sqlite_flush_past_the_audit_trigger(request):
    """After a transactional test the tables are emptied: PostgreSQL by TRUNCATE (no row trigger
    fires), SQLite by DELETE, which the audit log's append-only trigger refuses. On SQLite the
    audit entries are removed first, with the trigger lifted for that moment only (issue 14)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up before this, so its flush runs after
    yield
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    import importlib

    append_only = importlib.import_module("apps.audit.migrations.0002_append_only")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute(append_only.SQLITE_FORWARD[1])


# --- A real Redis and a real Celery worker (tests/celery_helpers.py), for the tests about tasks ---------------


@pytest.fixture
def postgresql_only(transactional_db):
    """Other processes (a worker, an app server) share the test database only on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("other processes share the test database only on PostgreSQL (set DATABASE_URL; CI does)")


@pytest.fixture
def redis_server(tmp_path, postgresql_only):
    """A private redis-server on a free port: a test may stop or kill it (never the machine's own)."""
    from tests.celery_helpers import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def task_worker(redis_server, tmp_path):
    """A `celery worker` process on the private Redis, and this process publishing to it."""
    from tests.celery_helpers import WorkerProcess, publishing_to

    process = WorkerProcess(redis_server.url, tmp_path / "worker.log")
    process.start()
    with publishing_to(redis_server.url):
        yield process
    process.stop()
