import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
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


def outbox_deliver(message_id: int) -> bool:
    """Deliver one pending message: in-app notification and e-mail. Delivered once: the row is
    locked while it is delivered and marked in the same transaction; a failure leaves it pending."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .select_related("recipient")
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        try:
            with transaction.atomic():
                Notification.objects.create(
                    recipient=message.recipient,
                    kind=message.kind,
                    title=message.subject,
                    body=message.body,
                    url=message.url,
                )
                if message.recipient.email:
                    link = f"\n\n{settings.PORTAL_BASE_URL.rstrip('/')}{message.url}" if message.url else ""
                    send_mail(message.subject, message.body + link, None, [message.recipient.email])
        except (smtplib.SMTPException, OSError) as error:
            message.last_error = str(error)[:500]
            message.save(update_fields=["attempts", "last_error"])
            logger.warning("Outbox message %s not delivered: %s", message.pk, error)
            return False
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "sent_at", "last_error"])
    return True


def outbox_deliver_pending(*, limit: int | None = None) -> int:
    """Deliver every pending message (oldest first); returns how many were delivered now."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=settings.OUTBOX_MAX_ATTEMPTS)
    ids = list(pending.order_by("created_at", "id").values_list("id", flat=True)[:limit])
    return sum(1 for message_id in ids if outbox_deliver(message_id))


def notification_mark_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
