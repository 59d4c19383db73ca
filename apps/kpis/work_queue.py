"""What needs the HSE head now: the sections of the work queue, as selectors.

Each section is a queryset of the records waiting (scoped to the user's units), oldest or most
urgent first; the page shows its count and its first `PREVIEW_ROWS` rows, and a section page lists
them all, paginated. At most two queries per section (a count, and the first rows when there are
any) whatever the number of records: every row is loaded with what its line shows (select_related), nothing per row.

The thresholds are named here, each tested one step on either side:

- an investigation is *near its deadline* when it is still being worked on (opened, analysis,
  actions planned) and its deadline is at most `NEAR_DEADLINE_DAYS` days away (or past);
- a signal is *unanswered* when it is not answered and was heard more than
  `apps.internships.models.SIGNAL_ANSWER_DAYS` (14) days before today;
- an action is *escalated to the head* when it is open and the daily reminder run raised its
  escalation to the HSE head (`Action.Escalation.HSE_HEAD`, see apps/actions/reminders.py);
- a contractor violation *awaits a decision* while no sanction has been decided on it;
- a sanction is *to review* when it has been in force for more than `SANCTION_REVIEW_DAYS` days;
- an escalation to the executive *awaits the decision* while it is open."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.access import scope_queryset, unit_ids_in_scope
from apps.actions.models import Action
from apps.contractors.models import Sanction, Violation
from apps.incidents.models import Incident, Investigation
from apps.internships.models import SIGNAL_ANSWER_DAYS, Signal

from .models import Escalation

PREVIEW_ROWS = 5
NEAR_DEADLINE_DAYS = 3
SANCTION_REVIEW_DAYS = 30


# --- The sections' records ----------------------------------------------------------------------------


def incidents_without_investigation(user) -> QuerySet:
    """Incidents of the user's units for which no investigation was opened, the oldest first."""
    incidents = Incident.objects.select_related("unit").filter(investigation__isnull=True)
    return scope_queryset(incidents, user).order_by("occurred_at", "id")


def investigations_near_deadline(user, *, today: date) -> QuerySet:
    """Investigations still being worked on whose deadline is `NEAR_DEADLINE_DAYS` days away or
    less, or past: the most urgent (earliest deadline) first."""
    investigations = Investigation.objects.select_related("incident__unit", "coordinator").filter(
        status__in=Investigation.EDITABLE, deadline__lte=today + timedelta(days=NEAR_DEADLINE_DAYS)
    )
    return scope_queryset(investigations, user, "incident__unit").order_by("deadline", "id")


def investigations_awaiting_approval(user) -> QuerySet:
    """Investigations whose actions are planned: they wait for the HSE head's approval."""
    investigations = Investigation.objects.select_related("incident__unit", "coordinator").filter(
        status=Investigation.Status.ACTIONS_PLANNED
    )
    return scope_queryset(investigations, user, "incident__unit").order_by("deadline", "id")


def signals_unanswered(user, *, today: date) -> QuerySet:
    """Signals not answered and heard more than 14 days ago, the oldest first. Only the columns
    the queue shows (kind, unit, date, status): never the raw text."""
    signals = (
        Signal.objects.select_related("unit")
        .exclude(status=Signal.Status.ANSWERED)
        .filter(recorded_on__lt=today - timedelta(days=SIGNAL_ANSWER_DAYS))
        .only("id", "kind", "status", "recorded_on", "escalated_on", "unit__id", "unit__name")
    )
    return scope_queryset(signals, user).order_by("recorded_on", "id")


def actions_escalated(user) -> QuerySet:
    """Open actions the daily reminder run escalated to the HSE head, the longest overdue first."""
    actions = Action.objects.select_related("unit", "owner").filter(
        status__in=Action.OPEN_STATUSES, escalation=Action.Escalation.HSE_HEAD
    )
    return scope_queryset(actions, user).order_by("due_date", "id")


def violations_awaiting_sanction(user) -> QuerySet:
    """Contractor violations on which no sanction has been decided yet, the oldest first."""
    decided = Sanction.objects.filter(violation=OuterRef("pk"))
    violations = Violation.objects.select_related("company", "unit").filter(~Exists(decided))
    return scope_queryset(violations, user).order_by("observed_at", "id")


def sanctions_to_review(user, *, now=None) -> QuerySet:
    """Sanctions in force for more than `SANCTION_REVIEW_DAYS` days (lift them, or keep them on
    purpose), the oldest first. Scoped by the unit of the violation."""
    now = now or timezone.now()
    sanctions = Sanction.objects.select_related("company", "violation__unit").filter(
        status=Sanction.Status.IN_FORCE, decided_at__lt=now - timedelta(days=SANCTION_REVIEW_DAYS)
    )
    return scope_queryset(sanctions, user, "violation__unit").order_by("decided_at", "id")


def escalations_open(user) -> QuerySet:
    """Escalations to the executive awaiting the decision, the nearest deadline first. An
    escalation about no unit in particular is the enterprise's: shown to those who see all units."""
    escalations = Escalation.objects.select_related("unit", "raised_by").filter(status=Escalation.Status.OPEN)
    scope = unit_ids_in_scope(user)
    if scope is not None:
        escalations = escalations.filter(unit_id__in=scope)
    return escalations.order_by("deadline", "id")


# --- The page -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    icon: str
    empty_text: str
    template: str  # the row partial: kpis/_work_queue_<key>.html
    tone: str = "warning"


SECTIONS: list[SectionSpec] = [
    SectionSpec("incidents", _("Incidents without an investigation"), "exclamation-triangle",
                _("Every incident has its investigation."), "incident", tone="danger"),
    SectionSpec("deadlines", _("Investigations near or past their deadline"), "hourglass-split",
                _("No investigation is within three days of its deadline."), "investigation", tone="danger"),
    SectionSpec("approvals", _("Investigations awaiting your approval"), "clipboard-check",
                _("No investigation waits for approval."), "investigation"),
    SectionSpec("signals", _("Signals unanswered for more than 14 days"), "megaphone",
                _("Every signal got its answer within 14 days."), "signal", tone="danger"),
    SectionSpec("actions", _("Actions escalated to you"), "arrow-up-right-circle",
                _("No overdue action has been escalated to you."), "action", tone="danger"),
    SectionSpec("violations", _("Contractor violations awaiting a sanction decision"), "exclamation-octagon",
                _("Every contractor violation has its decision."), "violation"),
    SectionSpec("sanctions", _("Sanctions in force for more than 30 days"), "shield-exclamation",
                _("No sanction has been in force for more than 30 days."), "sanction"),
    SectionSpec("escalations", _("Escalations awaiting the executive's decision"), "send-exclamation",
                _("No escalation waits for the executive."), "escalation"),
]  # fmt: skip

BY_KEY = {spec.key: spec for spec in SECTIONS}


def section_rows(key: str, user, *, today: date, now=None) -> QuerySet:
    """The queryset of one section (KeyError for an unknown key)."""
    if key == "incidents":
        return incidents_without_investigation(user)
    if key == "deadlines":
        return investigations_near_deadline(user, today=today)
    if key == "approvals":
        return investigations_awaiting_approval(user)
    if key == "signals":
        return signals_unanswered(user, today=today)
    if key == "actions":
        return actions_escalated(user)
    if key == "violations":
        return violations_awaiting_sanction(user)
    if key == "sanctions":
        return sanctions_to_review(user, now=now)
    if key == "escalations":
        return escalations_open(user)
    raise KeyError(key)


def with_row_facts(key: str, rows, *, today: date) -> list:
    """The rows with what their line shows beyond their columns: days late, days waiting."""
    rows = list(rows)
    for row in rows:
        if key == "actions":
            row.days_late = max((today - row.due_date).days, 0)
        elif key == "signals":
            row.days_waiting = (today - row.recorded_on).days
    return rows


def _reverse(name: str, query: str = "") -> str:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def see_all_url(key: str) -> str:
    """The filtered list of the owning app when it filters exactly this, else the queue's own
    section page."""
    if key == "signals":
        return _reverse("internships:signal_list", "overdue=1")
    if key == "escalations":
        return _reverse("kpis:escalation_list", "status=open")
    return reverse("kpis:work_queue_section", args=[key])


@dataclass
class Section:
    spec: SectionSpec
    count: int
    rows: list = field(default_factory=list)
    url: str = ""

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def work_queue(user, *, today: date | None = None, now=None) -> list[Section]:
    """Every section: its count, its first rows and its "see all" link. At most two queries a section."""
    today = today or timezone.localdate()
    sections = []
    for spec in SECTIONS:
        rows = section_rows(spec.key, user, today=today, now=now)
        count = rows.count()
        preview = with_row_facts(spec.key, rows[:PREVIEW_ROWS], today=today) if count else []
        sections.append(Section(spec=spec, count=count, rows=preview, url=see_all_url(spec.key)))
    return sections
