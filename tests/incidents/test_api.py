import pytest
from django.urls import reverse

from apps.incidents.models import CauseTreeFact, CauseTreeLink

from .helpers import make_incident, make_investigation

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigation(org, hse_specialist):
    return make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")


def _post(client, name, data):
    return client.post(reverse(name), data, content_type="application/json")


def test_building_a_tree_through_the_api(client_as, investigation, hse_specialist):
    client = client_as(hse_specialist)
    final = _post(client, "api:cause-tree-fact-list", {"investigation": investigation.pk, "text": "Hand caught"})
    assert final.status_code == 201 and final.json()["is_final_event"] is True
    orphan = _post(client, "api:cause-tree-fact-list", {"investigation": investigation.pk, "text": "Orphan"})
    assert orphan.status_code == 400 and "leads_to" in orphan.json()
    final_id = final.json()["id"]
    a = _post(
        client, "api:cause-tree-fact-list", {"investigation": investigation.pk, "text": "A", "leads_to": final_id}
    )
    b = _post(
        client, "api:cause-tree-fact-list", {"investigation": investigation.pk, "text": "B", "leads_to": final_id}
    )
    assert a.status_code == b.status_code == 201
    links = client.get(reverse("api:cause-tree-link-list"), {"investigation": investigation.pk}).json()
    assert {link["kind"] for link in links["results"]} == {"conjunction"}  # two antecedents, both needed
    loop = _post(
        client, "api:cause-tree-link-list",
        {"investigation": investigation.pk, "antecedent": final_id, "consequent": a.json()["id"]},
    )  # fmt: skip
    assert loop.status_code == 400
    assert "cannot lead to another fact" in str(loop.json())
    assert CauseTreeLink.objects.count() == 2
    delete = client.delete(reverse("api:cause-tree-fact-detail", args=[final_id]))
    assert delete.status_code == 400
    assert CauseTreeFact.objects.filter(pk=final_id).exists()
    detail = client.get(reverse("api:investigation-detail", args=[investigation.pk])).json()
    assert detail["tree_errors"] == [] and "percent" in detail["quality"]


def test_why_chain_through_the_api(client_as, investigation, hse_specialist):
    client = client_as(hse_specialist)
    chain = _post(client, "api:why-chain-list", {"investigation": investigation.pk, "problem_statement": "Hand caught"})
    assert chain.status_code == 201
    url = reverse("api:why-chain-whys", args=[chain.json()["id"]])
    client.post(url, {"answer": "No interlock", "is_root_cause": True}, content_type="application/json")
    again = client.post(url, {"answer": "More"}, content_type="application/json")
    assert again.status_code == 400 and "answer" in again.json()


def test_api_report_field_errors(client_as, org, line_manager):
    response = _post(
        client_as(line_manager), "api:incident-list",
        {"type": "injury", "actual_severity": 7, "potential_severity": 2, "unit": org.crew.pk,
         "occurred_at": "2026-10-01T10:00:00Z", "location": "x", "description": "x"},
    )  # fmt: skip
    assert response.status_code == 400 and "actual_severity" in response.json()


def test_workflow_moves_through_the_api_with_the_pages_rules(org, hse_specialist, line_manager):
    from rest_framework.test import APIClient

    from apps.incidents.models import Investigation

    investigation = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="opened")
    client = APIClient()
    client.force_authenticate(line_manager)
    url = f"/api/v1/investigations/{investigation.pk}/transition/"
    assert client.post(url, {"step": "analysis"}, format="json").status_code == 403
    client.force_authenticate(hse_specialist)
    response = client.post(url, {"step": "analysis"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Investigation.Status.ANALYSIS
    # Planning actions needs a finished analysis method: refused with a message, not a 500.
    response = client.post(url, {"step": "plan"}, format="json")
    assert response.status_code == 400
    assert client.post(url, {"step": "jump"}, format="json").status_code == 400
