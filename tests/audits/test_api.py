import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.audits.models import Audit, AuditPlanEntry, ChecklistTemplate

from .conftest import photo_upload


@pytest.fixture
def api_as(client_as):
    return client_as


def test_templates_list_their_current_items_and_only_managers_create(api_as, template, line_manager):
    client = api_as(line_manager)
    data = client.get(reverse("api:checklist-template-list")).json()
    row = data["results"][0]
    assert row["current_version"] == 1
    assert [item["text"] for item in row["items"]][1] == "Conveyor guards in place"
    response = client.post(
        reverse("api:checklist-template-list"),
        {"name": "Mine", "code": "mine", "items": [{"text": "X"}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert ChecklistTemplate.objects.count() == 1


def test_plan_create_and_list(api_as, org, hse_specialist, template):
    client = api_as(hse_specialist)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post(
        reverse("api:audit-plan-entry-list"),
        {"month": month, "unit": org.crew.pk, "auditor": hse_specialist.pk, "template": template.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["audit_status"] == "not_started"
    listed = client.get(reverse("api:audit-plan-entry-list"), {"month": month, "not_started": "1"}).json()
    rows = listed["results"]
    assert [row["id"] for row in rows] == [response.json()["id"]]


def test_plan_create_errors_are_400(api_as, org, hse_specialist, line_manager, template):
    client = api_as(hse_specialist)
    response = client.post(
        reverse("api:audit-plan-entry-list"),
        {"month": "2001-01", "unit": org.crew.pk, "auditor": line_manager.pk, "template": template.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "auditor" in response.json() and "month" in response.json()
    bad_month = client.post(
        reverse("api:audit-plan-entry-list"),
        {"month": "soon", "unit": org.crew.pk, "auditor": hse_specialist.pk, "template": template.pk},
        content_type="application/json",
    )
    assert bad_month.status_code == 400 and "month" in bad_month.json()


def test_full_journey(api_as, plan_entry, hse_specialist, line_manager):
    client = api_as(hse_specialist)
    started = client.post(reverse("api:audit-list"), {"plan_entry": plan_entry.pk}, content_type="application/json")
    assert started.status_code == 201, started.json()
    audit = started.json()
    assert audit["status"] == "in_progress" and len(audit["answers"]) == 3
    answer_url = reverse("api:audit-answer", args=[audit["id"]])
    items = [answer["item"]["id"] for answer in audit["answers"]]

    missing_comment = client.post(
        answer_url, {"item": items[0], "result": "non_compliant"}, content_type="application/json"
    )
    assert missing_comment.status_code == 400 and "comment" in missing_comment.json()

    with_photo = client.post(
        answer_url,
        {"item": items[0], "result": "non_compliant", "comment": "Spill", "photo": photo_upload()},
    )  # multipart
    assert with_photo.status_code == 200, with_photo.json()
    assert with_photo.json()["photo_url"].endswith(reverse("audits:photo", args=[with_photo.json()["id"]]))
    for item in items[1:]:
        response = client.post(answer_url, {"item": item, "result": "compliant"}, content_type="application/json")
        assert response.status_code == 200

    nc_answer = with_photo.json()["id"]
    due = (timezone.localdate() + timezone.timedelta(days=5)).isoformat()
    done = client.post(
        reverse("api:audit-complete", args=[audit["id"]]),
        {"actions": [{"answer": nc_answer, "owner": line_manager.pk, "due_date": due, "control_level": "engineering"}]},
        content_type="application/json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed"
    assert done.json()["score"] == "83.3"  # weights 1 NC, 3 + 2 compliant
    action = Action.objects.get()
    assert (action.owner, action.control_level, done.json()["answers"][0]["actions"]) == (
        line_manager,
        "engineering",
        [action.pk],
    )
    again = client.post(reverse("api:audit-complete", args=[audit["id"]]), {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"
    assert Action.objects.count() == 1


def test_answer_item_of_another_checklist_is_400(api_as, audit, hse_specialist, hse_head):
    from apps.audits import services

    other = services.template_create(actor=hse_head, name="Other", code="other", items=[{"text": "X"}])
    foreign_item = other.current_version().items.get()
    response = api_as(hse_specialist).post(
        reverse("api:audit-answer", args=[audit.pk]),
        {"item": foreign_item.pk, "result": "compliant"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "item" in response.json()


def test_complete_with_unanswered_items_is_400(api_as, audit, hse_specialist):
    response = api_as(hse_specialist).post(
        reverse("api:audit-complete", args=[audit.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert Audit.objects.get().status == "in_progress"


def test_start_needs_plan_or_unit_and_template(api_as, hse_specialist, org, template):
    client = api_as(hse_specialist)
    assert client.post(reverse("api:audit-list"), {}, content_type="application/json").status_code == 400
    unplanned = client.post(
        reverse("api:audit-list"), {"unit": org.crew.pk, "template": template.pk}, content_type="application/json"
    )
    assert unplanned.status_code == 201 and unplanned.json()["plan_entry"] is None


def test_outsider_cannot_see_or_start(api_as, audit, outsider):
    client = api_as(outsider)
    assert client.get(reverse("api:audit-detail", args=[audit.pk])).status_code == 404
    listed = client.get(reverse("api:audit-list")).json()
    assert listed["results"] == []
    response = client.post(
        reverse("api:audit-list"), {"plan_entry": audit.plan_entry.pk}, content_type="application/json"
    )
    assert response.status_code == 400


def test_line_manager_reads_but_cannot_start(api_as, plan_entry, line_manager):
    client = api_as(line_manager)
    assert client.get(reverse("api:audit-list")).status_code == 200
    response = client.post(reverse("api:audit-list"), {"plan_entry": plan_entry.pk}, content_type="application/json")
    assert response.status_code == 403


def test_list_query_count_does_not_grow(api_as, org, hse_specialist, hse_head, template):
    version = template.current_version()
    client = api_as(hse_specialist)

    def add(count):
        for _ in range(count):
            Audit.objects.create(
                unit=org.crew, auditor=hse_specialist, template_version=version, started_at=timezone.now()
            )

    add(2)
    client.get(reverse("api:audit-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("api:audit-list"))
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("api:audit-list"))
    assert len(many) == len(few)
    for index in range(5):
        other = type(template).objects.create(name=f"T{index}", code=f"t{index}")
        AuditPlanEntry.objects.create(
            unit=org.crew, auditor=hse_specialist, month=timezone.localdate().replace(day=1), template=other,
            planned_by=hse_head,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as plan_few:
        client.get(reverse("api:audit-plan-entry-list"))
    add(0)
    other = type(template).objects.create(name="T9", code="t9")
    AuditPlanEntry.objects.create(
        unit=org.crew, auditor=hse_specialist, month=timezone.localdate().replace(day=1), template=other,
        planned_by=hse_head,
    )  # fmt: skip
    with CaptureQueriesContext(connection) as plan_many:
        client.get(reverse("api:audit-plan-entry-list"))
    assert len(plan_many) == len(plan_few)
