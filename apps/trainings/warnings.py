"""The daily digest of trainings about to run out, or that ran out in the last week.

An item is an active employee's training in a course required of them whose latest valid-until
date (revoked certificates left out) falls within `EXPIRING_SOON_DAYS` days from today, today
included, or within the last `EXPIRED_LOOKBACK_DAYS` days. A renewed training supersedes the old
one: the item leaves the digest once the person has passed the course again.

Each recipient hears once a day, one message listing their items soonest first: the person
themselves when they have a portal account (`Person.user`), and the line managers covering the
person's unit (a role with `trainings.receive_expiry_digest`, whose units are the person's unit or
one above it). The message goes into the outbox with a key per recipient and day, so a second run
the same day adds nothing. The queries are the same few however many people and items there are."""

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
from apps.org.models import Person

from . import matrix
from .models import EXPIRING_SOON_DAYS, Attendance

TRAINING_EXPIRING = OutboxMessage.Kind.TRAINING_EXPIRING
EXPIRED_LOOKBACK_DAYS = 7  # a training that ran out this long ago or less is still listed
MAX_LINES = 40  # items listed in one message; the rest is a count and the link to the matrix

PEOPLE_FIELDS = ("id", "username", "first_name", "last_name", "email", "language", "role", "is_active")


@dataclass
class DigestRun:
    items: int = 0
    recipients: int = 0
    messages_new: int = 0


@dataclass(frozen=True)
class _Item:
    valid_until: date
    course: str
    person: str
    unit: str

    @property
    def order(self) -> tuple:
        return (self.valid_until, self.course, self.person)


def _line(item: _Item, today: date) -> str:
    days = (item.valid_until - today).days
    if days < 0:
        when = (
            _("ran out yesterday")
            if days == -1
            else ngettext("ran out %(n)d day ago", "ran out %(n)d days ago", -days) % {"n": -days}
        )
    elif days < 2:
        when = _("last day tomorrow") if days else _("last day today")
    else:
        when = ngettext("runs out in %(n)d day", "runs out in %(n)d days", days) % {"n": days}
    return _("%(date)s (%(when)s): %(course)s — %(person)s, %(unit)s") % {
        "date": date_format(item.valid_until, "SHORT_DATE_FORMAT"), "when": when, "course": item.course,
        "person": item.person, "unit": item.unit,
    }  # fmt: skip


def _digest(items: list[_Item], today: date) -> tuple[str, str]:
    expired = sum(1 for item in items if item.valid_until < today)
    running_out = len(items) - expired
    parts = []
    if running_out:
        parts.append(
            ngettext("%(n)d training runs out within %(days)d days", "%(n)d trainings run out within %(days)d days",
                     running_out) % {"n": running_out, "days": EXPIRING_SOON_DAYS}
        )  # fmt: skip
    if expired:
        parts.append(
            ngettext("%(n)d ran out this week", "%(n)d ran out this week", expired) % {"n": expired}
            if running_out
            else ngettext("%(n)d training ran out this week", "%(n)d trainings ran out this week", expired)
            % {"n": expired}
        )
    lines = [_line(item, today) for item in items[:MAX_LINES]]
    if len(items) > MAX_LINES:
        more = len(items) - MAX_LINES
        lines.append(ngettext("…and %(n)d more", "…and %(n)d more", more) % {"n": more})
    lines += ["", _("Plan the refresher sessions: a training that has run out no longer counts.")]
    return "; ".join(parts), "\n".join(lines)


def _url(recipient) -> str:
    try:
        if can(recipient, "trainings.view"):
            return reverse("trainings:matrix") + "?state=attention"
    except NoReverseMatch:
        pass
    return ""


def _items(today: date) -> tuple[list[tuple[Person, _Item]], matrix.UnitTree]:
    """(person, item) of today's digest, soonest first, and the unit tree read on the way."""
    rows = list(
        Attendance.objects.filter(
            person__isnull=False, person__is_active=True, valid_until__isnull=False, revoked_at__isnull=True
        )
        .values("person_id", "session__course_id", "session__course__name")
        .annotate(until=Max("valid_until"))
        .filter(
            until__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS),
            until__lte=today + timedelta(days=EXPIRING_SOON_DAYS),
        )
        .order_by()
        .values_list("person_id", "session__course_id", "session__course__name", "until")
    )
    tree = matrix.UnitTree()
    if not rows:
        return [], tree
    people = {
        person.pk: person
        for person in Person.objects.filter(pk__in={row[0] for row in rows}).select_related("unit")
        .only("id", "full_name", "job_title", "unit_id", "unit__name", "user_id")
    }  # fmt: skip
    requirements, cache = matrix.person_requirements(), {}
    found = []
    for person_id, course_id, course_name, until in rows:
        person = people[person_id]
        if course_id in matrix._required(person, requirements, tree, cache):
            found.append((person, _Item(until, course_name, person.full_name, person.unit.name)))
    found.sort(key=lambda pair: pair[1].order)
    return found, tree


def expiry_digest_plan(*, today: date) -> DigestRun:
    """Decide today's digests of trainings running out (or just run out) into the outbox: one per
    recipient and day, to the person's own account and to the line managers covering their unit."""
    run = DigestRun()
    found, tree = _items(today)
    run.items = len(found)
    if not found:
        return run

    items_of: dict[int, list[_Item]] = defaultdict(list)
    own_ids = {person.user_id for person, _item in found if person.user_id}
    managers = list(
        User.objects.filter(role__in=roles_with("trainings.receive_expiry_digest"), is_active=True)
        .only(*PEOPLE_FIELDS)
        .prefetch_related("units")
        .order_by("pk")
    )
    covering: dict[int, list[int]] = defaultdict(list)  # unit id -> managers assigned there
    for manager in managers:
        for unit in manager.units.all():
            covering[unit.pk].append(manager.pk)
    for person, item in found:
        if person.user_id:
            items_of[person.user_id].append(item)
        for unit_id in tree.ancestors(person.unit_id):
            for manager_id in covering.get(unit_id, ()):
                if person.user_id != manager_id:
                    items_of[manager_id].append(item)
    people = {manager.pk: manager for manager in managers}
    missing = own_ids - set(people)
    if missing:
        people.update((u.pk, u) for u in User.objects.filter(pk__in=missing, is_active=True).only(*PEOPLE_FIELDS))

    day = today.isoformat()
    messages = []
    for pk in sorted(items_of):
        recipient = people.get(pk)
        if recipient is None:
            continue  # an inactive account: their manager still hears of it
        own = sorted(set(items_of[pk]), key=lambda item: item.order)
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            subject, body = _digest(own, today)
            url = _url(recipient)
        messages.append(
            OutboxMessage(
                recipient=recipient,
                kind=TRAINING_EXPIRING,
                dedupe_key=f"{TRAINING_EXPIRING}:{pk}:{day}",
                subject=subject[:250],
                body=body,
                url=url,
            )  # fmt: skip
        )
    run.recipients = len(messages)
    with transaction.atomic():
        before = OutboxMessage.objects.count()
        outbox_add_many(messages)
        run.messages_new = OutboxMessage.objects.count() - before
    return run
