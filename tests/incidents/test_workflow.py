"""The investigation's workflow: each step checks the status it finds on the locked row, so a step
someone else already took is a conflict (a message on the page, 409 from the API), never a second
history entry; the analysis changes only while the investigation is editable."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.common.errors import StateConflict
from apps.incidents import rules, services
from apps.incidents.models import CauseTreeFact, Investigation, WhyChain
from apps.incidents.selectors import coordinator_choices
from tests.factories import UserFactory

from .helpers import make_incident, make_investigation, planned_and_covered

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist)


def entries(code):
    return AuditEntry.objects.filter(action=f"incidents.investigation.{code}").count()


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


STEPS = [
    # step, status it needs, the status it leaves, who takes it, audit code
    ("analysis", "opened", "analysis", "hse_specialist", "analysis_started"),
    ("plan", "analysis", "actions_planned", "hse_specialist", "actions_planned"),
    ("approve", "actions_planned", "approved", "hse_head", "approved"),
    ("close", "approved", "closed", "hse_specialist", "closed"),
]


def in_status(incident, coordinator, hse_head, status):
    approver = {"approved_by": hse_head} if status in ("approved", "closed") else {}
    return planned_and_covered(incident, coordinator, status=status, **approver)


@pytest.mark.parametrize(("step", "before", "after", "who", "code"), STEPS)
def test_each_step_moves_once_then_conflicts(persona, incident, hse_specialist, hse_head, step, before, after, who,
                                             code):  # fmt: skip
    investigation = in_status(incident, hse_specialist, hse_head, before)
    actor = persona(who)
    services.INVESTIGATION_STEPS[step](actor=actor, investigation=investigation)
    investigation.refresh_from_db()
    assert investigation.status == after and entries(code) == 1
    # The caller's copy still says the old status: the service checks the row, not the copy.
    stale = Investigation.objects.get(pk=investigation.pk)
    stale.status = before
    with pytest.raises(StateConflict) as error:
        services.INVESTIGATION_STEPS[step](actor=actor, investigation=stale)
    assert "someone may have just changed it" in error.value.messages[0]
    investigation.refresh_from_db()
    assert investigation.status == after and entries(code) == 1


@pytest.mark.parametrize(("step", "before", "after", "who", "code"), STEPS)
def test_a_step_the_status_no_longer_allows_answers_409(persona, incident, hse_specialist, hse_head, step, before,
                                                        after, who, code):  # fmt: skip
    investigation = in_status(incident, hse_specialist, hse_head, after)
    url = f"/api/v1/investigations/{investigation.pk}/transition/"
    response = api_as(persona(who)).post(url, {"step": step}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "state_conflict"
    investigation.refresh_from_db()
    assert investigation.status == after and entries(code) == 0


def test_a_step_taken_meanwhile_is_told_on_the_page(client_as, incident, hse_specialist, hse_head):
    investigation = in_status(incident, hse_specialist, hse_head, "approved")
    response = client_as(hse_head).post(
        reverse("incidents:investigation_status", args=[investigation.pk, "approve"]), {"note": "Again"}
    )
    assert response.status_code == 400
    assert "the investigation is “Approved”" in response.text
    investigation.refresh_from_db()
    assert investigation.approval_note == "" and entries("approved") == 0


def test_the_permission_is_checked_before_the_status(incident, hse_specialist, line_manager, hse_head):
    investigation = in_status(incident, hse_specialist, hse_head, "approved")
    with pytest.raises(PermissionDenied):
        services.investigation_approve(actor=line_manager, investigation=investigation)
    with pytest.raises(PermissionDenied):
        services.investigation_close(actor=line_manager, investigation=investigation)


# Opening -----------------------------------------------------------------------------------------


def test_an_incident_is_investigated_once(client_as, incident, hse_specialist, hse_head):
    services.investigation_open(actor=hse_specialist, incident=incident, coordinator=hse_specialist)
    with pytest.raises(StateConflict):
        services.investigation_open(actor=hse_head, incident=incident, coordinator=hse_head)
    # On the page (a second tab still showing the form): a message, and the one investigation.
    response = client_as(hse_head).post(
        reverse("incidents:investigation_open", args=[incident.pk]), {"coordinator": hse_head.pk}
    )
    assert response.status_code == 400
    assert "This incident is already being investigated." in response.text
    assert Investigation.objects.get().coordinator == hse_specialist
    assert entries("opened") == 1


def test_who_may_coordinate_is_the_coordinate_capability(incident, org, hse_specialist, hse_head, line_manager,
                                                         outsider):  # fmt: skip
    # Any unit: a serious case may be led by a specialist of another site.
    assert rules.may_lead_commission(outsider) and rules.may_lead_commission(hse_head)
    retired = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop], is_active=False)
    for coordinator in (line_manager, retired):
        with pytest.raises(ValidationError) as error:
            services.investigation_open(actor=hse_specialist, incident=incident, coordinator=coordinator)
        assert "coordinator" in error.value.message_dict
    assert not Investigation.objects.exists()
    assert set(coordinator_choices()) == {hse_specialist, hse_head, outsider}
    services.investigation_open(actor=hse_specialist, incident=incident, coordinator=outsider)
    assert Investigation.objects.get().coordinator == outsider


def test_only_hse_roles_of_the_unit_open_an_investigation(incident, hse_specialist, outsider, line_manager):
    for actor in (outsider, line_manager):
        with pytest.raises(PermissionDenied):
            services.investigation_open(actor=actor, incident=incident, coordinator=hse_specialist)
    assert not Investigation.objects.exists()


# The analysis while it is editable ---------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "closed"])
def test_the_analysis_is_frozen_once_approved(client_as, incident, hse_specialist, hse_head, line_manager, status):
    investigation = in_status(incident, hse_specialist, hse_head, status)
    investigation.members.add(line_manager)
    chain = investigation.why_chains.get()
    step = chain.steps.get()
    attempts = [
        lambda: services.chain_add(actor=hse_specialist, investigation=investigation, problem_statement="More"),
        lambda: services.step_add(actor=line_manager, chain=chain, answer="More"),
        lambda: services.step_remove(actor=hse_specialist, step=step),
        lambda: services.fact_add(actor=hse_specialist, investigation=investigation, text="Floor wet"),
        lambda: services.investigation_action_add(
            actor=hse_specialist, investigation=investigation, cause=step, title="More", owner=line_manager,
            due_date=step.actions.get().due_date, control_level="engineering",
        ),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(StateConflict):
            attempt()
    assert (WhyChain.objects.count(), chain.steps.count(), CauseTreeFact.objects.count()) == (1, 1, 0)
    assert step.actions.count() == 1
    response = client_as(line_manager).post(
        reverse("incidents:chain_add", args=[investigation.pk]), {"problem_statement": "More"}
    )
    assert response.status_code == 400
    assert "its analysis can no longer change" in response.text
    api = api_as(line_manager).post(
        reverse("api:why-chain-list"), {"investigation": investigation.pk, "problem_statement": "More"}, format="json"
    )
    assert api.status_code == 409
    assert WhyChain.objects.count() == 1


def test_outsiders_of_the_commission_may_not_change_the_analysis(incident, hse_specialist, executive, org):
    investigation = make_investigation(incident, hse_specialist, status="analysis")
    manager_elsewhere = UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop])
    for actor in (executive, manager_elsewhere):
        with pytest.raises(PermissionDenied):
            services.chain_add(actor=actor, investigation=investigation, problem_statement="Why?")
    investigation.members.add(manager_elsewhere)
    services.chain_add(actor=manager_elsewhere, investigation=investigation, problem_statement="Why?")
    assert WhyChain.objects.count() == 1


def test_a_fact_removed_meanwhile_is_a_conflict(incident, hse_specialist):
    investigation = make_investigation(incident, hse_specialist, status="analysis")
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    reach = services.fact_add(actor=hse_specialist, investigation=investigation, text="Reaches in", leads_to=final)
    services.fact_remove(actor=hse_specialist, fact=reach)
    # A second tab still shows the fact.
    for attempt in (
        lambda: services.fact_remove(actor=hse_specialist, fact=reach),
        lambda: services.fact_update(actor=hse_specialist, fact=reach, text="Edited", is_unusual=True),
        lambda: services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard off", leads_to=reach),
    ):
        with pytest.raises(StateConflict):
            attempt()
    assert list(CauseTreeFact.objects.values_list("text", flat=True)) == ["Hand caught"]
    assert AuditEntry.objects.filter(action="incidents.fact.removed").count() == 1
