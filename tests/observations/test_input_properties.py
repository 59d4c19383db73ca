"""Hostile input at every write of the observations app: the phone form and the API (JSON). No
answer is a server error, and whatever was stored still renders everywhere it is shown: the list,
the detail, the figures, the CSV export and the API list and detail."""

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.observations.models import Observation
from tests.properties import (
    PROPERTY_SETTINGS,
    assert_no_server_error,
    assert_readable,
    hostile_date,
    hostile_datetime,
    hostile_number,
    hostile_text,
    json_value,
)


def _recent_time():
    """A valid time (so some examples are stored), as the phone sends it."""
    return st.integers(min_value=0, max_value=60 * 24 * 30).map(
        lambda minutes: (timezone.localtime() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
    )


def _read_everything(client, observation_ids):
    urls = [
        reverse("observations:list"),
        reverse("observations:list") + "?tab=mine",
        reverse("observations:stats"),
        "/api/v1/observations/",
        *(reverse("observations:detail", args=[pk]) for pk in observation_ids),
        *(f"/api/v1/observations/{pk}/" for pk in observation_ids),
    ]
    assert_readable(client, urls)
    export = client.get(reverse("observations:export"))
    assert export.status_code == 200
    b"".join(export.streaming_content).decode()  # the rows are written while streaming


def _stored_since(before: set[int]) -> list[int]:
    return sorted(set(Observation.objects.values_list("pk", flat=True)) - before)


def _draw(data, fields: dict) -> dict:
    """Free text is always hostile (it is what gets stored and shown); of the other fields, a few
    at a time are hostile and the rest valid, so that many examples are stored."""
    hostile = data.draw(st.sets(st.sampled_from(sorted(fields)), max_size=3), label="hostile fields")
    return {name: data.draw(bad if name in hostile else good, label=name) for name, (good, bad) in fields.items()}


def _text(max_size=6000):
    return (hostile_text(max_size), hostile_text(max_size))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_phone_form_takes_anything_without_a_server_error(
    data, client_as, org, hse_specialist, line_manager, categories
):
    choice = st.sampled_from
    post = _draw(
        data,
        {
            "kind": (choice(Observation.Kind.values), hostile_text(50)),
            "category": (choice([str(category.pk) for category in categories.values()]), hostile_number()),
            "description": _text(),
            "feedback_given": (choice(["yes", "no"]), hostile_text(10)),
            "feedback_to": (choice(["", *Observation.FeedbackTo.values]), hostile_text(20)),
            "feedback_text": _text(),
            "work_stopped": (choice(["on", ""]), hostile_text(10)),
            "risk": (choice(Observation.Risk.values), hostile_text(20)),
            "unit": (
                choice([str(org.shop.pk), str(org.crew.pk)]),
                st.one_of(hostile_number(), st.just(str(org.other_shop.pk))),
            ),
            "area": _text(300),
            "observed_at": (_recent_time(), hostile_datetime()),
            "submission_key": (st.one_of(st.just(""), st.builds(lambda: str(uuid.uuid4()))), hostile_text(40)),
            "needs_action": (choice(["", "on"]), hostile_text(10)),
            "action_title": _text(400),
            "action_owner": (choice([str(line_manager.pk)]), hostile_number()),
            "action_due_date": (st.just((timezone.localdate() + timedelta(days=7)).isoformat()), hostile_date()),
            "action_control_level": (choice(["engineering", "ppe"]), hostile_text(20)),
        },
    )
    before = set(Observation.objects.values_list("pk", flat=True))
    client = client_as(hse_specialist)
    response = client.post(reverse("observations:create"), post)
    assert_no_server_error(response)
    assert response.status_code in (302, 400)
    stored = _stored_since(before)
    if response.status_code == 302:  # to the new observation
        assert [response["Location"]] == [reverse("observations:detail", args=[pk]) for pk in stored]
    else:
        assert stored == []
    _read_everything(client, stored)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_api_takes_any_json_without_a_server_error(data, client_as, org, hse_specialist, categories):
    choice = st.sampled_from
    payload = _draw(
        data,
        {
            "kind": (choice(Observation.Kind.values), json_value()),
            "category": (choice([category.pk for category in categories.values()]), json_value()),
            "description": (hostile_text(), json_value()),
            "feedback_given": (st.booleans(), json_value()),
            "feedback_to": (choice(["", *Observation.FeedbackTo.values]), json_value()),
            "feedback_text": (hostile_text(), json_value()),
            "work_stopped": (st.booleans(), json_value()),
            "risk": (choice(Observation.Risk.values), json_value()),
            "unit": (choice([org.shop.pk, org.crew.pk]), st.one_of(json_value(), st.just(org.other_shop.pk))),
            "area": (hostile_text(300), json_value()),
            "observed_at": (_recent_time(), st.one_of(hostile_datetime(), json_value())),
        },
    )
    # Some clients leave fields out altogether.
    omitted = data.draw(st.sets(st.sampled_from(sorted(payload)), max_size=2), label="omitted")
    payload = {name: value for name, value in payload.items() if name not in omitted}
    before = set(Observation.objects.values_list("pk", flat=True))
    client = APIClient()
    client.force_authenticate(hse_specialist)
    response = client.post("/api/v1/observations/", payload, format="json")
    assert_no_server_error(response)
    assert response.status_code in (201, 400), response.content
    stored = _stored_since(before)
    assert len(stored) == (1 if response.status_code == 201 else 0)
    _read_everything(client_as(hse_specialist), stored)


@PROPERTY_SETTINGS
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "tab": hostile_text(20),
            "q": hostile_text(300),
            "date_from": hostile_date(),
            "date_to": hostile_date(),
            "unit": hostile_number(),
            "kind": hostile_text(30),
            "category": hostile_number(),
            "observer": hostile_number(),
            "feedback": hostile_text(10),
            "page": hostile_number(),
        },
    )
)
def test_the_list_filters_take_anything_without_a_server_error(params, client_as, org, hse_specialist):
    client = client_as(hse_specialist)
    for url in [reverse("observations:list"), reverse("observations:export")]:
        response = client.get(url, params)
        assert response.status_code in (200, 400), f"{url} {params} -> {response.status_code}"
        if response.streaming:
            b"".join(response.streaming_content)
    api = APIClient()
    api.force_authenticate(hse_specialist)
    response = api.get("/api/v1/observations/", params)
    assert response.status_code in (200, 400, 404), (
        f"API {params} -> {response.status_code}"
    )  # 404: a page past the end
