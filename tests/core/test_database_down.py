"""PostgreSQL unreachable: a clear 503 page with Retry-After (JSON for the API), not the 500 page;
any other error still gets the 500 page (issue 14, faults)."""

import contextlib
import socket
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from apps.core.views import DATABASE_RETRY_AFTER


def client_for(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def database_down(db):
    """Every query fails as it does when PostgreSQL is stopped (undone before the test's
    transaction is rolled back)."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with contextlib.ExitStack() as patches:

        def down():
            patches.enter_context(mock.patch.object(CursorWrapper, "execute", refuse))
            patches.enter_context(mock.patch.object(CursorWrapper, "executemany", refuse))

        yield down


def assert_database_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)
    page = response.content.decode()
    assert "The portal cannot reach its database" in page
    assert "Something went wrong" not in page


def test_a_signed_in_page_answers_503(database_down, hse_specialist):
    client = client_for(hse_specialist)
    database_down()
    assert_database_page(client.get(reverse("core:home")))


def test_an_anonymous_sign_in_answers_503(database_down):
    client = client_for()
    database_down()
    assert_database_page(client.post(reverse("accounts:login"), {"username": "a", "password": "b"}))


def test_a_form_submission_answers_503(database_down, hse_specialist):
    client = client_for(hse_specialist)
    database_down()
    assert_database_page(client.post(reverse("actions:create"), {"title": "Guard"}))


def test_the_api_answers_json_503(database_down, hse_specialist):
    client = client_for(hse_specialist)
    database_down()
    response = client.get("/api/v1/actions/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)
    assert response.json()["code"] == "database_unavailable"


def test_any_other_error_is_still_the_500_page(monkeypatch, hse_specialist):
    client = client_for(hse_specialist)

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("apps.core.views.home_summary", broken)
    response = client.get(reverse("core:home"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Retry-After" not in response


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_real_refused_connection_answers_503_and_recovers(hse_specialist):
    """The real thing, without stopping the shared server: this process's connection is pointed
    at a port nothing listens on, as if PostgreSQL had stopped, then back."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI)")
    client = client_for(hse_specialist)
    assert client.get(reverse("core:home")).status_code == 200
    saved = connection.settings_dict["PORT"], connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", closed_port()
    try:
        assert_database_page(client.get(reverse("core:home")))
        assert client.get("/api/v1/actions/").status_code == 503
    finally:
        connection.close()
        connection.settings_dict["PORT"], connection.settings_dict["HOST"] = saved
    assert client.get(reverse("core:home")).status_code == 200  # back: the next request works
