import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action
from apps.audits import services
from apps.audits.models import Audit, AuditPlanEntry

from .conftest import answer_all, photo_upload


def _pdf_strings(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated: metadata (the title) becomes searchable."""
    import re
    import zlib

    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def card_data(answer, result="", comment="", photo=None):
    prefix = f"item-{answer.item_id}"
    data = {f"{prefix}-result": result, f"{prefix}-comment": comment}
    if photo is not None:
        data[f"{prefix}-photo"] = photo
    return data


def answer_url(audit, answer):
    return reverse("audits:answer", args=[audit.pk, answer.item_id])


class TestList:
    def test_planned_tab_shows_entries_not_started(self, client_as, plan_entry, hse_specialist):
        page = client_as(hse_specialist).get(reverse("audits:list")).text
        assert "Flotation crew" in page
        assert reverse("audits:start", args=[plan_entry.pk]) in page

    def test_line_manager_sees_but_cannot_start(self, client_as, plan_entry, line_manager):
        page = client_as(line_manager).get(reverse("audits:list")).text
        assert "Flotation crew" in page
        assert reverse("audits:start", args=[plan_entry.pk]) not in page

    def test_outsider_sees_nothing_of_the_unit(self, client_as, plan_entry, audit, outsider):
        for tab in ("planned", "in_progress", "completed"):
            assert "Flotation crew" not in client_as(outsider).get(reverse("audits:list"), {"tab": tab}).text

    def test_completed_tab_filters_by_unit(self, client_as, audit, hse_specialist, org):
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        client = client_as(hse_specialist)
        assert audit.reference in client.get(reverse("audits:list"), {"tab": "completed"}).text
        other = client.get(reverse("audits:list"), {"tab": "completed", "unit": org.shop.pk}).text
        assert audit.reference not in other

    @pytest.mark.parametrize("tab", ["planned", "completed"])
    def test_list_query_count_does_not_grow(self, client_as, org, hse_head, hse_specialist, template, tab):
        def add(count):
            version = template.current_version()
            for _ in range(count):
                entry = AuditPlanEntry.objects.create(
                    unit=org.crew,
                    auditor=hse_specialist,
                    month=timezone.localdate().replace(day=1),
                    template=type(template).objects.create(name="T", code=f"t-{AuditPlanEntry.objects.count()}"),
                    planned_by=hse_head,
                )
                if tab == "completed":
                    Audit.objects.create(
                        plan_entry=entry, unit=org.crew, auditor=hse_specialist, template_version=version,
                        status="completed", started_at=timezone.now(), completed_at=timezone.now(), score=90,
                    )  # fmt: skip

        client = client_as(hse_specialist)
        url = reverse("audits:list") + f"?tab={tab}"
        add(2)
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        add(10)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert response.status_code == 200
        assert len(many) == len(few)

    def test_plan_page_query_count_does_not_grow(self, client_as, org, hse_head, hse_specialist, template):
        client = client_as(hse_head)
        month = timezone.localdate().replace(day=1)
        client.get(reverse("audits:plan"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("audits:plan"))
        for index in range(8):
            other = type(template).objects.create(name=f"T{index}", code=f"t{index}")
            AuditPlanEntry.objects.create(
                unit=org.crew, auditor=hse_specialist, month=month, template=other, planned_by=hse_head
            )
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("audits:plan"))
        assert len(many) == len(few)


class TestPlanAdd:
    url = staticmethod(lambda: reverse("audits:plan_add"))

    def data(self, org, auditor, template, month=None):
        month = month or timezone.localdate().replace(day=1)
        return {"month": f"{month:%Y-%m}", "unit": org.crew.pk, "auditor": auditor.pk, "template": template.pk}

    def test_get_is_rejected(self, client_as, hse_head):
        assert client_as(hse_head).get(self.url()).status_code == 405

    def test_read_only_role_is_refused(self, client_as, line_manager, org, hse_specialist, template):
        response = client_as(line_manager).post(self.url(), self.data(org, hse_specialist, template))
        assert response.status_code == 403

    def test_happy_path(self, client_as, hse_specialist, org, template):
        response = client_as(hse_specialist).post(self.url(), self.data(org, hse_specialist, template))
        assert response.status_code == 302
        entry = AuditPlanEntry.objects.get()
        assert (entry.unit, entry.auditor, entry.planned_by) == (org.crew, hse_specialist, hse_specialist)

    def test_bad_auditor_shows_error_and_keeps_input(self, client_as, hse_head, org, line_manager, template):
        response = client_as(hse_head).post(self.url(), self.data(org, line_manager, template))
        assert response.status_code == 400
        assert "Select a valid choice" in response.text  # a line manager is not offered as auditor
        assert f'value="{org.crew.pk}" selected' in response.text
        assert not AuditPlanEntry.objects.exists()

    def test_outsider_cannot_plan_a_foreign_unit(self, client_as, outsider, org, hse_specialist, template):
        response = client_as(outsider).post(self.url(), self.data(org, hse_specialist, template))
        assert response.status_code == 400  # the unit is not among the outsider's choices
        assert not AuditPlanEntry.objects.exists()


class TestStartAndConduct:
    def test_get_start_is_rejected(self, client_as, plan_entry, hse_specialist):
        assert client_as(hse_specialist).get(reverse("audits:start", args=[plan_entry.pk])).status_code == 405

    def test_read_only_role_is_refused(self, client_as, plan_entry, line_manager):
        assert client_as(line_manager).post(reverse("audits:start", args=[plan_entry.pk])).status_code == 403

    def test_outsider_gets_404(self, client_as, plan_entry, outsider):
        assert client_as(outsider).post(reverse("audits:start", args=[plan_entry.pk])).status_code == 404

    def test_start_goes_to_the_conduct_page(self, client_as, plan_entry, hse_specialist):
        response = client_as(hse_specialist).post(reverse("audits:start", args=[plan_entry.pk]))
        audit = Audit.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("audits:conduct", args=[audit.pk])
        page = client_as(hse_specialist).get(response["Location"]).text
        assert "Conveyor guards in place" in page and 'class="btn-check"' in page

    def test_starting_twice_goes_to_the_audit(self, client_as, audit, hse_specialist):
        response = client_as(hse_specialist).post(reverse("audits:start", args=[audit.plan_entry.pk]))
        assert response["Location"] == audit.get_absolute_url()
        assert Audit.objects.count() == 1

    def test_another_specialist_cannot_conduct(self, client_as, audit, hse_head, org):
        from apps.accounts.roles import Role
        from tests.factories import UserFactory

        colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        assert client_as(colleague).get(reverse("audits:conduct", args=[audit.pk])).status_code == 403
        assert client_as(hse_head).get(reverse("audits:conduct", args=[audit.pk])).status_code == 200


class TestAnswer:
    def test_get_is_rejected(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        assert client_as(hse_specialist).get(answer_url(audit, answer)).status_code == 405

    def test_read_only_role_is_refused(self, client_as, audit, line_manager):
        answer = audit.answers.first()
        response = client_as(line_manager).post(answer_url(audit, answer), card_data(answer, "compliant"))
        assert response.status_code == 403

    def test_outsider_gets_404(self, client_as, audit, outsider):
        answer = audit.answers.first()
        response = client_as(outsider).post(answer_url(audit, answer), card_data(answer, "compliant"))
        assert response.status_code == 404

    def test_plain_post_saves_and_returns_to_the_item(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        data = card_data(answer, "non_compliant", "Spill at pump 3", photo_upload())
        response = client_as(hse_specialist).post(answer_url(audit, answer), data)
        assert response.status_code == 302
        assert response["Location"].endswith(f"#item-{answer.item_id}")
        answer.refresh_from_db()
        assert (answer.result, answer.comment) == ("non_compliant", "Spill at pump 3")
        assert answer.photo

    def test_htmx_post_returns_the_items_state_and_progress(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        response = client_as(hse_specialist).post(
            answer_url(audit, answer), card_data(answer, "compliant"), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert response["X-Answer-Saved"] == "true"
        assert f'id="item-{answer.item_id}-errors"' in response.text
        assert 'id="audit-progress"' in response.text and "1 / 3" in response.text
        # The inputs are not sent back: what the auditor is typing on the phone stays as typed.
        assert "<textarea" not in response.text and 'type="radio"' not in response.text
        answer.refresh_from_db()
        assert answer.result == "compliant" and answer.answered_at

    def test_missing_comment_keeps_input_in_place(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        other = audit.answers.last()
        services.audit_answer(
            actor=hse_specialist, audit=audit, item=other.item, result="non_compliant", comment="Other note"
        )
        response = client_as(hse_specialist).post(answer_url(audit, answer), card_data(answer, "non_compliant", ""))
        assert response.status_code == 400
        assert "Describe what is not compliant." in response.text
        assert f'id="item-{answer.item_id}-non_compliant" value="non_compliant" autocomplete="off" checked' in (
            response.text
        )
        assert "Other note" in response.text  # the other cards are still there
        answer.refresh_from_db()
        assert answer.result == ""

    def test_htmx_error_says_why_and_keeps_the_photo_in_the_phone(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        response = client_as(hse_specialist).post(
            answer_url(audit, answer),
            card_data(answer, "", "Half-typed note", photo_upload()),
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 400
        assert response["X-Answer-Saved"] == "false"
        assert "Choose compliant, non-compliant or not applicable." in response.text
        assert "choose it again" not in response.text  # the phone's file input still holds it
        answer.refresh_from_db()
        assert (answer.result, answer.comment, answer.photo.name) == ("", "", "")

    def test_plain_error_asks_for_the_photo_again(self, client_as, audit, hse_specialist):
        answer = audit.answers.first()
        response = client_as(hse_specialist).post(
            answer_url(audit, answer), card_data(answer, "", "Half-typed note", photo_upload())
        )
        assert response.status_code == 400
        assert "Half-typed note" in response.text and "choose it again" in response.text
        answer.refresh_from_db()
        assert not answer.photo

    def test_an_answer_to_a_completed_audit_is_a_conflict(self, client_as, audit, hse_specialist):
        # The checklist was still open on the phone when the audit was finished in another tab.
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        answer = audit.answers.first()
        response = client_as(hse_specialist).post(
            answer_url(audit, answer), card_data(answer, "non_compliant", "late"), headers={"HX-Request": "true"}
        )
        assert response.status_code == 409
        assert response["X-Answer-Saved"] == "false"
        assert "can no longer change" in response.text
        answer.refresh_from_db()
        assert (answer.result, answer.comment) == ("compliant", "")

    def test_not_a_picture_is_refused(self, client_as, audit, hse_specialist):
        from django.core.files.uploadedfile import SimpleUploadedFile

        answer = audit.answers.first()
        fake = SimpleUploadedFile("spill.jpg", b"MZ not a picture", content_type="image/jpeg")
        response = client_as(hse_specialist).post(answer_url(audit, answer), card_data(answer, "compliant", "", fake))
        assert response.status_code == 400
        answer.refresh_from_db()
        assert not answer.photo


class TestComplete:
    def url(self, audit):
        return reverse("audits:complete", args=[audit.pk])

    def test_review_lists_unanswered_items(self, client_as, audit, hse_specialist):
        page = client_as(hse_specialist).get(self.url(audit)).text
        assert "Answer these items first" in page and "Walkways clear and dry" in page

    def test_read_only_role_is_refused(self, client_as, audit, line_manager):
        assert client_as(line_manager).post(self.url(audit)).status_code == 403

    def test_outsider_gets_404(self, client_as, audit, outsider):
        assert client_as(outsider).post(self.url(audit)).status_code == 404

    def test_unanswered_audit_is_not_completed(self, client_as, audit, hse_specialist):
        response = client_as(hse_specialist).post(self.url(audit))
        assert response.status_code == 400
        assert "Answer every item first" in response.text
        audit.refresh_from_db()
        assert audit.status == "in_progress"

    def test_happy_path_with_chosen_owner(self, client_as, audit, hse_specialist, hse_head):
        answers = answer_all(audit, hse_specialist, ["compliant", "non_compliant", "compliant"])
        nc = answers[1]
        due = timezone.localdate() + timezone.timedelta(days=7)
        response = client_as(hse_specialist).post(
            self.url(audit),
            {f"owner_{nc.pk}": hse_head.pk, f"due_{nc.pk}": due.isoformat(), f"level_{nc.pk}": "engineering"},
        )
        assert response.status_code == 302
        audit.refresh_from_db()
        assert audit.status == "completed" and audit.score is not None
        action = Action.objects.get()
        assert (action.owner, action.due_date, action.control_level) == (hse_head, due, "engineering")
        page = client_as(hse_specialist).get(audit.get_absolute_url()).text
        assert action.reference in page and f"{audit.score}%" in page

    def test_past_due_date_keeps_input(self, client_as, audit, hse_specialist, line_manager):
        answers = answer_all(audit, hse_specialist, ["compliant", "non_compliant", "compliant"])
        nc = answers[1]
        response = client_as(hse_specialist).post(
            self.url(audit),
            {f"owner_{nc.pk}": line_manager.pk, f"due_{nc.pk}": "2001-01-01", f"level_{nc.pk}": "ppe"},
        )
        assert response.status_code == 400
        assert "The due date cannot be in the past." in response.text
        assert 'value="2001-01-01"' in response.text
        audit.refresh_from_db()
        assert audit.status == "in_progress"


class TestPhotosAndReport:
    @pytest.fixture
    def done(self, audit, hse_specialist):
        answer = audit.answers.order_by("item__order").first()
        services.audit_answer(
            actor=hse_specialist, audit=audit, item=answer.item, result="non_compliant", comment="Oil on the floor",
            photo=photo_upload("spill.png", "PNG", size=(40, 30)),
        )  # fmt: skip
        for other in audit.answers.exclude(pk=answer.pk):
            services.audit_answer(actor=hse_specialist, audit=audit, item=other.item, result="compliant")
        return services.audit_complete(actor=hse_specialist, audit=audit)

    def test_photo_is_served_to_those_who_see_the_audit(self, client_as, done, line_manager, outsider):
        answer = done.answers.exclude(photo="").get()
        url = reverse("audits:photo", args=[answer.pk])
        response = client_as(line_manager).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        assert client_as(outsider).get(url).status_code == 404

    def test_detail_shows_the_photo_through_the_view(self, client_as, done, hse_specialist):
        answer = done.answers.exclude(photo="").get()
        page = client_as(hse_specialist).get(done.get_absolute_url()).text
        assert reverse("audits:photo", args=[answer.pk]) in page
        assert "/media/" not in page

    def test_report_pdf(self, client_as, done, executive, tmp_path):
        response = client_as(executive).get(reverse("audits:report", args=[done.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert b"/Subtype /Image" in response.content or b"/Subtype/Image" in response.content  # the photo
        strings = _pdf_strings(response.content)
        assert b"Flotation crew" in strings or "Flotation crew".encode("utf-16-be") in strings  # the <title>
        if shutil.which("pdftotext"):
            path = tmp_path / "report.pdf"
            path.write_bytes(response.content)
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert "Flotation crew" in text
            assert "Oil on the floor" in text
            assert f"{done.score}%" in text

    def test_report_pdf_is_signed_by_the_auditor_and_the_units_manager(
        self, client_as, done, executive, hse_specialist, line_manager, tmp_path
    ):
        """The crew has no manager of its own: the manager of the shop above it acknowledges."""
        if not shutil.which("pdftotext"):
            pytest.skip("needs pdftotext")
        path = tmp_path / "report.pdf"
        path.write_bytes(client_as(executive).get(reverse("audits:report", args=[done.pk])).content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        signatures = text.split("Signatures")[-1]
        assert "Signatures" in text
        assert "Auditor" in signatures and str(hse_specialist) in signatures
        assert "Manager of the audited unit" in signatures and str(line_manager) in signatures

    def test_report_refused_to_outsider(self, client_as, done, outsider, pass_admin):
        assert client_as(outsider).get(reverse("audits:report", args=[done.pk])).status_code == 404
        assert client_as(pass_admin).get(reverse("audits:report", args=[done.pk])).status_code == 403


class TestTemplates:
    def test_list_and_detail_show_versions(self, client_as, template, hse_head, line_manager):
        services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "Only one item now"}], notes="Simplified"
        )
        page = client_as(line_manager).get(template.get_absolute_url()).text
        assert "Only one item now" in page and "Version 2" in page
        old = client_as(line_manager).get(template.get_absolute_url(), {"version": 1}).text
        assert "Conveyor guards in place" in old

    def test_new_version_form(self, client_as, template, hse_head, hse_specialist):
        url = reverse("audits:template_new_version", args=[template.pk])
        assert client_as(hse_specialist).get(url).status_code == 403
        form = client_as(hse_head).get(url).text
        assert "Guarding | Conveyor guards in place | 3" in form
        bad = client_as(hse_head).post(url, {"items": "PPE | Gloves | heavy"})
        assert bad.status_code == 400 and "Line 1" in bad.text and "Gloves" in bad.text
        response = client_as(hse_head).post(url, {"items": "PPE | Gloves worn | 2\nNo section item", "notes": "x"})
        assert response.status_code == 302
        version = template.current_version()
        assert version.number == 2
        assert list(version.items.values_list("section", "text", "weight")) == [
            ("PPE", "Gloves worn", 2),
            ("", "No section item", 1),
        ]
