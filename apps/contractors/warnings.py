"""The daily digest of passes and worker documents about to run out.

An item is an active pass whose last day is within `EXPIRY_WARNING_DAYS`, or a document (medical
clearance, site induction, …) of a worker who holds a live pass, whose latest one of its kind
ends within that window (a renewed document supersedes the old one: no warning). The item leaves
the window, and the warnings stop, once the pass is extended or the document renewed.

Each person hears once a day, in one message listing their items soonest first: the pass office
(capability `passes.receive_expiry_warnings`) every item, the person answering for a work order
the items of their work orders. One message per item and person (hundreds a day at plant scale,
repeated daily) is a list nobody reads, and an unread warning is a worker turned away at the gate
or, worse, let in. The message is decided into the outbox with a key per person and day, so a
second run the same day (or a retried one) adds nothing.

The queries are the same few however many items there are."""

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

from apps.accounts.access import can
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add_many

from .models import AccessPass, WorkerDocument
from .selectors import EXPIRY_WARNING_DAYS

PASS_EXPIRING = OutboxMessage.Kind.PASS_EXPIRING  # the digest's kind (passes and documents alike)
MAX_LINES = 30  # items listed in one message; the rest is a count and the link to the list

PEOPLE_FIELDS = ("id", "username", "first_name", "last_name", "email", "language", "role", "is_active")


@dataclass
class WarningRun:
    passes: int = 0  # items found
    documents: int = 0
    messages_new: int = 0


@dataclass(frozen=True)
class _Item:
    valid_until: date
    holder: str
    company: str
    pass_number: str = ""  # a pass, or
    document_kind: str = ""  # a worker's document
    responsible_ids: frozenset = frozenset()

    @property
    def order(self) -> tuple:
        # Soonest first; on one day the passes, then the documents, each by holder.
        return (self.valid_until, bool(self.document_kind), self.holder, self.pass_number, self.document_kind)


def _within() -> str:
    if EXPIRY_WARNING_DAYS == 7:
        return _("within a week")
    return ngettext("within %(days)d day", "within %(days)d days", EXPIRY_WARNING_DAYS) % {"days": EXPIRY_WARNING_DAYS}


def _subject(passes: int, documents: int) -> str:
    within = _within()
    if passes and documents:
        return _("%(passes)s and %(documents)s run out %(within)s") % {
            "passes": ngettext("%(n)d pass", "%(n)d passes", passes) % {"n": passes},
            "documents": ngettext("%(n)d document", "%(n)d documents", documents) % {"n": documents},
            "within": within,
        }
    if passes:
        return ngettext("%(n)d pass runs out %(within)s", "%(n)d passes run out %(within)s", passes) % {
            "n": passes, "within": within,
        }  # fmt: skip
    return ngettext("%(n)d document runs out %(within)s", "%(n)d documents run out %(within)s", documents) % {
        "n": documents, "within": within,
    }  # fmt: skip


def _line(item: _Item, today: date) -> str:
    days = (item.valid_until - today).days
    if days < 2:
        when = _("tomorrow") if days else _("today")
    else:
        when = ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    values = {
        "date": date_format(item.valid_until, "SHORT_DATE_FORMAT"),
        "when": when,
        "holder": item.holder,
        "company": item.company,
    }
    if item.pass_number:
        return _("%(date)s (%(when)s): pass %(number)s, %(holder)s, %(company)s") % {
            **values, "number": item.pass_number,
        }  # fmt: skip
    return _("%(date)s (%(when)s): %(document)s, %(holder)s, %(company)s") % {
        **values, "document": str(WorkerDocument.Kind(item.document_kind).label),
    }  # fmt: skip


def _digest(items: list[_Item], today: date) -> tuple[str, str]:
    """The subject and body of one person's digest (`items` soonest first), in the active language."""
    passes = sum(1 for item in items if item.pass_number)
    lines = [_line(item, today) for item in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        more = len(items) - MAX_LINES
        lines.append(ngettext("…and %(n)d more", "…and %(n)d more", more) % {"n": more})
    lines += [
        "",
        _("Extend the passes whose work goes on and record the renewed documents: the gate refuses a pass after "
          "its last day, and a holder whose medical clearance or site induction has run out."),
    ]  # fmt: skip
    return _subject(passes, len(items) - passes), "\n".join(lines)


def _list_url(recipient) -> str:
    # The pass list filtered to the passes running out; a responsible person who may not read the
    # pass list (a line manager) is sent to the work orders instead of a page that refuses them.
    try:
        if can(recipient, "passes.view"):
            return reverse("contractors:pass_list") + "?status=expiring"
        return reverse("contractors:work_order_list")
    except NoReverseMatch:  # a message without a link still tells the reader what runs out
        return ""


def _items(today: date) -> tuple[list[_Item], int, int]:
    """Today's items soonest first, with how many are passes and how many documents."""
    window_end = today + timedelta(days=EXPIRY_WARNING_DAYS)
    live = AccessPass.objects.filter(status=AccessPass.Status.ACTIVE, valid_until__gte=today)
    pass_rows = list(
        live.filter(valid_until__lte=window_end).values_list(
            "number", "valid_until", "holder__full_name", "company__name", "work_order__responsible_id"
        )
    )
    items = [
        _Item(until, holder, company, pass_number=number, responsible_ids=frozenset({responsible} - {None}))
        for number, until, holder, company, responsible in pass_rows
    ]
    document_rows = list(
        WorkerDocument.objects.filter(worker__in=live.values("holder_id"))
        .values("worker_id", "kind")
        .annotate(until=Max("valid_until"))
        .filter(until__gte=today, until__lte=window_end)
        .values_list("worker_id", "kind", "until", "worker__full_name", "worker__company__name")
    )
    # Who answers for the work of each holder with a document running out (through their live passes).
    responsible_of: dict[int, set[int]] = defaultdict(set)
    holders = {row[0] for row in document_rows}
    for holder_id, responsible_id in live.filter(holder_id__in=holders, work_order__isnull=False).values_list(
        "holder_id", "work_order__responsible_id"
    ):
        responsible_of[holder_id].add(responsible_id)
    items += [
        _Item(until, holder, company, document_kind=kind, responsible_ids=frozenset(responsible_of[worker_id]))
        for worker_id, kind, until, holder, company in document_rows
    ]
    items.sort(key=lambda item: item.order)
    return items, len(pass_rows), len(document_rows)


def expiry_warnings_plan(*, today: date) -> WarningRun:
    """Decide today's digests of passes and documents about to run out, into the outbox: one per
    person and day, the pass office's listing every item, a responsible person's the items of
    their work orders."""
    run = WarningRun()
    items, run.passes, run.documents = _items(today)
    if not items:
        return run

    office = list(
        User.objects.filter(role__in=roles_with("passes.receive_expiry_warnings"), is_active=True)
        .order_by("pk")
        .only(*PEOPLE_FIELDS)
    )
    items_of: dict[int, list[_Item]] = {user.pk: items for user in office}
    mine: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        for pk in item.responsible_ids:
            mine[pk].append(item)  # in the order of `items`: soonest first
    for pk, own in mine.items():
        items_of.setdefault(pk, own)  # someone in the pass office hears of everything already
    people = {user.pk: user for user in office}
    missing = set(items_of) - set(people)
    if missing:
        people.update((u.pk, u) for u in User.objects.filter(pk__in=missing, is_active=True).only(*PEOPLE_FIELDS))

    day = today.isoformat()
    messages = []
    for pk in sorted(items_of):
        recipient = people.get(pk)
        if recipient is None:
            continue  # no longer active: the pass office still hears of these items
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            subject, body = _digest(items_of[pk], today)
            url = _list_url(recipient)
        messages.append(
            OutboxMessage(
                recipient=recipient,
                kind=PASS_EXPIRING,
                dedupe_key=f"{PASS_EXPIRING}:{recipient.pk}:{day}",
                subject=subject[:250],
                body=body,
                url=url,
            )  # fmt: skip
        )

    with transaction.atomic():
        before = OutboxMessage.objects.count()
        outbox_add_many(messages)
        run.messages_new = OutboxMessage.objects.count() - before
    return run
