"""Two people editing one investigation (issue 14, lost updates): A opens the page, B saves, A
saves what A saw. A's save is refused with who changed it and when, B's change stays, the page
shows A's input again with the current version in it, and saving that again is accepted. The
same through the API (409, a `version` field error). Every change raises the version by one."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.common.versioning import VersionConflict
from apps.incidents import services
from apps.incidents.models import CauseTreeFact, Investigation, WhyChain
from tests.concurrency import race
from tests.factories import UserFactory

from .helpers import make_incident, make_investigation, planned_and_covered

STALE = "after you opened it. Your changes were not saved: review the current version and try again."


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def version_in(html: str, action: str) -> int:
    """The hidden version of the form posting to `action`, as the browser would send it."""
    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    field = re.search(r'<input[^>]*name="version"[^>]*>', form.group(1))
    assert field, f"no version in the form posting to {action}"
    return int(re.search(r'value="(\d+)"', field.group(0)).group(1))


@pytest.fixture
def incident(org, hse_specialist):
    return make_incident(org.crew, hse_specialist)


@pytest.fixture
def anna(org):
    """The second editor: an HSE specialist of the same unit, on the commission."""
    return UserFactory(username="anna", first_name="Anna", last_name="Petrova", units=[org.crew])


@pytest.fixture
def investigation(incident, hse_specialist, anna):
    investigation = make_investigation(incident, hse_specialist, members=[anna], status="analysis")
    services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught in the pulley")
    services.fact_add(
        actor=hse_specialist, investigation=investigation, text="Operator reaches in",
        leads_to=CauseTreeFact.objects.get(is_final_event=True),
    )  # fmt: skip
    return Investigation.objects.get(pk=investigation.pk)


def reach(investigation):
    return investigation.facts.get(is_final_event=False)


@pytest.mark.django_db
class TestFactEditedByTwo:
    def test_the_second_save_is_refused_and_shows_what_was_typed(self, investigation, hse_specialist, anna):
        fact = reach(investigation)
        edit = reverse("incidents:fact_edit", args=[fact.pk])
        mine, hers = signed_in(hse_specialist), signed_in(anna)
        seen = version_in(mine.get(investigation.get_absolute_url()).text, edit)  # A opens the page
        assert seen == fact.version == 1

        # B saves first.
        theirs = version_in(hers.get(investigation.get_absolute_url()).text, edit)
        response = hers.post(edit, {"text": "Operator reaches in to clear spillage", "version": theirs})
        assert response.status_code == 302

        # A saves what A saw: refused, B's text stays, A's text and the current one are on the page.
        response = mine.post(edit, {"text": "Operator reaches in, belt running", "is_unusual": "on", "version": seen})
        assert response.status_code == 409
        fact.refresh_from_db()
        assert fact.text == "Operator reaches in to clear spillage" and not fact.is_unusual
        assert fact.version == 2
        page = response.text
        assert "Someone else changed this fact (Anna Petrova, " in page and STALE in page
        assert 'value="Operator reaches in, belt running"' in page  # A's input kept
        assert "Operator reaches in to clear spillage" in page  # the current text shown
        assert version_in(page, edit) == 2  # the form now carries the current version

        # A looked, and saves again: accepted.
        response = mine.post(edit, {"text": "Operator reaches in, belt running", "version": version_in(page, edit)})
        assert response.status_code == 302
        fact.refresh_from_db()
        assert fact.text == "Operator reaches in, belt running" and fact.version == 3

    def test_a_save_with_the_current_version_passes(self, investigation, hse_specialist):
        fact = reach(investigation)
        response = signed_in(hse_specialist).post(
            reverse("incidents:fact_edit", args=[fact.pk]), {"text": "Operator leans in", "version": fact.version}
        )
        assert response.status_code == 302
        fact.refresh_from_db()
        assert fact.text == "Operator leans in"

    def test_removing_a_fact_changed_meanwhile_is_refused(self, investigation, hse_specialist, anna):
        fact = reach(investigation)
        services.fact_update(actor=anna, fact=fact, text="Operator reaches in with a shovel", is_unusual=True)
        response = signed_in(hse_specialist).post(
            reverse("incidents:fact_remove", args=[fact.pk]), {"text": "Operator reaches in", "version": 1}
        )
        assert response.status_code == 409
        assert CauseTreeFact.objects.filter(pk=fact.pk, text="Operator reaches in with a shovel").exists()
        assert "Someone else changed this fact (Anna Petrova, " in response.text

    def test_editing_another_fact_of_the_tree_does_not_refuse(self, investigation, hse_specialist, anna):
        final = investigation.facts.get(is_final_event=True)
        other = reach(investigation)
        services.fact_update(actor=anna, fact=final, text="Hand caught at the tail pulley", is_unusual=False)
        services.fact_update(
            actor=hse_specialist, fact=other, text="Operator reaches in", is_unusual=True, version=other.version
        )
        other.refresh_from_db()
        assert other.is_unusual


@pytest.mark.django_db
class TestWorkflowStepOnAChangedInvestigation:
    def test_the_approval_of_an_analysis_changed_meanwhile_is_refused_and_the_note_kept(
        self, incident, hse_specialist, hse_head
    ):
        investigation = planned_and_covered(incident, hse_specialist)
        approve = reverse("incidents:investigation_status", args=[investigation.pk, "approve"])
        head = signed_in(hse_head)
        seen = version_in(head.get(investigation.get_absolute_url()).text, approve)

        # The coordinator adds a why-chain while the HSE head reads.
        response = signed_in(hse_specialist).post(
            reverse("incidents:chain_add", args=[investigation.pk]), {"problem_statement": "Guard left open"}
        )
        assert response.status_code == 302

        response = head.post(approve, {"note": "Good work on the interlock", "version": seen})
        assert response.status_code == 409
        investigation.refresh_from_db()
        assert investigation.status == "actions_planned" and investigation.approved_by is None
        assert WhyChain.objects.filter(investigation=investigation, problem_statement="Guard left open").exists()
        page = response.text
        assert f"Someone else changed this investigation ({hse_specialist.get_full_name()}, " in page
        assert "Good work on the interlock" in page and "Guard left open" in page
        assert version_in(page, approve) == investigation.version == seen + 1

        response = head.post(approve, {"note": "Good work on the interlock", "version": version_in(page, approve)})
        assert response.status_code == 302
        investigation.refresh_from_db()
        assert investigation.status == "approved" and investigation.approval_note == "Good work on the interlock"

    def test_a_button_step_on_a_stale_page_is_refused_with_the_reason(self, investigation, hse_specialist, anna):
        plan = reverse("incidents:investigation_status", args=[investigation.pk, "plan"])
        seen = version_in(signed_in(hse_specialist).get(investigation.get_absolute_url()).text, plan)
        services.fact_update(actor=anna, fact=reach(investigation), text="Operator reaches in", is_unusual=True)
        response = signed_in(hse_specialist).post(plan, {"version": seen})
        assert response.status_code == 409
        assert "Someone else changed this investigation (Anna Petrova, " in response.text
        investigation.refresh_from_db()
        assert investigation.status == "analysis"


@pytest.mark.django_db
class TestVersionCounting:
    def test_every_change_raises_the_version_by_one_and_a_refused_one_not_at_all(self, investigation, anna):
        start = investigation.version
        fact = reach(investigation)
        services.fact_update(actor=anna, fact=fact, text="Operator reaches in", is_unusual=True)
        investigation.refresh_from_db()
        assert investigation.version == start + 1
        with pytest.raises(VersionConflict):
            services.fact_update(actor=anna, fact=fact, text="x", is_unusual=False, version=fact.version - 1)
        with pytest.raises(ValidationError):  # the final event cannot lead to a fact: rolled back
            services.link_add(
                actor=anna, investigation=investigation, antecedent=investigation.facts.get(is_final_event=True),
                consequent=fact,
            )  # fmt: skip
        investigation.refresh_from_db()
        assert investigation.version == start + 1

    def test_a_workflow_step_raises_the_version(self, incident, hse_specialist, hse_head):
        investigation = planned_and_covered(incident, hse_specialist)
        approved = services.investigation_approve(actor=hse_head, investigation=investigation, version=1)
        assert approved.version == 2
        assert Investigation.objects.get(pk=investigation.pk).version == 2


@pytest.mark.django_db
class TestApi:
    def api(self, user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    def test_a_stale_fact_patch_answers_409_with_a_version_error(self, investigation, hse_specialist, anna):
        fact = reach(investigation)
        url = f"/api/v1/cause-tree-facts/{fact.pk}/"
        seen = self.api(hse_specialist).get(url).json()["version"]
        assert self.api(anna).patch(url, {"text": "Operator reaches in to clear spillage", "version": seen},
                                    format="json").status_code == 200  # fmt: skip
        response = self.api(hse_specialist).patch(url, {"text": "Mine", "version": seen}, format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "version_conflict" and body["current_version"] == seen + 1
        assert body["version"][0].startswith("Someone else changed this fact (Anna Petrova, ")
        fact.refresh_from_db()
        assert fact.text == "Operator reaches in to clear spillage"
        response = self.api(hse_specialist).patch(url, {"text": "Mine", "version": seen + 1}, format="json")
        assert response.status_code == 200 and response.json()["version"] == seen + 2

    def test_a_stale_transition_answers_409_and_a_current_one_passes(self, investigation, hse_specialist, anna):
        url = f"/api/v1/investigations/{investigation.pk}/transition/"
        seen = self.api(hse_specialist).get(f"/api/v1/investigations/{investigation.pk}/").json()["version"]
        services.fact_update(actor=anna, fact=reach(investigation), text="Operator reaches in", is_unusual=True)
        response = self.api(hse_specialist).post(url, {"step": "plan", "version": seen}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "version_conflict"
        investigation.refresh_from_db()
        assert investigation.status == "analysis"
        response = self.api(hse_specialist).post(url, {"step": "plan", "version": seen + 1}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "actions_planned" and response.json()["version"] == seen + 2

    def test_the_schema_documents_the_version_and_the_conflict(self, hse_specialist):
        schema = self.api(hse_specialist).get("/api/schema/", {"format": "json"}).json()
        transition = schema["paths"]["/api/v1/investigations/{id}/transition/"]["post"]
        conflict = transition["responses"]["409"]["content"]["application/json"]["schema"]
        assert conflict == {"$ref": "#/components/schemas/PortalConflict"}
        assert "current_version" in schema["components"]["schemas"]["PortalConflict"]["properties"]
        assert "version" in schema["components"]["schemas"]["TransitionRequest"]["properties"]
        assert "version" in schema["components"]["schemas"]["PatchedFactUpdateRequest"]["properties"]
        assert "version" in schema["components"]["schemas"]["FactUpdate"]["properties"]  # and in the answer


@pytest.mark.django_db(transaction=True)
def test_ten_editors_saving_one_fact_at_once_one_wins(org, hse_specialist):
    """Ten saves read at version 1 and sent together: the row lock orders them, the version lets
    only the first through (without it the last would silently win)."""
    incident = make_incident(org.crew, hse_specialist)
    investigation = make_investigation(incident, hse_specialist, status="analysis")
    fact = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    outcomes = race(
        10,
        lambda i: services.fact_update(
            actor=hse_specialist, fact=CauseTreeFact.objects.get(pk=fact.pk), text=f"Hand caught #{i}",
            is_unusual=False, version=1,
        ),
    )  # fmt: skip
    assert outcomes.succeeded == 1
    assert len(outcomes.failed) == 9 and all(isinstance(error, VersionConflict) for error in outcomes.failed)
    fact.refresh_from_db()
    assert fact.text == outcomes.results[0].text and fact.version == 2
