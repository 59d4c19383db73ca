import contextlib
import logging
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
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
    messages stay in the outbox, and a worker delivers them as soon as it is connected to the broker
    again (apps/notifications/worker.py), or the sweep a minute later."""
    from .tasks import deliver_pending

    try:
        deliver_pending.apply_async(retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure must not reach the user
        logger.warning("Outbox delivery not queued (broker unavailable): %s", error)
        return False
    return True


# Messages whose ids one read of the pending rows fetches, delivered over one SMTP connection; each
# message is then delivered in a transaction of its own (see `_deliver_one`).
DELIVERY_BATCH = 200


def outbox_deliver(message_id: int) -> bool:
    """Deliver one pending message: in-app notification and e-mail (see `_deliver_one`). Meant for
    a task, outside any transaction: inside one, the e-mail goes out before the caller's commit."""
    mail = _Mail()
    try:
        return _deliver_one(message_id, mail)
    finally:
        mail.close()


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
            created_at, pk = last
            batch_of = pending.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk))
        batch = list(batch_of.values_list("created_at", "id")[:size])
        if not batch:
            break
        mail = _Mail()
        try:
            delivered += sum(_deliver_one(pk, mail) for _, pk in batch)
        finally:
            mail.close()
        tried += len(batch)
        last = batch[-1]
    return delivered


def _deliver_one(message_id: int, mail: "_Mail") -> bool:
    """Deliver a pending message that no other worker holds, once: its own short transaction locks
    the row (a row another worker holds is skipped, not waited for), rings the bell and marks it
    sent. A message whose e-mail fails stays pending with its error and gets no notification yet.

    The e-mail and the commit cannot be one atomic step, so the order decides what a crash costs.
    Over SMTP the envelope and the whole text go out *before* the commit and only the end-of-data
    dot after it: a worker killed (or a database lost) before the commit leaves the server with an
    unfinished message, which it must discard (RFC 5321, 3.8), and the row stays pending, so the next
    run sends it once. Killed after the commit, the dot had gone (one e-mail) or not (the server
    discards it: none, where sending first would have sent it twice); the second case is the few
    microseconds between the commit's answer and the dot's write. A server that refuses the message
    after the dot reopens the row with its error; one whose answer is lost leaves it sent (it may
    have accepted: at most once). Other backends (memory in tests, console in development) send
    the message, then commit."""
    finish = None
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=message_id, sent_at__isnull=True)
                .first()
            )
            if message is None:
                return False
            message.attempts += 1
            email = _email_for(message)
            try:
                finish = mail.begin(email) if email is not None else None
            except (smtplib.SMTPException, OSError) as error:
                message.last_error = str(error)[:500]
                message.save(update_fields=["attempts", "last_error"])
                logger.warning("Outbox message %s not delivered: %s", message.pk, error)
                return False
            notification = Notification.objects.create(
                recipient=message.recipient,
                kind=message.kind,
                title=message.subject,
                body=message.body,
                url=message.url,
            )
            message.sent_at = timezone.now()
            message.last_error = ""
            message.save(update_fields=["attempts", "sent_at", "last_error"])
    except BaseException:
        if finish is not None:
            mail.abort()  # not committed: the server discards the unfinished message
        raise
    if finish is None:
        return True
    try:
        finish()
    except smtplib.SMTPResponseException as refused:
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).delete()
            OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None, last_error=str(refused)[:500])
        logger.warning("Outbox message %s refused by the mail server: %s", message.pk, refused)
        return False
    except (smtplib.SMTPException, OSError) as error:
        mail.abort()
        logger.warning("Outbox message %s: no answer after its text (kept as sent): %s", message.pk, error)
    return True


def _email_for(message: OutboxMessage) -> EmailMessage | None:
    """The message's e-mail, or None for someone without an address (the bell only). Its Message-ID
    is the outbox row's: stable, so a mail client can tell a copy from a new message."""
    if not message.recipient.email:
        return None
    link = f"\n\n{settings.PORTAL_BASE_URL.rstrip('/')}{message.url}" if message.url else ""
    return EmailMessage(
        message.subject,
        message.body + link,
        None,
        [message.recipient.email],
        headers={"Message-ID": f"<outbox-{message.pk}@hse-portal>"},
    )


class _Mail:
    """The mail backend's connection for a run of deliveries. `begin` sends a message up to its
    last step and returns that step: over SMTP the end-of-data dot, elsewhere nothing left to do."""

    def __init__(self):
        self.backend = get_connection()
        self.smtp = isinstance(self.backend, SMTPBackend)
        # A server that does not answer now is not an error here: each message then tries on its
        # own and records why it failed.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self._open()

    def _open(self) -> None:
        self.backend.open()
        if self.smtp:
            # The dot is a small write right after the text, with no answer in between: Nagle's
            # algorithm would hold it until the server's delayed ACK of the text (~40 ms a message).
            self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def begin(self, email: EmailMessage):
        if not self.smtp:
            self.backend.send_messages([email])
            return _nothing
        if self.backend.connection is None:
            self._open()
        try:
            self._send_all_but_the_dot(self.backend.connection, email)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.backend.connection.rset()  # refused, still connected: the next message goes on
            raise
        except (smtplib.SMTPException, OSError):
            self.abort()  # the connection is gone: the next message opens a new one
            raise
        return self._send_the_dot

    @staticmethod
    def _send_all_but_the_dot(smtp: smtplib.SMTP, email: EmailMessage) -> None:
        """What `smtplib.SMTP.sendmail` does (as Django's SMTP backend calls it), without the
        final `.` line."""
        encoding = email.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email.recipients()]
        data = email.message().as_bytes(linesep="\r\n")
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, reply = smtp.mail(sender, options)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        code, reply = smtp.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        text = re.sub(rb"(?m)^\.", b"..", data)  # a line starting with a dot gets a second one
        smtp.send(text if text.endswith(b"\r\n") else text + b"\r\n")

    def _send_the_dot(self) -> None:
        smtp = self.backend.connection
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def abort(self) -> None:
        """Drop the SMTP connection without a word: the server discards a message left unfinished."""
        if self.smtp and self.backend.connection is not None:
            with contextlib.suppress(OSError):
                self.backend.connection.close()
            self.backend.connection = None

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()


def _nothing() -> None:
    return None


def notification_mark_read(*, user, notification_id: int) -> None:
    Notification.objects.filter(recipient=user, pk=notification_id, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
