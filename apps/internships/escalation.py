"""The daily escalation of signals left without a response for more than 14 days.

A signal still awaiting a response (new or being worked on) more than SIGNAL_ANSWER_DAYS days
after it was heard is marked escalated (`escalated_on`, once), and each HSE head (capability
`internships.receive_signal_escalations`) hears of it in one message a day: how many signals were
escalated today, how many are overdue in all, per unit, and a link to the signal list. The message
never quotes a signal (its raw text is confidential) nor says anything about who said it.

Idempotent: a second run the same day escalates nothing more and the message's key (head and
date) records it once. The queries are the same few however many signals there are."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add_many

from .models import SIGNAL_ANSWER_DAYS, Signal

KIND = OutboxMessage.Kind.SIGNAL_ESCALATION
PEOPLE_FIELDS = ("id", "username", "first_name", "last_name", "email", "language", "role", "is_active")


def overdue_signals(today: date):
    """Signals awaiting a response that were heard more than SIGNAL_ANSWER_DAYS days before today."""
    return Signal.objects.exclude(status=Signal.Status.ANSWERED).filter(
        recorded_on__lt=today - timedelta(days=SIGNAL_ANSWER_DAYS)
    )


def _list_url() -> str:
    try:
        return reverse("internships:signal_list") + "?overdue=1"
    except NoReverseMatch:  # the message still says how many without a link
        return ""


def _message(new: int, per_unit: list[tuple[str, int]], total: int) -> tuple[str, str]:
    subject = ngettext(
        "%(n)d signal has waited more than %(days)d days for a response",
        "%(n)d signals have waited more than %(days)d days for a response",
        new,
    ) % {"n": new, "days": SIGNAL_ANSWER_DAYS}
    lines = [
        ngettext("%(n)d signal is overdue in all:", "%(n)d signals are overdue in all:", total) % {"n": total},
        *(f"- {unit}: {count}" for unit, count in per_unit),
        "",
        _("Each signal needs a visible response on its unit's board: rule changed, procedure simplified, "
          "tool replaced, PPE provided, or explained."),
    ]  # fmt: skip
    return subject, "\n".join(lines)


@transaction.atomic
def signals_escalate(*, today: date) -> int:
    """Mark today's newly overdue signals escalated and tell each HSE head once a day (see the
    module docstring). Returns how many signals were escalated by this run."""
    escalated = overdue_signals(today).filter(escalated_on__isnull=True).update(escalated_on=today)
    if not escalated:
        return 0
    overdue = overdue_signals(today)
    per_unit = list(overdue.values_list("unit__name").annotate(n=Count("id")).order_by("unit__name"))
    total = sum(count for _unit, count in per_unit)
    new_today = Signal.objects.filter(escalated_on=today).count()
    heads = User.objects.filter(role__in=roles_with("internships.receive_signal_escalations"), is_active=True)
    url = _list_url()
    messages = []
    for head in heads.order_by("pk").only(*PEOPLE_FIELDS):
        with translation.override(head.language or settings.LANGUAGE_CODE):
            subject, body = _message(new_today, per_unit, total)
        messages.append(
            OutboxMessage(
                recipient=head,
                kind=KIND,
                dedupe_key=f"{KIND}:{head.pk}:{today.isoformat()}",
                subject=subject[:250],
                body=body,
                url=url,
            )  # fmt: skip
        )
    outbox_add_many(messages)
    return escalated
