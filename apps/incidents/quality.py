"""The investigation quality score: a pure function, with the rules it applies written out for
the page, so commissions know what good looks like."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

from apps.common.dates import short_date

STRONG_LEVELS = ("elimination", "substitution", "engineering")
STRONG_SHARE = 0.5  # at least half the actions above the administrative level

RULES = [
    ("on_time", _("On time"), _("The HSE head approved the investigation by its deadline (10 days for severity 4–5, "
                                "15 for 3, 30 for 1–2).")),
    ("rca_done", _("Root-cause analysis done"), _("At least one method is complete: every why-chain ends in a root "
                                                  "cause, or the cause tree is valid with the final event and its "
                                                  "antecedents.")),
    ("causes_covered", _("Every root cause has an action"), _("Each root cause of the Five Whys and each unusual "
                                                             "fact of the cause tree is addressed by an action "
                                                             "that is not cancelled.")),
    ("strong_actions", _("Strong controls"), _("At least half the actions are elimination, substitution or "
                                               "engineering controls — above rules, training and PPE.")),
    ("effective", _("Effectiveness verified"), _("Every action is done and verified as effective.")),
]  # fmt: skip


@dataclass(frozen=True)
class ActionFacts:
    control_level: str
    status: str
    is_effective: bool | None


@dataclass
class Criterion:
    code: str
    label: str
    rule: str
    passed: bool
    detail: str = ""


@dataclass
class QualityScore:
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for criterion in self.criteria if criterion.passed)

    @property
    def percent(self) -> int:
        return round(100 * self.passed / len(self.criteria)) if self.criteria else 0


def quality_score(
    *,
    deadline: date,
    approved_on: date | None,
    today: date,
    rca_done: bool,
    causes: int,
    uncovered: int,
    actions: list[ActionFacts],
) -> QualityScore:
    """Five pass/fail criteria and their share. Cancelled actions do not count. While not yet
    approved, "on time" holds as long as the deadline has not passed."""
    actions = [action for action in actions if action.status != "cancelled"]
    if approved_on is not None:
        on_time = approved_on <= deadline
        on_time_detail = _("approved %(when)s, deadline %(deadline)s") % {
            "when": short_date(approved_on), "deadline": short_date(deadline)
        }  # fmt: skip
    else:
        on_time = today <= deadline
        on_time_detail = _("not approved yet, deadline %(deadline)s") % {"deadline": short_date(deadline)}
    strong = sum(1 for action in actions if action.control_level in STRONG_LEVELS)
    share = strong / len(actions) if actions else 0
    effective = sum(1 for action in actions if action.status == "verified" and action.is_effective)
    values = {
        "on_time": (on_time, on_time_detail),
        "rca_done": (rca_done, ""),
        "causes_covered": (
            causes > 0 and uncovered == 0,
            _("%(covered)d of %(causes)d covered") % {"covered": causes - uncovered, "causes": causes},
        ),
        "strong_actions": (
            bool(actions) and share >= STRONG_SHARE,
            _("%(strong)d of %(total)d actions") % {"strong": strong, "total": len(actions)},
        ),
        "effective": (
            bool(actions) and effective == len(actions),
            _("%(done)d of %(total)d verified effective") % {"done": effective, "total": len(actions)},
        ),
    }
    return QualityScore(
        [Criterion(code, str(label), str(rule), values[code][0], str(values[code][1])) for code, label, rule in RULES]
    )
