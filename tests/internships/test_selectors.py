"""Scoped reads: internships by unit (and the specialist's own), signals by the raw-text rule,
the unit's board without the raw text, and the candidates offered when planning."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.internships import rules, selectors
from apps.internships.models import Internship, Signal
from tests.factories import (
    AnsweredSignalFactory,
    InternshipDayFactory,
    InternshipFactory,
    PersonFactory,
    SignalFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture
def crew_internship(org, hse_specialist):
    return InternshipFactory(unit=org.crew, specialist=hse_specialist, status=Internship.Status.IN_PROGRESS)


def test_internships_are_scoped_by_unit_and_the_specialist_sees_their_own(
    org, hse_specialist, hse_head, line_manager, outsider, executive, system_admin, crew_internship
):
    # The specialist's internship in a unit they do not cover (a stand-in elsewhere): still theirs.
    away = InternshipFactory(unit=org.other_shop, specialist=hse_specialist, starts_on=day(20))
    theirs = InternshipFactory(unit=org.other_shop, specialist=outsider)
    ids = lambda user: set(selectors.internship_list_for_user(user).values_list("pk", flat=True))  # noqa: E731
    assert ids(hse_specialist) == {crew_internship.pk, away.pk}
    assert ids(line_manager) == {crew_internship.pk}
    assert ids(outsider) == {away.pk, theirs.pk}
    assert ids(hse_head) == {crew_internship.pk, away.pk, theirs.pk}
    assert ids(executive) == ids(system_admin) == set()  # no internships.view


def test_internship_list_counts_days_and_signals_in_bounded_queries(
    org, hse_specialist, crew_internship, django_assert_num_queries
):
    for offset in range(3):
        InternshipDayFactory(internship=crew_internship, day=crew_internship.starts_on + timedelta(days=offset))
    for _ in range(4):
        SignalFactory(internship=crew_internship)
    list(selectors.internship_list_for_user(hse_specialist))  # warm the user's scope cache
    with django_assert_num_queries(1):
        [row] = [r for r in selectors.internship_list_for_user(hse_specialist) if r.pk == crew_internship.pk]
        assert (row.days_logged, row.signal_count) == (3, 4)
        assert (row.specialist.username, row.unit.code, row.host_foreman.is_foreman) == (
            "specialist",
            "flotation",
            True,
        )
    for n in range(5):
        InternshipFactory(unit=org.crew, specialist=hse_specialist, starts_on=day(10 * (n + 1)))
    with django_assert_num_queries(1):
        rows = list(selectors.internship_list_for_user(hse_specialist))
        assert len(rows) == 6 and all(str(r.specialist) and str(r.unit) and str(r.host_foreman) for r in rows)


def test_internship_days_first_day_first(crew_internship):
    later = InternshipDayFactory(internship=crew_internship, day=crew_internship.starts_on + timedelta(days=1))
    first = InternshipDayFactory(internship=crew_internship, day=crew_internship.starts_on)
    assert list(selectors.internship_days(crew_internship)) == [first, later]


def test_signal_list_is_the_readable_signals_newest_first(
    org, hse_specialist, hse_head, line_manager, outsider, crew_internship, django_assert_num_queries
):
    old = SignalFactory(internship=crew_internship, recorded_on=day(-3))
    new = SignalFactory(internship=crew_internship, recorded_on=day(-1))
    from_form = SignalFactory(internship=None, unit=org.crew, recorded_on=day(-2))
    other = SignalFactory(internship=None, unit=org.other_shop, recorded_on=day(0))
    assert list(selectors.signal_list_for_user(hse_specialist)) == [new, from_form, old]
    assert list(selectors.signal_list_for_user(hse_head)) == [other, new, from_form, old]
    assert list(selectors.signal_list_for_user(outsider)) == [other]
    assert list(selectors.signal_list_for_user(line_manager)) == []
    list(selectors.signal_list_for_user(hse_specialist))
    with django_assert_num_queries(1):
        assert all(rules.can_read_signal(hse_specialist, s) for s in selectors.signal_list_for_user(hse_specialist))


def test_board_shows_answered_signals_of_the_unit_and_below_without_the_raw_text(org, crew_internship):
    answered = AnsweredSignalFactory(
        internship=crew_internship, raw_text="Petrov says the face shields are scratched", responded_on=day(-1)
    )
    AnsweredSignalFactory(internship=None, unit=org.shop, responded_on=day(-5), response="explained",
                          paraphrase="Why the permit is needed", response_text="Explained at the briefing")  # fmt: skip
    SignalFactory(internship=crew_internship)  # not answered yet: not on the board
    AnsweredSignalFactory(internship=None, unit=org.other_shop)  # another shop's board
    with CaptureQueriesContext(connection) as queries:
        rows = list(selectors.board_for_unit(org.shop))
    assert "raw_text" not in " ".join(q["sql"] for q in queries.captured_queries)
    assert [row["paraphrase"] for row in rows] == [answered.paraphrase, "Why the permit is needed"]
    assert set(rows[0]) == {*selectors.BOARD_FIELDS, "kind_label", "response_label", "unit_name"}
    assert (rows[0]["kind_label"], rows[0]["response_label"], rows[0]["unit_name"]) == (
        "Missing PPE", "PPE provided", org.crew.name,
    )  # fmt: skip
    assert rows[1]["response_label"] == "Explained"
    assert not any("Petrov" in str(value) for row in rows for value in row.values())
    assert [row["paraphrase"] for row in selectors.board_for_unit(org.crew)] == [answered.paraphrase]


def test_board_summary_counts(org, crew_internship):
    heard = day(-20)
    AnsweredSignalFactory(internship=crew_internship, recorded_on=heard, responded_on=heard + timedelta(days=14))
    AnsweredSignalFactory(internship=crew_internship, recorded_on=heard, responded_on=heard + timedelta(days=15))
    AnsweredSignalFactory(internship=None, unit=org.crew, recorded_on=heard, responded_on=heard)
    SignalFactory(internship=crew_internship, status=Signal.Status.IN_PROGRESS)
    SignalFactory(internship=None, unit=org.crew)
    SignalFactory(internship=None, unit=org.other_shop)
    assert selectors.board_summary(org.shop) == {
        "heard": 5, "answered": 3, "in_progress": 1, "awaiting": 1, "answered_in_time": 2,
    }  # fmt: skip
    assert selectors.board_summary(UnitFactory()) == {
        "heard": 0, "answered": 0, "in_progress": 0, "awaiting": 0, "answered_in_time": 0,
    }  # fmt: skip


def test_foreman_candidates_are_the_active_foremen_on_the_units_own_roll(org):
    foreman = PersonFactory(unit=org.crew, is_foreman=True, full_name="A Foreman")
    PersonFactory(unit=org.crew, is_foreman=True, is_active=False)
    PersonFactory(unit=org.shop, is_foreman=True)  # the shop's, not the crew's
    assert list(selectors.foreman_candidates(org.crew)) == [foreman]


def test_specialist_candidates_cover_the_unit(org, hse_specialist, hse_head, outsider, line_manager):
    below = UnitFactory(parent=org.crew)
    crew_only = UserFactory(role=Role.HSE_SPECIALIST, units=[org.crew])
    UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop], is_active=False)
    assert set(selectors.specialist_candidates(below)) == {hse_specialist, hse_head, crew_only}
    assert set(selectors.specialist_candidates(org.shop)) == {hse_specialist, hse_head}
    assert set(selectors.specialist_candidates(org.other_shop)) == {hse_head, outsider}
