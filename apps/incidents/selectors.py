from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.accounts.access import unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.actions.models import Action
from apps.actions.selectors import actions_of
from apps.common.dates import day_after_start, day_start
from apps.org.models import HoursWorked, StructuralUnit

from . import causetree, quality
from .fivewhys import blames_a_person
from .models import CauseTreeFact, CauseTreeLink, Incident, Investigation, WhyChain, WhyStep
from .quality import QualityScore


def incident_list_for_user(user):
    """Incidents of the user's units, and those whose investigation commission the user sits on."""
    incidents = Incident.objects.select_related("unit", "reported_by", "investigation")
    if not getattr(user, "is_authenticated", False) or not user.role:
        return incidents.none()
    scope = unit_ids_in_scope(user)
    if scope is None:
        return incidents
    return incidents.filter(
        Q(unit_id__in=scope) | Q(investigation__coordinator=user) | Q(investigation__members=user)
    ).distinct()


def investigation_list_for_user(user):
    """Investigations of the incidents the user sees (`incident_list_for_user`): those of the
    user's units and those whose commission the user sits on. Written on the investigation's own
    columns, so that a user who sees every unit reads the list in index order."""
    investigations = Investigation.objects.select_related("incident__unit", "coordinator", "approved_by")
    if not getattr(user, "is_authenticated", False) or not user.role:
        return investigations.none()
    scope = unit_ids_in_scope(user)
    if scope is None:
        return investigations
    on_the_commission = Investigation.members.through.objects.filter(user=user).values("investigation_id")
    return investigations.filter(Q(incident__unit_id__in=scope) | Q(coordinator=user) | Q(pk__in=on_the_commission))


def _occurred_between(rows, field: str, date_from: date | None, date_to: date | None):
    """Rows whose event time falls on the days from `date_from` to `date_to` (inclusive) at the
    site: the raw column compared with the days' bounds, so its index serves."""
    if date_from:
        rows = rows.filter(**{f"{field}__gte": day_start(date_from)})
    if date_to:
        rows = rows.filter(**{f"{field}__lt": day_after_start(date_to)})
    return rows


def incident_filter(incidents, *, type="", unit_id=None, classification="", date_from=None, date_to=None):
    """The incidents of a type, of a unit (with the units under it), of a classification, on the
    days from `date_from` to `date_to` (inclusive); each criterion only when given."""
    if type:
        incidents = incidents.filter(type=type)
    if unit_id:
        incidents = incidents.filter(unit_id__in=_with_descendants([unit_id]))
    if classification:
        incidents = incidents.filter(classification=classification)
    return _occurred_between(incidents, "occurred_at", date_from, date_to)


def investigation_filter(investigations, *, status="", unit_id=None, date_from=None, date_to=None):
    """Investigations in a status, of incidents of a unit (with the units under it) or on the days
    from `date_from` to `date_to` (the incident's time); each criterion only when given."""
    if status:
        investigations = investigations.filter(status=status)
    if unit_id:
        investigations = investigations.filter(incident__unit_id__in=_with_descendants([unit_id]))
    return _occurred_between(investigations, "incident__occurred_at", date_from, date_to)


def coordinator_choices():
    """Who may coordinate a commission: the users whose role may coordinate investigations."""
    coordinators = roles_with("investigations.coordinate")
    return User.objects.filter(is_active=True, role__in=coordinators).order_by("last_name", "first_name")


def member_choices():
    return User.objects.filter(is_active=True).exclude(role="").order_by("last_name", "first_name")


# The analysis of one investigation ------------------------------------------------------------


@dataclass
class Cause:
    """Something the commission found that an action must address: a root cause of a why-chain
    or an unusual fact of the cause tree."""

    kind: str  # "why" or "fact"
    record: object
    actions: list = field(default_factory=list)

    @property
    def is_covered(self) -> bool:
        return any(action.status != Action.Status.CANCELLED for action in self.actions)


@dataclass
class ActionLink:
    """An action of the register and the cause it addresses (its source record)."""

    action: object
    why_step: object = None
    fact: object = None


@dataclass
class Analysis:
    investigation: Investigation
    chains: list
    facts: list
    links: list
    tree_errors: list
    causes: list
    action_links: list

    @property
    def pure_facts(self):
        return [causetree.Fact(f.pk, f.text, f.is_unusual, f.is_final_event) for f in self.facts]

    @property
    def pure_links(self):
        return [(link.antecedent_id, link.consequent_id) for link in self.links]

    @property
    def five_whys_complete(self) -> bool:
        return bool(self.chains) and all(
            chain.steps_list and chain.steps_list[-1].is_root_cause for chain in self.chains
        )

    @property
    def tree_complete(self) -> bool:
        return len(self.facts) >= 2 and not self.tree_errors

    @property
    def rca_done(self) -> bool:
        return self.five_whys_complete or self.tree_complete

    @property
    def uncovered(self) -> list:
        return [cause for cause in self.causes if not cause.is_covered]

    @property
    def actions(self) -> list:
        return [link.action for link in self.action_links]

    def svg(self):
        return causetree.cause_tree_svg(self.pure_facts, self.pure_links)

    def svg_narrow(self):
        """The same tree top to bottom, for a phone's width."""
        return causetree.cause_tree_svg(self.pure_facts, self.pure_links, layout="narrow")

    def link_rows(self):
        kinds = causetree.link_kinds(self.pure_links)
        return [(link, kinds[(link.antecedent_id, link.consequent_id)]) for link in self.links]

    def quality(self, today: date | None = None) -> QualityScore:
        inv = self.investigation
        return quality.quality_score(
            deadline=inv.deadline,
            approved_on=timezone.localdate(inv.approved_at) if inv.approved_at else None,
            today=today or timezone.localdate(),
            rca_done=self.rca_done,
            causes=len(self.causes),
            uncovered=len(self.uncovered),
            actions=[quality.ActionFacts(a.control_level, a.status, a.is_effective) for a in self.actions],
        )


def investigation_analyses(investigations) -> dict[int, Analysis]:
    """The analysis of each investigation (by id), for a page of them in a fixed number of
    queries (five, however many investigations, chains, facts, links and actions)."""
    investigations = list(investigations)
    ids = [investigation.pk for investigation in investigations]
    if not ids:
        return {}
    chains_of: dict[int, list] = {pk: [] for pk in ids}
    facts_of: dict[int, list] = {pk: [] for pk in ids}
    links_of: dict[int, list] = {pk: [] for pk in ids}
    for chain in WhyChain.objects.filter(investigation_id__in=ids).prefetch_related("steps"):
        chains_of[chain.investigation_id].append(chain)
    facts_by_id = {}
    for fact in CauseTreeFact.objects.filter(investigation_id__in=ids):
        facts_of[fact.investigation_id].append(fact)
        facts_by_id[fact.pk] = fact
    for link in CauseTreeLink.objects.filter(investigation_id__in=ids):
        # The facts at both ends are those already loaded: no query per link.
        link.antecedent = facts_by_id[link.antecedent_id]
        link.consequent = facts_by_id[link.consequent_id]
        links_of[link.investigation_id].append(link)
    step_type = ContentType.objects.get_for_model(WhyStep)
    by_step, by_fact = {}, {}
    actions = actions_of(
        WhyStep.objects.filter(chain__investigation_id__in=ids), CauseTreeFact.objects.filter(investigation_id__in=ids)
    )
    for action in actions.order_by("id"):
        by_cause = by_step if action.source_type_id == step_type.pk else by_fact
        by_cause.setdefault(action.source_id, []).append(action)
    return {
        investigation.pk: _analysis(
            investigation,
            chains_of[investigation.pk],
            facts_of[investigation.pk],
            links_of[investigation.pk],
            by_step,
            by_fact,
        )  # fmt: skip
        for investigation in investigations
    }


def investigation_analysis(investigation: Investigation) -> Analysis:
    """Everything the commission built, in a fixed number of queries."""
    return investigation_analyses([investigation])[investigation.pk]


def _analysis(investigation, chains, facts, links, by_step, by_fact) -> Analysis:
    causes, action_links = [], []
    for chain in chains:
        chain.steps_list = list(chain.steps.all())
        for step in chain.steps_list:
            step.blame = blames_a_person(step.answer)
            step.found_actions = by_step.get(step.pk, [])
            action_links += [ActionLink(action, why_step=step) for action in step.found_actions]
            if step.is_root_cause:
                causes.append(Cause("why", step, step.found_actions))
    for fact in facts:
        fact.found_actions = by_fact.get(fact.pk, [])
        action_links += [ActionLink(action, fact=fact) for action in fact.found_actions]
        if fact.is_unusual and not fact.is_final_event:
            causes.append(Cause("fact", fact, fact.found_actions))
    action_links.sort(key=lambda link: link.action.pk)
    errors = causetree.validate_cause_tree(
        [causetree.Fact(f.pk, f.text, f.is_unusual, f.is_final_event) for f in facts],
        [(link.antecedent_id, link.consequent_id) for link in links],
    )
    return Analysis(investigation, chains, facts, links, errors, causes, action_links)


def investigation_quality_average(user, *, date_from: date, date_to: date) -> int | None:
    """Mean quality score (percent) of the investigations of incidents in the period the user sees;
    None when there are none. For the KPI dashboard."""
    investigations = _occurred_between(investigation_list_for_user(user), "incident__occurred_at", date_from, date_to)
    scores = [analysis.quality().percent for analysis in investigation_analyses(investigations).values()]
    return round(sum(scores) / len(scores)) if scores else None


# Rates ----------------------------------------------------------------------------------------


def _with_descendants(unit_ids) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in StructuralUnit.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(unit_id)
    seen, stack = set(), [int(getattr(u, "pk", u)) for u in unit_ids]
    while stack:
        unit_id = stack.pop()
        if unit_id not in seen:
            seen.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return seen


@dataclass(frozen=True)
class Rates:
    hours: Decimal
    recordable: int
    lost_time: int
    days_lost: int
    injuries: int
    near_misses: int

    def _per(self, count, base) -> Decimal | None:
        if not self.hours:
            return None
        return (Decimal(count) * base / self.hours).quantize(Decimal("0.01"))

    @property
    def trir(self):
        """Recordable cases × 200,000 / hours worked."""
        return self._per(self.recordable, 200_000)

    @property
    def ltifr(self):
        """Lost-time injuries × 1,000,000 / hours worked."""
        return self._per(self.lost_time, 1_000_000)

    @property
    def severity_rate(self):
        """Days lost × 1,000 / hours worked."""
        return self._per(self.days_lost, 1_000)

    @property
    def near_miss_ratio(self):
        """Near misses per injury; None without injuries."""
        if not self.injuries:
            return None
        return (Decimal(self.near_misses) / self.injuries).quantize(Decimal("0.01"))


def incident_rates(*, units=None, user=None, date_from: date, date_to: date) -> Rates:
    """TRIR, LTIFR, severity rate and near-miss ratio of the given units (with the units under
    them) or of the units the user sees, for incidents between the dates (inclusive) and the hours
    worked in the months they span."""
    incidents = Incident.objects.all()
    hours = HoursWorked.objects.all()
    if units is not None:
        ids = _with_descendants(units)
        incidents, hours = incidents.filter(unit_id__in=ids), hours.filter(unit_id__in=ids)
    if user is not None:
        scope = unit_ids_in_scope(user)
        if scope is not None:
            incidents, hours = incidents.filter(unit_id__in=scope), hours.filter(unit_id__in=scope)
    incidents = _occurred_between(incidents, "occurred_at", date_from, date_to)
    hours = hours.filter(month__gte=date_from.replace(day=1), month__lte=date_to)
    counts = incidents.aggregate(
        recordable=Count("id", filter=Q(classification__in=Incident.RECORDABLE)),
        lost_time=Count("id", filter=Q(classification__in=Incident.LOST_TIME)),
        days_lost=Sum("days_lost"),
        injuries=Count("id", filter=Q(type=Incident.Type.INJURY)),
        near_misses=Count("id", filter=Q(type=Incident.Type.NEAR_MISS)),
    )
    return Rates(
        hours=hours.aggregate(total=Sum("hours"))["total"] or Decimal(0),
        recordable=counts["recordable"],
        lost_time=counts["lost_time"],
        days_lost=counts["days_lost"] or 0,
        injuries=counts["injuries"],
        near_misses=counts["near_misses"],
    )
