"""The daily reminder run: one digest per owner, escalations to line managers and the HSE head.

Decisions are written to the outbox in one transaction with unique keys per person, kind and
day, so a second run the same day (or a run that died half-way and was retried) adds nothing.
Query count depends on the number of people, never on the number of actions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add_many

from .models import Action

MAX_LINES = 25  # per section of a message; the rest is a count and a link


@dataclass(frozen=True)
class Item:
    action_id: int
    title: str
    due_date: date
    unit: str
    days_overdue: int
    owner_id: int

    @property
    def reference(self) -> str:
        return f"A-{self.action_id}"


@dataclass
class Digest:
    overdue: list[Item] = field(default_factory=list)
    due_today: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)


@dataclass
class ReminderRun:
    digests: int = 0
    manager_escalations: int = 0
    head_escalations: int = 0
    messages_new: int = 0
    actions_seen: int = 0


def _language_of(user) -> str:
    return user.language or settings.LANGUAGE_CODE


def _render(template: str, user, context: dict) -> tuple[str, str]:
    with translation.override(_language_of(user)):
        text = render_to_string(template, {"recipient": user, "max_lines": MAX_LINES, **context})
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip()


def _escalation_context(items: list[Item], owners: dict, *, days: int, to_head: bool) -> dict:
    lines = [(item, str(owners[item.owner_id])) for item in items[:MAX_LINES]]
    return {
        "count": len(items),
        "lines": lines,
        "more": max(0, len(items) - MAX_LINES),
        "days": days,
        "to_head": to_head,
    }


def action_reminders_plan(*, today: date) -> ReminderRun:
    """Decide today's reminders and escalations and record them in the outbox."""
    due_soon_days = settings.ACTIONS_DUE_SOON_DAYS
    manager_after = settings.ACTIONS_ESCALATE_MANAGER_AFTER_DAYS
    head_after = settings.ACTIONS_ESCALATE_HEAD_AFTER_DAYS
    run = ReminderRun()

    digests: dict[int, Digest] = defaultdict(Digest)
    to_manager: list[Item] = []
    to_head: list[Item] = []
    rows = (
        Action.objects.filter(status__in=Action.OPEN_STATUSES, due_date__lte=today + timedelta(days=due_soon_days))
        .order_by("owner_id", "due_date", "id")
        .values_list("id", "title", "due_date", "unit__name", "owner_id")
    )
    for action_id, title, due_date, unit_name, owner_id in rows.iterator(chunk_size=5000):
        run.actions_seen += 1
        late = (today - due_date).days
        item = Item(action_id, title, due_date, unit_name, max(late, 0), owner_id)
        digest = digests[owner_id]
        if late > 0:
            digest.overdue.append(item)
            if late > manager_after:
                to_manager.append(item)
            if late > head_after:
                to_head.append(item)
        elif late == 0:
            digest.due_today.append(item)
        else:
            digest.due_soon.append(item)

    people_fields = ("id", "username", "first_name", "last_name", "email", "language", "line_manager_id", "is_active")
    owners = {user.pk: user for user in User.objects.filter(pk__in=list(digests)).only(*people_fields)}
    by_manager: dict[int, list[Item]] = defaultdict(list)
    for item in to_manager:
        manager_id = owners[item.owner_id].line_manager_id
        if manager_id is None:
            to_head.append(item)  # nobody to escalate to in the line: the HSE head hears of it
        else:
            by_manager[manager_id].append(item)
    managers = {
        user.pk: user for user in User.objects.filter(pk__in=list(by_manager), is_active=True).only(*people_fields)
    }
    heads = list(
        User.objects.filter(role__in=roles_with("actions.receive_head_escalations"), is_active=True).only(
            *people_fields
        )
    )
    to_head = sorted(set(to_head), key=lambda item: (item.due_date, item.action_id))

    day = today.isoformat()
    my_actions_url = reverse("actions:list") + "?tab=mine"
    overdue_url = reverse("actions:list") + "?tab=overdue"
    messages = []

    def decide(recipient, kind: str, template: str, context: dict, url: str) -> None:
        subject, body = _render(template, recipient, context)
        messages.append(
            OutboxMessage(
                recipient=recipient,
                kind=kind,
                dedupe_key=f"{kind}:{recipient.pk}:{day}",  # once per person, kind and day
                subject=subject,
                body=body,
                url=url,
            )
        )

    for owner_id, digest in digests.items():
        owner = owners.get(owner_id)
        if owner is None or not owner.is_active:
            continue
        context = {
            "digest": digest,
            "overdue_more": max(0, len(digest.overdue) - MAX_LINES),
            "today_more": max(0, len(digest.due_today) - MAX_LINES),
            "soon_more": max(0, len(digest.due_soon) - MAX_LINES),
        }
        decide(owner, OutboxMessage.Kind.ACTIONS_DIGEST, "actions/email/digest.txt", context, my_actions_url)
        run.digests += 1
    for manager_id, items in by_manager.items():
        if manager_id not in managers:
            continue
        context = _escalation_context(items, owners, days=manager_after, to_head=False)
        decide(
            managers[manager_id],
            OutboxMessage.Kind.ESCALATION_MANAGER,
            "actions/email/escalation.txt",
            context,
            overdue_url,
        )
        run.manager_escalations += 1
    for head in heads if to_head else []:
        context = _escalation_context(to_head, owners, days=head_after, to_head=True)
        decide(head, OutboxMessage.Kind.ESCALATION_HEAD, "actions/email/escalation.txt", context, overdue_url)
        run.head_escalations += 1

    now = timezone.now()
    with transaction.atomic():
        before = OutboxMessage.objects.count()
        outbox_add_many(messages)
        run.messages_new = OutboxMessage.objects.count() - before
        open_actions = Action.objects.filter(status__in=Action.OPEN_STATUSES)
        open_actions.filter(
            due_date__lt=today - timedelta(days=head_after), escalation__lt=Action.Escalation.HSE_HEAD
        ).update(escalation=Action.Escalation.HSE_HEAD, escalated_at=now)
        open_actions.filter(
            due_date__lt=today - timedelta(days=manager_after), escalation__lt=Action.Escalation.MANAGER
        ).update(escalation=Action.Escalation.MANAGER, escalated_at=now)
    return run
