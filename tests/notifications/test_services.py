"""The outbox: decided in the caller's transaction, delivered once (in-app and e-mail), retried on
failure up to OUTBOX_MAX_ATTEMPTS, and the bell's read marks."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import Notification, OutboxMessage
from tests.factories import UserFactory


@pytest.fixture
def person(org):
    return UserFactory(username="reader", role="line_manager", email="reader@plant.test")


def add(person, key="k1", **overrides):
    values = {"recipient": person, "kind": "actions_digest", "dedupe_key": key, "subject": "Subject", "body": "Body"}
    services.outbox_add(**{**values, **overrides})
    return OutboxMessage.objects.get(dedupe_key=key)


class TestOutboxAdd:
    def test_the_same_key_twice_records_one_message(self, person):
        add(person, subject="First")
        add(person, subject="Second")
        assert list(OutboxMessage.objects.values_list("subject", flat=True)) == ["First"]

    def test_the_subject_is_cut_to_what_the_column_holds(self, person):
        assert add(person, subject="s" * 300).subject == "s" * 250

    def test_delivery_is_queued_only_after_commit(self, person, monkeypatch, django_capture_on_commit_callbacks):
        queued = []
        monkeypatch.setattr(services, "queue_pending_delivery", lambda: queued.append(True))
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            add(person)
            assert queued == []
        assert len(callbacks) == 1 and queued == [True]

    def test_nothing_to_add_queues_nothing(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            services.outbox_add_many([])
        assert callbacks == []

    def test_a_broker_outage_is_logged_not_raised(self, monkeypatch, caplog):
        from apps.notifications import tasks

        def broker_down(*args, **kwargs):
            raise ConnectionError("broker down")

        monkeypatch.setattr(tasks.deliver_pending, "apply_async", broker_down)
        assert services.queue_pending_delivery() is False
        assert "broker unavailable" in caplog.text

    def test_a_reachable_broker_is_asked_once(self, monkeypatch):
        from apps.notifications import tasks

        calls = []
        monkeypatch.setattr(tasks.deliver_pending, "apply_async", lambda **kwargs: calls.append(kwargs))
        assert services.queue_pending_delivery() is True
        assert calls == [{"retry": False}]


class TestDeliver:
    def test_delivers_in_app_and_by_mail_with_a_link(self, settings, person):
        settings.PORTAL_BASE_URL = "https://hse.plant.test/"
        message = add(person, url="/actions/?tab=mine")
        assert services.outbox_deliver(message.pk) is True
        note = Notification.objects.get()
        assert (note.recipient, note.kind, note.title, note.body, note.url) == (
            person, "actions_digest", "Subject", "Body", "/actions/?tab=mine"
        )  # fmt: skip
        assert [m.to for m in mail.outbox] == [["reader@plant.test"]]
        assert mail.outbox[0].subject == "Subject"
        assert mail.outbox[0].body == "Body\n\nhttps://hse.plant.test/actions/?tab=mine"
        message.refresh_from_db()
        assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""

    def test_no_url_no_link(self, person):
        message = add(person)
        services.outbox_deliver(message.pk)
        assert mail.outbox[0].body == "Body"

    def test_no_email_address_still_rings_the_bell(self, person):
        person.email = ""
        person.save()
        services.outbox_deliver(add(person).pk)
        assert Notification.objects.count() == 1 and mail.outbox == []

    def test_a_delivered_message_is_not_delivered_again(self, person):
        message = add(person)
        assert services.outbox_deliver(message.pk) is True
        assert services.outbox_deliver(message.pk) is False
        assert Notification.objects.count() == 1 and len(mail.outbox) == 1
        message.refresh_from_db()
        assert message.attempts == 1

    def test_a_failure_keeps_it_pending_with_the_error_and_no_notification(self, person, monkeypatch):
        def smtp_down(mail, email):
            raise OSError("x" * 600)

        monkeypatch.setattr(services._Mail, "begin", smtp_down)
        message = add(person)
        assert services.outbox_deliver(message.pk) is False
        message.refresh_from_db()
        assert (message.sent_at, message.attempts, message.last_error) == (None, 1, "x" * 500)
        assert not Notification.objects.exists()

    def test_a_later_success_clears_the_error(self, person):
        message = add(person)
        OutboxMessage.objects.filter(pk=message.pk).update(attempts=2, last_error="connection refused")
        assert services.outbox_deliver(message.pk) is True
        message.refresh_from_db()
        assert (message.attempts, message.last_error) == (3, "")

    def test_deliver_pending_goes_oldest_first_and_honours_the_limit(self, person):
        first, second, third = add(person, "a"), add(person, "b"), add(person, "c")
        assert services.outbox_deliver_pending(limit=2) == 2
        delivered = set(OutboxMessage.objects.filter(sent_at__isnull=False).values_list("pk", flat=True))
        assert delivered == {first.pk, second.pk}
        assert services.outbox_deliver_pending() == 1
        assert services.outbox_deliver_pending() == 0
        assert third.pk in set(OutboxMessage.objects.filter(sent_at__isnull=False).values_list("pk", flat=True))

    def test_the_limit_counts_pending_messages_only(self, person):
        sent = add(person, "a")
        services.outbox_deliver(sent.pk)
        pending = add(person, "b")
        assert services.outbox_deliver_pending(limit=1) == 1
        pending.refresh_from_db()
        assert pending.sent_at is not None

    def test_oldest_decision_first_whatever_the_id(self, person):
        newer, older = add(person, "a"), add(person, "b")
        OutboxMessage.objects.filter(pk=older.pk).update(created_at=newer.created_at - timezone.timedelta(hours=1))
        assert services.outbox_deliver_pending(limit=1) == 1
        older.refresh_from_db()
        newer.refresh_from_db()
        assert (older.sent_at is not None, newer.sent_at) == (True, None)

    def test_inside_a_transaction_the_row_is_locked_while_delivered(self, person):
        message = add(person)
        with transaction.atomic():
            assert services.outbox_deliver(message.pk) is True
        assert OutboxMessage.objects.get().sent_at is not None


class TestReadMarks:
    def test_mark_read_only_marks_ones_own_unread_notification(self, person, owner):
        mine = Notification.objects.create(recipient=person, kind="actions_digest", title="Mine")
        theirs = Notification.objects.create(recipient=owner, kind="actions_digest", title="Theirs")
        services.notification_mark_read(user=person, notification_id=theirs.pk)
        theirs.refresh_from_db()
        assert theirs.read_at is None
        services.notification_mark_read(user=person, notification_id=mine.pk)
        mine.refresh_from_db()
        first_read = mine.read_at
        assert first_read is not None
        services.notification_mark_read(user=person, notification_id=mine.pk)
        mine.refresh_from_db()
        assert mine.read_at == first_read  # the first reading is kept

    def test_mark_all_read_counts_what_it_marked(self, person, owner):
        Notification.objects.create(recipient=person, kind="actions_digest", title="1")
        Notification.objects.create(recipient=person, kind="actions_digest", title="2", read_at=timezone.now())
        Notification.objects.create(recipient=owner, kind="actions_digest", title="3")
        assert services.notifications_mark_all_read(user=person) == 1
        assert Notification.objects.filter(read_at__isnull=True).get().title == "3"


@pytest.fixture
def owner(org):
    return UserFactory(username="someone-else", role="line_manager")


class TestDeliverPrecisely:
    def test_delivers_the_message_asked_for(self, person):
        first, second = add(person, "a", subject="First"), add(person, "b", subject="Second")
        assert services.outbox_deliver(second.pk) is True
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.sent_at, second.sent_at is not None) == (None, True)
        assert Notification.objects.get().title == "Second"

    def test_mark_read_marks_only_the_one_asked_for(self, person):
        one = Notification.objects.create(recipient=person, kind="actions_digest", title="1")
        two = Notification.objects.create(recipient=person, kind="actions_digest", title="2")
        services.notification_mark_read(user=person, notification_id=one.pk)
        two.refresh_from_db()
        assert two.read_at is None

    def test_the_logs_say_what_failed(self, person, monkeypatch, caplog):
        from apps.notifications import tasks

        def refuse(*args, **kwargs):
            raise OSError("connection refused")

        monkeypatch.setattr(tasks.deliver_pending, "apply_async", refuse)
        monkeypatch.setattr(services._Mail, "begin", refuse)
        services.queue_pending_delivery()
        message = add(person)
        services.outbox_deliver(message.pk)
        assert [record.getMessage() for record in caplog.records] == [
            "Outbox delivery not queued (broker unavailable): connection refused",
            f"Outbox message {message.pk} not delivered: connection refused",
        ]


def _add_many(person, count: int, prefix: str = "m") -> None:
    OutboxMessage.objects.bulk_create(
        OutboxMessage(recipient=person, kind="actions_digest", dedupe_key=f"{prefix}{n}", subject="S", body="B")
        for n in range(count)
    )


def _batch_reads(queries) -> int:
    """The reads of a batch's pending ids (the outbox read without a row lock)."""
    table = OutboxMessage._meta.db_table
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"] and "FOR UPDATE" not in query["sql"]
    )


def _statements(queries) -> int:
    """The queries without the savepoints that the test's own transaction turns each message's
    transaction into (outside a test they are BEGIN and COMMIT, which are not captured)."""
    return sum(1 for query in queries.captured_queries if "SAVEPOINT" not in query["sql"])


class TestBatchedDelivery:
    def test_each_message_costs_three_queries(self, person, django_assert_max_num_queries):
        """Its locking read, the bell's notification, the outbox row marked: in its own transaction."""
        _add_many(person, 3, "few")
        with django_assert_max_num_queries(50) as few:
            assert services.outbox_deliver_pending() == 3
        _add_many(person, 60, "many")
        with django_assert_max_num_queries(500) as many:
            assert services.outbox_deliver_pending() == 60
        assert _statements(many) - _statements(few) == 3 * (60 - 3)
        assert Notification.objects.count() == 63 and len(mail.outbox) == 63

    @pytest.mark.parametrize("extra, batches", [(0, 1), (1, 2)])
    def test_a_batch_holds_delivery_batch_messages(self, person, extra, batches, django_assert_max_num_queries):
        _add_many(person, services.DELIVERY_BATCH + extra)
        with django_assert_max_num_queries(1100) as queries:
            assert services.outbox_deliver_pending() == services.DELIVERY_BATCH + extra
        # each batch's read of pending ids, then one that finds nothing left
        assert _batch_reads(queries) == batches + 1

    def test_the_limit_is_kept_across_batches(self, person, monkeypatch):
        monkeypatch.setattr(services, "DELIVERY_BATCH", 2)
        _add_many(person, 7)
        assert services.outbox_deliver_pending(limit=5) == 5
        assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2

    def test_a_failing_message_is_tried_once_per_run_and_the_others_go_out(self, person, monkeypatch):
        monkeypatch.setattr(services, "DELIVERY_BATCH", 2)
        real_begin = services._Mail.begin

        def refuse_one(mail, email):
            if email.subject == "Refused":
                raise OSError("mailbox full")
            return real_begin(mail, email)

        monkeypatch.setattr(services._Mail, "begin", refuse_one)
        _add_many(person, 2, "before")
        add(person, "refused", subject="Refused")
        _add_many(person, 2, "after")
        assert services.outbox_deliver_pending() == 4
        refused = OutboxMessage.objects.get(dedupe_key="refused")
        assert (refused.attempts, refused.sent_at, refused.last_error) == (1, None, "mailbox full")
        assert not Notification.objects.filter(title="Refused").exists()
        assert Notification.objects.count() == 4

    def test_a_mail_server_that_does_not_answer_fails_each_message_with_its_error(self, person, settings):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
        _add_many(person, 2)
        assert services.outbox_deliver_pending() == 0
        errors = set(OutboxMessage.objects.values_list("attempts", "last_error"))
        assert len(errors) == 1 and next(iter(errors))[0] == 1 and "refused" in next(iter(errors))[1].lower()
