"""The KPI pages: the line manager's dashboard (HSE roles, the executive and the system admin see it
for their units too), the HSE specialist's scorecard and the HSE head's side-by-side view of all
specialists, the HSE head's work queue, and the KPI targets.

Pages read the snapshot table through `apps.kpis.selectors` (the figures of the month and their
12-month trends) and say how fresh it is; the few figures of the moment (contractors on site,
unanswered signals, top observation categories of the month) are bounded aggregate queries. Every
figure links to its records with the page's unit and month. Query counts are fixed: they do not
grow with units, people or months (pinned in tests/kpis/test_dashboard_views.py)."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.access import can, capability_required, unit_ids_in_scope
from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.common.cache import cached, scope_key
from apps.common.dates import month_bounds, month_start, months_back, next_month
from apps.common.pagination import CappedPaginator, query_without_page
from apps.common.periods import DEFAULT_PERIOD, period_from
from apps.contractors.models import Sanction, WorkOrder
from apps.internships.models import SIGNAL_ANSWER_DAYS, Signal
from apps.observations.models import Observation
from apps.org.models import StructuralUnit
from apps.org.selectors import unit_choices_for_user

from . import charts, selectors, services, work_queue
from .dashboard_forms import DashboardFilterForm, ScorecardFilterForm, TargetForm, TargetRemoveForm
from .definitions import BY_CODE, DOWN, KPIS
from .models import KpiSnapshot, KpiTarget

# The headline cards of the dashboard, in this order.
DASHBOARD_KPIS = [
    "observations",
    "feedback_share",
    "safe_share",
    "audits_done",
    "actions_on_time",
    "overdue_actions",
    "overdue_age",
    "repeat_findings",
    "training_compliance",
    "signals_answered",
    "investigations_on_time",
    "investigation_quality",
]
# The HSE specialist's own proactive KPIs (per-person snapshot rows).
SCORECARD_KPIS = [
    "observations",
    "feedback_share",
    "audits_done",
    "actions_on_time",
    "trainings_delivered",
    "internship_days",
]
TOP_ROWS = 8  # owners, categories, units in a breakdown
BREAKDOWN_UNITS = 12
SCORECARD_PAGE_SIZE = 25
SECTION_PAGE_SIZE = 25


# --- Shared helpers ----------------------------------------------------------------------------------


def _url(name: str, args=None, **params) -> str:
    """A URL with its query (empty parameters dropped); "" when the URL name does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{url}?{query}" if query else url


def _unit_tree() -> dict[int, int | None]:
    return dict(StructuralUnit.objects.values_list("id", "parent_id"))


def _with_descendants(unit_id: int, parent_of: dict[int, int | None]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in parent_of.items():
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [unit_id]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, ()))
    return found


@dataclass
class Card:
    """A KPI card of a page: the selector's card, its chart and links, ready for the template."""

    kpi: selectors.KpiCard
    sparkline: str
    chart: str
    value_text: str
    target_text: str
    change_text: str
    change_good: bool | None
    url: str

    @property
    def definition(self):
        return self.kpi.definition

    @property
    def met(self):
        return self.kpi.met

    @property
    def no_value(self) -> bool:
        return self.kpi.value is None


def _fmt(value, definition) -> str:
    return charts.format_value(value, definition.reads_as, definition.decimals)


def _target_text(definition, target) -> str:
    if target is None:
        return ""
    # A target is a round figure more often than not: "≥ 90%", not "≥ 90.0%".
    return ("≤ " if definition.direction == DOWN else "≥ ") + charts.format_value(target, definition.reads_as)


def _card(kpi_card: selectors.KpiCard, url: str = "") -> Card:
    definition = kpi_card.definition
    series = charts.series_from_figures(kpi_card.trend)
    change = kpi_card.change
    change_good = None
    change_text = ""
    if change is not None:
        sign = "+" if change > 0 else ("−" if change < 0 else "±")
        change_text = sign + charts.format_value(abs(change), definition.reads_as, definition.decimals)
        if change:
            change_good = (change < 0) if definition.direction == DOWN else (change > 0)
    target_text = _target_text(definition, kpi_card.target)
    return Card(
        kpi=kpi_card,
        sparkline=charts.sparkline_svg(
            series, target=kpi_card.target, title=str(definition.name), direction=definition.direction,
            reads_as=str(definition.reads_as),
        ),
        chart=charts.trend_chart_svg(
            series, target=kpi_card.target, title=str(definition.name), reads_as=str(definition.reads_as),
            direction=definition.direction, decimals=definition.decimals,
            kind="line" if definition.has_denominator else "columns",
        ),
        value_text=_fmt(kpi_card.value, definition),
        target_text=target_text,
        change_text=change_text,
        change_good=change_good,
        url=url,
    )  # fmt: skip


def _freshness(unit_ids, months):
    """(when the figures read were computed, whether there is any snapshot at all)."""
    freshness = selectors.snapshot_freshness(unit_ids=unit_ids, months=months)
    return freshness, freshness is not None or KpiSnapshot.objects.exists()


def _bad_request(request, template, context):
    return render(request, template, {**context, "invalid": True}, status=400)


# --- The dashboard --------------------------------------------------------------------------------------


def _drill_urls(*, user, unit, month, is_hse: bool) -> dict[str, str]:
    """Where each figure of the dashboard leads: the records behind it, with the page's unit and
    month as the target list's own filters."""
    unit_pk = unit.pk if unit else ""
    first, last = month, next_month(month) - timedelta(days=1)
    period = {"date_from": first.isoformat(), "date_to": last.isoformat()}
    observations = _url("observations:list", tab="units", unit=unit_pk, **period)
    overdue = _url("actions:list", tab="overdue", unit=unit_pk)
    if is_hse:
        signals = _url("internships:signal_list", overdue=1, unit=unit_pk)
    else:
        board_unit = unit or user.units.order_by("name", "pk").first()
        signals = _url("internships:board", args=[board_unit.pk]) if board_unit else ""
    return {
        "observations": observations,
        "feedback_share": _url("observations:list", tab="units", unit=unit_pk, feedback="no", **period),
        "safe_share": observations,
        "audits_done": _url("audits:list", tab="completed", unit=unit_pk, month_from=f"{month:%Y-%m}",
                            month_to=f"{month:%Y-%m}"),
        "actions_on_time": _url("actions:list", tab="units", unit=unit_pk, due_from=first.isoformat(),
                                due_to=last.isoformat()),
        "overdue_actions": overdue,
        "overdue_age": overdue,
        "repeat_findings": observations,
        "training_compliance": _url("trainings:matrix", unit=unit_pk, state="attention"),
        "signals_answered": signals,
        "investigations_on_time": _url("incidents:list", unit=unit_pk, **period),
        "investigation_quality": _url("incidents:list", unit=unit_pk, **period),
        "contractors_on_site": _url("contractors:work_order_list", status=WorkOrder.Status.IN_PROGRESS, unit=unit_pk),
        "contractors_sanctioned": _url("contractors:violation_list"),
    }  # fmt: skip


def _breakdown_units(unit_ids, selected, parent_of) -> list[int]:
    """The units a breakdown shows: the selected unit's children (or the unit itself), else the
    top units of the user's scope, or their children when the scope has a single top."""
    if selected is not None:
        children = [pk for pk, parent in parent_of.items() if parent == selected.pk]
        return (children or [selected.pk])[:BREAKDOWN_UNITS]
    scope = set(parent_of) if unit_ids is None else set(unit_ids)
    tops = [pk for pk in scope if parent_of.get(pk) not in scope]
    if len(tops) == 1:
        children = [pk for pk, parent in parent_of.items() if parent == tops[0]]
        tops = children or tops
    return sorted(tops)[:BREAKDOWN_UNITS]


TOP_CATEGORIES_SECONDS = 120


def _top_categories(unit_ids, month, *, unit):
    start, end = month_bounds(month)
    rows = Observation.objects.filter(observed_at__gte=start, observed_at__lt=end)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    # A live count over the month's observations (145 ms for every unit at plant scale): kept two
    # minutes per scope and month, like the home page's figures.
    counted = cached(
        f"kpis:top-categories:{scope_key(unit_ids)}:{month:%Y-%m}",
        lambda: list(
            rows.order_by()
            .values("category_id", "category__name_en", "category__name_ru")
            .annotate(count=Count("id"))
            .order_by("-count", "category__name_en")[:TOP_ROWS]
        ),
        timeout=TOP_CATEGORIES_SECONDS,
    )
    ru = (get_language() or "").startswith("ru")
    first, last = month, next_month(month) - timedelta(days=1)
    return [
        {
            "label": row["category__name_ru"] if ru else row["category__name_en"],
            "count": row["count"],
            "url": _url(
                "observations:list",
                tab="units",
                unit=unit.pk if unit else "",
                category=row["category_id"],
                date_from=first.isoformat(),
                date_to=last.isoformat(),
            ),
        }  # fmt: skip
        for row in counted
    ]


def _contractors(unit_ids):
    orders = WorkOrder.objects.filter(status=WorkOrder.Status.IN_PROGRESS)
    sanctions = Sanction.objects.filter(status=Sanction.Status.IN_FORCE)
    if unit_ids is not None:
        orders = orders.filter(unit_id__in=unit_ids)
        sanctions = sanctions.filter(violation__unit_id__in=unit_ids)
    on_site = orders.order_by().aggregate(orders=Count("id"), companies=Count("company", distinct=True))
    sanctioned = sanctions.order_by().aggregate(sanctions=Count("id"), companies=Count("company", distinct=True))
    return {"on_site": on_site, "sanctioned": sanctioned}


def _unanswered_signals(unit_ids, today) -> int:
    signals = Signal.objects.exclude(status=Signal.Status.ANSWERED).filter(
        recorded_on__lt=today - timedelta(days=SIGNAL_ANSWER_DAYS)
    )
    if unit_ids is not None:
        signals = signals.filter(unit_id__in=unit_ids)
    return signals.order_by().count()


@capability_required("kpis.view_dashboard")
def dashboard(request):
    """The units' KPIs against their targets with the 12-month trends, and what is behind them."""
    user = request.user
    today = timezone.localdate()
    units = unit_choices_for_user(user)
    default_month = selectors.last_complete_month(today)
    form = DashboardFilterForm(request.GET or None, units=units, initial={"month": default_month})
    period, period_form, period_valid = period_from(request.GET)
    context = {
        "form": form,
        "today": today,
        "signal_days": SIGNAL_ANSWER_DAYS,
        "period": period,
        "period_form": period_form,
        "keep": {"months": period} if period != DEFAULT_PERIOD else {},
    }
    if (request.GET and not form.is_valid()) or not period_valid:
        return _bad_request(request, "kpis/dashboard.html", context)
    data = form.cleaned_data if form.is_bound else {}
    unit = data.get("unit")
    month = data.get("month") or default_month
    scope = unit_ids_in_scope(user)
    parent_of = _unit_tree()
    if unit is not None:
        unit_ids = sorted(_with_descendants(unit.pk, parent_of) & (set(parent_of) if scope is None else set(scope)))
    else:
        unit_ids = None if scope is None else sorted(scope)
    is_hse = user.role in (Role.HSE_SPECIALIST, Role.HSE_HEAD)
    drill = _drill_urls(user=user, unit=unit, month=month, is_hse=is_hse)
    trend_months = months_back(month, period)
    freshness, any_snapshot = _freshness(unit_ids, trend_months)
    kpi_cards = selectors.kpi_cards(DASHBOARD_KPIS, unit_ids=unit_ids, month=month, trend_months=period)
    cards = [_card(card, drill.get(card.code, "")) for card in kpi_cards]
    by_code = {card.kpi.code: card for card in cards}
    safe = by_code["safe_share"].kpi.trend
    # Safe = the share's numerator, unsafe = its denominator less the numerator; a month without
    # observations of behaviour or conditions (no denominator) is a gap, not "0 / 0".
    safe_rows = [
        (label, figure.numerator, figure.denominator - figure.numerator)
        if figure.denominator is not None
        else (label, None, None)
        for (label, _value), figure in zip(charts.series_from_figures(safe), safe, strict=True)
    ]
    safe_chart = charts.stacked_or_paired_bars_svg(
        safe_rows, names=(_("Safe"), _("Unsafe")), title=_("Safe and unsafe observations, month by month")
    )
    # Overdue actions at the month's end, by owner (per-person snapshot rows).
    by_person = selectors.kpi_by_person("overdue_actions", unit_ids=unit_ids, month=month)
    owners = [(person, figure) for person, figure in by_person if figure.value]
    owners.sort(key=lambda row: (-row[1].value, str(row[0])))
    owners = owners[:TOP_ROWS]
    owner_links = [
        _url("actions:list", tab="overdue", owner=person.pk, unit=unit.pk if unit else "") for person, _f in owners
    ]
    owners_chart = charts.horizontal_bars_svg(
        [(str(person), figure.value) for person, figure in owners], title=_("Overdue actions by owner"),
        tone="bad", links=owner_links, decimals=0,
    )  # fmt: skip
    categories = _top_categories(unit_ids, month, unit=unit)
    categories_chart = charts.horizontal_bars_svg(
        [(row["label"], row["count"]) for row in categories], title=_("Top observation categories"),
        links=[row["url"] for row in categories], decimals=0,
    )  # fmt: skip
    breakdown = _breakdown_units(unit_ids, unit, parent_of)
    repeat_by_unit = selectors.kpi_by_unit("repeat_findings", unit_ids=breakdown, month=month, rollup=True)
    compliance_by_unit = selectors.kpi_by_unit("training_compliance", unit_ids=breakdown, month=month, rollup=True)
    compliance_target = by_code["training_compliance"].kpi.target
    compliance_chart = charts.horizontal_bars_svg(
        [(str(u), figure.value) for u, figure in compliance_by_unit], title=_("Training compliance by unit"),
        reads_as="%", target=compliance_target, decimals=0,
        colours=[
            charts.NEUTRAL if figure.value is None or compliance_target is None
            else (charts.GOOD if figure.value >= compliance_target else charts.BAD)
            for _u, figure in compliance_by_unit
        ],
        links=[_url("trainings:matrix", unit=u.pk, state="attention") for u, _f in compliance_by_unit],
    )  # fmt: skip
    repeat_chart = charts.horizontal_bars_svg(
        [(str(u), figure.value) for u, figure in repeat_by_unit], title=_("Repeat findings by unit"), tone="bad",
        decimals=0,
        links=[
            _url("observations:list", tab="units", unit=u.pk, date_from=month.isoformat(),
                 date_to=(next_month(month) - timedelta(days=1)).isoformat())
            for u, _f in repeat_by_unit
        ],
    )  # fmt: skip
    context.update(
        {
            "unit": unit,
            "month": month,
            "is_current_month": month == month_start(today),
            "previous_month": months_back(month, 2)[0],
            "next_month": next_month(month) if next_month(month) <= month_start(today) else None,
            "freshness": freshness,
            "any_snapshot": any_snapshot,
            "cards": cards,
            "safe_chart": safe_chart,
            "safe_now": safe[-1],
            "owners": owners,
            "owners_chart": owners_chart if owners else "",
            "overdue_total": by_code["overdue_actions"].kpi.value,
            "categories": categories,
            "categories_chart": categories_chart if categories else "",
            "repeat": by_code["repeat_findings"],
            "repeat_count": int(by_code["repeat_findings"].kpi.value or 0),
            "repeat_chart": repeat_chart if any(figure.value for _u, figure in repeat_by_unit) else "",
            "compliance": by_code["training_compliance"],
            "compliance_chart": compliance_chart if compliance_by_unit else "",
            "contractors": _contractors(unit_ids),
            "signals_unanswered": _unanswered_signals(unit_ids, today),
            "drill": drill,
            "is_hse": is_hse,
            "can_manage_targets": can(user, "kpis.manage_targets"),
            "filter_query": urlencode({"unit": unit.pk if unit else "", "month": f"{month:%Y-%m}"}),
            "period_keep": {"unit": unit.pk if unit else "", "month": f"{month:%Y-%m}"},
        }
    )
    return render(request, "kpis/dashboard.html", context)


# --- Scorecards ---------------------------------------------------------------------------------------


def _scorecard_month(request):
    default_month = selectors.last_complete_month(timezone.localdate())
    form = ScorecardFilterForm(request.GET or None, codes=SCORECARD_KPIS, initial={"month": default_month})
    valid = not request.GET or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    return form, valid, data.get("month") or default_month, data.get("sort") or "name"


def _scorecard_context(person, month, *, role: str) -> dict:
    kpi_cards = selectors.kpi_cards(SCORECARD_KPIS, person_id=person.pk, role=role, month=month)
    drill = _person_drill_urls(person, month)
    cards = [_card(card, drill.get(card.code, "")) for card in kpi_cards]
    freshness = selectors.snapshot_freshness(months=[month], codes=SCORECARD_KPIS)
    return {
        "person": person,
        "month": month,
        "cards": cards,
        "met": sum(1 for card in cards if card.met),
        "with_target": sum(1 for card in cards if card.met is not None),
        "freshness": freshness,
        "any_snapshot": freshness is not None or KpiSnapshot.objects.exists(),
    }


def _person_drill_urls(person, month) -> dict[str, str]:
    first, last = month, next_month(month) - timedelta(days=1)
    period = {"date_from": first.isoformat(), "date_to": last.isoformat()}
    return {
        "observations": _url("observations:list", tab="units", observer=person.pk, **period),
        "feedback_share": _url("observations:list", tab="units", observer=person.pk, feedback="no", **period),
        "audits_done": _url("audits:list", tab="completed", auditor=person.pk, month_from=f"{month:%Y-%m}",
                            month_to=f"{month:%Y-%m}"),
        "actions_on_time": _url("actions:list", tab="units", owner=person.pk, due_from=first.isoformat(),
                                due_to=last.isoformat()),
        "trainings_delivered": _url("trainings:trainer_detail", args=[person.pk]),
        "internship_days": _url("internships:list"),
    }  # fmt: skip


@capability_required("kpis.view_own_scorecard")
def scorecard(request):
    """The signed-in HSE specialist's own proactive KPIs against the targets of their role."""
    form, valid, month, _sort = _scorecard_month(request)
    context = {"form": form, "own": True, "can_view_all": can(request.user, "kpis.view_all_scorecards")}
    if not valid:
        return _bad_request(request, "kpis/scorecard.html", context)
    context.update(_scorecard_context(request.user, month, role=request.user.role))
    return render(request, "kpis/scorecard.html", context)


def _specialists(user):
    """The HSE specialists the user sees: active, covering a unit in the user's scope (all for
    those who see every unit)."""
    people = User.objects.filter(role=Role.HSE_SPECIALIST, is_active=True)
    scope = unit_ids_in_scope(user)
    if scope is not None:
        people = people.filter(units__in=scope).distinct()
    return people.order_by("last_name", "first_name", "username", "pk")


@capability_required("kpis.view_all_scorecards")
def scorecard_person(request, user_pk):
    """One specialist's scorecard, as the HSE head sees it (404 for anyone not an HSE specialist)."""
    person = get_object_or_404(_specialists(request.user), pk=user_pk)
    form, valid, month, _sort = _scorecard_month(request)
    context = {"form": form, "own": False, "can_view_all": True}
    if not valid:
        return _bad_request(request, "kpis/scorecard.html", {**context, "person": person})
    context.update(_scorecard_context(person, month, role=Role.HSE_SPECIALIST))
    return render(request, "kpis/scorecard.html", context)


@dataclass
class ScoreRow:
    person: User
    cells: list  # (definition, value text, met, url) per KPI
    values: dict
    met: int


@capability_required("kpis.view_all_scorecards")
def scorecard_all(request):
    """Every HSE specialist side by side for the month: specialist × KPI, met or missed, sortable
    by a column (`?sort=observations`, `?sort=-observations`), paginated; cards on a phone."""
    form, valid, month, sort = _scorecard_month(request)
    context = {"form": form, "codes": SCORECARD_KPIS, "definitions": [BY_CODE[code] for code in SCORECARD_KPIS]}
    if not valid:
        return _bad_request(request, "kpis/scorecard_all.html", context)
    people = list(_specialists(request.user))
    ids = [person.pk for person in people]
    table = {}
    for code in SCORECARD_KPIS:
        table[code] = {
            person.pk: figure for person, figure in selectors.kpi_by_person(code, person_ids=ids, month=month)
        }
    targets = selectors.targets_for(SCORECARD_KPIS, month=month, role=Role.HSE_SPECIALIST)
    rows = []
    for person in people:
        cells, values, met = [], {}, 0
        for code in SCORECARD_KPIS:
            definition = BY_CODE[code]
            figure = table[code].get(person.pk)
            value = figure.value if figure else None
            is_met = selectors.met_target(definition, value, targets[code])
            met += 1 if is_met else 0
            values[code] = value
            cells.append((definition, _fmt(value, definition), is_met))
        rows.append(ScoreRow(person=person, cells=cells, values=values, met=met))
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "name":
        rows.sort(
            key=lambda row: (row.person.last_name, row.person.first_name, row.person.username), reverse=descending
        )
    else:
        # Missing figures last whichever the direction.
        known = [row for row in rows if row.values[key] is not None]
        unknown = [row for row in rows if row.values[key] is None]
        known.sort(key=lambda row: row.values[key], reverse=descending)
        rows = known + unknown
    page = CappedPaginator(rows, SCORECARD_PAGE_SIZE).get_page(request.GET.get("page"))
    freshness = selectors.snapshot_freshness(months=[month], codes=SCORECARD_KPIS)
    month_param = f"{month:%Y-%m}"
    sort_links = {}
    for code in ["name", *SCORECARD_KPIS]:
        next_sort = f"-{code}" if sort == code else code
        sort_links[code] = "?" + urlencode({"month": month_param, "sort": next_sort})
    context.update(
        {
            "month": month,
            "sort": sort,
            "sort_key": key,
            "descending": descending,
            "sort_links": sort_links,
            "columns": [
                {
                    "definition": BY_CODE[code],
                    "target_text": _target_text(BY_CODE[code], targets[code]),
                    "link": sort_links[code],
                    "active": key == code,
                }
                for code in SCORECARD_KPIS
            ],
            "name_link": sort_links["name"],
            "sort_keep": {"sort": sort},
            "page": page,
            "query": query_without_page(request),
            "freshness": freshness,
            "any_snapshot": freshness is not None or KpiSnapshot.objects.exists(),
            "month_param": month_param,
        }
    )  # fmt: skip
    return render(request, "kpis/scorecard_all.html", context)


# --- The work queue -----------------------------------------------------------------------------------


@capability_required("kpis.view_work_queue")
def work_queue_page(request):
    """What needs the HSE head now, section by section: a count, the first rows, "see all"."""
    sections = work_queue.work_queue(request.user, today=timezone.localdate())
    return render(
        request,
        "kpis/work_queue.html",
        {"sections": sections, "waiting": sum(section.count for section in sections), "today": timezone.localdate()},
    )


@capability_required("kpis.view_work_queue")
def work_queue_section(request, section):
    """Every record of one section of the work queue, paginated."""
    spec = work_queue.BY_KEY.get(section)
    if spec is None:
        raise Http404
    today = timezone.localdate()
    rows = work_queue.section_rows(section, request.user, today=today)
    page = CappedPaginator(rows, SECTION_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = work_queue.with_row_facts(section, page.object_list, today=today)
    return render(
        request,
        "kpis/work_queue_section.html",
        {"spec": spec, "page": page, "query": query_without_page(request), "today": today},
    )


# --- Targets -----------------------------------------------------------------------------------------


def _target_rows(today):
    """Each KPI with its targets: the one in force now at each level (enterprise, role, unit) and
    those set from a later month. One query for all targets."""
    month = month_start(today)
    targets = list(
        KpiTarget.objects.select_related("unit", "set_by").order_by("kpi", "unit__name", "role", "-valid_from")
    )
    by_code: dict[str, list] = {kpi.code: [] for kpi in KPIS}
    for target in targets:
        if target.kpi in by_code:
            by_code[target.kpi].append(target)
    rows = []
    for definition in KPIS:
        levels: dict[tuple, list] = {}
        for target in by_code[definition.code]:
            levels.setdefault((target.unit_id, target.role), []).append(target)
        shown = []
        for group in levels.values():
            in_force = [t for t in group if t.valid_from <= month]
            current = max(in_force, key=lambda t: (t.valid_from, t.pk)) if in_force else None
            for target in group:
                if target is current or target.valid_from > month:
                    shown.append((target, target is current, _fmt(target.value, definition)))
        shown.sort(key=lambda row: (row[0].unit is not None, row[0].role != "", str(row[0].unit or ""),
                                    row[0].role, row[0].valid_from))  # fmt: skip
        rows.append({"definition": definition, "targets": shown})
    return rows


@capability_required("kpis.view_dashboard")
def targets(request):
    """The KPIs and their targets: everyone with the dashboard reads them (a manager sees what the
    unit is measured against); the HSE head sets them here (POST) and removes them."""
    user = request.user
    may_manage = can(user, "kpis.manage_targets")
    units = unit_choices_for_user(user)
    form = TargetForm(request.POST or None, units=units, initial={"valid_from": month_start(timezone.localdate())})
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("kpis.manage_targets")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.target_set(
                    actor=user, kpi=data["kpi"], value=data["value"], valid_from=data["valid_from"],
                    role=data["role"] or "", unit=data["unit"], reason=data["reason"],
                )  # fmt: skip
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Target saved."))
                return redirect(f"{reverse('kpis:targets')}#kpi-{data['kpi']}")
        status = 400
    return render(
        request,
        "kpis/targets.html",
        {
            "rows": _target_rows(timezone.localdate()),
            "form": form if may_manage else None,
            "remove_form": TargetRemoveForm() if may_manage else None,
            "may_manage": may_manage,
            "month": month_start(timezone.localdate()),
        },
        status=status,
    )


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@capability_required("kpis.manage_targets")
def target_remove(request, pk):
    target = get_object_or_404(KpiTarget, pk=pk)
    form = TargetRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the target is removed."))
        return redirect(f"{reverse('kpis:targets')}#kpi-{target.kpi}")
    try:
        services.target_remove(actor=request.user, target=target, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Target removed."))
    return redirect(f"{reverse('kpis:targets')}#kpi-{target.kpi}")
