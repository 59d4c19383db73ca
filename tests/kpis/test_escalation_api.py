"""The escalation and monthly-report API: the same rules as the pages — the head raises and
withdraws, the executive decides (403 for anyone else, before the input is read), field errors are
400, a decision on an escalation no longer open is 409; lists have a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.kpis import reports
from apps.kpis.models import Escalation, MonthlyReport
from apps.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(**fields) -> dict:
    values = {
        "title": "Replace the crusher guard",
        "why": "A hand was caught in May.",
        "options": "Buy the new guard\nRepair the old one",
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
    }
    values.update(fields)
    return values


@pytest.fixture
def escalation(hse_head):
    return Escalation.objects.create(
        title="Stop night work at the kiln", why="w", options="Stop\nKeep", deadline=timezone.localdate(),
        raised_by=hse_head,
    )  # fmt: skip


def test_the_head_raises_through_the_api(hse_head, executive, org):
    response = api(hse_head).post(reverse("api:escalation-list"), payload(unit=org.shop.pk), format="json")
    assert response.status_code == 201, response.data
    assert response.data["status"] == "open"
    assert response.data["option_list"] == ["Buy the new guard", "Repair the old one"]
    assert response.data["unit"] == org.shop.pk
    assert OutboxMessage.objects.filter(kind="escalation_raised", recipient=executive).exists()


def test_field_errors_are_400(hse_head):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api(hse_head).post(reverse("api:escalation-list"), payload(deadline=yesterday, title=""), format="json")
    assert response.status_code == 400
    assert "title" in response.data
    response = api(hse_head).post(reverse("api:escalation-list"), payload(deadline=yesterday), format="json")
    assert response.status_code == 400 and "deadline" in response.data
    response = api(hse_head).post(reverse("api:escalation-list"), payload(unit=999_999), format="json")
    assert response.status_code == 400 and "unit" in response.data


@pytest.mark.parametrize("persona", ["executive", "hse_specialist", "line_manager"])
def test_only_the_head_raises(persona, request):
    response = api(request.getfixturevalue(persona)).post(reverse("api:escalation-list"), payload(), format="json")
    assert response.status_code == 403


def test_the_executive_decides_and_a_second_decision_is_409(escalation, executive, hse_head):
    url = reverse("api:escalation-decide", args=[escalation.pk])
    assert api(hse_head).post(url, {"decision": "Stop"}, format="json").status_code == 403
    assert api(executive).post(url, {"decision": ""}, format="json").status_code == 400
    response = api(executive).post(url, {"decision": "Stop", "comment": "From Monday."}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["decision"], response.data["comment"]) == (
        "decided",
        "Stop",
        "From Monday.",
    )
    assert response.data["decided_by"] == executive.get_full_name()
    again = api(executive).post(url, {"decision": "Keep"}, format="json")
    assert again.status_code == 409
    assert again.data["code"] == "state_conflict"


def test_the_head_withdraws(escalation, hse_head, executive):
    url = reverse("api:escalation-withdraw", args=[escalation.pk])
    assert api(executive).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(hse_head).post(url, {}, format="json").status_code == 400
    assert api(hse_head).post(url, {"reason": "Solved"}, format="json").data["status"] == "withdrawn"
    assert api(hse_head).post(url, {"reason": "Again"}, format="json").status_code == 409


def test_the_list_filters_by_status_and_its_queries_do_not_grow(escalation, hse_head, executive):
    client = api(executive)
    url = reverse("api:escalation-list")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).data["count"] == 1
    for index in range(10):
        Escalation.objects.create(title=f"E{index}", why="w", options="a", deadline=date(2030, 1, 1),
                                  raised_by=hse_head, status="withdrawn")  # fmt: skip
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).data["count"] == 11
    assert len(first) == len(second)
    assert client.get(url, {"status": "open"}).data["count"] == 1
    assert client.get(url, {"status": "maybe"}).status_code == 400


def test_readers_are_the_executive_and_the_head(escalation, hse_specialist, line_manager, hse_head, executive):
    url = reverse("api:escalation-detail", args=[escalation.pk])
    assert api(hse_specialist).get(url).status_code == 403
    assert api(line_manager).get(url).status_code == 403
    assert api(hse_head).get(url).status_code == 200
    assert api(executive).get(url).data["is_overdue"] is False
    assert api().get(url).status_code == 401


# --- Monthly reports -------------------------------------------------------------------------------------


def test_a_report_is_requested_made_and_downloaded_through_the_api(executive, hse_specialist, monkeypatch):
    monkeypatch.setattr(reports, "queue_report", lambda report_id: True)
    client = api(executive)
    assert api(hse_specialist).post(reverse("api:monthly-report-list"), {"month": "2026-01"}).status_code == 403
    assert client.post(reverse("api:monthly-report-list"), {"month": "first"}, format="json").status_code == 400
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    response = client.post(reverse("api:monthly-report-list"), {"month": f"{month:%Y-%m}"}, format="json")
    assert response.status_code == 202, response.data
    assert (response.data["status"], response.data["progress"], response.data["file_url"]) == ("queued", 0, None)
    report_id = response.data["id"]
    file_url = reverse("api:monthly-report-file", args=[report_id])
    assert client.get(file_url).status_code == 404

    reports.report_run(report_id)
    detail = client.get(reverse("api:monthly-report-detail", args=[report_id])).data
    assert (detail["status"], detail["progress"]) == ("done", 100)
    assert detail["file_url"].endswith(file_url)
    download = client.get(file_url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("api:monthly-report-list")).data["count"] == MonthlyReport.objects.count() == 1
