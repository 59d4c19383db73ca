"""Sign-ins, failed sign-ins and refused requests of signed-in users are in the audit log."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from apps.audit.labels import LABELS
from apps.audit.models import AuditEntry
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def person(org):
    user = UserFactory(username="worker7")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(username, password):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_sign_in_is_recorded(person):
    response = sign_in("worker7", PASSWORD)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="accounts.signed_in")
    assert (entry.actor, entry.actor_name) == (person, str(person))


def test_a_failed_sign_in_records_the_username_and_no_password(person):
    response = sign_in("worker7", "wrong password 123")
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="accounts.signed_in").exists()
    entry = AuditEntry.objects.get(action="accounts.sign_in_failed")
    assert (entry.actor, entry.actor_name, entry.data) == (None, "worker7", {"username": "worker7"})
    stored = json.dumps(
        [entry.actor_name, entry.target_repr, entry.reason, entry.data], ensure_ascii=False
    )  # no password, in any column
    assert "wrong password" not in stored


def test_a_failed_sign_in_of_an_unknown_name_is_recorded_too(db):
    sign_in("nobody-here", "x")
    assert AuditEntry.objects.get(action="accounts.sign_in_failed").actor_name == "nobody-here"


def test_a_refused_page_is_recorded_with_the_path_and_capability(client_as, pass_admin):
    response = client_as(pass_admin).get(reverse("actions:create"))
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.actor == pass_admin
    assert entry.data == {"path": reverse("actions:create"), "method": "GET", "capability": "actions.create"}


def test_a_refused_api_call_is_recorded(pass_admin):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(pass_admin)
    response = api.get("/api/v1/actions/")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="access.denied")
    assert entry.actor == pass_admin
    assert entry.data == {"path": "/api/v1/actions/", "method": "GET", "capability": "actions.view"}


def test_an_anonymous_refusal_is_not_recorded(db):
    assert Client().get(reverse("actions:create")).status_code == 302  # to the login page
    assert Client().get("/api/v1/actions/").status_code in (401, 403)
    assert not AuditEntry.objects.filter(action="access.denied").exists()


def test_a_page_that_is_not_found_is_not_a_refusal(client_as, hse_specialist):
    client_as(hse_specialist).get("/actions/999999/")
    assert not AuditEntry.objects.filter(action="access.denied").exists()


def test_the_new_codes_have_labels():
    assert {"accounts.signed_in", "accounts.sign_in_failed", "access.denied"} <= LABELS.keys()
