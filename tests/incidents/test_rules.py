"""Every rule of the app pinned on both sides of its boundary, so a rule moved by one step fails a
test: classification for the rates, the rates' formulas, the deadline bands, the quality criteria,
what counts as an uncovered cause, when an analysis method is complete, and who may do what."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from apps.actions.models import Action
from apps.common.dates import day_after_start, day_start
from apps.incidents import rules
from apps.incidents.models import CauseTreeFact, CauseTreeLink, Incident, Investigation, WhyChain, WhyStep
from apps.incidents.quality import RULES, STRONG_LEVELS, STRONG_SHARE, ActionFacts, quality_score
from apps.incidents.selectors import Rates, incident_rates, investigation_analysis
from tests.factories import HoursWorkedFactory, UserFactory

from .helpers import make_incident, make_investigation, soon

C = Incident.Classification


# Classification -> the rates' numerators -----------------------------------------------------------


@pytest.mark.parametrize(
    ("classification", "recordable", "lost_time"),
    [
        (C.NONE, False, False),
        (C.FIRST_AID, False, False),  # first aid is the last non-recordable step
        (C.MEDICAL, True, False),  # medical treatment is the first recordable one
        (C.RESTRICTED, True, False),
        (C.LOST_TIME, True, True),
        (C.FATALITY, True, True),  # a fatality counts as a lost-time case
    ],
)
def test_what_counts_as_recordable_and_as_lost_time(classification, recordable, lost_time):
    incident = Incident(classification=classification)
    assert (incident.is_recordable, incident.is_lost_time) == (recordable, lost_time)


@pytest.mark.django_db
def test_the_rates_count_by_the_same_classification(org, hse_specialist):
    for classification in C.values:
        make_incident(org.crew, hse_specialist, classification=classification,
                      days_lost=3 if classification == C.LOST_TIME else 0)  # fmt: skip
    make_incident(org.crew, hse_specialist, type=Incident.Type.ILLNESS, classification=C.MEDICAL, days_lost=0)
    make_incident(org.crew, hse_specialist, type=Incident.Type.NEAR_MISS, classification=C.NONE, days_lost=0)
    rates = incident_rates(units=[org.crew], date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    assert (rates.recordable, rates.lost_time, rates.days_lost) == (5, 2, 3)
    # Injuries are incidents of the injury type (not illnesses) for the near-miss ratio.
    assert (rates.injuries, rates.near_misses) == (6, 1)


# The rates' formulas ---------------------------------------------------------------------------


def rates(**values):
    base = {"hours": Decimal(0), "recordable": 0, "lost_time": 0, "days_lost": 0, "injuries": 0, "near_misses": 0}
    return Rates(**{**base, **values})


def test_trir_is_recordable_cases_per_200000_hours():
    assert rates(hours=Decimal(200_000), recordable=1).trir == Decimal("1.00")
    assert rates(hours=Decimal(200_000), recordable=3).trir == Decimal("3.00")
    assert rates(hours=Decimal(600_000), recordable=2).trir == Decimal("0.67")  # two places, rounded


def test_ltifr_is_lost_time_injuries_per_million_hours():
    assert rates(hours=Decimal(1_000_000), lost_time=1).ltifr == Decimal("1.00")
    assert rates(hours=Decimal(500_000), lost_time=1, recordable=9).ltifr == Decimal("2.00")


def test_the_severity_rate_is_days_lost_per_thousand_hours():
    assert rates(hours=Decimal(1_000), days_lost=1).severity_rate == Decimal("1.00")
    assert rates(hours=Decimal(4_000), days_lost=3, lost_time=7).severity_rate == Decimal("0.75")


def test_no_hours_give_no_rate():
    empty = rates(hours=Decimal(0), recordable=1, lost_time=1, days_lost=1)
    assert (empty.trir, empty.ltifr, empty.severity_rate) == (None, None, None)
    # The least hours there can be still give a rate.
    assert rates(hours=Decimal("0.5"), recordable=1).trir == Decimal("400000.00")


def test_the_near_miss_ratio_is_near_misses_per_injury():
    assert rates(near_misses=3, injuries=2).near_miss_ratio == Decimal("1.50")
    assert rates(near_misses=0, injuries=1).near_miss_ratio == Decimal("0.00")
    assert rates(near_misses=5, injuries=0).near_miss_ratio is None


@pytest.mark.django_db
def test_the_rates_take_the_hours_of_the_months_the_period_spans(org, hse_specialist):
    for month, hours in (
        (date(2026, 1, 1), 1),
        (date(2026, 2, 1), 10),
        (date(2026, 3, 1), 100),
        (date(2026, 4, 1), 1000),
    ):
        HoursWorkedFactory(unit=org.crew, month=month, hours=Decimal(hours))  # fmt: skip
    rates_of = incident_rates(units=[org.crew], date_from=date(2026, 2, 15), date_to=date(2026, 3, 1))
    assert rates_of.hours == Decimal(110)
    assert incident_rates(units=[org.crew], date_from=date(2026, 2, 1), date_to=date(2026, 2, 28)).hours == 10


@pytest.mark.django_db
def test_the_rates_period_is_the_sites_days(org, hse_specialist):
    day = date(2026, 10, 5)
    make_incident(org.crew, hse_specialist, occurred_at=day_start(day) - timedelta(seconds=1))
    make_incident(org.crew, hse_specialist, occurred_at=day_start(day))
    make_incident(org.crew, hse_specialist, occurred_at=day_after_start(day) - timedelta(seconds=1))
    make_incident(org.crew, hse_specialist, occurred_at=day_after_start(day))
    assert incident_rates(units=[org.crew], date_from=day, date_to=day).recordable == 2


# Deadline bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "potential", "days"),
    [(1, 1, 30), (2, 2, 30), (3, 3, 15), (4, 4, 10), (5, 5, 10),
     (1, 3, 15), (3, 1, 15), (2, 4, 10), (4, 2, 10), (1, 5, 10), (2, 1, 30)],
)  # fmt: skip
def test_the_deadline_follows_the_higher_severity(actual, potential, days):
    occurred = datetime(2026, 10, 5, 9, tzinfo=UTC)
    incident = Incident(actual_severity=actual, potential_severity=potential, occurred_at=occurred)
    assert Investigation.deadline_for(incident) == date(2026, 10, 5) + timedelta(days=days)


def test_the_deadline_counts_from_the_sites_day_of_the_incident():
    # 20:30 UTC is 01:30 the next day at the site (UTC+5).
    incident = Incident(actual_severity=4, potential_severity=4, occurred_at=datetime(2026, 10, 5, 20, 30, tzinfo=UTC))
    assert Investigation.deadline_for(incident) == date(2026, 10, 16)
    incident.occurred_at = datetime(2026, 10, 5, 18, 59, tzinfo=UTC)  # 23:59 at the site
    assert Investigation.deadline_for(incident) == date(2026, 10, 15)


# Quality score -----------------------------------------------------------------------------------

DEADLINE = date(2026, 10, 15)
GOOD = [ActionFacts("engineering", "verified", True), ActionFacts("administrative", "verified", True)]


def passed(**overrides):
    values = {"deadline": DEADLINE, "approved_on": DEADLINE, "today": date(2026, 11, 1), "rca_done": True,
              "causes": 1, "uncovered": 0, "actions": GOOD}  # fmt: skip
    values.update(overrides)
    return {criterion.code: criterion.passed for criterion in quality_score(**values).criteria}


def test_the_criteria_are_five_and_each_is_a_fifth():
    assert [code for code, _label, _rule in RULES] == ["on_time", "rca_done", "causes_covered", "strong_actions",
                                                       "effective"]  # fmt: skip
    values = {"deadline": DEADLINE, "approved_on": DEADLINE, "today": DEADLINE, "causes": 1, "uncovered": 0,
              "actions": GOOD}  # fmt: skip
    assert quality_score(rca_done=True, **values).percent == 100
    assert quality_score(rca_done=False, **values).percent == 80
    assert quality_score(rca_done=False, **{**values, "approved_on": DEADLINE + timedelta(days=1)}).percent == 60
    assert quality_score(rca_done=False, **{**values, "uncovered": 1}).percent == 60


def test_on_time_is_approved_by_the_deadline_day_included():
    assert passed(approved_on=DEADLINE)["on_time"] is True
    assert passed(approved_on=DEADLINE + timedelta(days=1))["on_time"] is False


def test_a_pending_investigation_is_on_time_through_its_deadline_day():
    assert passed(approved_on=None, today=DEADLINE)["on_time"] is True
    assert passed(approved_on=None, today=DEADLINE + timedelta(days=1))["on_time"] is False
    # Once approved, today no longer matters.
    assert passed(approved_on=DEADLINE, today=DEADLINE + timedelta(days=90))["on_time"] is True


def test_rca_done_is_taken_as_given():
    assert passed(rca_done=True)["rca_done"] is True
    assert passed(rca_done=False)["rca_done"] is False


def test_causes_covered_needs_at_least_one_cause_and_none_uncovered():
    assert passed(causes=1, uncovered=0)["causes_covered"] is True
    assert passed(causes=0, uncovered=0)["causes_covered"] is False
    assert passed(causes=2, uncovered=1)["causes_covered"] is False


def test_strong_controls_are_elimination_substitution_engineering():
    assert STRONG_LEVELS == ("elimination", "substitution", "engineering")
    for level, strong in (("elimination", True), ("substitution", True), ("engineering", True),
                          ("administrative", False), ("ppe", False)):  # fmt: skip
        assert passed(actions=[ActionFacts(level, "open", None)])["strong_actions"] is strong


def test_strong_controls_need_at_least_half_the_actions():
    assert STRONG_SHARE == 0.5
    strong, weak = ActionFacts("engineering", "open", None), ActionFacts("ppe", "open", None)
    assert passed(actions=[strong, weak])["strong_actions"] is True  # exactly half
    assert passed(actions=[strong, weak, weak])["strong_actions"] is False  # a third
    assert passed(actions=[strong, strong, weak])["strong_actions"] is True
    assert passed(actions=[])["strong_actions"] is False


def test_effectiveness_needs_every_action_verified_effective():
    verified = ActionFacts("engineering", "verified", True)
    assert passed(actions=[verified])["effective"] is True
    assert passed(actions=[verified, ActionFacts("engineering", "verified", False)])["effective"] is False
    assert passed(actions=[verified, ActionFacts("engineering", "verified", None)])["effective"] is False
    assert passed(actions=[verified, ActionFacts("engineering", "done", True)])["effective"] is False
    assert passed(actions=[])["effective"] is False


def test_cancelled_actions_do_not_count_for_any_criterion():
    cancelled = ActionFacts("ppe", "cancelled", None)
    result = passed(actions=[ActionFacts("engineering", "verified", True), cancelled, cancelled])
    assert (result["strong_actions"], result["effective"]) == (True, True)
    assert passed(actions=[cancelled])["strong_actions"] is False


def test_the_details_count_what_passed():
    score = quality_score(deadline=DEADLINE, approved_on=None, today=DEADLINE, rca_done=True, causes=3, uncovered=1,
                          actions=[*GOOD, ActionFacts("ppe", "cancelled", None)])  # fmt: skip
    details = {criterion.code: criterion.detail for criterion in score.criteria}
    assert details["causes_covered"] == "2 of 3 covered"
    assert details["strong_actions"] == "1 of 2 actions"
    assert details["effective"] == "2 of 2 verified effective"
    assert "deadline 15 Oct 2026" in details["on_time"]


# The analysis: causes, coverage, completeness ----------------------------------------------------


@pytest.fixture
def investigation(org, hse_specialist, db):
    return make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")


def action_for(source, owner, status="open"):
    return Action.objects.create(
        title="Fix", unit=source_unit(source), owner=owner, created_by=owner, due_date=soon(),
        control_level="engineering", source_record=source, status=status,
        cancel_reason="budget" if status == "cancelled" else "", verified_by=owner if status == "verified" else None,
    )  # fmt: skip


def source_unit(source):
    investigation = source.chain.investigation if isinstance(source, WhyStep) else source.investigation
    return investigation.incident.unit


@pytest.mark.django_db
def test_causes_are_root_causes_and_unusual_facts_not_the_final_event(investigation, hse_specialist):
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.create(chain=chain, order=1, answer="Reached in")
    root = WhyStep.objects.create(chain=chain, order=2, answer="No interlock", is_root_cause=True)
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True,
                                         is_unusual=True)  # fmt: skip
    usual = CauseTreeFact.objects.create(investigation=investigation, text="Belt running")
    unusual = CauseTreeFact.objects.create(investigation=investigation, text="Guard off", is_unusual=True)
    for fact in (usual, unusual):
        CauseTreeLink.objects.create(investigation=investigation, antecedent=fact, consequent=final)
    analysis = investigation_analysis(investigation)
    assert [(cause.kind, cause.record) for cause in analysis.causes] == [("why", root), ("fact", unusual)]
    assert [cause.record for cause in analysis.uncovered] == [root, unusual]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "covered"),
    [([], False), (["cancelled"], False), (["cancelled", "open"], True), (["open"], True), (["done"], True),
     (["verified"], True), (["in_progress"], True)],
)  # fmt: skip
def test_a_cause_is_covered_by_an_action_that_is_not_cancelled(investigation, hse_specialist, statuses, covered):
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    root = WhyStep.objects.create(chain=chain, order=1, answer="No interlock", is_root_cause=True)
    for status in statuses:
        action_for(root, hse_specialist, status)
    assert (investigation_analysis(investigation).uncovered == []) is covered


@pytest.mark.django_db
def test_closing_is_refused_while_a_root_cause_has_only_a_cancelled_action(investigation, hse_specialist, hse_head):
    from django.core.exceptions import ValidationError

    from apps.incidents import services

    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    root = WhyStep.objects.create(chain=chain, order=1, answer="No interlock", is_root_cause=True)
    action = action_for(root, hse_specialist, "cancelled")
    Investigation.objects.filter(pk=investigation.pk).update(status="approved", approved_by=hse_head)
    with pytest.raises(ValidationError) as error:
        services.investigation_close(actor=hse_specialist, investigation=investigation)
    assert "“No interlock”" in error.value.messages[0]
    investigation.refresh_from_db()
    assert investigation.status == "approved"
    action_for(root, hse_specialist, "open")
    services.investigation_close(actor=hse_specialist, investigation=investigation)
    investigation.refresh_from_db()
    assert investigation.status == "closed" and action.status == "cancelled"


@pytest.mark.django_db
def test_five_whys_are_complete_when_every_chain_ends_in_a_root_cause(investigation):
    assert investigation_analysis(investigation).five_whys_complete is False  # no chain yet
    first = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.create(chain=first, order=1, answer="No interlock", is_root_cause=True)
    assert investigation_analysis(investigation).rca_done is True
    second = WhyChain.objects.create(investigation=investigation, problem_statement="Late first aid")
    assert investigation_analysis(investigation).five_whys_complete is False  # an empty chain
    WhyStep.objects.create(chain=second, order=1, answer="Kit far away")
    assert investigation_analysis(investigation).rca_done is False
    WhyStep.objects.create(chain=second, order=2, answer="No kit on the floor", is_root_cause=True)
    assert investigation_analysis(investigation).rca_done is True


@pytest.mark.django_db
def test_the_tree_is_complete_with_the_final_event_and_an_antecedent_and_no_error(investigation):
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True)
    assert investigation_analysis(investigation).tree_complete is False  # the final event alone
    reach = CauseTreeFact.objects.create(investigation=investigation, text="Reaches in")
    assert investigation_analysis(investigation).tree_complete is False  # not linked yet
    CauseTreeLink.objects.create(investigation=investigation, antecedent=reach, consequent=final)
    analysis = investigation_analysis(investigation)
    assert analysis.tree_complete is True and analysis.rca_done is True


# Who may do what --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "editable"),
    [("opened", True), ("analysis", True), ("actions_planned", True), ("approved", False), ("closed", False)],
)
def test_the_analysis_is_editable_until_approved(investigation, hse_specialist, status, editable):
    investigation.status = status
    assert investigation.is_editable is editable
    assert rules.may_edit_investigation(hse_specialist, investigation) is editable
    assert rules.may_work_on_analysis(hse_specialist, investigation) is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "medical", "edit", "advance", "approve", "coordinate"),
    [
        ("hse_specialist", True, True, True, False, True),
        ("hse_head", True, True, True, True, True),
        ("line_manager", False, True, False, False, False),  # reports, but is not on the commission
        ("executive", False, False, False, False, False),
        ("system_admin", False, False, False, False, False),
        ("outsider", False, False, False, False, False),
    ],
)
def test_who_may_do_what(persona, investigation, who, medical, edit, advance, approve, coordinate):
    user = persona(who)
    incident = investigation.incident
    assert rules.may_view_medical(user, incident) is medical
    assert rules.may_edit_incident(user, incident) is edit
    assert rules.may_advance(user, investigation) is advance
    assert rules.may_approve(user, investigation) is approve
    assert rules.may_coordinate(user, incident) is coordinate
    assert rules.may_work_on_analysis(user, investigation) is coordinate


@pytest.mark.django_db
def test_the_commission_sees_medical_details_and_works_on_the_analysis(investigation, org):
    member = UserFactory(role="line_manager", units=[org.other_shop])
    incident = investigation.incident
    assert not rules.may_view_medical(member, incident) and not rules.may_work_on_analysis(member, investigation)
    investigation.members.add(member)
    assert rules.may_view_medical(member, incident) and rules.may_edit_incident(member, incident)
    assert rules.may_work_on_analysis(member, investigation)
    assert not rules.may_advance(member, investigation)  # a member does not move the workflow on
    member.is_active = False
    assert not rules.is_commission(member, investigation)
    assert not rules.is_commission(None, investigation) and not rules.is_commission(member, None)


@pytest.mark.django_db
def test_the_coordinator_moves_the_workflow_on_wherever_they_work(investigation, outsider):
    assert not rules.may_advance(outsider, investigation)
    investigation.coordinator = outsider
    assert rules.may_advance(outsider, investigation) and rules.is_commission(outsider, investigation)


@pytest.mark.django_db
def test_an_investigation_is_opened_once(investigation, hse_specialist, org):
    assert rules.may_open_investigation(hse_specialist, investigation.incident) is False
    fresh = make_incident(org.crew, hse_specialist)
    assert rules.may_open_investigation(hse_specialist, fresh) is True


def test_the_criteria_carry_their_labels_rules_and_details():
    score = quality_score(deadline=DEADLINE, approved_on=date(2026, 10, 14), today=DEADLINE, rca_done=True, causes=1,
                          uncovered=0, actions=GOOD)  # fmt: skip
    assert [(c.label, c.rule) for c in score.criteria] == [(str(label), str(rule)) for _code, label, rule in RULES]
    details = {criterion.code: criterion.detail for criterion in score.criteria}
    assert details["on_time"] == "approved 14 Oct 2026, deadline 15 Oct 2026"
    assert details["rca_done"] == ""
    pending = quality_score(deadline=DEADLINE, approved_on=None, today=DEADLINE, rca_done=False, causes=0,
                            uncovered=0, actions=[])  # fmt: skip
    assert pending.criteria[0].detail == "not approved yet, deadline 15 Oct 2026"
    assert pending.percent == 20
