"""Lists return no foreign rows, resource by resource. In the permission walk's world (every app's
records), two HSE specialists read every API list: one covering the concentrator (where the walk's
records are), the outsider covering the transport shop. The outsider must see none of the rows the
first one sees, unless the resource is declared enterprise-wide below (then both see the same
rows); and the first one must see rows, so no list is checked empty."""

import json

import pytest
from django.urls import get_resolver, reverse

from tests.test_permission_walk import _build_world

# Reference data shared by the whole enterprise: every signed-in role reads it, whatever its units.
ENTERPRISE_WIDE = {
    "api:observation-category-list": "the observation categories are one list for the enterprise",
    "api:checklist-template-list": "audit checklists are the enterprise's templates",
    "api:contractor-company-list": "contractor companies work across the enterprise's units",
    "api:contractor-worker-list": "a contractor's workers belong to the company, not to a unit",
    "api:course-list": "the course catalogue is the enterprise's",
    "api:training-requirement-list": "what training each job, unit and zone requires is the enterprise's rule",
    "api:trainer-list": "internal trainers teach across units",
    "api:kpi-definition-list": "the KPI definitions are the same for everyone",
}
# Lists that answer a question: asked about the walk's unit (the outsider is refused the unit: 400).
QUESTIONS = {"api:kpi-value-list": lambda ctx: {"kpi": "observations", "unit": ctx.crew.pk}}
# Rows of a scoped list that are the enterprise's own, shown to every unit (not foreign to anyone).
SHARED_ROWS = {"api:kpi-target-list": lambda row: row["unit"] is None}


def _api_list_names():
    api = get_resolver().namespace_dict["api"][1]
    names = set()
    for key, value in api.reverse_dict.items():
        if isinstance(key, str) and key.endswith("-list") and not value[0][0][1]:  # no URL arguments
            names.add(f"api:{key}")
    return sorted(names)


API_LISTS = _api_list_names()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        ctx, _ = _build_world()
        from datetime import date

        from apps.org.models import HoursWorked

        HoursWorked.objects.create(unit=ctx.crew, month=date(2026, 10, 1), hours=1000)
        HoursWorked.objects.create(unit=ctx.org.other_shop, month=date(2026, 10, 1), hours=800)
        with django_db_blocker.block():
            yield ctx
        transaction.set_rollback(True)


def _read(client, name, ctx):
    question = QUESTIONS[name](ctx) if name in QUESTIONS else {}
    response = client.get(reverse(name), {"page_size": 100, **question})
    if response.status_code == 403:
        return None
    if question and response.status_code == 400 and "unit" in response.json():
        return set()  # the question's unit is not one this reader sees
    assert response.status_code == 200, f"{name}: {response.status_code} {response.content[:300]}"
    body = response.json()
    rows = body
    if isinstance(body, dict):  # a page of rows, or the figures that answer the question
        rows = body["results"] if "results" in body else body["figures"]
    shared = SHARED_ROWS.get(name, lambda row: False)
    rows = [row for row in rows if not shared(row)]
    return {json.dumps(row, sort_keys=True, default=str) for row in rows}


def test_the_lists_are_found():
    assert len(API_LISTS) > 30, API_LISTS
    stale = (set(ENTERPRISE_WIDE) | set(QUESTIONS)) - set(API_LISTS)
    assert not stale, f"declared but no such list: {sorted(stale)}"


@pytest.mark.parametrize("name", API_LISTS)
def test_the_outsider_reads_no_row_of_another_unit(name, world, db, client):
    from apps.accounts.models import User

    client.force_login(User.objects.get(pk=world.hse_specialist.pk))
    inside = _read(client, name, world)
    client.force_login(User.objects.get(pk=world.outsider.pk))
    outside = _read(client, name, world)
    if inside is None:  # not a list for HSE specialists: refused to the outsider as well
        assert outside is None, name
        return
    assert inside, f"{name}: the walk's world has no row here; give it one in tests/<app>/walk.py"
    if name in ENTERPRISE_WIDE:
        assert outside == inside, f"{name} is enterprise-wide: {ENTERPRISE_WIDE[name]}"
    else:
        assert not inside & outside, f"{name} shows the outsider rows of another unit"
