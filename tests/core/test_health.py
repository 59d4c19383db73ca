from hse_portal.celery import app


class _BrokerDown:
    """The broker made unreachable for the duration of a block (nothing listens on port 1)."""

    def __enter__(self):
        self.saved = app.conf.broker_url, app.conf.broker_transport_options
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        app.conf.broker_transport_options = {"socket_connect_timeout": 0.5}

    def __exit__(self, *exc):
        app.conf.broker_url, app.conf.broker_transport_options = self.saved


def test_healthz_tells_an_anonymous_caller_only_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_tells_an_anonymous_caller_only_error_when_the_broker_is_down(client, db):
    with _BrokerDown():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_healthz_names_nothing_to_a_signed_in_user_without_the_right(client_as, hse_head):
    response = client_as(hse_head).get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_reports_database_and_broker_to_a_system_admin(client_as, system_admin):
    response = client_as(system_admin).get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_healthz_reports_details_to_staff(client_as, hse_head):
    hse_head.is_staff = True
    hse_head.save(update_fields=["is_staff"])
    body = client_as(hse_head).get("/healthz").json()
    assert set(body) == {"status", "database", "broker"}


def test_healthz_answers_503_and_says_which_to_a_system_admin(client_as, system_admin):
    web = client_as(system_admin)
    with _BrokerDown():
        response = web.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True
