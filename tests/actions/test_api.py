from rest_framework.test import APIClient

from apps.actions.models import Action
from apps.audit.selectors import history_for


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_and_list(org, hse_specialist, owner):
    response = api(hse_specialist).post(
        "/api/v1/actions/",
        {
            "title": "Guard",
            "unit": org.crew.pk,
            "owner": owner.pk,
            "due_date": "2099-01-01",
            "control_level": "engineering",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    listed = api(hse_specialist).get("/api/v1/actions/").json()
    assert [row["title"] for row in listed["results"]] == ["Guard"]


def test_create_reports_field_errors(org, hse_specialist, owner):
    response = api(hse_specialist).post(
        "/api/v1/actions/",
        {"title": "", "unit": org.other_shop.pk, "owner": owner.pk, "due_date": "2001-01-01", "control_level": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"title", "unit", "control_level"}


def test_past_due_date_is_a_400_not_a_500(org, hse_specialist, owner):
    response = api(hse_specialist).post(
        "/api/v1/actions/",
        {"title": "Guard", "unit": org.crew.pk, "owner": owner.pk, "due_date": "2001-01-01", "control_level": "ppe"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()


def test_transitions_follow_the_same_rules(action, owner, line_manager, executive):
    client = api(owner)
    assert client.post(f"/api/v1/actions/{action.pk}/start/").json()["status"] == "in_progress"
    response = client.post(f"/api/v1/actions/{action.pk}/complete/", {"evidence": ""}, format="json")
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert client.post(f"/api/v1/actions/{action.pk}/complete/", {"evidence": "done"}, format="json").status_code == 200
    assert client.post(f"/api/v1/actions/{action.pk}/verify/", {"effective": True}, format="json").status_code == 403
    assert api(executive).post(f"/api/v1/actions/{action.pk}/cancel/", {"reason": "x"}).status_code == 403
    response = api(line_manager).post(f"/api/v1/actions/{action.pk}/verify/", {"effective": True}, format="json")
    assert response.json()["status"] == "verified"
    assert [e.action for e in history_for(action)][0] == "actions.action.verified"


def test_wrong_status_is_a_400(action, line_manager):
    response = api(line_manager).post(f"/api/v1/actions/{action.pk}/verify/", {"effective": True}, format="json")
    assert response.status_code == 400


def test_outsider_gets_404(action, outsider):
    assert api(outsider).get(f"/api/v1/actions/{action.pk}/").status_code == 404
    assert api(outsider).post(f"/api/v1/actions/{action.pk}/start/").status_code == 404


def test_patch_due_date_needs_reason(action, line_manager):
    client = api(line_manager)
    response = client.patch(f"/api/v1/actions/{action.pk}/", {"due_date": "2099-05-01"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.patch(
        f"/api/v1/actions/{action.pk}/", {"due_date": "2099-05-01", "reason": "Vendor delay"}, format="json"
    )
    assert response.status_code == 200
    assert Action.objects.get().due_date.isoformat() == "2099-05-01"


def test_pass_admin_has_no_action_register(action, pass_admin):
    assert api(pass_admin).get("/api/v1/actions/").status_code == 403
