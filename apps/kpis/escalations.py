"""Escalations: the matters the HSE head puts to the top executive for a decision, and the
executive's answer.

The HSE head reports directly to the executive, so nothing stands between the raising and the
deciding: the head writes what needs a decision, why it matters, the options and by when; every
executive (capability `kpis.decide_escalations`) hears of it at once; one of them decides on the
summary page, and the decision and its comment are kept in the audit log and sent back to the head
who raised it. An escalation no longer needed is withdrawn by the head, with the reason."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.audit.services import log_action
from apps.common.dates import validate_record_date
from apps.common.errors import StateConflict
from apps.notifications.models import OutboxMessage
from apps.notifications.services import outbox_add, outbox_add_many

from .models import Escalation

DECISION_MAX_LENGTH = Escalation._meta.get_field("decision").max_length
REASON_MAX_LENGTH = 500
PEOPLE_FIELDS = ("id", "username", "first_name", "last_name", "email", "language", "role", "is_active")


def option_lines(escalation: Escalation) -> list[str]:
    """The escalation's options, one per non-empty line (as the head typed them)."""
    return [line.strip(" \t-•") for line in (escalation.options or "").splitlines() if line.strip(" \t-•")]


def deciders():
    """The people who decide escalations: active users of a role with `kpis.decide_escalations`."""
    return User.objects.filter(role__in=roles_with("kpis.decide_escalations"), is_active=True).order_by("pk")


def _in_language(user, build):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return build()


def _raised_message(escalation: Escalation) -> tuple[str, str]:
    subject = _("Decision needed by %(deadline)s: %(title)s") % {
        "deadline": date_format(escalation.deadline, "SHORT_DATE_FORMAT"),
        "title": escalation.title,
    }
    lines = [
        _("%(head)s asks for your decision.") % {"head": escalation.raised_by},
        "",
        _("Why it matters:"),
        escalation.why,
        "",
        _("Options:"),
        *(f"- {option}" for option in option_lines(escalation)),
    ]
    return subject, "\n".join(lines)


def _decided_message(escalation: Escalation) -> tuple[str, str]:
    subject = _("Decided: %(title)s") % {"title": escalation.title}
    lines = [
        _("%(executive)s decided: %(decision)s") % {"executive": escalation.decided_by, "decision": escalation.decision}
    ]
    if escalation.comment:
        lines += ["", _("Comment:"), escalation.comment]
    return subject, "\n".join(lines)


@transaction.atomic
def escalation_raise(*, actor, title: str, why: str, options: str, deadline, unit=None) -> Escalation:
    """Put a matter to the executive: the HSE head only; the decision is needed by `deadline`, today
    at the earliest (a decision cannot be needed yesterday). Every executive is told at once (one
    message each, whatever retries happen: the key is the escalation and the recipient)."""
    require(actor, "kpis.raise_escalations")
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if deadline is not None and deadline < today:
        errors["deadline"] = [_("The decision cannot be needed by a day that has passed.")]
    else:
        try:
            validate_record_date(deadline)
        except ValidationError as error:
            errors["deadline"] = error.messages
    if not (options or "").strip():
        errors["options"] = [_("Give the executive at least one option to choose from.")]
    escalation = Escalation(
        title=(title or "").strip(),
        why=(why or "").strip(),
        options=(options or "").strip(),
        deadline=deadline,
        unit=unit,
        raised_by=actor,
        raised_at=timezone.now(),
    )
    try:
        escalation.full_clean()
    except ValidationError as error:
        for name, found in error.message_dict.items():
            errors.setdefault(name, found)
    if errors:
        raise ValidationError(errors)
    escalation.save()
    log_action(
        actor=actor,
        action="kpis.escalation.raised",
        target=escalation,
        unit=unit,
        data={"title": escalation.title, "deadline": deadline.isoformat()},
    )
    kind = OutboxMessage.Kind.ESCALATION_RAISED
    url = escalation.get_absolute_url()
    messages = []
    for executive in deciders().only(*PEOPLE_FIELDS):
        subject, body = _in_language(executive, lambda: _raised_message(escalation))
        messages.append(
            OutboxMessage(
                recipient=executive,
                kind=kind,
                dedupe_key=f"{kind}:{escalation.pk}:{executive.pk}",
                subject=subject[:250],
                body=body,
                url=url,
            )  # fmt: skip
        )
    outbox_add_many(messages)
    return escalation


def _locked_open(escalation: Escalation) -> Escalation:
    """The escalation read again under a lock: two executives deciding at once, or a decision
    racing a withdrawal, cannot both win."""
    current = Escalation.objects.select_for_update().select_related("raised_by").get(pk=escalation.pk)
    if current.status != Escalation.Status.OPEN:
        raise StateConflict(
            _("This escalation is no longer awaiting a decision (%(status)s).")
            % {"status": current.get_status_display().lower()},
            code="state_conflict",
        )
    return current


@transaction.atomic
def escalation_decide(*, actor, escalation: Escalation, decision: str, comment: str = "") -> Escalation:
    """The executive's answer: only while the escalation is open (StateConflict otherwise); a
    decision is required. The decision and the comment go into the audit log and back to the HSE
    head who raised it."""
    require(actor, "kpis.decide_escalations")
    current = _locked_open(escalation)
    decision = (decision or "").strip()
    comment = (comment or "").strip()
    if not decision:
        raise ValidationError({"decision": [_("Write the decision (or choose one of the options).")]})
    if len(decision) > DECISION_MAX_LENGTH:
        raise ValidationError(
            {"decision": [_("At most %(n)d characters: put the detail in the comment.") % {"n": DECISION_MAX_LENGTH}]}
        )
    current.status = Escalation.Status.DECIDED
    current.decision = decision
    current.comment = comment
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.full_clean()
    current.save(update_fields=["status", "decision", "comment", "decided_by", "decided_at"])
    log_action(
        actor=actor,
        action="kpis.escalation.decided",
        target=current,
        unit=current.unit,
        data={"decision": decision, "comment": comment, "status": [Escalation.Status.OPEN, current.status]},
    )
    kind = OutboxMessage.Kind.ESCALATION_DECIDED
    head = current.raised_by
    subject, body = _in_language(head, lambda: _decided_message(current))
    outbox_add(
        recipient=head, kind=kind, dedupe_key=f"{kind}:{current.pk}:{head.pk}", subject=subject, body=body,
        url=current.get_absolute_url(),
    )  # fmt: skip
    return current


@transaction.atomic
def escalation_withdraw(*, actor, escalation: Escalation, reason: str) -> Escalation:
    """The HSE head takes back an escalation that no longer needs a decision: while it is open, and
    with the reason (kept in the audit log)."""
    require(actor, "kpis.raise_escalations")
    current = _locked_open(escalation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the decision is no longer needed.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": REASON_MAX_LENGTH}]})
    current.status = Escalation.Status.WITHDRAWN
    current.save(update_fields=["status"])
    log_action(
        actor=actor,
        action="kpis.escalation.withdrawn",
        target=current,
        unit=current.unit,
        reason=reason,
        data={"status": [Escalation.Status.OPEN, current.status]},
    )
    return current
