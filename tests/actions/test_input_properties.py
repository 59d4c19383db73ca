"""Hostile input at every form and API write of the action register: never a server error, and
every page and endpoint showing the actions still answers 200 afterwards."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.actions.models import Action
from tests.actions.conftest import in_days
from tests.factories import ActionFactory
from tests.properties import (
    PROPERTY_SETTINGS,
    assert_no_server_error,
    assert_readable,
    hostile_date,
    hostile_number,
    hostile_text,
)

choice = st.one_of(st.sampled_from(["engineering", "ppe", "high", "low", "yes", "no", "reopen", "follow_up"]),
                   hostile_text(max_size=30))  # fmt: skip
boolean = st.one_of(st.booleans(), st.none(), hostile_text(max_size=10), st.integers())


def readable_urls(action):
    return [
        reverse("actions:list"),
        reverse("actions:list") + "?tab=overdue",
        action.get_absolute_url(),
        "/api/v1/actions/",
        f"/api/v1/actions/{action.pk}/",
    ]


def all_readable(client, actions=None):
    actions = Action.objects.all() if actions is None else actions
    urls = {reverse("actions:list"), "/api/v1/actions/"}
    urls |= {url for action in actions for url in readable_urls(action)}
    assert_readable(client, sorted(urls))


@pytest.fixture
def signed_in(client, hse_head):
    client.force_login(hse_head)
    return client


@pytest.fixture
def api_client(hse_head):
    client = APIClient()
    client.force_login(hse_head)  # a session: the pages read back what the API stored
    return client


def fresh(org, owner, status=Action.Status.OPEN):
    return ActionFactory(unit=org.crew, owner=owner, status=status)


PATCHABLE = ["title", "description", "due_date", "priority", "control_level", "owner"]


def valid_or_hostile(valid, hostile):
    """Half the time a value the form accepts, so the other fields' hostile values reach the
    service and the database too."""
    return st.one_of(valid, hostile)


due_dates = st.dates(min_value=in_days(0), max_value=in_days(3000)).map(lambda day: day.isoformat())
action_fields = st.fixed_dictionaries(
    {
        "title": valid_or_hostile(st.just("Guard the tail pulley"), hostile_text(400)),
        "description": hostile_text(),
        "due_date": valid_or_hostile(due_dates, hostile_date()),
        "priority": valid_or_hostile(st.sampled_from(Action.Priority.values), choice),
        "control_level": valid_or_hostile(st.sampled_from(Action.ControlLevel.values), choice),
        "owner": hostile_number(),
        "unit": hostile_number(),
    }
)


class TestPages:
    @PROPERTY_SETTINGS
    @given(data=action_fields, real_refs=st.booleans())
    def test_create(self, signed_in, org, owner, data, real_refs):
        if real_refs:
            data = {**data, "unit": org.crew.pk, "owner": owner.pk}
        response = signed_in.post(reverse("actions:create"), data)
        assert_no_server_error(response)
        assert response.status_code in (302, 400)
        all_readable(signed_in, Action.objects.order_by("-pk")[:1])

    @PROPERTY_SETTINGS
    @given(data=action_fields, reason=hostile_text(600))
    def test_edit(self, signed_in, org, owner, data, reason):
        action = fresh(org, owner)
        data = {**data, "owner": owner.pk, "reason": reason}
        response = signed_in.post(reverse("actions:edit", args=[action.pk]), data)
        assert_no_server_error(response)
        all_readable(signed_in, [action])

    @PROPERTY_SETTINGS
    @given(evidence=hostile_text())
    def test_complete(self, signed_in, org, owner, evidence):  # files: tests/actions/test_service_rules.py
        action = fresh(org, owner)
        response = signed_in.post(reverse("actions:complete", args=[action.pk]), {"evidence": evidence})
        assert_no_server_error(response)
        all_readable(signed_in, [action])

    @PROPERTY_SETTINGS
    @given(effective=choice, note=hostile_text(), then=choice, due=hostile_date())
    def test_verify(self, signed_in, org, owner, effective, note, then, due):
        action = fresh(org, owner, Action.Status.DONE)
        data = {"effective": effective, "note": note, "not_effective_then": then, "follow_up_due_date": due}
        response = signed_in.post(reverse("actions:verify", args=[action.pk]), data)
        assert_no_server_error(response)
        all_readable(signed_in, [action, *action.follow_ups.all()])

    @PROPERTY_SETTINGS
    @given(reason=hostile_text())
    def test_cancel(self, signed_in, org, owner, reason):
        action = fresh(org, owner)
        response = signed_in.post(reverse("actions:cancel", args=[action.pk]), {"reason": reason})
        assert_no_server_error(response)
        all_readable(signed_in, [action])

    @PROPERTY_SETTINGS
    @given(
        params=st.fixed_dictionaries(
            {},
            optional={
                "tab": choice,
                "q": hostile_text(300),
                "unit": hostile_number(),
                "owner": hostile_number(),
                "status": choice,
                "source": choice,
                "control_level": choice,
                "due_from": hostile_date(),
                "due_to": hostile_date(),
                "page": hostile_number(),
            },
        )
    )
    def test_list_filters(self, signed_in, api_client, org, owner, params):
        fresh(org, owner)
        page = signed_in.get(reverse("actions:list"), params)
        assert page.status_code in (200, 400)
        listed = api_client.get("/api/v1/actions/", params)
        assert listed.status_code in (200, 400, 404)  # 404: a page number past the end


class TestApi:
    @PROPERTY_SETTINGS
    @given(data=action_fields, real_refs=st.booleans())
    def test_create(self, api_client, org, owner, data, real_refs):
        if real_refs:
            data = {**data, "unit": org.crew.pk, "owner": owner.pk}
        response = api_client.post("/api/v1/actions/", data, format="json")
        assert_no_server_error(response)
        assert response.status_code in (201, 400)
        all_readable(api_client, Action.objects.order_by("-pk")[:1])

    @PROPERTY_SETTINGS
    @given(data=action_fields, reason=hostile_text(600), keys=st.sets(st.sampled_from(PATCHABLE)))
    def test_patch(self, api_client, org, owner, data, reason, keys):
        action = fresh(org, owner)
        body = {key: data[key] for key in keys} | {"reason": reason}
        response = api_client.patch(f"/api/v1/actions/{action.pk}/", body, format="json")
        assert_no_server_error(response)
        assert response.status_code in (200, 400)
        all_readable(api_client, [action])

    @PROPERTY_SETTINGS
    @given(
        step=st.sampled_from(["start", "complete", "verify", "cancel"]),
        status=st.sampled_from(Action.Status.values),
        body=st.fixed_dictionaries(
            {},
            optional={
                "evidence": hostile_text(),
                "effective": boolean,
                "note": hostile_text(),
                "not_effective_then": choice,
                "follow_up_due_date": hostile_date(),
                "reason": hostile_text(),
            },
        ),
    )
    def test_transitions(self, api_client, org, owner, hse_head, step, status, body):
        action = ActionFactory(unit=org.crew, owner=owner, status=status, cancel_reason="x", verified_by=hse_head)
        response = api_client.post(f"/api/v1/actions/{action.pk}/{step}/", body, format="json")
        assert_no_server_error(response)
        assert response.status_code in (200, 400, 409)
        all_readable(api_client, [action, *action.follow_ups.all()])


def test_pages_read_back_what_the_api_stored(client, api_client, org, owner, hse_head):
    """A row written through the API with the longest accepted values renders on every page."""
    data = {"title": "Ж" * 300, "description": "=1+1\n" * 1000, "unit": org.crew.pk, "owner": owner.pk,
            "due_date": in_days(3650).isoformat(), "control_level": "ppe"}  # fmt: skip
    created = api_client.post("/api/v1/actions/", data, format="json")
    assert created.status_code == 201, created.json()
    client.force_login(hse_head)
    all_readable(client)
