import contextlib
import logging
import smtplib

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification, OutboxMessage

logger = logging.getLogger(__name__)


def outbox_add(*, recipient, kind: str, dedupe_key: str, subject: str, body: str, url: str = "") -> None:
    """Record a message to send, inside the caller's transaction; queue its delivery once that
    transaction commits. The same `dedupe_key` twice records one message."""
    message = OutboxMessage(
        recipient=recipient, kind=kind, dedupe_key=dedupe_key, subject=subject[:250], body=body, url=url
    )
    outbox_add_many([message])


def outbox_add_many(messages: list[OutboxMessage]) -> None:
    if not messages:
        return
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    transaction.on_commit(queue_pending_delivery)


def queue_pending_delivery() -> bool:
    """Ask a worker to deliver what is pending. With the broker down this only logs: the
    messages stay in the outbox and the periodic sweep delivers them once it is back."""
    from .tasks import deliver_pending

    try:
        deliver_pending.apply_async(retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure must not reach the user
        logger.warning("Outbox delivery not queued (broker unavailable): %s", error)
        return False
    return True


# Messages delivered per transaction: one locking read, one insert of the bell's notifications and
# one update of the outbox per batch, and one SMTP connection for the whole batch.
DELIVERY_BATCH = 200


def outbox_deliver(message_id: int) -> bool:
    """Deliver one pending message: in-app notification and e-mail (see `_deliver_locked`)."""
    delivered, _ = _deliver_locked(OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True))
    return delivered == 1


def outbox_deliver_pending(*, limit: int | None = None) -> int:
    """Deliver every pending message, oldest decision first, `DELIVERY_BATCH` at a time; returns
    how many were delivered now. Each message is tried once per run: a failed one waits for the
    next run (up to `OUTBOX_MAX_ATTEMPTS` tries)."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS).order_by(
        "created_at", "id"
    )
    delivered = tried = 0
    last = None
    while limit is None or tried < limit:
        size = DELIVERY_BATCH if limit is None else min(DELIVERY_BATCH, limit - tried)
        batch_of = pending
        if last is not None:
            batch_of = pending.filter(Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, id__gt=last.id))
        done, batch = _deliver_locked(batch_of, size=size)
        if not batch:
            break
        delivered += done
        tried += len(batch)
        last = batch[-1]
    return delivered


def _deliver_locked(messages, *, size: int | None = None) -> tuple[int, list[OutboxMessage]]:
    """Deliver the (first `size`) pending `messages` that no other worker holds. Delivered once: the rows
    are locked while they are delivered and marked in the same transaction; a message whose
    e-mail fails stays pending with its error and gets no notification yet."""
    with transaction.atomic():
        batch = list(messages.select_for_update(skip_locked=True, of=("self",)).select_related("recipient")[:size])
        if not batch:
            return 0, batch
        delivered = []
        connection = _mail_connection()
        try:
            for message in batch:
                message.attempts += 1
                try:
                    _send_email(message, connection)
                except (smtplib.SMTPException, OSError) as error:
                    message.last_error = str(error)[:500]
                    logger.warning("Outbox message %s not delivered: %s", message.pk, error)
                    continue
                message.sent_at = timezone.now()
                message.last_error = ""
                delivered.append(message)
        finally:
            connection.close()
        Notification.objects.bulk_create(
            Notification(
                recipient=message.recipient,
                kind=message.kind,
                title=message.subject,
                body=message.body,
                url=message.url,
            )
            for message in delivered
        )
        OutboxMessage.objects.bulk_update(batch, ["attempts", "sent_at", "last_error"])
    return len(delivered), batch


def _mail_connection():
    """One connection for a batch. A server that does not answer now is not an error here: each
    message then tries on its own and records why it failed."""
    connection = get_connection()
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.open()
    return connection


def _send_email(message: OutboxMessage, connection) -> None:
    if not message.recipient.email:
        return  # the bell only
    link = f"\n\n{settings.PORTAL_BASE_URL.rstrip('/')}{message.url}" if message.url else ""
    send_mail(message.subject, message.body + link, None, [message.recipient.email], connection=connection)


def notification_mark_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
