"""Scoped reads of internships and signals, for pages and API alike.

Internships are scoped by their unit (and a specialist always sees their own). Signals' raw text is
read only through `signal_list_for_user` (the rule is `rules.readable_signals`); the unit's
"you said — we did" board reads answered signals through `board_for_unit`, which never loads the
raw text at all."""

from datetime import timedelta

from django.db.models import Case, Count, F, Q, Value, When

from apps.accounts.access import can, unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import ALL_UNITS_ROLES, roles_with
from apps.org.models import Person, StructuralUnit

from . import rules
from .length import unit_subtree_ids
from .models import SIGNAL_ANSWER_DAYS, Internship, InternshipDay, Signal

# What the board shows of a signal: never `raw_text`, nor anything that says who or when it was heard.
BOARD_FIELDS = ("paraphrase", "kind", "response", "response_text", "responded_on")


def internship_list_for_user(user):
    """Internships of the units in the user's scope, and the user's own wherever they are; each
    with `days_logged` and `signal_count` (counts only: the list never reads a signal)."""
    if not can(user, "internships.view"):
        return Internship.objects.none()
    internships = Internship.objects.select_related("specialist", "unit", "host_foreman")
    scope = unit_ids_in_scope(user)
    if scope is not None:
        internships = internships.filter(Q(unit_id__in=scope) | Q(specialist_id=user.pk))
    return internships.annotate(
        days_logged=Count("days", distinct=True), signal_count=Count("signals", distinct=True)
    ).order_by("-starts_on", "-id")


def internship_days(internship: Internship):
    """The internship's daily log, first day first."""
    return InternshipDay.objects.filter(internship=internship).order_by("day")


def internship_contacts(internship: Internship):
    return internship.contacts.order_by("name", "id")


def signal_list_for_user(user):
    """The signals whose raw text the user may read (`rules.readable_signals`), newest first."""
    signals = Signal.objects.select_related("unit", "internship")
    return rules.readable_signals(user, signals).order_by("-recorded_on", "-id")


def _label(field: str, choices) -> Case:
    # Labels in the active language, computed by the database: the board's rows stay plain values.
    return Case(*(When(**{field: code}, then=Value(str(label))) for code, label in choices.choices), default=Value(""))


def board_for_unit(unit: StructuralUnit):
    """The "you said — we did" board of a unit and the units under it: its answered signals, most
    recently answered first, as rows (dicts) of `BOARD_FIELDS` plus `kind_label`,
    `response_label` and `unit_name`. A values() query: the raw text is never read."""
    return (
        Signal.objects.filter(unit_id__in=unit_subtree_ids(unit), status=Signal.Status.ANSWERED)
        .order_by("-responded_on", "-id")
        .values(*BOARD_FIELDS)
        .annotate(
            kind_label=_label("kind", Signal.Kind),
            response_label=_label("response", Signal.Response),
            unit_name=F("unit__name"),
        )
    )


def board_summary(unit: StructuralUnit) -> dict:
    """Counts of the unit's board (with the units under it), in one query: `heard` (all signals),
    `answered`, `in_progress` (being worked on), `awaiting` (no response yet) and
    `answered_in_time` (answered within SIGNAL_ANSWER_DAYS days of being heard)."""
    answered = Q(status=Signal.Status.ANSWERED)
    figures = Signal.objects.filter(unit_id__in=unit_subtree_ids(unit)).aggregate(
        heard=Count("id"),
        answered=Count("id", filter=answered),
        in_progress=Count("id", filter=Q(status=Signal.Status.IN_PROGRESS)),
        awaiting=Count("id", filter=Q(status=Signal.Status.NEW)),
        answered_in_time=Count(
            "id", filter=answered & Q(responded_on__lte=F("recorded_on") + timedelta(days=SIGNAL_ANSWER_DAYS))
        ),
    )
    return {key: value or 0 for key, value in figures.items()}


def foreman_candidates(unit: StructuralUnit):
    """Who may host an internship in the unit: the active foremen on its own roll."""
    return Person.objects.filter(unit=unit, is_foreman=True, is_active=True).order_by("full_name", "id")


def _ancestor_ids(unit: StructuralUnit) -> set[int]:
    parents = dict(StructuralUnit.objects.values_list("id", "parent_id"))
    seen: set[int] = set()
    current = unit.pk
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return seen


def specialist_candidates(unit: StructuralUnit):
    """Who may run an internship in the unit (`internships.run` there): active users with such a
    role who see every unit, or who are assigned the unit or a unit above it."""
    roles = roles_with("internships.run")
    everywhere = roles & ALL_UNITS_ROLES
    assigned = roles - ALL_UNITS_ROLES
    users = User.objects.filter(is_active=True).filter(
        Q(role__in=everywhere) | Q(role__in=assigned, units__in=_ancestor_ids(unit))
    )
    return User.objects.filter(pk__in=users.values("pk")).order_by("last_name", "first_name", "username")
