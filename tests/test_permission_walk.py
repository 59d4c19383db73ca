"""Every URL pattern, visited as every role. A new URL without a declared expectation fails
`test_every_url_has_an_expectation`, so permissions are decided when a page is added."""

import copy
import importlib
import pkgutil
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.walk import (  # noqa: F401 - the shared vocabulary of expectations
    ACTION_CREATORS,
    ACTION_VIEWERS,
    AUDIT_READERS,
    HSE_AND_ADMIN,
    ORG_MANAGERS,
    ROLES,
    SIGNED_IN,
    STATUS_CHANGERS,
    VERIFIERS,
    Case,
    api,
    everyone,
    only_recipient,
    page,
    post_api,
    post_page,
)


def _app_walks():
    """tests/<app>/walk.py modules: each adds its URLs' expectations and the records they need."""
    import tests

    modules = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                modules.append(importlib.import_module(f"tests.{info.name}.walk"))
            except ModuleNotFoundError as error:
                if error.name != f"tests.{info.name}.walk":
                    raise
    return modules


APP_WALKS = _app_walks()


def _build_world():
    """The records the walk visits: the personas and their units, an open action owned by the
    line manager, a done one, an evidence file and a notification of the HSE specialist, then
    whatever each app's walk module adds."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.actions.models import ActionEvidence
    from apps.notifications.models import Notification
    from tests.conftest import make_org, make_personas
    from tests.factories import ActionFactory

    org = make_org()
    personas = make_personas(org)
    hse_specialist, line_manager = personas["hse_specialist"], personas["line_manager"]
    action = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist)
    done = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist, status="done")
    evidence = ActionEvidence.objects.create(
        action=done,
        file=SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff"),
        original_name="photo.jpg",
        uploaded_by=line_manager,
    )
    notification = Notification.objects.create(recipient=hse_specialist, kind="actions_digest", title="Digest")
    ctx = SimpleNamespace(
        org=org,
        crew=org.crew,
        site_id=org.crew.site_id,
        action=action,
        done_action=done,
        evidence=evidence,
        notification=notification,
        **personas,
    )
    for module in APP_WALKS:
        module.build(ctx)
    return ctx, {role: user.pk for role, user in personas.items()}


@pytest.fixture(scope="module")
def walk_world(django_db_setup, django_db_blocker):
    """The walk's world, built once for the module inside a transaction that is never
    committed: each test's `db` fixture nests a savepoint in it and rolls back to it, so every
    case starts from this same state, and the whole world is rolled back after the module
    (nothing of it reaches the kept test database or another test). Between tests the database
    stays blocked, as for any test without `db`. Files stored while building are shared by all
    cases: a case must not delete one (none does)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        world = _build_world()
        with django_db_blocker.block():
            yield world
        transaction.set_rollback(True)


@pytest.fixture
def walk(walk_world, db):
    """One case's world: a copy of the instances as built (a case may change them, as the worker
    photo URL gives the worker a photo; its rows are rolled back after the case, the copy is
    dropped) with the personas read afresh, so no user carries a login or a cached unit scope."""
    from apps.accounts.models import User

    world, persona_pks = walk_world
    ctx = copy.deepcopy(world)
    users = User.objects.in_bulk(persona_pks.values())
    for role, pk in persona_pks.items():
        setattr(ctx, role, users[pk])
    return ctx


def walk_user(ctx, role):
    """The persona signed in for `role` (None for "anonymous")."""
    return None if role == "anonymous" else getattr(ctx, role)


def crew_person(ctx):
    return ctx.crew.people.first().pk


def photo(ctx):

    from tests.actions.conftest import jpeg

    return {"files": jpeg("photo.jpg"), "evidence": "x"}


EXPECTATIONS: dict[str, list[Case]] = {
    "core:home": [Case(lambda o: reverse("core:home"), page())],
    "core:set_language": [
        Case(lambda o: reverse("core:set_language"), everyone(405)),
        Case(lambda o: reverse("core:set_language"), everyone(302), "post", {"language": "en"}),
    ],
    "healthz": [Case(lambda o: "/healthz", everyone(200))],
    "livez": [Case(lambda o: "/livez", everyone(200))],
    "accounts:login": [
        Case(lambda o: reverse("accounts:login"), {**everyone(302), "anonymous": 200}),
    ],
    "accounts:logout": [
        Case(lambda o: reverse("accounts:logout"), everyone(405)),
        Case(lambda o: reverse("accounts:logout"), everyone(302), "post"),
    ],
    "accounts:password_change": [Case(lambda o: reverse("accounts:password_change"), page())],
    "accounts:profile": [Case(lambda o: reverse("accounts:profile"), page())],
    "accounts:api_token_renew": [
        Case(lambda o: reverse("accounts:api_token_renew"), everyone(405)),
        Case(lambda o: reverse("accounts:api_token_renew"), {**everyone(200), "anonymous": 302}, "post"),
    ],
    "org:unit_list": [Case(lambda o: reverse("org:unit_list"), page())],
    "org:unit_detail": [Case(lambda o: reverse("org:unit_detail", args=[o.crew.pk]), page(outsider=404))],
    "org:hours_record": [
        Case(lambda o: reverse("org:hours_record", args=[o.crew.pk]), everyone(405)),
        Case(
            lambda o: reverse("org:hours_record", args=[o.crew.pk]),
            {**page(HSE_AND_ADMIN, outsider=404), **dict.fromkeys(["hse_specialist", "hse_head", "system_admin"], 302)},
            "post",
            {"month": "2026-10", "hours": "100"},
        ),
    ],
    "org:person_list": [Case(lambda o: reverse("org:person_list"), page())],
    "audit:entry_list": [Case(lambda o: reverse("audit:entry_list"), page(AUDIT_READERS))],
    "api-schema": [Case(lambda o: "/api/schema/", everyone(200))],
    "api-docs": [Case(lambda o: "/api/docs/", everyone(200))],
    "api:api-root": [Case(lambda o: reverse("api:api-root"), api())],
    "api:auth-token": [
        Case(lambda o: reverse("api:auth-token"), everyone(405)),
        Case(lambda o: reverse("api:auth-token"), everyone(400), "post", {"username": "x", "password": "y"}),
    ],
    "api:site-list": [Case(lambda o: reverse("api:site-list"), api())],
    "api:site-detail": [Case(lambda o: reverse("api:site-detail", args=[o.site_id]), api(outsider=404))],
    "api:unit-list": [Case(lambda o: reverse("api:unit-list"), api())],
    "api:unit-detail": [Case(lambda o: reverse("api:unit-detail", args=[o.crew.pk]), api(outsider=404))],
    "api:person-list": [
        Case(lambda o: reverse("api:person-list"), api()),
        Case(lambda o: reverse("api:person-list"), api(ORG_MANAGERS, ok=400), "post", {}),
    ],
    "api:person-detail": [
        Case(lambda o: reverse("api:person-detail", args=[crew_person(o)]), api(outsider=404)),
        Case(
            lambda o: reverse("api:person-detail", args=[crew_person(o)]),
            api(ORG_MANAGERS),
            "patch",
            {"job_title": "Senior operator"},
        ),
    ],
    "actions:list": [Case(lambda o: reverse("actions:list"), page(ACTION_VIEWERS))],
    "actions:create": [Case(lambda o: reverse("actions:create"), page(ACTION_CREATORS))],
    "actions:detail": [Case(lambda o: o.action.get_absolute_url(), page(ACTION_VIEWERS, outsider=404))],
    "actions:edit": [Case(lambda o: reverse("actions:edit", args=[o.action.pk]), post_page(VERIFIERS, ok=200))],
    "actions:start": [
        Case(lambda o: reverse("actions:start", args=[o.action.pk]), everyone(405)),
        Case(lambda o: reverse("actions:start", args=[o.action.pk]), post_page(STATUS_CHANGERS), "post"),
    ],
    "actions:complete": [
        Case(lambda o: reverse("actions:complete", args=[o.action.pk]), everyone(405)),
        Case(lambda o: reverse("actions:complete", args=[o.action.pk]), post_page(STATUS_CHANGERS), "post", photo),
    ],
    "actions:verify": [
        Case(lambda o: reverse("actions:verify", args=[o.done_action.pk]), everyone(405)),
        Case(
            lambda o: reverse("actions:verify", args=[o.done_action.pk]),
            post_page(VERIFIERS),
            "post",
            {"effective": "yes", "note": "checked"},
        ),
    ],
    "actions:cancel": [
        Case(lambda o: reverse("actions:cancel", args=[o.action.pk]), everyone(405)),
        Case(lambda o: reverse("actions:cancel", args=[o.action.pk]), post_page(VERIFIERS), "post", {"reason": "x"}),
    ],
    "actions:evidence_add": [
        Case(lambda o: reverse("actions:evidence_add", args=[o.done_action.pk]), everyone(405)),
        Case(
            lambda o: reverse("actions:evidence_add", args=[o.done_action.pk]),
            post_page(STATUS_CHANGERS),
            "post",
            photo,
        ),
    ],
    "actions:evidence_download": [
        Case(
            lambda o: reverse("actions:evidence_download", args=[o.evidence.pk]),
            page(ACTION_VIEWERS, outsider=404),
        )
    ],
    "notifications:list": [Case(lambda o: reverse("notifications:list"), page())],
    "notifications:open": [
        Case(lambda o: reverse("notifications:open", args=[o.notification.pk]), everyone(405)),
        Case(lambda o: reverse("notifications:open", args=[o.notification.pk]), only_recipient(302), "post"),
    ],
    "notifications:mark_all_read": [
        Case(lambda o: reverse("notifications:mark_all_read"), everyone(405)),
        Case(lambda o: reverse("notifications:mark_all_read"), everyone(302), "post"),
    ],
    "api:action-list": [
        Case(lambda o: reverse("api:action-list"), api(ACTION_VIEWERS)),
        Case(
            lambda o: reverse("api:action-list"),
            {**post_api(ACTION_CREATORS, ok=201), "outsider": 400},  # the crew is not a unit the outsider knows
            "post",
            lambda o: {
                "title": "Guard",
                "unit": o.crew.pk,
                "owner": o.action.owner_id,
                "due_date": (date.today() + timedelta(days=30)).isoformat(),
                "control_level": "engineering",
            },
        ),
    ],
    "api:action-detail": [
        Case(lambda o: reverse("api:action-detail", args=[o.action.pk]), api(ACTION_VIEWERS, outsider=404)),
        Case(
            lambda o: reverse("api:action-detail", args=[o.action.pk]), post_api(VERIFIERS), "patch", {"title": "New"}
        ),
    ],
    "api:action-start": [
        Case(lambda o: reverse("api:action-start", args=[o.action.pk]), post_api(STATUS_CHANGERS), "post"),
    ],
    "api:action-complete": [
        Case(
            lambda o: reverse("api:action-complete", args=[o.action.pk]),
            post_api(STATUS_CHANGERS),
            "post",
            {"evidence": "done"},
        ),
    ],
    "api:action-verify": [
        Case(
            lambda o: reverse("api:action-verify", args=[o.done_action.pk]),
            post_api(VERIFIERS),
            "post",
            {"effective": True},
        ),
    ],
    "api:action-cancel": [
        Case(lambda o: reverse("api:action-cancel", args=[o.action.pk]), post_api(VERIFIERS), "post", {"reason": "x"}),
    ],
    "api:notification-list": [Case(lambda o: reverse("api:notification-list"), api())],
    "api:notification-detail": [
        Case(
            lambda o: reverse("api:notification-detail", args=[o.notification.pk]),
            only_recipient(200, anonymous=401),
        )
    ],
    "api:notification-read": [
        Case(
            lambda o: reverse("api:notification-read", args=[o.notification.pk]),
            only_recipient(200, anonymous=401),
            "post",
        )
    ],
    "api:hours-worked-list": [
        Case(lambda o: reverse("api:hours-worked-list"), api()),
        Case(
            lambda o: reverse("api:hours-worked-list"),
            {**api(HSE_AND_ADMIN, ok=201), "outsider": 400},  # the unit is not one the outsider knows
            "post",
            {"unit_id_from_org": True, "month": "2026-10-01", "hours": "100"},
        ),
    ],
}

for _module in APP_WALKS:
    _clash = set(_module.EXPECTATIONS) & set(EXPECTATIONS)
    assert not _clash, f"{_module.__name__} declares URLs twice: {_clash}"
    EXPECTATIONS.update(_module.EXPECTATIONS)

# Django admin's own views are walked through their index and every model's changelist:
# only the system admin (staff) gets in; everyone else is sent to the admin login.
ADMIN_NAMESPACE = "admin"


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from _url_names(entry, inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {entry.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def test_every_url_has_an_expectation():
    missing = {
        name
        for name in _url_names()
        if name not in EXPECTATIONS and not name.startswith(f"{ADMIN_NAMESPACE}:") and not name.startswith("<unnamed")
    }
    unnamed = {name for name in _url_names() if name.startswith("<unnamed") and "static" not in name}
    assert not missing, f"URLs without a permission expectation: {sorted(missing)}"
    assert not unnamed, f"URL patterns without a name: {sorted(unnamed)}"
    stale = set(EXPECTATIONS) - set(_url_names())
    assert not stale, f"Expectations for URLs that no longer exist: {sorted(stale)}"


WALK = [(name, index, role) for name, cases in EXPECTATIONS.items() for index in range(len(cases)) for role in ROLES]


@pytest.mark.parametrize(("name", "index", "role"), WALK, ids=[f"{n}#{i}-{r}" for n, i, r in WALK])
def test_walk(name, index, role, walk, client_as):
    case = EXPECTATIONS[name][index]
    assert set(case.expect) == set(ROLES), f"{name}: declare every role"
    client = client_as(walk_user(walk, role))
    org = walk
    data = dict(case.data(walk) if callable(case.data) else case.data)
    if data.pop("unit_id_from_org", False):
        data["unit"] = walk.crew.pk
    if case.method == "patch":
        response = client.patch(case.url(org), data, content_type="application/json")
    elif case.url(org).startswith("/api/") and case.method == "post":
        response = client.post(case.url(org), data, content_type="application/json")
    else:
        response = getattr(client, case.method)(case.url(org), data)
    assert response.status_code == case.expect[role], f"{case.method.upper()} {case.url(org)} as {role}"


def _admin_urls():
    yield reverse("admin:index")
    for model in admin.site._registry:
        yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("role", ROLES)
def test_admin_is_for_the_system_admin_only(role, walk, client_as):
    # In the walk's world: the module's outer transaction holds its personas, so the conftest
    # ones (same usernames) cannot be made here; and the changelists render real records.
    client = client_as(walk_user(walk, role))
    for url in _admin_urls():
        response = client.get(url)
        expected = 200 if role == "system_admin" else 302
        assert response.status_code == expected, f"{url} as {role}"
