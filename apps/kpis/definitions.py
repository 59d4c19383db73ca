"""What each KPI is: its name, a plain-language explanation (what it counts, why it matters, how
it is computed), how its value reads, which way is better and at which levels it is kept.

A KPI's value for a set of snapshot rows is `sum(numerator) / sum(denominator) × scale`, or
`sum(numerator) × scale` when it has no denominator (a count). How the numerator and denominator
of one unit's month are computed is in `apps.kpis.measures` (one function per KPI, in SQL)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

UP, DOWN = "up", "down"  # higher is better / lower is better


@dataclass(frozen=True)
class Kpi:
    code: str
    name: str
    explanation: str
    reads_as: str  # how the value is shown: "per month", "%", "per 200,000 h"
    direction: str = UP
    scale: Decimal = Decimal(1)
    has_denominator: bool = True
    per_person: bool = False  # also kept per person (the observer, the auditor, the trainer …)
    lagging: bool = False
    decimals: int = 1


def _severity_basis() -> Decimal:
    return Decimal(getattr(settings, "KPI_SEVERITY_RATE_HOURS", 1000))


KPIS: list[Kpi] = [
    # --- Proactive --------------------------------------------------------------------------------
    Kpi("observations", _("Gemba observations"),
        _("Counts the gemba observations logged in the month. Going to the floor and looking is the "
          "first proactive habit: each observation is a conversation about safe work. Counted by the "
          "month of the observation, per unit and per observer."),
        _("per month"), has_denominator=False, per_person=True, decimals=0),
    Kpi("feedback_share", _("Feedback given on the spot"),
        _("The share of observations after which the observer gave feedback there and then, to the "
          "worker or the manager. An observation without a conversation changes nothing. Observations "
          "with feedback ÷ all observations × 100."),
        "%", scale=Decimal(100), per_person=True),
    Kpi("safe_share", _("Safe acts and conditions"),
        _("The share of safe acts and good practices among the observations of behaviour and "
          "conditions. It rises as safe work becomes the norm — and falls when observers start to look "
          "properly, so read it with the number of observations. Safe acts and good practices ÷ "
          "(those + unsafe acts + unsafe conditions) × 100."),
        "%", scale=Decimal(100)),
    Kpi("audits_done", _("Audits done as planned"),
        _("Safety audits completed against the audits planned for the month. A plan that is not kept "
          "tells the floor that audits do not matter. Audits completed ÷ audits planned in the month × 100."),
        "%", scale=Decimal(100), per_person=True),
    Kpi("contractor_audits", _("Contractor audits"),
        _("Contractor audits completed in the month: contractors cause a large share of serious "
          "injuries, and an audit is how their work is seen before it goes wrong."),
        _("per month"), has_denominator=False, decimals=0),
    Kpi("contractor_sanctions", _("Sanctions on contractors"),
        _("Sanctions decided on contractor violations in the month (warnings, fines, stopped work, "
          "blocked passes). Read with the violations: rules that are never enforced are not rules."),
        _("per month"), has_denominator=False, direction=DOWN, decimals=0),
    Kpi("investigations_on_time", _("Investigations closed on time"),
        _("Investigations closed by their deadline among those closed in the month. Late "
          "investigations lose the facts and the people's trust. Closed on time ÷ closed × 100."),
        "%", scale=Decimal(100)),
    Kpi("investigation_quality", _("Investigation quality"),
        _("The average quality score of the investigations closed in the month: on time, root-cause "
          "analysis complete, actions aimed at system causes and high in the hierarchy of controls, "
          "effectiveness verified (0–100)."),
        _("score"), decimals=0),
    Kpi("actions_on_time", _("Actions closed on time"),
        _("Corrective actions done in the month by their due date, among all done in the month. An "
          "action that comes too late does not prevent the next injury. Done on time ÷ done × 100."),
        "%", scale=Decimal(100), per_person=True),
    Kpi("overdue_actions", _("Overdue actions"),
        _("Actions still open past their due date at the end of the month (today, for the current "
          "month), by the unit of the action and its owner."),
        _("at month end"), has_denominator=False, direction=DOWN, per_person=True, decimals=0),
    Kpi("overdue_age", _("Age of overdue actions"),
        _("How many days the overdue actions are late on average at the end of the month. Old overdue "
          "actions are the ones nobody owns any more. Sum of days late ÷ overdue actions."),
        _("days"), direction=DOWN, decimals=0),
    Kpi("repeat_findings", _("Repeat findings"),
        _("Unsafe observations and audit findings of a category already found in the same unit in the "
          "90 days before: the fix did not hold. Counted in the month the repeat was found."),
        _("per month"), has_denominator=False, direction=DOWN, decimals=0),
    Kpi("trainings_delivered", _("Trainings by internal trainers"),
        _("Training sessions delivered in the month by the enterprise's own trainers. Preparing a "
          "course makes the trainer learn it deeply: this is how internal HSE talent grows."),
        _("sessions"), has_denominator=False, per_person=True, decimals=0),
    Kpi("training_compliance", _("Training compliance"),
        _("Of the trainings required of the people on the rolls (by job title and unit), the share in "
          "force at the end of the month. Required trainings in force ÷ required trainings × 100."),
        "%", scale=Decimal(100)),
    Kpi("internship_days", _("Internship days"),
        _("Days HSE specialists spent working inside production units (days of internship logged). "
          "Working alongside the crew is how a specialist learns the real work and earns trust."),
        _("days"), has_denominator=False, per_person=True, decimals=0),
    Kpi("signals_answered", _("Signals answered within 14 days"),
        _("Signals (from internships and the units' QR forms) whose 14 days ran out in the month, and "
          "the share of them answered in time. An unanswered concern teaches people to stop raising "
          "them. Answered within 14 days ÷ signals due × 100."),
        "%", scale=Decimal(100)),
    # --- Lagging (context) ------------------------------------------------------------------------
    Kpi("trir", _("TRIR"),
        _("Total recordable incident rate: recordable injuries and illnesses (lost time, restricted "
          "work, medical treatment) per 200,000 hours worked, about 100 people for a year. Recordable "
          "cases × 200,000 ÷ hours worked."),
        _("per 200,000 h"), direction=DOWN, scale=Decimal(200_000), lagging=True, decimals=2),
    Kpi("dart", _("DART rate"),
        _("Days away, restricted or transferred: the cases that kept someone from their usual work, "
          "per 200,000 hours worked. Such cases × 200,000 ÷ hours worked."),
        _("per 200,000 h"), direction=DOWN, scale=Decimal(200_000), lagging=True, decimals=2),
    Kpi("ltifr", _("LTIFR"),
        _("Lost-time injury frequency rate: injuries with at least one day lost per 1,000,000 hours "
          "worked. Lost-time injuries × 1,000,000 ÷ hours worked."),
        _("per 1,000,000 h"), direction=DOWN, scale=Decimal(1_000_000), lagging=True, decimals=2),
    Kpi("severity_rate", _("Severity rate"),
        _("Days lost to injuries per the enterprise's basis of hours worked (1,000 hours, or 200,000 as "
          "OSHA counts them: settings KPI_SEVERITY_RATE_HOURS). Days lost × basis ÷ hours worked."),
        _("days per basis"), direction=DOWN, lagging=True, decimals=2),
    Kpi("near_miss_ratio", _("Near misses per injury"),
        _("Near misses reported for each injury in the month. Many near misses per injury means people "
          "report before someone is hurt. Near misses ÷ injuries (no injuries: not shown)."),
        _("per injury"), lagging=True),
]  # fmt: skip

BY_CODE: dict[str, Kpi] = {kpi.code: kpi for kpi in KPIS}


def kpi(code: str) -> Kpi:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"Unknown KPI {code!r}") from None


def scale_of(definition: Kpi) -> Decimal:
    """The multiplier of the value (the severity rate's follows the enterprise's basis)."""
    return _severity_basis() if definition.code == "severity_rate" else definition.scale


def value_of(definition: Kpi, numerator, denominator) -> Decimal | None:
    """The KPI's value from summed rows: None when a ratio has nothing to divide by."""
    numerator = Decimal(numerator or 0)
    if not definition.has_denominator:
        return numerator * scale_of(definition)
    if not denominator:
        return None
    return numerator / Decimal(denominator) * scale_of(definition)
