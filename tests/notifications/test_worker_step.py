"""A worker asks for the outbox's delivery each time it connects to the broker, and the sweep runs
every minute (what a web process could not queue goes out within a minute of the broker's return;
the end-to-end proof with real servers is tests/faults/test_redis_killed.py)."""

from django.conf import settings

from apps.notifications import tasks
from apps.notifications.worker import RETRY_POLICY, DeliverPendingOnConnect
from hse_portal.celery import app


def test_the_step_is_part_of_every_workers_consumer():
    assert "apps.notifications.worker:DeliverPendingOnConnect" in app.steps["consumer"]
    assert DeliverPendingOnConnect.requires == ("celery.worker.consumer.tasks:Tasks",)


def test_connecting_queues_a_delivery_replacing_a_stale_connection(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.deliver_pending, "apply_async", lambda **kwargs: calls.append(kwargs))
    DeliverPendingOnConnect(parent=None).start(consumer=None)
    assert calls == [{"retry": True, "retry_policy": RETRY_POLICY}]
    assert RETRY_POLICY["max_retries"] == 3


def test_a_publish_that_fails_is_logged_and_the_worker_goes_on(monkeypatch, caplog):
    def broker_gone(**kwargs):
        raise ConnectionError("broker gone again")

    monkeypatch.setattr(tasks.deliver_pending, "apply_async", broker_gone)
    DeliverPendingOnConnect(parent=None).start(consumer=None)
    assert "Outbox delivery not queued on connecting: broker gone again" in caplog.text


def test_the_sweep_runs_every_minute():
    assert settings.CELERY_BEAT_SCHEDULE["notifications-deliver-pending"] == {
        "task": "notifications.deliver_pending",
        "schedule": 60.0,
    }
