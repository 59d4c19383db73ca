"""One FilterSet for the action list page and GET /api/v1/actions/: good parameters filter,
malformed ones are field errors (400), on the page in place."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.actions.models import Action
from tests.factories import ActionFactory, ObservationFactory, UnitFactory

LIST_API = "/api/v1/actions/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


@pytest.fixture
def rows(org, owner, line_manager, hse_head):
    today = timezone.localdate()
    observation = ObservationFactory(unit=org.crew, observer=hse_head)
    return {
        "open": ActionFactory(unit=org.crew, owner=owner, title="open", due_date=today, source_record=observation),
        "started": ActionFactory(
            unit=org.shop, owner=line_manager, title="started", status="in_progress", due_date=today + timedelta(1)
        ),
        "late": ActionFactory(unit=org.crew, owner=owner, title="late", due_date=today - timedelta(1)),
        "done": ActionFactory(
            unit=org.crew, owner=owner, title="done", status="done", control_level="ppe", due_date=today - timedelta(5)
        ),
        "far": ActionFactory(
            unit=org.other_shop, owner=owner, title="far away", description="conveyor guard", due_date=date(2030, 1, 1)
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["done", "far away", "late", "open", "started"]),
        ({"tab": "units"}, ["done", "far away", "late", "open", "started"]),
        ({"tab": "mine"}, ["started"]),
        ({"tab": "overdue"}, ["late"]),
        ({"status": "active"}, ["far away", "late", "open", "started"]),
        ({"status": "done"}, ["done"]),
        ({"status": "in_progress"}, ["started"]),
        ({"source": "observation"}, ["open"]),
        ({"source": "none"}, ["done", "far away", "late", "started"]),
        ({"source": "safety_audit"}, []),
        ({"control_level": "ppe"}, ["done"]),
        ({"q": "CONVEYOR"}, ["far away"]),
        ({"q": "star"}, ["started"]),
    ],
)
def test_api_filters(rows, hse_head, line_manager, params, expected):
    user = line_manager if params.get("tab") == "mine" else hse_head
    assert titles(api(user).get(LIST_API, params)) == expected


def test_unit_owner_and_due_date_bounds_are_inclusive(rows, org, owner, hse_head):
    today = timezone.localdate()
    client = api(hse_head)
    assert titles(client.get(LIST_API, {"unit": org.shop.pk})) == ["started"]
    assert titles(client.get(LIST_API, {"owner": owner.pk, "unit": org.crew.pk})) == ["done", "late", "open"]
    day = today.isoformat()
    assert titles(client.get(LIST_API, {"due_from": day, "due_to": day})) == ["open"]
    yesterday = (today - timedelta(1)).isoformat()
    assert titles(client.get(LIST_API, {"due_from": yesterday, "due_to": day})) == ["late", "open"]
    assert titles(client.get(LIST_API, {"due_to": yesterday})) == ["done", "late"]


def test_api_orders_open_first_then_done_then_closed(rows, hse_head):
    rows["late"].status = Action.Status.CANCELLED
    rows["late"].cancel_reason = "x"
    rows["late"].save()
    results = api(hse_head).get(LIST_API).json()["results"]
    assert [row["title"] for row in results] == ["open", "started", "far away", "done", "late"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"unit": "abc"}, "unit"),
        ({"unit": "999999"}, "unit"),
        ({"owner": "abc"}, "owner"),
        ({"status": "finished"}, "status"),
        ({"source": "rumour"}, "source"),
        ({"control_level": "prayer"}, "control_level"),
        ({"due_from": "yesterday"}, "due_from"),
        ({"due_from": "0001-01-01"}, "due_from"),
        ({"due_to": "2026-02-30"}, "due_to"),
        ({"due_to": "9999-12-31"}, "due_to"),
        ({"tab": "everything"}, "tab"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_api_malformed_parameter_is_a_field_error(rows, hse_head, params, field):
    response = api(hse_head).get(LIST_API, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_unit_outside_the_users_scope_is_a_field_error(rows, org, hse_specialist):
    response = api(hse_specialist).get(LIST_API, {"unit": org.other_shop.pk})
    assert response.status_code == 400
    assert "unit" in response.json()
    assert titles(api(hse_specialist).get(LIST_API, {"unit": org.crew.pk})) == ["done", "late", "open"]


def test_list_parameters_do_not_hide_one_action(rows, hse_head):
    action = rows["done"]
    response = api(hse_head).get(f"{LIST_API}{action.pk}/", {"status": "open", "tab": "bogus"})
    assert response.status_code == 200


def test_schema_documents_the_filters_and_the_conflicts(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    params = {p["name"] for p in schema["paths"]["/api/v1/actions/"]["get"]["parameters"]}
    assert {"tab", "unit", "status", "owner", "source", "control_level", "due_from", "due_to", "q"} <= params
    for step in ("start", "complete", "verify", "cancel"):
        assert "409" in schema["paths"][f"/api/v1/actions/{{id}}/{step}/"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/v1/actions/{id}/"]["patch"]["responses"]


class TestListPage:
    url = reverse("actions:list")

    def test_filters_narrow_the_list(self, client_as, rows, hse_head):
        page = client_as(hse_head).get(self.url, {"status": "done"})
        assert page.status_code == 200
        assert "done" in page.text and "far away" not in page.text

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"due_from": "0001-01-01"}, "This is before the enterprise"),
            ({"unit": "abc"}, "Select a valid choice"),
            ({"status": "finished"}, "Select a valid choice"),
        ],
    )
    def test_a_malformed_parameter_is_shown_in_place_with_400(self, client_as, rows, hse_head, params, message):
        response = client_as(hse_head).get(self.url, params)
        assert response.status_code == 400
        assert message in response.text
        assert "is-invalid" in response.text
        assert "far away" not in response.text  # no rows while the filter is wrong

    def test_an_unknown_tab_is_shown_above_the_list(self, client_as, rows, hse_head):
        response = client_as(hse_head).get(self.url, {"tab": "everything"})
        assert response.status_code == 400
        assert "Tab: Select a valid choice" in response.text

    def test_the_filter_card_keeps_the_tab(self, client_as, rows, line_manager):
        response = client_as(line_manager).get(self.url, {"tab": "mine", "status": "active"})
        assert response.status_code == 200
        assert '<input type="hidden" name="tab" value="mine">' in response.text
        assert response.text.count('name="tab"') == 1
        assert 'href="?tab=mine"' in response.text  # "Clear" keeps the tab
        assert '<details class="card card-body mb-3" open>' in response.text

    def test_an_owners_action_in_another_unit_is_listed(self, client_as, org, owner):
        ActionFactory(unit=UnitFactory(), owner=owner, title="Elsewhere")
        assert "Elsewhere" in client_as(owner).get(self.url, {"tab": "mine"}).text


def _with_sources(org, owner, count):
    """Actions of every kind of source (the generic link only: the serializer reads the kind)."""
    kinds = [
        None,
        ContentType.objects.get_by_natural_key("observations", "observation"),
        ContentType.objects.get_by_natural_key("audits", "auditanswer"),
        ContentType.objects.get_by_natural_key("incidents", "whystep"),
        ContentType.objects.get_by_natural_key("incidents", "causetreefact"),
    ]
    for index in range(count):
        source_type = kinds[index % len(kinds)]
        ActionFactory(unit=org.crew, owner=owner, source_type=source_type, source_id=index + 1 if source_type else None)


def test_api_list_query_count_does_not_grow(org, owner, hse_head, django_assert_max_num_queries):
    client = api(hse_head)
    _with_sources(org, owner, 2)  # no source, an observation
    client.get(LIST_API)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST_API)
    _with_sources(org, owner, 45)  # every kind of source
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST_API)
    sources = {row["source"] for row in response.json()["results"]}
    assert sources == {None, "observation", "safety_audit", "investigation"}
