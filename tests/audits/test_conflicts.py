"""A step the record's state no longer allows (someone did it first): a message on the page, 409
from the API, and nothing changed."""

from django.urls import reverse

from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audits import services
from apps.audits.models import Audit, AuditPlanEntry

from .conftest import answer_all, photo_upload


def _messages(response):
    return [str(message) for message in response.context["messages"]]


class TestPages:
    def test_starting_a_started_audit_says_so(self, client_as, audit, hse_specialist):
        response = client_as(hse_specialist).post(reverse("audits:start", args=[audit.plan_entry.pk]), follow=True)
        assert "This planned audit has already been started." in _messages(response)
        assert response.redirect_chain[-1][0] == audit.get_absolute_url()
        assert Audit.objects.count() == 1

    def test_completing_a_completed_audit_says_so(self, client_as, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        client = client_as(hse_specialist)
        assert client.get(reverse("audits:complete", args=[audit.pk])).status_code == 200  # open in two tabs
        from unittest import mock

        real = services.audit_complete

        def the_other_tab_first(**kwargs):
            real(**kwargs)  # the other tab's request, a moment earlier
            return real(**kwargs)

        with mock.patch.object(services, "audit_complete", the_other_tab_first):
            response = client.post(reverse("audits:complete", args=[audit.pk]), follow=True)
        assert "This audit has already been completed." in _messages(response)
        assert response.redirect_chain[-1][0] == audit.get_absolute_url()
        assert AuditEntry.objects.filter(action="audits.audit.completed").count() == 1

    def test_planning_the_same_audit_twice_is_shown_on_the_form(self, client_as, plan_entry, hse_head):
        data = {
            "month": f"{plan_entry.month:%Y-%m}",
            "unit": plan_entry.unit_id,
            "auditor": plan_entry.auditor_id,
            "template": plan_entry.template_id,
        }
        response = client_as(hse_head).post(reverse("audits:plan_add"), data)
        assert response.status_code == 400
        assert "This audit is already in the plan." in response.text
        assert AuditPlanEntry.objects.count() == 1

    def test_removing_a_started_audit_from_the_plan_says_so(self, client_as, audit, hse_head):
        response = client_as(hse_head).post(reverse("audits:plan_delete", args=[audit.plan_entry.pk]), follow=True)
        assert "This audit has been started; it stays in the plan." in _messages(response)
        assert AuditPlanEntry.objects.filter(pk=audit.plan_entry.pk).exists()
        assert not AuditEntry.objects.filter(action="audits.plan_entry.deleted").exists()

    def test_a_reason_too_long_is_refused(self, client_as, plan_entry, hse_head):
        response = client_as(hse_head).post(
            reverse("audits:plan_delete", args=[plan_entry.pk]), {"reason": "r" * 5001}, follow=True
        )
        assert any("at most 5000" in message for message in _messages(response))
        assert AuditPlanEntry.objects.filter(pk=plan_entry.pk).exists()
        ok = client_as(hse_head).post(reverse("audits:plan_delete", args=[plan_entry.pk]), {"reason": "r" * 5000})
        assert ok.status_code == 302 and not AuditPlanEntry.objects.exists()
        assert AuditEntry.objects.get(action="audits.plan_entry.deleted").reason == "r" * 5000

    def test_a_refused_photo_is_flagged_to_the_phone(self, client_as, audit, hse_specialist):
        from django.core.files.uploadedfile import SimpleUploadedFile

        answer = audit.answers.first()
        prefix = f"item-{answer.item_id}"
        response = client_as(hse_specialist).post(
            reverse("audits:answer", args=[audit.pk, answer.item_id]),
            {f"{prefix}-result": "compliant", f"{prefix}-photo": SimpleUploadedFile("a.gif", b"GIF89a")},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 400
        assert response["X-Answer-Photo-Refused"] == "true" and response["X-Answer-Saved"] == "false"
        assert "a.gif" in response.text
        answer.refresh_from_db()
        assert answer.result == ""
        fine = client_as(hse_specialist).post(
            reverse("audits:answer", args=[audit.pk, answer.item_id]),
            {f"{prefix}-result": "compliant", f"{prefix}-photo": photo_upload()},
            headers={"HX-Request": "true"},
        )
        assert fine.status_code == 200 and "X-Answer-Photo-Refused" not in fine
        assert 'data-testid="photo-thumb"' in fine.text


class TestApi:
    def test_planning_twice_is_409(self, client_as, plan_entry, hse_specialist):
        response = client_as(hse_specialist).post(
            reverse("api:audit-plan-entry-list"),
            {
                "month": f"{plan_entry.month:%Y-%m}",
                "unit": plan_entry.unit_id,
                "auditor": plan_entry.auditor_id,
                "template": plan_entry.template_id,
            },
            content_type="application/json",
        )
        assert response.status_code == 409 and response.json()["code"] == "state_conflict"
        assert AuditPlanEntry.objects.count() == 1

    def test_starting_twice_is_409(self, client_as, audit, hse_specialist):
        response = client_as(hse_specialist).post(
            reverse("api:audit-list"), {"plan_entry": audit.plan_entry.pk}, content_type="application/json"
        )
        assert response.status_code == 409
        assert Audit.objects.count() == 1

    def test_answering_a_completed_audit_is_409(self, client_as, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        item = audit.answers.first().item
        response = client_as(hse_specialist).post(
            reverse("api:audit-answer", args=[audit.pk]),
            {"item": item.pk, "result": "non_compliant", "comment": "late"},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert audit.answers.get(item=item).result == "compliant"
        assert not Action.objects.exists()

    def test_the_schema_documents_409(self, client):
        schema = client.get("/api/schema/", {"format": "json"}).json()
        paths = schema["paths"]
        for path in [
            "/api/v1/audits/",
            "/api/v1/audits/{id}/answer/",
            "/api/v1/audits/{id}/complete/",
            "/api/v1/audit-plan/",
            "/api/v1/checklist-templates/",
            "/api/v1/checklist-templates/{id}/versions/",
        ]:
            assert "409" in paths[path]["post"]["responses"], path
        parameters = {parameter["name"] for parameter in paths["/api/v1/audits/"]["get"]["parameters"]}
        assert {"status", "unit", "auditor", "month_from", "month_to"} <= parameters
