"""Workers delivering the outbox at the same time: each message once, and a message another worker
is delivering is skipped, not waited for (PostgreSQL row locks)."""

import threading
import time

import pytest
from django.core import mail
from django.db import connections, transaction

from apps.notifications import services
from apps.notifications.models import Notification, OutboxMessage
from tests.concurrency import race, requires_postgresql
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def message(db):
    person = UserFactory(role="line_manager", email="reader@plant.test")
    services.outbox_add(recipient=person, kind="actions_digest", dedupe_key="k", subject="Digest", body="Body")
    return OutboxMessage.objects.get()


def test_twenty_workers_deliver_a_message_once(message):
    outcomes = race(20, lambda i: services.outbox_deliver(message.pk))
    assert sorted(outcomes.results) == [False] * 19 + [True]
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None


def test_a_message_another_worker_holds_is_skipped_at_once(message):
    requires_postgresql()
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=message.pk)
                locked.set()
                release.wait(timeout=8)
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_worker)
    worker.start()
    assert locked.wait(timeout=8)
    started = time.monotonic()
    delivered = services.outbox_deliver(message.pk)
    waited = time.monotonic() - started
    release.set()
    worker.join(timeout=10)
    assert (delivered, waited < 4) == (False, True)
    assert not Notification.objects.exists()
    assert services.outbox_deliver(message.pk) is True  # free again: delivered now
