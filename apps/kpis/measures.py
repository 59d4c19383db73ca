"""How the numerator and denominator of each KPI are computed from the records, per unit and month
(and, for the per-person KPIs, per unit, person and month): one function per KPI of
`apps.kpis.definitions.KPIS`, each a few grouped queries run inside the database (the ORM's
`GROUP BY` with `Count`, `Sum` and `Case`/`When`), never rows fetched into Python to be counted.
The same code runs on PostgreSQL and on SQLite (the embedded default).

`measure(code, start=, end=, unit_ids=)` returns `Row`s for the months from `start`'s to `end`'s,
both included (months after today's are left out: nothing has happened in them yet).

Months are the portal's (settings.TIME_ZONE): a moment belongs to the month of its local date, as
the observations app counts its monthly figures (`TruncMonth` in the current time zone, bounds
from `apps.common.dates.month_bounds`). Dates (a due date, a session date) are already local.

The definitions, precisely (a unit is the record's unit; "done by a day" means on that day or
before, in local dates):

- observations: observations by the month they were made; per observer.
- feedback_share: observations with feedback given on the spot ÷ all observations; per observer.
- safe_share: safe acts and good practices ÷ (those + unsafe acts + unsafe conditions); near misses
  seen are left out of both.
- audits_done: audits planned for the month (the audit plan's month) whose audit was completed by
  the end of that month ÷ audits planned for the month; per planned auditor.
- contractor_audits: contractor audits completed in the month (by the audit's completion).
- contractor_sanctions: sanctions decided in the month, in the unit of the violation.
- investigations_on_time: investigations closed in the month on or before their deadline ÷
  investigations closed in the month (unit of the incident).
- investigation_quality: the sum of the quality scores (0–100, `apps.incidents.quality`) of the
  investigations closed in the month ÷ their number. The score needs the cause-tree validation and
  the Five Whys of each investigation, which are Python (apps.incidents.causetree), not SQL: the
  investigations closed in the months are read in chunks with the incidents app's
  `investigation_analyses` (a fixed number of queries per chunk), scored as of their closing day.
- actions_on_time: actions done (status done or verified) in the month, by their done date
  (`completed_at`), whose done date is on or before the due date ÷ all those; per owner.
- overdue_actions: actions open past their due date at the end of the month (the last day, or
  today for the current month). For a past month this is rebuilt from dates: created by then, due
  before that day, not done by then (done or verified with a done date after it count as still
  open then), not cancelled by then (a cancelled action's last change, `updated_at`, stands for its
  cancelling: the action register keeps no separate date). Per owner.
- overdue_age: the days late of those actions on that day, summed ÷ their number.
- repeat_findings: unsafe observations (unsafe acts, unsafe conditions, near misses seen) of a
  category already seen unsafe in the same unit at most 90 days (90 × 24 h) before, and the
  non-compliant answers of completed audits on a checklist item (same checklist, same wording)
  already found non-compliant in the same unit's completed audits at most 90 days before (times of
  completion). Counted in the month of the repeat. Observation categories and checklist items are
  separate vocabularies: an observation never repeats an audit finding.
- trainings_delivered: sessions delivered, by the session's date; per trainer.
- training_compliance: at the end of the month (last day, or today), over the people on the rolls
  (active, in their current unit: the rolls keep no history) and the courses required of them by
  requirements made by then (`apps.trainings.matrix`'s rules): required cells with a training in
  force that day (valid until that day or later, from a session held by then, not revoked by then)
  ÷ required cells. Per unit of the person.
- internship_days: days of internship logged, by the day; per internship specialist.
- signals_answered: signals whose 14 days ran out in the month (recorded on + 14, up to today for
  the current month): answered within the 14 days (answered on ≤ recorded on + 14) ÷ those.
- trir / dart / ltifr / severity_rate: recordable cases (medical treatment, restricted work, lost
  time, fatality) / cases away or restricted (restricted work, lost time) / lost-time injuries (lost
  time, fatality) / days lost, by the incident's month ÷ the unit's hours worked in the month
  (`HoursWorked`); a unit-month with hours and no cases has a row with numerator 0.
- near_miss_ratio: near-miss incidents ÷ injury incidents, by the incident's month.

A ratio whose denominator is 0 has a row with denominator 0 (its value is None: nothing to
divide by)."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    When,
)  # fmt: skip
from django.db.models import Value as V
from django.db.models.functions import Lower, Trim, TruncDate, TruncMonth
from django.utils import timezone

from apps.actions.models import Action
from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry
from apps.common.dates import day_start, month_start, next_month
from apps.contractors.models import ContractorAudit, Sanction
from apps.incidents.models import Incident, Investigation
from apps.internships.models import SIGNAL_ANSWER_DAYS, InternshipDay, Signal
from apps.observations.models import Observation
from apps.org.models import HoursWorked, Person
from apps.trainings.matrix import UnitTree, person_requirements, required_people_q
from apps.trainings.models import Attendance, TrainingSession

from . import definitions

REPEAT_WINDOW = timedelta(days=90)
UNSAFE_KINDS = tuple(Observation.NEGATIVE_KINDS)
SAFE_KINDS = tuple(Observation.POSITIVE_KINDS)
BEHAVIOUR_KINDS = (*SAFE_KINDS, Observation.Kind.UNSAFE_ACT, Observation.Kind.UNSAFE_CONDITION)
DONE_STATUSES = (Action.Status.DONE, Action.Status.VERIFIED)
DART_CASES = (Incident.Classification.RESTRICTED, Incident.Classification.LOST_TIME)
QUALITY_CHUNK = 500
ZERO = Decimal(0)


class Row(NamedTuple):
    unit_id: int
    person_id: int | None
    month: date
    numerator: Decimal
    denominator: Decimal | None


class Period(NamedTuple):
    """The months measured (first days, both ends included), their bounds as aware datetimes
    (site time), and today."""

    first: date
    last: date
    lo: object  # datetime: the first month's start
    hi: object  # datetime: the start of the month after the last
    today: date

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    def month_end(self, month: date) -> date:
        """The day a month's "at the end of the month" figures are taken: its last day, or today."""
        return min(next_month(month) - timedelta(days=1), self.today)


def _month(field: str):
    """The first day of the month of a date or datetime column, on the site's clock."""
    return TruncMonth(field, output_field=DateField())


def _d(value) -> Decimal:
    return Decimal(value or 0)


def _in_units(queryset, unit_ids, path: str = "unit_id"):
    return queryset if unit_ids is None else queryset.filter(**{f"{path}__in": unit_ids})


def _grouped(queryset, *, unit: str, person: str | None, month, numerator, denominator=None) -> list[Row]:
    """Rows of a grouped queryset: per unit-month, and per unit-person-month when `person` is set
    (the unit rows are then the sums of the person rows, which is what they are: every record has
    its person)."""
    keys = {"_unit": F(unit), "_month": month}
    if person:
        keys["_person"] = F(person)
    aggregates = {"_num": numerator}
    if denominator is not None:
        aggregates["_den"] = denominator
    grouped = queryset.order_by().annotate(**keys).values(*keys).annotate(**aggregates)
    rows: list[Row] = []
    units: dict[tuple, list] = {}
    for item in grouped:
        num = _d(item["_num"])
        den = _d(item["_den"]) if denominator is not None else None
        if person:
            rows.append(Row(item["_unit"], item["_person"], item["_month"], num, den))
            sums = units.setdefault((item["_unit"], item["_month"]), [ZERO, None if den is None else ZERO])
            sums[0] += num
            if den is not None:
                sums[1] += den
        else:
            rows.append(Row(item["_unit"], None, item["_month"], num, den))
    rows.extend(Row(unit_id, None, month, num, den) for (unit_id, month), (num, den) in units.items())
    return rows


# --- Observations ----------------------------------------------------------------------------------


def _observations(period: Period, unit_ids):
    observations = Observation.objects.filter(observed_at__gte=period.lo, observed_at__lt=period.hi)
    return _in_units(observations, unit_ids)


def m_observations(period, unit_ids):
    return _grouped(
        _observations(period, unit_ids), unit="unit_id", person="observer_id", month=_month("observed_at"),
        numerator=Count("id"),
    )  # fmt: skip


def m_feedback_share(period, unit_ids):
    return _grouped(
        _observations(period, unit_ids), unit="unit_id", person="observer_id", month=_month("observed_at"),
        numerator=Count("id", filter=Q(feedback_given=True)), denominator=Count("id"),
    )  # fmt: skip


def m_safe_share(period, unit_ids):
    return _grouped(
        _observations(period, unit_ids).filter(kind__in=BEHAVIOUR_KINDS), unit="unit_id", person=None,
        month=_month("observed_at"), numerator=Count("id", filter=Q(kind__in=SAFE_KINDS)), denominator=Count("id"),
    )  # fmt: skip


# --- Audits ----------------------------------------------------------------------------------------


def m_audits_done(period, unit_ids):
    plan = _in_units(AuditPlanEntry.objects.filter(month__gte=period.first, month__lte=period.last), unit_ids)
    plan = plan.annotate(_done_month=_month("audit__completed_at"))
    return _grouped(
        plan, unit="unit_id", person="auditor_id", month=F("month"),
        numerator=Count("id", filter=Q(audit__status=Audit.Status.COMPLETED, _done_month__lte=F("month"))),
        denominator=Count("id"),
    )  # fmt: skip


def m_contractor_audits(period, unit_ids):
    audits = ContractorAudit.objects.filter(
        audit__status=Audit.Status.COMPLETED, audit__completed_at__gte=period.lo, audit__completed_at__lt=period.hi
    )
    return _grouped(
        _in_units(audits, unit_ids, "audit__unit_id"), unit="audit__unit_id", person=None,
        month=_month("audit__completed_at"), numerator=Count("id"),
    )  # fmt: skip


def m_contractor_sanctions(period, unit_ids):
    sanctions = Sanction.objects.filter(decided_at__gte=period.lo, decided_at__lt=period.hi)
    return _grouped(
        _in_units(sanctions, unit_ids, "violation__unit_id"), unit="violation__unit_id", person=None,
        month=_month("decided_at"), numerator=Count("id"),
    )  # fmt: skip


# --- Investigations --------------------------------------------------------------------------------


def _closed_investigations(period: Period, unit_ids):
    closed = Investigation.objects.filter(
        status=Investigation.Status.CLOSED, closed_at__gte=period.lo, closed_at__lt=period.hi
    )
    return _in_units(closed, unit_ids, "incident__unit_id")


def m_investigations_on_time(period, unit_ids):
    closed = _closed_investigations(period, unit_ids).annotate(_closed_on=TruncDate("closed_at"))
    return _grouped(
        closed, unit="incident__unit_id", person=None, month=_month("closed_at"),
        numerator=Count("id", filter=Q(_closed_on__lte=F("deadline"))), denominator=Count("id"),
    )  # fmt: skip


def m_investigation_quality(period, unit_ids):
    # The score is Python (cause-tree validation, Five Whys): see the module docstring.
    from apps.incidents.selectors import investigation_analyses

    closed = _closed_investigations(period, unit_ids).select_related("incident").order_by("pk")
    sums: dict[tuple[int, date], list] = {}
    last_pk = 0
    while True:
        chunk = list(closed.filter(pk__gt=last_pk)[:QUALITY_CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1].pk
        analyses = investigation_analyses(chunk)
        for investigation in chunk:
            closed_on = timezone.localdate(investigation.closed_at)
            score = analyses[investigation.pk].quality(today=closed_on).percent
            key = (investigation.incident.unit_id, month_start(closed_on))
            entry = sums.setdefault(key, [ZERO, ZERO])
            entry[0] += score
            entry[1] += 1
    return [Row(unit_id, None, month, num, den) for (unit_id, month), (num, den) in sums.items()]


# --- Actions ---------------------------------------------------------------------------------------


def m_actions_on_time(period, unit_ids):
    done = Action.objects.filter(status__in=DONE_STATUSES, completed_at__gte=period.lo, completed_at__lt=period.hi)
    done = _in_units(done, unit_ids).annotate(_done_on=TruncDate("completed_at"))
    return _grouped(
        done, unit="unit_id", person="owner_id", month=_month("completed_at"),
        numerator=Count("id", filter=Q(_done_on__lte=F("due_date"))), denominator=Count("id"),
    )  # fmt: skip


def overdue_on(day: date, unit_ids=None):
    """The actions open past their due date on `day` (rebuilt from dates for a past day)."""
    end = day_start(day + timedelta(days=1))
    done_by_then = Q(status__in=DONE_STATUSES) & (
        Q(completed_at__lt=end) | Q(completed_at__isnull=True, updated_at__lt=end)
    )
    cancelled_by_then = Q(status=Action.Status.CANCELLED, updated_at__lt=end)
    actions = Action.objects.filter(due_date__lt=day, created_at__lt=end).exclude(done_by_then | cancelled_by_then)
    return _in_units(actions, unit_ids)


def m_overdue_actions(period, unit_ids):
    rows = []
    for month in period.months:
        rows += _grouped(
            overdue_on(period.month_end(month), unit_ids), unit="unit_id", person="owner_id", month=V(month),
            numerator=Count("id"),
        )  # fmt: skip
    return rows


def m_overdue_age(period, unit_ids):
    rows = []
    for month in period.months:
        day = period.month_end(month)
        late = ExpressionWrapper(V(day, output_field=DateField()) - F("due_date"), output_field=DurationField())
        grouped = overdue_on(day, unit_ids).order_by().values("unit_id").annotate(_late=Sum(late), _count=Count("id"))
        for item in grouped:
            days = item["_late"].days if item["_late"] is not None else 0
            rows.append(Row(item["unit_id"], None, month, Decimal(days), Decimal(item["_count"])))
    return rows


# --- Repeat findings -------------------------------------------------------------------------------


def m_repeat_findings(period, unit_ids):
    earlier_observation = Observation.objects.filter(
        unit_id=OuterRef("unit_id"), category_id=OuterRef("category_id"), kind__in=UNSAFE_KINDS,
        observed_at__lt=OuterRef("observed_at"), observed_at__gte=OuterRef("observed_at") - REPEAT_WINDOW,
    )  # fmt: skip
    observations = _observations(period, unit_ids).filter(kind__in=UNSAFE_KINDS).filter(Exists(earlier_observation))
    rows = _grouped(observations, unit="unit_id", person=None, month=_month("observed_at"), numerator=Count("id"))

    completed = {"result": AuditAnswer.Result.NON_COMPLIANT, "audit__status": Audit.Status.COMPLETED}
    earlier_finding = AuditAnswer.objects.filter(
        **completed, audit__unit_id=OuterRef("audit__unit_id"),
        item__version__template_id=OuterRef("item__version__template_id"), item__text=OuterRef("item__text"),
        audit__completed_at__lt=OuterRef("audit__completed_at"),
        audit__completed_at__gte=OuterRef("audit__completed_at") - REPEAT_WINDOW,
    )  # fmt: skip
    findings = AuditAnswer.objects.filter(
        **completed, audit__completed_at__gte=period.lo, audit__completed_at__lt=period.hi
    ).filter(Exists(earlier_finding))
    rows += _grouped(
        _in_units(findings, unit_ids, "audit__unit_id"), unit="audit__unit_id", person=None,
        month=_month("audit__completed_at"), numerator=Count("id"),
    )  # fmt: skip
    return _summed(rows)


def _summed(rows: Iterable[Row]) -> list[Row]:
    """Rows of the same unit, person and month added up (two sources of one KPI)."""
    sums: dict[tuple, list] = {}
    for row in rows:
        entry = sums.setdefault((row.unit_id, row.person_id, row.month), [ZERO, None])
        entry[0] += row.numerator
        if row.denominator is not None:
            entry[1] = (entry[1] or ZERO) + row.denominator
    return [Row(unit_id, person_id, month, num, den) for (unit_id, person_id, month), (num, den) in sums.items()]


# --- Trainings and internships ---------------------------------------------------------------------


def m_trainings_delivered(period, unit_ids):
    sessions = TrainingSession.objects.filter(
        status=TrainingSession.Status.DELIVERED, date__gte=period.first, date__lt=next_month(period.last)
    )
    return _grouped(
        _in_units(sessions, unit_ids), unit="unit_id", person="trainer_id", month=_month("date"), numerator=Count("id")
    )


def m_training_compliance(period, unit_ids):
    all_requirements = person_requirements()
    if not all_requirements:
        return []
    tree = UnitTree()
    people = _in_units(Person.objects.filter(is_active=True), unit_ids).annotate(_title=Lower(Trim("job_title")))
    rows = []
    for month in period.months:
        day = period.month_end(month)
        end = day_start(day + timedelta(days=1))
        requirements = [r for r in all_requirements if r.created_at < end]
        required = required_people_q(requirements, tree)
        if not required:
            continue
        aggregates = {}
        for course_id, q in required.items():
            in_force = Attendance.objects.filter(
                Q(revoked_at__isnull=True) | Q(revoked_at__gte=end),
                person__isnull=False, session__course_id=course_id, session__date__lte=day, valid_until__gte=day,
            ).values("person_id")  # fmt: skip
            aggregates[f"_required_{course_id}"] = Count("id", filter=q)
            aggregates[f"_valid_{course_id}"] = Count("id", filter=q & Q(pk__in=in_force))
        for item in people.order_by().values("unit_id").annotate(**aggregates):
            den = sum(item[f"_required_{course_id}"] for course_id in required)
            if den:
                num = sum(item[f"_valid_{course_id}"] for course_id in required)
                rows.append(Row(item["unit_id"], None, month, Decimal(num), Decimal(den)))
    return rows


def m_internship_days(period, unit_ids):
    days = InternshipDay.objects.filter(day__gte=period.first, day__lt=next_month(period.last))
    return _grouped(
        _in_units(days, unit_ids, "internship__unit_id"), unit="internship__unit_id",
        person="internship__specialist_id", month=_month("day"), numerator=Count("id"),
    )  # fmt: skip


def m_signals_answered(period, unit_ids):
    window = timedelta(days=SIGNAL_ANSWER_DAYS)
    last_due = min(next_month(period.last) - timedelta(days=1), period.today)
    signals = _in_units(
        Signal.objects.filter(recorded_on__gte=period.first - window, recorded_on__lte=last_due - window), unit_ids
    )
    # The month the 14 days run out in, as a CASE over the months (the same SQL on every database).
    due_month = Case(
        *[
            When(recorded_on__gte=month - window, recorded_on__lt=next_month(month) - window, then=V(month))
            for month in period.months
        ],
        output_field=DateField(),
    )
    lag = ExpressionWrapper(F("responded_on") - F("recorded_on"), output_field=DurationField())
    signals = signals.annotate(_lag=lag)
    return _grouped(
        signals, unit="unit_id", person=None, month=due_month,
        numerator=Count("id", filter=Q(status=Signal.Status.ANSWERED, _lag__lte=window)), denominator=Count("id"),
    )  # fmt: skip


# --- Lagging rates ---------------------------------------------------------------------------------


def _incidents(period: Period, unit_ids):
    return _in_units(Incident.objects.filter(occurred_at__gte=period.lo, occurred_at__lt=period.hi), unit_ids)


def _per_hours(period: Period, unit_ids, numerator) -> list[Row]:
    """Cases (or days) per unit-month against the unit-month's hours worked: a row for every
    unit-month with hours or with cases."""
    cases = {
        (item["unit_id"], item["_month"]): _d(item["_num"])
        for item in _incidents(period, unit_ids)
        .order_by()
        .annotate(_month=_month("occurred_at"))
        .values("unit_id", "_month")
        .annotate(_num=numerator)
    }
    hours = {
        (unit_id, month): _d(value)
        for unit_id, month, value in _in_units(
            HoursWorked.objects.filter(month__gte=period.first, month__lte=period.last), unit_ids
        ).values_list("unit_id", "month", "hours")
    }
    return [
        Row(unit_id, None, month, cases.get((unit_id, month), ZERO), hours.get((unit_id, month), ZERO))
        for unit_id, month in sorted(set(cases) | set(hours))
    ]


def m_trir(period, unit_ids):
    return _per_hours(period, unit_ids, Count("id", filter=Q(classification__in=Incident.RECORDABLE)))


def m_dart(period, unit_ids):
    return _per_hours(period, unit_ids, Count("id", filter=Q(classification__in=DART_CASES)))


def m_ltifr(period, unit_ids):
    return _per_hours(period, unit_ids, Count("id", filter=Q(classification__in=Incident.LOST_TIME)))


def m_severity_rate(period, unit_ids):
    return _per_hours(period, unit_ids, Sum("days_lost"))


def m_near_miss_ratio(period, unit_ids):
    incidents = _incidents(period, unit_ids).filter(type__in=(Incident.Type.NEAR_MISS, Incident.Type.INJURY))
    return _grouped(
        incidents, unit="unit_id", person=None, month=_month("occurred_at"),
        numerator=Count("id", filter=Q(type=Incident.Type.NEAR_MISS)),
        denominator=Count("id", filter=Q(type=Incident.Type.INJURY)),
    )  # fmt: skip


# --- The registry ----------------------------------------------------------------------------------

MEASURES: dict[str, Callable[[Period, object], list[Row]]] = {
    "observations": m_observations,
    "feedback_share": m_feedback_share,
    "safe_share": m_safe_share,
    "audits_done": m_audits_done,
    "contractor_audits": m_contractor_audits,
    "contractor_sanctions": m_contractor_sanctions,
    "investigations_on_time": m_investigations_on_time,
    "investigation_quality": m_investigation_quality,
    "actions_on_time": m_actions_on_time,
    "overdue_actions": m_overdue_actions,
    "overdue_age": m_overdue_age,
    "repeat_findings": m_repeat_findings,
    "trainings_delivered": m_trainings_delivered,
    "training_compliance": m_training_compliance,
    "internship_days": m_internship_days,
    "signals_answered": m_signals_answered,
    "trir": m_trir,
    "dart": m_dart,
    "ltifr": m_ltifr,
    "severity_rate": m_severity_rate,
    "near_miss_ratio": m_near_miss_ratio,
}

assert set(MEASURES) == set(definitions.BY_CODE), "every KPI has its measure"


def period_of(start: date, end: date, today: date | None = None) -> Period | None:
    """The months from start's to end's (both included), none after today's; None when empty."""
    today = today or timezone.localdate()
    first, last = month_start(start), min(month_start(end), month_start(today))
    if last < first:
        return None
    return Period(first, last, day_start(first), day_start(next_month(last)), today)


def measure(
    code: str, *, start: date, end: date, unit_ids: Iterable[int] | None = None, today: date | None = None
) -> list[Row]:
    """The rows of one KPI for the months from start's to end's (both included): per unit-month,
    and per unit-person-month for the per-person KPIs; of these units' records (None: all)."""
    definitions.kpi(code)  # unknown codes raise
    period = period_of(start, end, today)
    if period is None:
        return []
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        if not unit_ids:
            return []
    return MEASURES[code](period, unit_ids)


def measure_all(
    codes: Iterable[str], *, start: date, end: date, unit_ids=None, today: date | None = None
) -> dict[str, list[Row]]:
    return {code: measure(code, start=start, end=end, unit_ids=unit_ids, today=today) for code in codes}
