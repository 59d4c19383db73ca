"""The reads: who sees which incidents, whom the forms offer, what an analysis gathers, and the
KPI average of the quality scores."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from apps.actions.models import Action
from apps.common.dates import day_after_start
from apps.incidents import selectors
from apps.incidents.models import CauseTreeFact, CauseTreeLink, Investigation, WhyChain, WhyStep
from tests.factories import UserFactory

from .helpers import make_incident, make_investigation, soon

pytestmark = pytest.mark.django_db


def test_nobody_without_a_role_sees_incidents(org, hse_specialist):
    incident = make_incident(org.crew, hse_specialist)
    roleless = UserFactory(role="", units=[org.crew])
    make_investigation(incident, roleless)
    for user in (None, AnonymousUser(), roleless):
        assert not selectors.incident_list_for_user(user).exists()


def test_the_commission_sees_its_incident_wherever_it_works(org, hse_specialist, outsider):
    incident = make_incident(org.crew, hse_specialist)
    member = UserFactory(role="line_manager", units=[org.other_shop])
    assert not selectors.incident_list_for_user(outsider).exists()
    investigation = make_investigation(incident, outsider, members=[member])
    for user in (outsider, member):
        assert list(selectors.incident_list_for_user(user)) == [incident]
        assert list(selectors.investigation_list_for_user(user)) == [investigation]
    assert list(selectors.incident_list_for_user(hse_specialist)) == [incident]


def test_the_investigations_a_user_sees_are_those_of_the_incidents_they_see(org, hse_specialist, hse_head, outsider):
    in_crew = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist)
    member = UserFactory(role="line_manager", units=[org.crew])
    far_coordinated = make_investigation(make_incident(org.other_shop, outsider), outsider)
    far_member = make_investigation(make_incident(org.other_shop, outsider), hse_head, members=[member])
    make_investigation(make_incident(org.other_shop, outsider), hse_head, members=[outsider])  # twice: no copy
    roleless = UserFactory(role="", units=[org.crew])
    for user in (hse_specialist, hse_head, outsider, member, roleless, AnonymousUser()):
        incidents = set(selectors.incident_list_for_user(user).values_list("pk", flat=True))
        shown = list(selectors.investigation_list_for_user(user))
        assert sorted(i.incident_id for i in shown) == sorted(incidents), user
    assert set(selectors.investigation_list_for_user(outsider)) >= {far_coordinated}
    assert set(selectors.investigation_list_for_user(member)) == {far_member, in_crew}
    assert list(selectors.investigation_list_for_user(hse_specialist)) == [in_crew]
    assert selectors.investigation_list_for_user(hse_head).count() == 4


def test_the_forms_offer_active_users_by_name(org, hse_head):
    b = UserFactory(role="hse_specialist", first_name="Boris", last_name="Alekseev")
    a = UserFactory(role="hse_specialist", first_name="Anna", last_name="Alekseev")
    c = UserFactory(role="line_manager", first_name="Anna", last_name="Borisov")
    UserFactory(role="hse_specialist", last_name="Aaron", is_active=False)
    UserFactory(role="", last_name="Aaronson")
    hse_head.last_name = "Zotov"
    hse_head.save()
    d = UserFactory(role="hse_specialist", first_name="Aaron", last_name="Yakovlev")  # by surname, not first name
    assert list(selectors.coordinator_choices()) == [a, b, d, hse_head]
    assert list(selectors.member_choices()) == [a, b, c, d, hse_head]


def test_an_investigation_not_approved_yet_says_so_in_its_quality(org, hse_specialist, hse_head):
    incident = make_incident(org.crew, hse_specialist)
    pending = make_investigation(incident, hse_specialist, status="analysis")
    on_time = {c.code: c for c in selectors.investigation_analysis(pending).quality().criteria}["on_time"]
    assert on_time.detail.startswith("not approved yet, deadline ")


def test_the_analysis_gathers_every_action_with_its_cause(org, hse_specialist):
    investigation = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    steps = [WhyStep.objects.create(chain=chain, order=n, answer=f"Why {n}", is_root_cause=n == 2) for n in (1, 2)]
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True)
    facts = [CauseTreeFact.objects.create(investigation=investigation, text=f"Fact {n}") for n in (1, 2)]
    for fact in facts:
        CauseTreeLink.objects.create(investigation=investigation, antecedent=fact, consequent=final)
    for source in (*steps, *facts):
        Action.objects.create(title=f"For {source}", unit=org.crew, owner=hse_specialist, created_by=hse_specialist,
                              due_date=soon(), control_level="engineering", source_record=source)  # fmt: skip
    links = selectors.investigation_analysis(investigation).action_links
    assert [(link.action.title, link.why_step, link.fact) for link in links] == [
        ("For Why 1", steps[0], None), ("For Why 2", steps[1], None),
        ("For Fact 1", None, facts[0]), ("For Fact 2", None, facts[1]),
    ]  # fmt: skip


def _scored(org, coordinator, *, approved_at=None, deadline=date(2026, 10, 15), effective=True):
    """An investigation with a complete Five Whys and an engineering action verified (or not)."""
    incident = make_incident(org.crew, coordinator)
    extra = {"status": "approved", "approved_by": coordinator, "approved_at": approved_at} if approved_at else {}
    investigation = make_investigation(incident, coordinator, deadline=deadline, **extra)
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    root = WhyStep.objects.create(chain=chain, order=1, answer="No interlock", is_root_cause=True)
    Action.objects.create(
        title="Interlock", unit=org.crew, owner=coordinator, created_by=coordinator, due_date=soon(),
        control_level="engineering", source_record=root, status="verified", verified_by=coordinator,
        is_effective=effective,
    )  # fmt: skip
    return investigation


def test_the_quality_is_on_time_by_the_sites_day_of_approval(org, hse_specialist, hse_head):
    deadline = date(2026, 10, 15)
    last_minute = _scored(org, hse_head, approved_at=day_after_start(deadline) - timedelta(minutes=1))
    next_day = _scored(org, hse_head, approved_at=day_after_start(deadline))
    assert selectors.investigation_analysis(last_minute).quality().percent == 100
    late = selectors.investigation_analysis(next_day).quality()
    assert late.percent == 80 and not late.criteria[0].passed


def test_the_quality_counts_only_verified_effective_actions(org, hse_head):
    not_effective = _scored(org, hse_head, approved_at=timezone.now(), deadline=soon(), effective=False)
    score = {c.code: c.passed for c in selectors.investigation_analysis(not_effective).quality().criteria}
    assert score["effective"] is False and score["strong_actions"] is True
    Action.objects.update(status="cancelled", cancel_reason="budget")
    score = {c.code: c.passed for c in selectors.investigation_analysis(not_effective).quality().criteria}
    assert score["strong_actions"] is False  # a cancelled action does not count


def test_the_kpi_average_is_the_mean_of_the_period(org, hse_head, hse_specialist):
    period = {"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)}
    good = _scored(org, hse_head, approved_at=day_after_start(date(2026, 10, 15)) - timedelta(hours=1))  # 100
    _scored(org, hse_head, approved_at=day_after_start(date(2026, 10, 15)))  # late: 80
    assert selectors.investigation_quality_average(hse_head, **period) == 90
    Investigation.objects.filter(pk=good.pk).update(incident=make_incident(
        org.crew, hse_specialist, occurred_at=good.incident.occurred_at.replace(month=9)))  # fmt: skip
    assert selectors.investigation_quality_average(hse_head, **period) == 80
    assert selectors.investigation_quality_average(hse_head, date_from=date(2026, 9, 1),
                                                   date_to=date(2026, 9, 30)) == 100  # fmt: skip


def test_rates_without_incidents_count_zero_days(org):
    rates = selectors.incident_rates(units=[org.crew], date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    assert (rates.recordable, rates.lost_time, rates.days_lost, rates.hours) == (0, 0, 0, Decimal(0))


def test_a_unit_includes_the_units_under_it(org):
    from tests.factories import UnitFactory

    team = UnitFactory(parent=org.crew, kind="crew")
    assert selectors._with_descendants([org.shop]) == {org.shop.pk, org.crew.pk, team.pk}
    assert selectors._with_descendants([org.crew.pk]) == {org.crew.pk, team.pk}
    assert selectors._with_descendants([org.other_shop]) == {org.other_shop.pk}
