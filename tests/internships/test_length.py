"""The proposed length of an internship: 3 days, a day more for more than 15 and for more than 40
people, a day more for 4 or more and for 7 or more job titles; never under 3 nor over 7 days."""

import pytest

from apps.internships import length
from apps.internships.length import proposal_for_unit, proposed_length
from tests.factories import PersonFactory, UnitFactory


@pytest.mark.parametrize(
    ("headcount", "days"),
    [(0, 3), (1, 3), (15, 3), (16, 4), (40, 4), (41, 5), (500, 5)],
)
def test_headcount_thresholds(headcount, days):
    assert proposed_length(headcount=headcount, job_titles=1).days == days


@pytest.mark.parametrize(
    ("job_titles", "days"),
    [(0, 3), (1, 3), (3, 3), (4, 4), (6, 4), (7, 5), (30, 5)],
)
def test_job_title_thresholds(job_titles, days):
    assert proposed_length(headcount=5, job_titles=job_titles).days == days


def test_both_add_up_to_the_maximum():
    assert proposed_length(headcount=41, job_titles=7).days == 7
    assert proposed_length(headcount=16, job_titles=4).days == 5
    assert proposed_length(headcount=41, job_titles=6).days == 6


def test_capped_at_seven_and_never_under_three(monkeypatch):
    monkeypatch.setattr(length, "HEADCOUNT_STEPS", (1, 2, 3, 4, 5))
    capped = proposed_length(headcount=100, job_titles=10)
    assert capped.days == 7
    assert "capped at 7 days" in capped.reason
    assert proposed_length(headcount=-3, job_titles=-1).days == 3


def test_the_reason_gives_the_figures_and_each_step():
    proposal = proposed_length(headcount=24, job_titles=5)
    assert proposal.days == 5
    assert proposal.reason == (
        "24 people in 5 job titles: 3 days, +1 for more than 15 people, +1 for 4 or more job titles"
    )
    assert proposed_length(headcount=1, job_titles=1).reason == "1 person in 1 job title: 3 days"
    big = proposed_length(headcount=41, job_titles=7).reason
    assert "+1 for more than 40 people" in big and "+1 for 7 or more job titles" in big


def _people(unit, titles):
    for title in titles:
        PersonFactory(unit=unit, job_title=title)


def test_proposal_for_unit_counts_the_units_under_it_and_ignores_inactive_people(db):
    shop = UnitFactory()
    crew = UnitFactory(parent=shop, kind="crew")
    area = UnitFactory(parent=crew, kind="area")  # two levels down
    other = UnitFactory()
    _people(shop, ["Foreman"] * 6)
    _people(crew, ["Operator"] * 6)
    _people(area, ["Fitter"] * 4)  # 16 in all, 3 titles
    _people(other, ["Driver", "Mechanic", "Welder", "Turner"] * 10)  # elsewhere: not counted
    PersonFactory(unit=crew, job_title="Electrician", is_active=False)  # left the roll: not counted
    proposal = proposal_for_unit(shop)
    assert proposal.days == 4
    assert proposal.reason.startswith("16 people in 3 job titles")
    assert proposal_for_unit(crew).reason.startswith("10 people in 2 job titles")
    # One more title: the fourth (the inactive electrician still does not count).
    PersonFactory(unit=area, job_title="Sampler")
    assert proposal_for_unit(shop).days == 5


def test_job_titles_are_counted_ignoring_case_and_spaces(db):
    unit = UnitFactory()
    _people(unit, ["Mechanic", "mechanic ", "MECHANIC", "Welder", "Turner"])
    assert proposal_for_unit(unit).reason.startswith("5 people in 3 job titles")


def test_proposal_for_unit_reads_two_queries(db, django_assert_num_queries):
    unit = UnitFactory()
    _people(unit, ["Mechanic"] * 20)
    with django_assert_num_queries(2):
        proposal_for_unit(unit)


def test_seven_days_reached_by_the_steps_is_not_called_capped():
    """Every step at once gives 3 + 4 = 7 days: the longest internship, but nothing was cut."""
    proposal = proposed_length(headcount=41, job_titles=7)
    assert proposal.days == 7
    assert "capped" not in proposal.reason


@pytest.mark.django_db
def test_the_subtree_of_a_unit_or_its_id_reaches_every_level_and_nothing_beside():
    from apps.internships.length import unit_subtree_ids
    from tests.factories import UnitFactory

    shop = UnitFactory()
    crew = UnitFactory(parent=shop, site=shop.site)
    team = UnitFactory(parent=crew, site=shop.site)
    UnitFactory(site=shop.site)  # another shop
    assert unit_subtree_ids(shop) == {shop.pk, crew.pk, team.pk}
    assert unit_subtree_ids(crew.pk) == {crew.pk, team.pk}
    assert unit_subtree_ids(team) == {team.pk}
