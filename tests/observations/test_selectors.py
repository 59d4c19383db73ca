from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from apps.observations.models import Observation
from apps.observations.selectors import (
    observation_filter,
    observation_list_for_user,
    observation_summary,
    observer_month_summary,
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


@pytest.mark.parametrize(("count", "target", "met"), [(7, 8, False), (8, 8, True), (9, 8, True), (7, 7, True)])
def test_the_monthly_target_is_met_at_the_target(org, hse_specialist, categories, settings, count, target, met):
    settings.OBSERVATIONS_MONTHLY_TARGET = target
    when = datetime(2026, 11, 10, 9, tzinfo=TZ)
    for index in range(count):
        make(hse_specialist, org.crew, categories["ppe"], "safe_act", when, feedback=index == 0)
    [row] = observer_monthly_counts(observation_list_for_user(hse_specialist), month=date(2026, 11, 1))
    assert (row["count"], row["target"], row["target_met"]) == (count, target, met)
    assert row["with_feedback"] == 1 and row["feedback_share"] == 1 / count
    assert row["observer"] == f"{hse_specialist.first_name} {hse_specialist.last_name}"
    summary = observer_month_summary(hse_specialist, month=date(2026, 11, 1))
    assert (summary["total"], summary["target"]) == (count, target)


def test_observers_are_ranked_by_count_then_name(org, categories):
    when = datetime(2026, 11, 10, 9, tzinfo=TZ)
    many = UserFactory(role="line_manager", units=[org.shop], last_name="Zaitsev")
    few_b = UserFactory(role="line_manager", units=[org.shop], last_name="Borisov")
    few_a = UserFactory(role="line_manager", units=[org.shop], first_name="", last_name="", username="anton")
    for observer, count in [(few_b, 1), (many, 3), (few_a, 1)]:
        for _ in range(count):
            make(observer, org.crew, categories["ppe"], "unsafe_act", when)
    rows = observer_monthly_counts(Observation.objects.all(), month=date(2026, 11, 1))
    assert [row["observer_id"] for row in rows] == [many.pk, few_a.pk, few_b.pk]
    assert rows[1]["observer"] == "anton"  # no name: the username


def test_summary_counts_work_stopped_and_the_feedback_share(org, hse_specialist, categories):
    when = datetime(2026, 11, 10, 9, tzinfo=TZ)
    for kind, feedback, stopped in [
        ("safe_act", True, False),
        ("near_miss", False, True),
        ("good_practice", True, True),
    ]:
        obs = make(hse_specialist, org.crew, categories["ppe"], kind, when, feedback=feedback)
        Observation.objects.filter(pk=obs.pk).update(work_stopped=stopped)
    summary = observation_summary(Observation.objects.all())
    assert summary == {
        "total": 3,
        "with_feedback": 2,
        "safe": 2,
        "unsafe": 1,
        "work_stopped": 2,
        "feedback_share": 2 / 3,
        "safe_unsafe_ratio": 2.0,
    }


def test_kinds_are_either_safe_or_unsafe():
    assert set(Observation.POSITIVE_KINDS) | set(Observation.NEGATIVE_KINDS) == set(Observation.Kind.values)
    assert not set(Observation.POSITIVE_KINDS) & set(Observation.NEGATIVE_KINDS)
    assert Observation(kind="good_practice").kind_badge == "text-bg-success"
    assert Observation(kind="near_miss").kind_badge == "text-bg-danger"


def test_nobody_without_a_role_reads_observations(org, hse_specialist, categories):
    make(hse_specialist, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 1, tzinfo=TZ))
    assert not observation_list_for_user(UserFactory(role=""))
    from django.contrib.auth.models import AnonymousUser

    assert not observation_list_for_user(AnonymousUser())
    assert observation_list_for_user(UserFactory(role="executive")).count() == 1


def test_search_covers_what_was_seen_the_area_and_what_was_said(org, hse_head, categories):
    when = datetime(2026, 11, 12, tzinfo=TZ)
    for field in ["description", "area", "feedback_text"]:
        obs = make(hse_head, org.crew, categories["ppe"], "unsafe_act", when, feedback=True)
        Observation.objects.filter(pk=obs.pk).update(**{field: f"conveyor {field}"})
    visible = observation_list_for_user(hse_head)
    assert observation_filter(visible, user=hse_head, search="conveyor").count() == 3
    assert observation_filter(visible, user=hse_head, search="   ").count() == 3  # blank: no search
    assert observation_filter(visible, user=hse_head, search="pump").count() == 0


def test_the_list_is_newest_first_then_latest_logged(org, hse_head, categories):
    early = make(hse_head, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 1, 9, tzinfo=TZ))
    late = make(hse_head, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 3, 9, tzinfo=TZ))
    back_dated = make(hse_head, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 2, 9, tzinfo=TZ))
    same_time = make(hse_head, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 2, 9, tzinfo=TZ))
    found = observation_filter(observation_list_for_user(hse_head), user=hse_head)
    assert list(found) == [late, same_time, back_dated, early]


def test_the_default_trend_is_six_months(org, hse_head, categories):
    trend = safe_unsafe_trend(Observation.objects.all(), last_month=date(2026, 11, 1))
    assert [row["month"] for row in trend] == [date(2026, month, 1) for month in range(6, 12)]


def test_nobody_at_all_reads_nothing(org, hse_specialist, categories):
    make(hse_specialist, org.crew, categories["ppe"], "safe_act", datetime(2026, 11, 1, tzinfo=TZ))
    assert list(observation_list_for_user(None)) == []


def test_search_is_by_whole_words_on_postgresql(org, hse_head, categories):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's")
    when = datetime(2026, 11, 12, tzinfo=TZ)
    spill = make(
        hse_head, org.crew, categories["ppe"], "unsafe_condition", when, description="Oil spill near the press"
    )
    leak = make(hse_head, org.crew, categories["ppe"], "unsafe_condition", when, description="Oil leak at the pump")
    visible = observation_list_for_user(hse_head)
    assert list(observation_filter(visible, user=hse_head, search="spil")) == []  # a word, not a substring
    assert list(observation_filter(visible, user=hse_head, search="SPILL")) == [spill]
    assert set(observation_filter(visible, user=hse_head, search="oil -press")) == {leak}  # web search syntax
    assert list(observation_filter(visible, user=hse_head, search="press oil")) == [spill]  # any order


def test_search_without_postgresql_is_a_substring_match(org, hse_head, categories, monkeypatch):
    from types import SimpleNamespace

    from apps.observations import selectors

    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    when = datetime(2026, 11, 12, tzinfo=TZ)
    rows = {}
    for field in ["description", "area", "feedback_text"]:
        obs = make(hse_head, org.crew, categories["ppe"], "unsafe_act", when, feedback=True)
        Observation.objects.filter(pk=obs.pk).update(**{field: f"Conveyor {field}"})
        rows[field] = obs
    visible = observation_list_for_user(hse_head)
    assert observation_filter(visible, user=hse_head, search="conv").count() == 3
    for field, obs in rows.items():
        assert list(observation_filter(visible, user=hse_head, search=f"or {field}")) == [obs]


def test_category_names_follow_the_language(categories):
    from django.utils import translation

    category = categories["ppe"]
    category.name_ru = "СИЗ"
    with translation.override("ru"):
        assert str(category) == "СИЗ"
    with translation.override("en"):
        assert str(category) == "PPE"
    with translation.override(None):
        assert str(category) == "PPE"
