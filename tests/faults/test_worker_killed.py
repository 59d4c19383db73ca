"""The Celery worker killed (kill -9) in the middle of a reminder batch, twice, at the two points of
a message's delivery that matter, with real e-mail: a worker sending SMTP to a server of the test's
own (tests/faults/smtp_sink.py), e-mails counted by the Message-ID each outbox row gets.

1. While the worker waits for the answer to a message's DATA command: its transaction (row lock,
   attempt, notification) is not committed, so the database rolls it back and the server, which
   never got the end-of-data dot, discards the message. The next worker sends it, once.
2. After a message's dot and before the server's 250: that message was committed first (the dot
   follows the commit, apps/notifications/services.py), so it counts as sent and is not sent again.

A new worker delivers the rest at once: a worker delivers the outbox when it connects to the
broker (apps/notifications/worker.py), while the killed worker's task waits unacknowledged."""

import time
from collections import Counter

import pytest

from apps.accounts.models import User
from apps.notifications.models import Notification, OutboxMessage
from apps.notifications.services import outbox_add_many
from tests.celery_helpers import WorkerProcess, publishing_to, wait_until
from tests.faults.smtp_sink import SmtpSink

pytestmark = [pytest.mark.faults, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PEOPLE, PER_PERSON = 100, 15  # 1,500 digests with e-mail
MESSAGES = PEOPLE * PER_PERSON
KILL_AT_DATA = 400  # the 400th DATA command: the first worker waits for its 354
KILL_AFTER_ACCEPTED = 900  # the 900th message accepted: the second worker waits for its 250


@pytest.fixture
def sink():
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


def add_digests() -> None:
    people = User.objects.bulk_create(
        User(username=f"reader{n:03}", email=f"reader{n:03}@plant.test", role="line_manager") for n in range(PEOPLE)
    )
    outbox_add_many(
        [
            OutboxMessage(
                recipient=person,
                kind=OutboxMessage.Kind.ACTIONS_DIGEST,
                dedupe_key=f"digest:{person.pk}:{day}",
                subject=f"Your actions, {person.username}, day {day:02}",
                body="Three actions are due this week.",
            )
            for person in people
            for day in range(PER_PERSON)
        ]
    )


def test_worker_killed_twice_mid_batch_no_message_lost_or_twice(redis_server, sink, tmp_path, report):
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
    }
    workers: list[WorkerProcess] = []
    kills = {}

    def kill_waiting_for_354(count):
        if count == KILL_AT_DATA:
            workers[-1].kill()
            kills["at DATA"] = sink.count

    def kill_waiting_for_250(count, received):
        if count == KILL_AFTER_ACCEPTED:
            workers[-1].kill()
            kills["after dot"] = count

    sink.on_data_command = kill_waiting_for_354
    sink.on_message = kill_waiting_for_250

    def start_worker():
        worker = WorkerProcess(redis_server.url, tmp_path / f"worker-{len(workers) + 1}.log", env=mail)
        workers.append(worker)
        worker.start()
        return worker

    started = time.monotonic()
    with publishing_to(redis_server.url):
        add_digests()  # and queues their delivery, as the reminder run does
        try:
            for kill in ("at DATA", "after dot"):
                worker = start_worker()
                wait_until(
                    lambda worker=worker: worker.process.poll() is not None,
                    timeout=90,
                    message=f"the kill {kill}\n" + worker.output()[-3000:],
                )
            last = start_worker()
            pending = OutboxMessage.objects.filter(sent_at__isnull=True)
            wait_until(
                lambda: sink.count >= MESSAGES and not pending.exists(),
                timeout=90,
                message=f"every e-mail ({sink.count} so far)\n" + last.output()[-3000:],
            )
        finally:
            for worker in workers:
                worker.stop()
    elapsed = time.monotonic() - started

    assert kills == {"at DATA": KILL_AT_DATA - 1, "after dot": KILL_AFTER_ACCEPTED}
    expected = {f"<outbox-{pk}@hse-portal>" for pk in OutboxMessage.objects.values_list("pk", flat=True)}
    emails = Counter(sink.message_ids())
    lost, twice = expected - set(emails), {message_id for message_id, n in emails.items() if n > 1}
    assert (len(lost), len(twice), sum(emails.values())) == (0, 0, MESSAGES)
    notes = Counter(Notification.objects.values_list("title", flat=True))
    assert notes == Counter(OutboxMessage.objects.values_list("subject", flat=True))
    assert set(notes.values()) == {1} and sum(notes.values()) == MESSAGES
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()

    report(f"Celery worker killed (kill -9) twice in a batch of {MESSAGES:,} digests with e-mail (real SMTP)")
    report(
        f"kill 1 waiting for the 354 to DATA #{KILL_AT_DATA} ({kills['at DATA']} e-mails accepted); "
        f"kill 2 after the dot of e-mail #{KILL_AFTER_ACCEPTED}, before its 250"
    )
    report(
        f"e-mails accepted {sum(emails.values()):,}, lost {len(lost)}, twice {len(twice)}; "
        f"notifications {sum(notes.values()):,}, twice 0; workers started 3; {elapsed:.1f} s in all"
    )
