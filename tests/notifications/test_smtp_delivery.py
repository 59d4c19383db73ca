"""Outbox e-mail over real SMTP (a server in the test process, tests/faults/smtp_sink.py): the text
goes out before the commit and the end-of-data dot after it, so a delivery that fails before its
commit leaves the server nothing to deliver, and a refusal after the dot reopens the message."""

import pytest
from django.db import OperationalError

from apps.notifications import services
from apps.notifications.models import Notification, OutboxMessage
from tests.factories import UserFactory
from tests.faults.smtp_sink import SmtpSink


@pytest.fixture
def sink(settings):
    server = SmtpSink()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


@pytest.fixture
def person(db):
    return UserFactory(username="reader", role="line_manager", email="reader@plant.test")


def add(person, key, body="Body"):
    services.outbox_add(recipient=person, kind="actions_digest", dedupe_key=key, subject=f"Subject {key}", body=body)
    return OutboxMessage.objects.get(dedupe_key=key)


def test_each_message_carries_its_rows_message_id_and_its_text_whole(sink, person):
    text = "First line\n.\n.hidden dot line\nlast"  # lines starting with a dot survive the stuffing
    message = add(person, "a", body=text)
    assert services.outbox_deliver(message.pk) is True
    [received] = sink.received
    assert received.message_id == f"<outbox-{message.pk}@hse-portal>"
    assert received.recipients == ["reader@plant.test"]
    assert received.message.get_payload(decode=True).decode().replace("\r\n", "\n") == text + "\n"
    message.refresh_from_db()
    assert message.sent_at is not None and Notification.objects.count() == 1


def test_one_connection_for_a_run_of_messages(sink, person):
    for key in "abcde":
        add(person, key)
    assert services.outbox_deliver_pending() == 5
    assert (sink.count, sink.connections) == (5, 1)


def test_a_refusal_after_the_text_reopens_the_message_without_a_notification(sink, person):
    refused, accepted = add(person, "refused"), add(person, "accepted")
    sink.refuse = lambda received: received.message_id == f"<outbox-{refused.pk}@hse-portal>"
    assert services.outbox_deliver_pending() == 1
    refused.refresh_from_db()
    assert (refused.sent_at, refused.attempts) == (None, 1)
    assert "554" in refused.last_error and "refused" in refused.last_error
    assert list(Notification.objects.values_list("title", flat=True)) == ["Subject accepted"]
    assert sink.message_ids() == [f"<outbox-{accepted.pk}@hse-portal>"]
    sink.refuse = lambda received: False
    assert services.outbox_deliver_pending() == 1  # the next run sends it, once
    assert sorted(Notification.objects.values_list("title", flat=True)) == ["Subject accepted", "Subject refused"]


def test_a_database_lost_before_the_commit_leaves_the_server_nothing_to_deliver(sink, person, monkeypatch):
    message = add(person, "a")

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Notification.objects, "create", database_gone)
    with pytest.raises(OperationalError):
        services.outbox_deliver(message.pk)
    # The server got the envelope and the text (its DATA command) but never the dot.
    assert (sink.data_commands, sink.count) == (1, 0)
    message.refresh_from_db()
    assert (message.sent_at, message.attempts) == (None, 0)  # rolled back: the next run sends it
    monkeypatch.undo()
    assert services.outbox_deliver(message.pk) is True
    assert sink.message_ids() == [f"<outbox-{message.pk}@hse-portal>"]


def test_a_refused_recipient_fails_that_message_only(sink, person):
    nobody = UserFactory(username="nobody", role="line_manager", email="nobody@plant.test")
    services.outbox_add(recipient=nobody, kind="actions_digest", dedupe_key="n", subject="S", body="B")
    add(person, "a")
    sink_refuses = sink._controller.handler

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address.startswith("nobody"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    sink_refuses.handle_RCPT = handle_RCPT
    assert services.outbox_deliver_pending() == 1
    failed = OutboxMessage.objects.get(dedupe_key="n")
    assert failed.sent_at is None and "No such user" in failed.last_error
    assert [r.recipients for r in sink.received] == [["reader@plant.test"]]
