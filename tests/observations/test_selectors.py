from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.observations.models import Observation
from apps.observations.selectors import (
    observation_filter,
    observation_list_for_user,
    observation_summary,
    observer_monthly_counts,
    safe_unsafe_trend,
)
from tests.factories import UserFactory

TZ = ZoneInfo("Asia/Yekaterinburg")


def make(observer, unit, category, kind, when, feedback=False, description="Seen"):
    return Observation.objects.create(
        observer=observer,
        unit=unit,
        category=category,
        kind=kind,
        observed_at=when,
        feedback_given=feedback,
        feedback_to="worker" if feedback else "",
        description=description,
    )


@pytest.fixture
def month_of_walks(org, hse_specialist, line_manager, categories):
    nov = datetime(2026, 11, 10, 9, tzinfo=TZ)
    oct_ = datetime(2026, 10, 10, 9, tzinfo=TZ)
    ppe = categories["ppe"]
    for index in range(8):
        make(hse_specialist, org.crew, ppe, "safe_act" if index < 2 else "unsafe_act", nov, feedback=index < 6)
    for index in range(3):
        make(line_manager, org.shop, ppe, "unsafe_condition", nov, feedback=index == 0)
    make(line_manager, org.shop, ppe, "good_practice", oct_)
    make(line_manager, org.other_shop, ppe, "near_miss", nov)


def test_counts_per_observer_against_the_target(month_of_walks, hse_head, hse_specialist, line_manager, settings):
    settings.OBSERVATIONS_MONTHLY_TARGET = 8
    rows = observer_monthly_counts(observation_list_for_user(hse_head), month=date(2026, 11, 1))
    by_observer = {row["observer_id"]: row for row in rows}
    assert (by_observer[hse_specialist.pk]["count"], by_observer[hse_specialist.pk]["target_met"]) == (8, True)
    assert by_observer[hse_specialist.pk]["feedback_share"] == 6 / 8
    assert (by_observer[line_manager.pk]["count"], by_observer[line_manager.pk]["target_met"]) == (4, False)


def test_summary_share_with_feedback_and_safe_unsafe_ratio(month_of_walks, hse_specialist):
    visible = observation_list_for_user(hse_specialist)
    summary = observation_summary(visible.filter(observed_at__date__gte=date(2026, 11, 1)))
    # 8 by the specialist in the crew + 3 by the manager in the shop; not the other site's one.
    assert summary["total"] == 11
    assert summary["with_feedback"] == 7
    assert summary["safe"] == 2 and summary["unsafe"] == 9
    assert summary["safe_unsafe_ratio"] == pytest.approx(2 / 9)


def test_summary_of_nothing_has_no_ratio(db):
    summary = observation_summary(Observation.objects.none())
    assert (summary["total"], summary["feedback_share"], summary["safe_unsafe_ratio"]) == (0, None, None)


def test_trend_per_month(month_of_walks, hse_head):
    trend = safe_unsafe_trend(observation_list_for_user(hse_head), last_month=date(2026, 11, 1), months=2)
    assert trend == [
        {"month": date(2026, 10, 1), "safe": 1, "unsafe": 0},
        {"month": date(2026, 11, 1), "safe": 2, "unsafe": 10},
    ]


def test_own_observations_stay_visible_outside_scope(org, categories):
    walker = UserFactory(role="line_manager", units=[org.shop])
    own = make(walker, org.other_shop, categories["ppe"], "safe_act", datetime(2026, 11, 1, tzinfo=TZ))
    assert list(observation_list_for_user(walker)) == [own]


def test_filters_and_search(month_of_walks, org, hse_head, categories):
    visible = observation_list_for_user(hse_head)
    when = datetime(2026, 11, 12, tzinfo=TZ)
    make(
        hse_head, org.crew, categories["housekeeping"], "unsafe_condition", when, description="Oil spill near the press"
    )
    found = observation_filter(visible, user=hse_head, search="spill")
    assert [obs.description for obs in found] == ["Oil spill near the press"]
    assert observation_filter(visible, user=hse_head, feedback="yes").count() == 7
    assert observation_filter(visible, user=hse_head, kind="near_miss").count() == 1
