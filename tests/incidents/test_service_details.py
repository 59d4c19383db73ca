"""What each service stores and writes to the history, detail by detail: the texts as typed
(trimmed), the cause an action addresses, the audit entry's code, record, unit and data."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEntry
from apps.incidents import services
from apps.incidents.models import CauseTreeFact, CauseTreeLink, IncidentAttachment, Investigation, WhyChain, WhyStep
from tests.factories import UserFactory

from .helpers import make_incident, make_investigation, planned_and_covered, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist)


@pytest.fixture
def investigation(incident, hse_specialist):
    return make_investigation(incident, hse_specialist, status="analysis")


def entry(code):
    return AuditEntry.objects.get(action=code)


# Incidents -------------------------------------------------------------------------------------


def test_a_report_stores_what_was_typed_and_is_logged(org, line_manager):
    incident = services.incident_report(
        actor=line_manager, unit=org.crew, type="near_miss", actual_severity=1, potential_severity=4,
        occurred_at=datetime(2026, 10, 1, 5, tzinfo=UTC), location="Cell 2", description="Slipped",
        immediate_actions="Area fenced", days_lost=None,
    )  # fmt: skip
    incident.refresh_from_db()
    assert (incident.type, incident.actual_severity, incident.potential_severity) == ("near_miss", 1, 4)
    assert (incident.location, incident.description, incident.immediate_actions) == ("Cell 2", "Slipped", "Area fenced")
    assert (incident.classification, incident.days_lost, incident.reported_by) == ("none", 0, line_manager)
    logged = entry("incidents.incident.reported")
    assert (logged.actor, logged.target_id, logged.unit, logged.data) == (
        line_manager,
        str(incident.pk),
        org.crew,
        {"type": "near_miss"},
    )


def test_a_person_is_recorded_trimmed_and_the_medical_details_stay_out_of_the_history(incident, hse_specialist):
    involved = services.person_add(
        actor=hse_specialist, incident=incident, role="injured", name="  Ivanov I. I.  ", diagnosis="Fracture",
        sick_leave_days=3,
    )  # fmt: skip
    involved.refresh_from_db()
    assert (involved.name, involved.diagnosis, involved.sick_leave_days) == ("Ivanov I. I.", "Fracture", 3)
    logged = entry("incidents.person.added")
    assert logged.data == {"role": "injured"} and logged.target_id == str(incident.pk)
    with pytest.raises(ValidationError) as error:
        services.person_add(actor=hse_specialist, incident=incident, role="witness", name="   ")
    assert error.value.message_dict == {"name": ["Choose a person from the roll or type a name."]}
    with pytest.raises(TypeError):
        services.person_add(actor=hse_specialist, incident=incident, role="witness", name="A", salary=1)
    assert incident.people.count() == 1


def test_a_timeline_event_is_stored_and_logged(incident, hse_specialist):
    event = services.timeline_add(
        actor=hse_specialist, incident=incident, at=incident.occurred_at, description="Belt stopped"
    )
    assert (event.incident, event.description) == (incident, "Belt stopped")
    assert entry("incidents.timeline.added").target_id == str(incident.pk)


def test_attachments_keep_their_names_and_are_logged(incident, hse_specialist):
    long = SimpleUploadedFile("a" * 300 + ".txt", b"x")  # the upload itself keeps 255 characters and the type
    assert len(long.name) == 255 and long.name.endswith(".txt")
    long_name = long.name  # the checked upload is renamed for storage; its name is kept for display
    added = services.attachment_add(
        actor=hse_specialist, incident=incident, files=[SimpleUploadedFile("notes.txt", b"Belt speed 2 m/s"), long]
    )
    assert [a.original_name for a in added] == ["notes.txt", long_name]
    assert {a.uploaded_by for a in IncidentAttachment.objects.all()} == {hse_specialist}
    assert entry("incidents.attachment.added").data == {"files": ["notes.txt", long_name]}


# Opening and the workflow ------------------------------------------------------------------------


def test_opening_names_the_commission_and_logs_it(incident, org, hse_specialist, hse_head, line_manager):
    investigation = services.investigation_open(
        actor=hse_head, incident=incident, coordinator=hse_specialist, members=[line_manager, hse_specialist]
    )
    investigation.refresh_from_db()
    assert (investigation.coordinator, investigation.status) == (hse_specialist, "opened")
    assert list(investigation.members.all()) == [line_manager]  # the coordinator is not also a member
    logged = entry("incidents.investigation.opened")
    assert (logged.actor, logged.target_id, logged.unit) == (hse_head, str(investigation.pk), org.crew)
    assert logged.data == {"coordinator": hse_specialist.pk, "members": [line_manager.pk], "deadline": "2026-10-15"}


def test_the_steps_record_who_when_and_why(incident, org, hse_specialist, hse_head):
    investigation = planned_and_covered(incident, hse_specialist)
    services.investigation_approve(actor=hse_head, investigation=investigation, note="System causes found")
    investigation.refresh_from_db()
    assert (investigation.approved_by, investigation.approval_note) == (hse_head, "System causes found")
    assert investigation.approved_at is not None and investigation.closed_at is None
    approved = entry("incidents.investigation.approved")
    assert (approved.actor, approved.reason, approved.unit, approved.target_id) == (
        hse_head,
        "System causes found",
        org.crew,
        str(investigation.pk),
    )
    services.investigation_close(actor=hse_specialist, investigation=investigation)
    investigation.refresh_from_db()
    assert investigation.status == "closed" and investigation.closed_at >= investigation.approved_at
    assert entry("incidents.investigation.closed").actor == hse_specialist


def test_the_refusals_say_why(investigation, hse_specialist, hse_head, line_manager):
    with pytest.raises(ValidationError) as error:
        services.investigation_plan_actions(actor=hse_specialist, investigation=investigation)
    assert error.value.messages == [
        "Complete one method first: a why-chain that ends in a root cause, or a valid cause tree with the final "
        "event and its antecedents."
    ]
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.create(chain=chain, order=1, answer="No interlock", is_root_cause=True)
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True)
    guard = CauseTreeFact.objects.create(investigation=investigation, text="Guard off", is_unusual=True)
    CauseTreeLink.objects.create(investigation=investigation, antecedent=guard, consequent=final)
    services.investigation_plan_actions(actor=hse_specialist, investigation=investigation)
    with pytest.raises(ValidationError) as error:
        services.investigation_approve(actor=hse_head, investigation=investigation)
    assert error.value.messages == ["Every root cause needs an action first. Without one: “No interlock”; “Guard off”."]
    with pytest.raises(services.PermissionDenied) as denied:
        services.investigation_start_analysis(actor=line_manager, investigation=investigation)
    assert str(denied.value) == "Only the coordinator or HSE roles move the investigation on."


# Five Whys ----------------------------------------------------------------------------------------


def test_whys_are_numbered_trimmed_and_logged(investigation, org, hse_specialist):
    chain = services.chain_add(actor=hse_specialist, investigation=investigation, problem_statement="  Hand caught ")
    assert chain.problem_statement == "Hand caught"
    first = services.step_add(actor=hse_specialist, chain=chain, answer=" Reached in ")
    root = services.step_add(actor=hse_specialist, chain=chain, answer="No interlock", is_root_cause=True)
    assert [(s.order, s.answer, s.is_root_cause) for s in (first, root)] == [(1, "Reached in", False),
                                                                            (2, "No interlock", True)]  # fmt: skip
    added = AuditEntry.objects.filter(action="incidents.why.added").order_by("id")
    assert [e.data for e in added] == [{"root_cause": False}, {"root_cause": True}]
    assert {(e.target_id, e.unit) for e in added} == {(str(investigation.pk), org.crew)}
    assert entry("incidents.why_chain.added").target_id == str(investigation.pk)
    with pytest.raises(ValidationError) as error:
        services.step_add(actor=hse_specialist, chain=chain, answer="More")
    assert error.value.message_dict["answer"] == [
        "This chain already ends in its root cause “No interlock”. Remove that answer to ask another why."
    ]


def test_only_the_last_why_without_an_action_is_removed(investigation, hse_specialist, line_manager):
    chain = services.chain_add(actor=hse_specialist, investigation=investigation, problem_statement="Hand caught")
    first = services.step_add(actor=hse_specialist, chain=chain, answer="Reached in")
    root = services.step_add(actor=hse_specialist, chain=chain, answer="No interlock", is_root_cause=True)
    with pytest.raises(ValidationError) as error:
        services.step_remove(actor=hse_specialist, step=first)
    assert error.value.messages == ["Remove the answers after this one first: each answer explains the previous one."]
    services.investigation_action_add(
        actor=hse_specialist, investigation=investigation, cause=root, title="Interlock", owner=line_manager,
        due_date=soon(), control_level="engineering",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.step_remove(actor=hse_specialist, step=root)
    assert error.value.messages == ["An action addresses this root cause; it stays."]
    assert chain.steps.count() == 2
    root.actions.update(source_id=None, source_type=None)
    services.step_remove(actor=hse_specialist, step=root)
    services.step_remove(actor=hse_specialist, step=first)
    assert not chain.steps.exists()
    assert AuditEntry.objects.filter(action="incidents.why.removed").count() == 2


# Cause tree -----------------------------------------------------------------------------------------


def test_facts_are_trimmed_linked_backwards_and_logged(investigation, hse_specialist, org):
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text=" Hand caught ", is_unusual=True)
    assert (final.text, final.is_final_event, final.is_unusual) == ("Hand caught", True, False)
    guard = services.fact_add(
        actor=hse_specialist, investigation=investigation, text="Guard off ", is_unusual=True, leads_to=final
    )
    assert (guard.text, guard.is_final_event, guard.is_unusual) == ("Guard off", False, True)
    assert list(CauseTreeLink.objects.values_list("antecedent", "consequent")) == [(guard.pk, final.pk)]
    added = AuditEntry.objects.filter(action="incidents.fact.added").order_by("id")
    assert [e.data for e in added] == [{"fact": final.pk, "leads_to": None}, {"fact": guard.pk, "leads_to": final.pk}]
    assert {(e.target_id, e.unit) for e in added} == {(str(investigation.pk), org.crew)}


def test_a_fact_from_another_tree_is_refused(investigation, incident, org, hse_specialist):
    other = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    foreign = services.fact_add(actor=hse_specialist, investigation=other, text="Truck hit the car")
    services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    with pytest.raises(ValidationError) as error:
        services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard", leads_to=foreign)
    assert error.value.message_dict == {"leads_to": ["That fact is not in this tree."]}
    mine = CauseTreeFact.objects.get(investigation=investigation)
    for antecedent, consequent in ((foreign, mine), (mine, foreign)):
        with pytest.raises(ValidationError) as error:
            services.link_add(actor=hse_specialist, investigation=investigation, antecedent=antecedent,
                              consequent=consequent)  # fmt: skip
        assert error.value.messages == ["Both facts must be in this tree."]
    assert CauseTreeFact.objects.filter(investigation=investigation).count() == 1


def test_the_final_event_stays_usual_when_edited(investigation, hse_specialist):
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    guard = services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard", leads_to=final)
    edited = services.fact_update(actor=hse_specialist, fact=final, text=" Hand caught at C-3 ", is_unusual=True)
    assert (edited.text, edited.is_unusual) == ("Hand caught at C-3", False)
    assert services.fact_update(actor=hse_specialist, fact=guard, text="Guard off", is_unusual=True).is_unusual
    assert AuditEntry.objects.filter(action="incidents.fact.changed").count() == 2


def test_links_are_checked_and_logged(investigation, hse_specialist, line_manager):
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    a = services.fact_add(actor=hse_specialist, investigation=investigation, text="Reaches in", leads_to=final)
    b = services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard off", leads_to=final)
    with pytest.raises(ValidationError) as error:
        services.link_add(actor=hse_specialist, investigation=investigation, antecedent=a, consequent=a)
    assert error.value.message_dict == {"consequent": ["A fact cannot be its own cause."]}
    with pytest.raises(ValidationError) as error:
        services.link_add(actor=hse_specialist, investigation=investigation, antecedent=a, consequent=final)
    assert error.value.message_dict == {"consequent": ["These facts are already linked."]}
    link = services.link_add(actor=hse_specialist, investigation=investigation, antecedent=b, consequent=a)
    assert (link.antecedent, link.consequent, link.investigation) == (b, a, investigation)
    assert entry("incidents.link.added").target_id == str(investigation.pk)
    only_path = CauseTreeLink.objects.get(antecedent=a, consequent=final)
    with pytest.raises(ValidationError):
        services.link_remove(actor=hse_specialist, link=only_path)  # a and b would no longer reach the end
    assert CauseTreeLink.objects.filter(pk=only_path.pk).exists()
    services.link_remove(actor=hse_specialist, link=CauseTreeLink.objects.get(antecedent=b, consequent=final))
    assert entry("incidents.link.removed").target_id == str(investigation.pk)
    services.investigation_action_add(
        actor=hse_specialist, investigation=investigation, cause=b, title="Interlock", owner=line_manager,
        due_date=soon(), control_level="engineering",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.fact_remove(actor=hse_specialist, fact=b)
    assert error.value.messages == ["An action addresses this fact; it stays."]
    assert CauseTreeFact.objects.filter(pk=b.pk).exists()


def test_the_first_fact_needs_no_antecedent_and_the_later_ones_do(investigation, hse_specialist):
    services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    with pytest.raises(ValidationError) as error:
        services.fact_add(actor=hse_specialist, investigation=investigation, text="Orphan")
    assert error.value.message_dict == {"leads_to": ["Choose the fact this one led to: the tree is built backwards."]}


# Actions -----------------------------------------------------------------------------------------


def test_an_action_is_opened_for_its_cause_in_the_incidents_unit(investigation, org, hse_specialist, line_manager):
    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    guard = services.fact_add(actor=hse_specialist, investigation=investigation, text="Guard", leads_to=final,
                              is_unusual=True)  # fmt: skip
    action = services.investigation_action_add(
        actor=hse_specialist, investigation=investigation, cause=guard, title="Interlock the guard",
        owner=line_manager, due_date=soon(), control_level="engineering", description="With the drive",
        priority="high",
    )  # fmt: skip
    action.refresh_from_db()
    assert (action.title, action.description, action.priority, action.control_level) == (
        "Interlock the guard",
        "With the drive",
        "high",
        "engineering",
    )
    assert (action.unit, action.owner, action.due_date, action.source_record) == (org.crew, line_manager, soon(), guard)
    linked = entry("incidents.investigation.action_linked")
    assert (linked.data, linked.target_id, linked.unit) == ({"action": action.pk}, str(investigation.pk), org.crew)


def test_an_action_addresses_a_cause_of_this_investigation(investigation, org, hse_specialist, line_manager):
    other = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    chain = WhyChain.objects.create(investigation=other, problem_statement="Other")
    step = WhyStep.objects.create(chain=chain, order=1, answer="Other cause", is_root_cause=True)
    fact = CauseTreeFact.objects.create(investigation=other, text="Other fact", is_final_event=True)
    for cause, message in ((step, "That cause is not in this investigation."),
                           (fact, "That cause is not in this investigation."),
                           (investigation, "Choose the cause this action addresses.")):  # fmt: skip
        with pytest.raises(ValidationError) as error:
            services.investigation_action_add(
                actor=hse_specialist, investigation=investigation, cause=cause, title="Fix", owner=line_manager,
                due_date=soon(), control_level="engineering",
            )  # fmt: skip
        assert error.value.messages == [message]
    assert not AuditEntry.objects.filter(action="incidents.investigation.action_linked").exists()


def test_a_member_from_another_site_edits_the_analysis_but_opens_no_investigation(incident, org, hse_specialist):
    member = UserFactory(role="line_manager", units=[org.other_shop])
    investigation = make_investigation(incident, hse_specialist, members=[member], status="opened")
    services.chain_add(actor=member, investigation=investigation, problem_statement="Why?")
    assert Investigation.objects.get(pk=investigation.pk).status == "opened"


# Conflicts, word for word ---------------------------------------------------------------------------


def test_a_step_the_status_no_longer_allows_says_so_and_changes_nothing(investigation, hse_specialist):
    from apps.common.errors import StateConflict

    with pytest.raises(StateConflict) as conflict:
        services.investigation_start_analysis(actor=hse_specialist, investigation=investigation)
    assert conflict.value.messages == [
        "This cannot be done now: the investigation is “Analysis” (someone may have just changed it). "
        "Reload the page to see its current state."
    ]
    investigation.refresh_from_db()
    assert investigation.status == "analysis"
    assert not AuditEntry.objects.filter(action__startswith="incidents.investigation.").exists()


def test_the_analysis_of_an_approved_investigation_cannot_change(incident, hse_specialist, hse_head):
    from apps.common.errors import StateConflict

    investigation = planned_and_covered(incident, hse_specialist, status="approved", approved_by=hse_head)
    with pytest.raises(StateConflict) as conflict:
        services.chain_add(actor=hse_specialist, investigation=investigation, problem_statement="Another")
    assert conflict.value.messages == ["The investigation is “Approved”: its analysis can no longer change."]
    assert investigation.why_chains.count() == 1


def test_someone_outside_the_commission_is_told_why(investigation, org):
    stranger = UserFactory(username="stranger", role="line_manager", units=[org.other_shop])
    with pytest.raises(services.PermissionDenied) as denied:
        services.chain_add(actor=stranger, investigation=investigation, problem_statement="Hand caught")
    assert str(denied.value) == "You may not change this investigation."
    assert not WhyChain.objects.exists()


def test_a_fact_removed_meanwhile_is_a_conflict_with_a_reason(investigation, hse_specialist):
    from apps.common.errors import StateConflict

    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    stale = CauseTreeFact.objects.get(pk=final.pk)
    CauseTreeFact.objects.filter(pk=final.pk).delete()
    with pytest.raises(StateConflict) as conflict:
        services.fact_update(actor=hse_specialist, fact=stale, text="Hand caught in the roller", is_unusual=False)
    assert conflict.value.messages == ["Someone has just removed this from the analysis; reload the page."]


def test_a_step_is_logged_in_the_incidents_unit_without_a_reason(incident, org, hse_specialist):
    investigation = make_investigation(incident, hse_specialist, status="opened")
    services.investigation_start_analysis(actor=hse_specialist, investigation=investigation)
    started = entry("incidents.investigation.analysis_started")
    assert (started.actor, started.unit, started.reason, started.target_id) == (
        hse_specialist, org.crew, "", str(investigation.pk)
    )  # fmt: skip
    assert Investigation.objects.get(pk=investigation.pk).status == "analysis"
