"""The demo's year of history: the KPI pages of the demo line manager have a 12-month trend, the
history loads once however often the demo is loaded, and it names no worker."""

import importlib
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from apps.accounts.access import unit_ids_in_scope
from apps.accounts.models import User
from apps.actions.models import Action
from apps.audits.models import AuditPlanEntry
from apps.common.dates import day_start, months_back
from apps.core.demo_history import CONTRACTOR_VIOLATIONS, history_months, observation_months
from apps.internships.models import SIGNAL_ANSWER_DAYS, Signal
from apps.kpis.selectors import kpi_series
from apps.observations.models import Observation, ObservationCategory
from apps.org.models import Person

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)
TRENDED = ["observations", "feedback_share", "actions_on_time", "audits_done", "signals_answered"]


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(8), tzinfo=SITE))


@pytest.fixture
def demo(db):
    from apps.core.demo import load_demo_data

    # The data migration's categories (gone after a flushing test).
    migration = importlib.import_module("apps.observations.migrations.0002_categories")
    for order, (code, name_en, name_ru, icon) in enumerate(migration.CATEGORIES, start=1):
        ObservationCategory.objects.get_or_create(
            code=code, defaults={"name_en": name_en, "name_ru": name_ru, "icon": icon, "order": order * 10}
        )
    return load_demo_data(today=TODAY)


def _history_observations():
    return Observation.objects.filter(submission_key__isnull=False, observed_at__lt=day_start(TODAY.replace(day=1)))


def _last_complete_months():
    return months_back(TODAY, 13)[:12]


def test_the_history_months_are_the_year_before_last_month():
    assert history_months(TODAY) == months_back(date(2026, 9, 1), 12)
    assert history_months(TODAY)[0] == date(2025, 10, 1)
    # The walks go on to last month (beside the observations demo's own walks there).
    assert observation_months(TODAY) == [*history_months(TODAY), date(2026, 10, 1)]


def test_the_line_managers_kpis_have_a_twelve_month_trend(demo):
    scope = unit_ids_in_scope(User.objects.get(username="manager"))
    assert set(scope) >= {demo_unit("concentrator"), demo_unit("crushing"), demo_unit("flotation")}
    for code in TRENDED:
        series = kpi_series(code, unit_ids=scope, months=_last_complete_months())
        filled = [figure.month for figure in series if figure.value is not None]
        assert len(filled) >= 10, (code, [(f.month, f.value) for f in series])


def test_the_trend_tells_the_story(demo):
    months = _last_complete_months()

    def first_and_last_quarter(code):
        values = kpi_series(code, months=months)
        first = sum(f.numerator for f in values[:3]), sum(f.denominator or 0 for f in values[:3])
        last = sum(f.numerator for f in values[-3:]), sum(f.denominator or 0 for f in values[-3:])
        return tuple(map(float, first)), tuple(map(float, last))

    (walks_then, _), (walks_now, _) = first_and_last_quarter("observations")
    assert walks_now > walks_then * 1.3
    for code in ("feedback_share", "actions_on_time"):
        (num_then, den_then), (num_now, den_now) = first_and_last_quarter(code)
        assert num_now / den_now > num_then / den_then + 0.15, code
    # The month of the shutdown: fewer walks than the months either side.
    walks = [f.numerator for f in kpi_series("observations", months=months)]
    dip = months.index(history_months(TODAY)[7])
    assert walks[dip] < walks[dip - 1] and walks[dip] < walks[dip + 1]


def demo_unit(code):
    from apps.org.models import StructuralUnit

    return StructuralUnit.objects.get(code=code).pk


def _row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_loading_the_demo_twice_changes_no_row_count(demo):
    from apps.core.demo import load_demo_data

    before = _row_counts()
    again = load_demo_data(today=TODAY)
    assert again == demo
    assert _row_counts() == before
    history = demo["history"]
    assert history["observations"] == _history_observations().count() >= 12 * 17
    assert history["actions"] >= 100 and history["planned audits"] == 12 * 7
    assert history["contractor audits"] == 4 and history["contractor violations"] == 5
    assert history["signals"] >= 12 * 2


def test_no_observation_names_a_worker(demo):
    surnames = {name.split()[0] for name in Person.objects.values_list("full_name", flat=True)}
    assert len(surnames) > 10
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(surnames))) + r")\b", re.IGNORECASE)
    texts = Observation.objects.values_list("description", "area", "feedback_text")
    assert len(texts) >= _history_observations().count() > 200
    for text in texts:
        assert not pattern.search(" ".join(text)), text


def test_the_history_observations_have_dates_keys_and_feedback(demo):
    history = _history_observations()
    first = datetime.combine(history_months(TODAY)[0], time.min, tzinfo=SITE)
    assert not history.filter(observed_at__lt=first).exists()
    assert {o.submission_key.version for o in history} == {5}
    assert all(o.created_at > o.observed_at for o in history[:50])
    assert not history.filter(feedback_given=True, feedback_to="").exists()
    assert set(history.values_list("observer__username", flat=True)) == {
        "specialist", "specialist2", "manager", "manager2",
    }  # fmt: skip
    assert len(set(history.values_list("kind", flat=True))) == 5


def test_the_history_actions_are_mostly_on_time_some_late_a_few_overdue(demo):
    source = ContentType.objects.get_for_model(Observation)
    actions = Action.objects.filter(source_type=source, source_id__in=_history_observations().values("pk"))
    done = actions.filter(status__in=["done", "verified"])
    assert not done.filter(completed_at__gte=day_start(TODAY)).exists()
    assert all(a.created_at < a.completed_at for a in done)
    late = [a for a in done if a.completed_at.astimezone(SITE).date() > a.due_date]
    assert 0 < len(late) < done.count() / 2
    overdue = actions.filter(status__in=["open", "in_progress"], due_date__lt=TODAY)
    assert 1 <= overdue.count() <= 10
    assert done.filter(status="verified").count() > done.count() / 2


def test_the_history_signals_are_answered_mostly_within_the_14_days(demo):
    last_month = months_back(TODAY, 2)[0]  # the demo's own signals are this month's
    signals = Signal.objects.filter(source=Signal.Source.WORKER_FORM, recorded_on__lt=last_month)
    assert signals.count() >= 24
    assert not signals.exclude(status=Signal.Status.ANSWERED).exists()
    in_time = [s for s in signals if (s.responded_on - s.recorded_on).days <= SIGNAL_ANSWER_DAYS]
    assert len(in_time) > signals.count() * 0.6
    late = signals.exclude(pk__in=[s.pk for s in in_time])
    assert all(s.escalated_on == s.recorded_on + timedelta(days=SIGNAL_ANSWER_DAYS + 1) for s in late)
    months = {s.recorded_on.replace(day=1) for s in signals}
    assert months == set(history_months(TODAY))


def test_loaded_again_a_month_later_the_history_gets_the_new_month_and_no_duplicate(demo, time_machine):
    from django.db.models import Count

    from apps.contractors.models import ContractorAudit, Violation
    from apps.core.demo import load_demo_data

    later = date(2026, 12, 22)
    time_machine.move_to(datetime.combine(later, time(8), tzinfo=SITE))
    load_demo_data(today=later)
    assert ContractorAudit.objects.count() == 4
    history_found = [row[5] for row in CONTRACTOR_VIOLATIONS]
    assert Violation.objects.filter(description__in=history_found).count() == 5
    twice = Signal.objects.values("unit_id", "recorded_on", "raw_text").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not twice
    # The month that came into the window has its walks and its planned audits.
    new_month = history_months(later)[-1]
    assert _history_observations().filter(observed_at__gte=day_start(new_month)).exists()
    assert AuditPlanEntry.objects.filter(month=new_month).count() >= 7
