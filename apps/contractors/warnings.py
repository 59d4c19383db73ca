"""The daily warnings before a pass or a worker's document runs out.

An item is an active pass whose last day is within `EXPIRY_WARNING_DAYS`, or a document (medical
clearance, site induction, …) of a worker who holds a live pass, whose latest one of its kind
ends within that window (a renewed document supersedes the old one: no warning). Each item is told
to the pass office (capability `passes.receive_expiry_warnings`) and to the person answering for
the work order concerned: one message per person, item and day, decided into the outbox with a
unique key, so a second run the same day (or a retried one) adds nothing. The item leaves the
window, and the warnings stop, once the pass is extended or the document renewed.

The queries are the same few however many items there are (the insert goes in batches)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add_many

from .models import AccessPass, WorkerDocument
from .selectors import EXPIRY_WARNING_DAYS

PASS_EXPIRING = OutboxMessage.Kind.PASS_EXPIRING
DOCUMENT_EXPIRING = OutboxMessage.Kind.DOCUMENT_EXPIRING

PEOPLE_FIELDS = ("id", "username", "first_name", "last_name", "email", "language", "is_active")


@dataclass
class WarningRun:
    passes: int = 0  # items found
    documents: int = 0
    messages_new: int = 0


@dataclass(frozen=True)
class _PassItem:
    pk: int
    number: str
    valid_until: date
    holder: str
    company: str
    work_order: str
    responsible_id: int | None


@dataclass(frozen=True)
class _DocumentItem:
    worker_id: int
    kind: str
    valid_until: date
    holder: str
    company: str


def _link(name: str, pk: int) -> str:
    # A message without a link still tells the reader what runs out and when.
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _when(valid_until: date, today: date) -> str:
    days = (valid_until - today).days
    shown = date_format(valid_until, "SHORT_DATE_FORMAT")
    if days == 0:
        return _("today, %(date)s") % {"date": shown}
    return ngettext("in %(days)d day, on %(date)s", "in %(days)d days, on %(date)s", days) % {
        "days": days,
        "date": shown,
    }


def _pass_text(item: _PassItem, today: date) -> tuple[str, str]:
    subject = _("Pass %(number)s of %(holder)s runs out %(when)s") % {
        "number": item.number, "holder": item.holder, "when": _when(item.valid_until, today),
    }  # fmt: skip
    lines = [
        _("Holder: %(holder)s, %(company)s.") % {"holder": item.holder, "company": item.company},
        _("Valid until: %(date)s.") % {"date": date_format(item.valid_until, "SHORT_DATE_FORMAT")},
    ]
    if item.work_order:
        lines.append(_("Work order: %(order)s.") % {"order": item.work_order})
    lines.append(_("Extend the pass if the work goes on; after its last day the gate refuses it."))
    return subject, "\n".join(lines)


def _document_text(item: _DocumentItem, orders: list[str], today: date) -> tuple[str, str]:
    document = str(WorkerDocument.Kind(item.kind).label)
    subject = _("%(document)s of %(holder)s runs out %(when)s") % {
        "document": document, "holder": item.holder, "when": _when(item.valid_until, today),
    }  # fmt: skip
    lines = [
        _("Holder: %(holder)s, %(company)s.") % {"holder": item.holder, "company": item.company},
        _("Valid until: %(date)s.") % {"date": date_format(item.valid_until, "SHORT_DATE_FORMAT")},
    ]
    if orders:
        lines.append(_("Work orders: %(orders)s.") % {"orders": ", ".join(sorted(orders))})
    lines.append(_("Record the renewed document; without it the gate refuses the holder's pass."))
    return subject, "\n".join(lines)


def expiry_warnings_plan(*, today: date) -> WarningRun:
    """Decide today's warnings of passes and documents about to run out, into the outbox."""
    run = WarningRun()
    window_end = today + timedelta(days=EXPIRY_WARNING_DAYS)
    live = AccessPass.objects.filter(status=AccessPass.Status.ACTIVE, valid_until__gte=today)

    pass_rows = (
        live.filter(valid_until__lte=window_end)
        .order_by("valid_until", "number")
        .values_list("pk", "number", "valid_until", "holder__full_name", "company__name", "work_order__number",
                     "work_order__responsible_id")
    )  # fmt: skip
    passes = [_PassItem(*row) for row in pass_rows]
    document_rows = (
        WorkerDocument.objects.filter(worker__in=live.values("holder_id"))
        .values("worker_id", "kind")
        .annotate(until=Max("valid_until"))
        .filter(until__gte=today, until__lte=window_end)
        .order_by("until", "worker_id", "kind")
        .values_list("worker_id", "kind", "until", "worker__full_name", "worker__company__name")
    )
    documents = [_DocumentItem(*row) for row in document_rows]
    run.passes, run.documents = len(passes), len(documents)
    if not passes and not documents:
        return run

    # Who answers for the work of each holder with a document running out (through their passes).
    orders_of: dict[int, dict[str, int]] = defaultdict(dict)
    holders = {item.worker_id for item in documents}
    for holder_id, number, responsible_id in live.filter(holder_id__in=holders, work_order__isnull=False).values_list(
        "holder_id", "work_order__number", "work_order__responsible_id"
    ):
        orders_of[holder_id][number] = responsible_id

    office = list(
        User.objects.filter(role__in=roles_with("passes.receive_expiry_warnings"), is_active=True)
        .order_by("pk")
        .only(*PEOPLE_FIELDS)
    )
    responsible_ids = {item.responsible_id for item in passes if item.responsible_id}
    responsible_ids |= {pk for orders in orders_of.values() for pk in orders.values()}
    people = {user.pk: user for user in office}
    missing = responsible_ids - set(people)
    if missing:
        people.update((u.pk, u) for u in User.objects.filter(pk__in=missing, is_active=True).only(*PEOPLE_FIELDS))

    day = today.isoformat()
    messages: list[OutboxMessage] = []

    def recipients(extra_ids) -> list:
        chosen = {user.pk: user for user in office}
        for pk in extra_ids:
            if pk in people:
                chosen[pk] = people[pk]
        return list(chosen.values())

    def decide(recipient, kind: str, item_key: str, render, url: str) -> None:
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            subject, body = render()
        messages.append(
            OutboxMessage(
                recipient=recipient,
                kind=kind,
                dedupe_key=f"{kind}:{item_key}:{recipient.pk}:{day}",  # once per item, person and day
                subject=subject[:250],
                body=body,
                url=url,
            )
        )

    for item in passes:
        url = _link("contractors:pass_detail", item.pk)
        for recipient in recipients([item.responsible_id] if item.responsible_id else []):
            decide(recipient, PASS_EXPIRING, str(item.pk), lambda item=item: _pass_text(item, today), url)
    for item in documents:
        url = _link("contractors:worker_detail", item.worker_id)
        orders = orders_of.get(item.worker_id, {})
        for recipient in recipients(orders.values()):
            decide(recipient, DOCUMENT_EXPIRING, f"{item.worker_id}:{item.kind}",
                   lambda item=item, orders=orders: _document_text(item, list(orders), today), url)  # fmt: skip

    with transaction.atomic():
        before = OutboxMessage.objects.count()
        outbox_add_many(messages)
        run.messages_new = OutboxMessage.objects.count() - before
    return run
