"""Reminders delivered by a real Celery worker process over a real Redis broker."""

import pytest
from django.urls import reverse

from apps.actions.models import Action
from apps.actions.tasks import plan_reminders
from apps.notifications.models import Notification, OutboxMessage
from apps.notifications.tasks import deliver_pending
from tests.actions.conftest import in_days
from tests.celery_helpers import wait_until
from tests.factories import ActionFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_daily_run_reaches_the_owner_through_the_worker(org, line_manager, hse_head, task_worker):
    owner = UserFactory(role="line_manager", units=[org.crew], line_manager=line_manager)
    ActionFactory(unit=org.crew, owner=owner, title="Guard tail pulley", due_date="2020-01-01")

    plan_reminders.delay()

    digest = wait_until(
        lambda: Notification.objects.filter(recipient=owner, kind="actions_digest").first(),
        timeout=60,
        message="the digest notification\n" + task_worker.output(),
    )
    assert "Guard tail pulley" in digest.body
    wait_until(
        lambda: Notification.objects.filter(recipient=line_manager, kind="escalation_manager").exists(),
        timeout=30,
        message="the escalation to the line manager",
    )
    # Each message is committed on its own (apps/notifications/services.py): the last may follow.
    wait_until(
        lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists(),
        timeout=30,
        message="the rest of the outbox",
    )

    # The same day again: nothing new. A later action assigned through the same queue proves the
    # worker got past the second run (one process, tasks in order).
    plan_reminders.delay()
    marker_owner = UserFactory(role="line_manager", units=[org.crew])
    from apps.notifications.services import outbox_add

    outbox_add(recipient=marker_owner, kind="action_assigned", dedupe_key="marker", subject="marker", body="")
    wait_until(
        lambda: Notification.objects.filter(recipient=marker_owner).exists(),
        timeout=60,
        message="the marker notification",
    )
    assert Notification.objects.filter(recipient=owner, kind="actions_digest").count() == 1
    assert Notification.objects.filter(recipient=line_manager, kind="escalation_manager").count() == 1


def test_requests_succeed_while_redis_is_down_and_reminders_follow(
    org, hse_specialist, line_manager, redis_server, task_worker, client
):
    redis_server.stop()
    client.force_login(hse_specialist)
    response = client.post(
        reverse("actions:create"),
        {
            "title": "Replace worn slings",
            "unit": org.crew.pk,
            "owner": line_manager.pk,
            "due_date": in_days(60).isoformat(),
            "priority": "high",
            "control_level": "engineering",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    pending = OutboxMessage.objects.get(kind="action_assigned", recipient=line_manager)
    assert pending.sent_at is None
    assert not Notification.objects.exists()

    redis_server.start()
    deliver_pending.delay()  # what the beat sweep does every five minutes

    note = wait_until(
        lambda: Notification.objects.filter(recipient=line_manager, kind="action_assigned").first(),
        timeout=90,
        message="the assignment notification after Redis came back\n" + task_worker.output(),
    )
    assert action.reference in note.title
    pending.refresh_from_db()
    assert pending.sent_at is not None
