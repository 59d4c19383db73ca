import pytest
from rest_framework.test import APIClient

from apps.actions.models import Action
from apps.audit.selectors import history_for
from tests.actions.conftest import in_days


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
            "due_date": in_days(60).isoformat(),
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


def test_wrong_status_is_a_409_conflict(action, line_manager):
    response = api(line_manager).post(f"/api/v1/actions/{action.pk}/verify/", {"effective": True}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This action is open: it has not been marked as done.",
        "code": "state_conflict",
    }
    action.refresh_from_db()
    assert (action.status, action.verified_at) == ("open", None)
    assert not history_for(action).exists()


def test_outsider_gets_404(action, outsider):
    assert api(outsider).get(f"/api/v1/actions/{action.pk}/").status_code == 404
    assert api(outsider).post(f"/api/v1/actions/{action.pk}/start/").status_code == 404


def test_patch_due_date_needs_reason(action, line_manager):
    client = api(line_manager)
    new_date = in_days(90).isoformat()
    response = client.patch(f"/api/v1/actions/{action.pk}/", {"due_date": new_date}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()
    response = client.patch(
        f"/api/v1/actions/{action.pk}/", {"due_date": new_date, "reason": "Vendor delay"}, format="json"
    )
    assert response.status_code == 200
    assert Action.objects.get().due_date.isoformat() == new_date


def test_pass_admin_has_no_action_register(action, pass_admin):
    assert api(pass_admin).get("/api/v1/actions/").status_code == 403


def test_every_transition_on_a_closed_action_is_a_409(org, owner, hse_head):
    verified = Action.objects.create(
        title="Closed", unit=org.crew, owner=owner, created_by=owner, due_date=in_days(5), control_level="ppe",
        status="verified", verified_by=hse_head,
    )  # fmt: skip
    client = api(hse_head)
    calls = [
        client.post(f"/api/v1/actions/{verified.pk}/start/"),
        client.post(f"/api/v1/actions/{verified.pk}/complete/", {"evidence": "x"}, format="json"),
        client.post(f"/api/v1/actions/{verified.pk}/verify/", {"effective": True}, format="json"),
        client.post(f"/api/v1/actions/{verified.pk}/cancel/", {"reason": "x"}, format="json"),
        client.patch(f"/api/v1/actions/{verified.pk}/", {"title": "New"}, format="json"),
    ]
    for response in calls:
        assert response.status_code == 409
        assert response.json() == {"detail": "This action is already verified.", "code": "state_conflict"}
    verified.refresh_from_db()
    assert verified.title == "Closed" and not history_for(verified).exists()


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("complete/", {"evidence": "e" * 5001}, "evidence"),
        ("verify/", {"effective": False, "note": "n" * 5001}, "note"),
        ("cancel/", {"reason": "r" * 5001}, "reason"),
        ("cancel/", {"reason": "a\x00b"}, "reason"),
        (
            "verify/",
            {"effective": False, "note": "x", "not_effective_then": "follow_up", "follow_up_due_date": "0001-01-01"},
            "follow_up_due_date",
        ),  # fmt: skip
    ],
)
def test_transition_input_is_checked(action, hse_head, path, data, field):
    Action.objects.filter(pk=action.pk).update(status="done")
    response = api(hse_head).post(f"/api/v1/actions/{action.pk}/{path}", data, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    action.refresh_from_db()
    assert action.status == "done" and not history_for(action).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "t" * 301}, "title"),
        ({"description": "d" * 5001}, "description"),
        ({"due_date": "0001-01-01"}, "due_date"),
        ({"due_date": "9999-12-31"}, "due_date"),
        ({"due_date": "1969-12-31"}, "due_date"),
    ],
)
def test_create_limits(org, hse_specialist, owner, data, field):
    base = {"title": "Guard", "unit": org.crew.pk, "owner": owner.pk, "due_date": in_days(3).isoformat(),
            "control_level": "ppe"}  # fmt: skip
    response = api(hse_specialist).post("/api/v1/actions/", {**base, **data}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Action.objects.exists()


def test_create_due_today_is_accepted_yesterday_refused(org, hse_specialist, owner):
    base = {"title": "Guard", "unit": org.crew.pk, "owner": owner.pk, "control_level": "ppe"}
    client = api(hse_specialist)
    response = client.post("/api/v1/actions/", {**base, "due_date": in_days(-1).isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json() == {"due_date": ["The due date cannot be in the past."]}
    response = client.post("/api/v1/actions/", {**base, "due_date": in_days(0).isoformat()}, format="json")
    assert response.status_code == 201


def test_patch_with_a_long_reason_is_refused(action, line_manager):
    response = api(line_manager).patch(
        f"/api/v1/actions/{action.pk}/", {"due_date": in_days(9).isoformat(), "reason": "r" * 501}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_the_source_is_reported(org, hse_head, owner):
    from tests.factories import ActionFactory, ObservationFactory

    observation = ObservationFactory(unit=org.crew, observer=hse_head)
    sourced = ActionFactory(unit=org.crew, owner=owner, source_record=observation)
    row = api(hse_head).get(f"/api/v1/actions/{sourced.pk}/").json()
    assert (row["source"], row["source_type"], row["source_id"]) == ("observation", "observations.observation",
                                                                     observation.pk)  # fmt: skip
    listed = api(hse_head).get("/api/v1/actions/").json()["results"][0]
    assert (listed["source"], listed["source_type"]) == ("observation", "observations.observation")


def test_a_role_that_may_not_open_actions_gets_403_whatever_it_sends(org, executive):
    response = api(executive).post("/api/v1/actions/", {"due_date": "0001-01-01"}, format="json")
    assert response.status_code == 403
    assert not Action.objects.exists()
