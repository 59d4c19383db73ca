"""One set of status colours for the whole portal.

Every status of every model is mapped to a *tone* that says what the status means to the reader,
not which model it belongs to: still to be worked (blue), waiting for someone now (amber, the most
prominent), finished but not yet checked (light green), finished and confirmed (the portal's
green), no longer in play (grey), bad (red), stopped from acting (dark). A badge is drawn by
`{% status_badge obj %}`; an open record past its deadline also gets "N days late" in words.
The colours are the `.status-<tone>` classes in static/css/portal.css (contrast AA).
"""

from datetime import date

from django import template
from django.apps import apps
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

register = template.Library()

NEUTRAL = "neutral"  # planned, queued, not started
OPEN = "open"  # to be worked
PROGRESS = "progress"  # being worked
ATTENTION = "attention"  # waiting for someone now: not investigated, awaiting a response or a decision
DONE = "done"  # finished, waiting to be checked
VERIFIED = "verified"  # finished and confirmed, or in good standing
CLOSED = "closed"  # no longer in play: cancelled, withdrawn, expired, lifted
DANGER = "danger"  # overdue, stopped, blocked, failed
BLOCKED = "blocked"  # suspended, banned: may not act at all

TONES = (NEUTRAL, OPEN, PROGRESS, ATTENTION, DONE, VERIFIED, CLOSED, DANGER, BLOCKED)
# Tones that must catch the eye carry an icon as well as a colour (not colour alone).
ICONS = {ATTENTION: "exclamation-triangle-fill", DANGER: "exclamation-octagon-fill", BLOCKED: "slash-circle"}

# (model label, field) -> value -> tone. tests/common/test_status_badges.py checks that every
# choice of every model's `status` field is here.
STATUS_TONES = {
    ("actions.action", "status"): {
        "open": OPEN, "in_progress": PROGRESS, "done": DONE, "verified": VERIFIED, "cancelled": CLOSED,
    },
    ("incidents.investigation", "status"): {
        "opened": OPEN, "analysis": PROGRESS, "actions_planned": PROGRESS, "approved": DONE, "closed": VERIFIED,
    },
    ("audits.audit", "status"): {"in_progress": PROGRESS, "completed": VERIFIED},
    ("audits.auditanswer", "result"): {"compliant": VERIFIED, "non_compliant": DANGER, "not_applicable": CLOSED},
    ("contractors.contractorcompany", "status"): {"approved": VERIFIED, "suspended": BLOCKED, "banned": DANGER},
    ("contractors.workorder", "status"): {
        "planned": NEUTRAL, "in_progress": PROGRESS, "stopped": DANGER, "finished": CLOSED,
    },
    ("contractors.accesspass", "status"): {
        "active": VERIFIED, "suspended": BLOCKED, "blocked": DANGER, "expired": CLOSED, "revoked": CLOSED,
    },
    ("contractors.violation", "severity"): {
        "minor": NEUTRAL, "serious": ATTENTION, "severe": DANGER, "critical": BLOCKED,
    },
    ("contractors.sanction", "status"): {"in_force": DANGER, "lifted": CLOSED},
    ("kpis.escalation", "status"): {"open": ATTENTION, "decided": VERIFIED, "withdrawn": CLOSED},
    ("kpis.monthlyreport", "status"): {"queued": NEUTRAL, "running": PROGRESS, "done": VERIFIED, "failed": DANGER},
    ("exports.exportjob", "status"): {"queued": NEUTRAL, "running": PROGRESS, "done": VERIFIED, "failed": DANGER},
    ("trainings.trainingsession", "status"): {"planned": OPEN, "delivered": VERIFIED, "cancelled": CLOSED},
    ("internships.internship", "status"): {
        "planned": NEUTRAL, "in_progress": PROGRESS, "finished": VERIFIED, "cancelled": CLOSED,
    },
    ("internships.signal", "status"): {"new": ATTENTION, "in_progress": PROGRESS, "answered": VERIFIED},
}  # fmt: skip

# Records with a deadline: (model label) -> (date field, statuses in which the deadline still counts).
DEADLINES = {
    "actions.action": ("due_date", {"open", "in_progress"}),
    "incidents.investigation": ("deadline", {"opened", "analysis", "actions_planned"}),
    "kpis.escalation": ("deadline", {"open"}),
}

# States that are not a model's status but are drawn as one.
PSEUDO = {
    "not_investigated": (ATTENTION, _("not investigated")),
    "not_started": (NEUTRAL, _("Not started")),
}


def tone_of(obj, field: str = "status") -> str:
    """The tone of `obj`'s `field`; neutral for a value nobody mapped (never an error on a page)."""
    return STATUS_TONES.get((obj._meta.label_lower, field), {}).get(getattr(obj, field), NEUTRAL)


def days_late(obj, today: date | None = None) -> int:
    """Whole days past the record's deadline while it still counts; 0 when on time or done."""
    rule = DEADLINES.get(obj._meta.label_lower)
    if rule is None:
        return 0
    field, counting = rule
    deadline = getattr(obj, field)
    today = today or timezone.localdate()
    if deadline is None or obj.status not in counting or deadline >= today:
        return 0
    return (today - deadline).days


def days_late_text(days: int) -> str:
    return ngettext("%(count)s day late", "%(count)s days late", days) % {"count": days}


def _badge(tone: str, label, *, extra: str = "", testid: str = "", href: str = ""):
    icon = ICONS.get(tone)
    icon_html = format_html('<i class="bi bi-{} me-1" aria-hidden="true"></i>', icon) if icon else ""
    attrs = format_html(' data-testid="{}"', testid) if testid else ""
    classes = f"badge status-badge status-{tone}" + (f" {extra}" if extra else "")
    if href:
        return format_html('<a class="{} text-decoration-none" href="{}" data-tone="{}"{}>{}{}</a>',
                           classes, href, tone, attrs, icon_html, label)  # fmt: skip
    return format_html('<span class="{}" data-tone="{}"{}>{}{}</span>', classes, tone, attrs, icon_html, label)


def _late_badge(days: int, extra: str = ""):
    return _badge(DANGER, days_late_text(days), extra=f"text-nowrap {extra}".strip(), testid="days-late")


@register.simple_tag
def status_badge(obj, field="status", *, extra="", testid="", today=None, late=True, href="", label=None):
    """`{% status_badge action %}`: the status in its tone; an open record past its deadline is
    followed by "N days late". `field` for another choice field (`"severity"`), `extra` for more
    classes, `label` to say it in other words (the tone stays the status's)."""
    if obj is None:
        return ""
    text = label if label is not None else getattr(obj, f"get_{field}_display")()
    html = _badge(tone_of(obj, field), text, extra=extra, testid=testid, href=href)
    days = days_late(obj, today) if late and field == "status" else 0
    if days:
        html = format_html("{} {}", html, _late_badge(days, extra))
    return html


@register.filter
def status_tone(value, spec):
    """The tone of a bare value: `{{ row.key|status_tone:"contractors.violation:severity" }}` (for rows
    that are not model instances); the field is `status` unless named after a colon."""
    label, _sep, field = spec.partition(":")
    return STATUS_TONES.get((label, field or "status"), {}).get(str(value), NEUTRAL)


@register.simple_tag
def late_badge(obj, today=None, extra=""):
    """Only the "N days late" flag of an open record past its deadline (nothing otherwise)."""
    days = days_late(obj, today)
    return _late_badge(days, extra) if days else ""


@register.simple_tag
def pseudo_badge(key, extra="", testid=""):
    """A state that is not a model's status, in the same colours: `{% pseudo_badge "not_investigated" %}`."""
    tone, label = PSEUDO[key]
    return _badge(tone, label, extra=extra, testid=testid)


@register.simple_tag
def tone_badge(tone, label, extra="", testid=""):
    """A badge of a named tone with its own words, for states computed on a page."""
    if tone not in TONES:
        raise template.TemplateSyntaxError(f"unknown status tone {tone!r}")
    return _badge(tone, label, extra=extra, testid=testid)


@register.inclusion_tag("includes/status_legend.html")
def status_legend(label, field="status", overdue=False, pseudo=""):
    """The legend of one model's statuses, for its list page: `{% status_legend "actions.action" overdue=True %}`;
    `pseudo` names states drawn like statuses (comma-separated keys of PSEUDO), shown first."""
    model = apps.get_model(label)
    tones = STATUS_TONES[(model._meta.label_lower, field)]
    items = [_badge(*PSEUDO[key]) for key in pseudo.split(",") if key]
    items += [_badge(tones[value], text) for value, text in model._meta.get_field(field).choices]
    if overdue:
        items.append(_badge(DANGER, _("days late")))
    return {"items": format_html_join(" ", "{}", ((item,) for item in items))}
