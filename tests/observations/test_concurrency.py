"""The same form sent many times at once (a double tap on a slow connection, a retrying phone) is
one observation with one history entry, and every request gets an answer that is not a 500
(PostgreSQL: `tests/concurrency.py`)."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.observations import services
from apps.observations.models import Observation
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def _form(org, categories, key):
    return {
        "kind": "unsafe_condition",
        "category": categories["housekeeping"].pk,
        "description": "Pallets block the emergency exit",
        "feedback_given": "no",
        "risk": "medium",
        "unit": org.crew.pk,
        "observed_at": "2026-11-20T09:30",
        "submission_key": str(key),
    }


def _one_observation_one_entry(key) -> Observation:
    observation = Observation.objects.get()
    assert observation.submission_key == key
    entries = AuditEntry.objects.filter(action="observations.observation.logged")
    assert [(entry.target_id) for entry in entries] == [str(observation.pk)]
    return observation


def test_twenty_posts_of_one_form_are_one_observation(org, hse_specialist, categories):
    key = uuid.uuid4()
    data = _form(org, categories, key)
    clients = []
    for _ in range(PARALLEL):
        client = Client(raise_request_exception=False)
        client.force_login(hse_specialist)
        clients.append(client)

    outcomes = race(PARALLEL, lambda i: clients[i].post(reverse("observations:create"), data))

    assert outcomes.failed == []
    observation = _one_observation_one_entry(key)
    answers = {(response.status_code, response["Location"]) for response in outcomes.results}
    assert answers == {(302, observation.get_absolute_url())}  # every sender sees the saved observation


def test_twenty_service_calls_with_one_key_are_one_observation(org, hse_specialist, categories):
    key = uuid.uuid4()
    unit, category = org.crew, categories["ppe"]

    def send(index):
        return services.observation_log(
            actor=hse_specialist,
            unit=unit,
            kind="unsafe_act",
            category=category,
            description=f"Sent by attempt {index}",
            submission_key=key,
        )

    outcomes = race(PARALLEL, send)

    assert outcomes.failed == []
    observation = _one_observation_one_entry(key)
    assert {result.pk for result in outcomes.results} == {observation.pk}
    assert outcomes.succeeded == PARALLEL


def test_twenty_different_forms_are_twenty_observations(org, hse_specialist, categories):
    keys = [uuid.uuid4() for _ in range(PARALLEL)]
    unit, category = org.crew, categories["ppe"]

    outcomes = race(
        PARALLEL,
        lambda i: services.observation_log(
            actor=hse_specialist,
            unit=unit,
            kind="safe_act",
            category=category,
            description="Seen",
            submission_key=keys[i],
        ),
    )

    assert outcomes.failed == []
    assert Observation.objects.count() == PARALLEL
    assert AuditEntry.objects.filter(action="observations.observation.logged").count() == PARALLEL
