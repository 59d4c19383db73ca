"""Facts about one row: the references, badges and links the pages show, and the answer's own
invariant (a non-compliance says what is wrong)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry, photo_upload_to


class TestAudit:
    def test_reference_and_links(self, audit):
        assert audit.reference == f"SA-{audit.pk}"
        assert Audit().reference == "SA-new"
        assert audit.get_absolute_url() == f"/audits/{audit.pk}/"
        assert str(audit) == f"SA-{audit.pk} Workplace walk-through: Flotation crew"

    def test_status(self, audit):
        assert not audit.is_completed
        audit.status = Audit.Status.COMPLETED
        assert audit.is_completed

    @pytest.mark.parametrize(
        ("score", "badge"),
        [
            (None, "text-bg-secondary"),
            (Decimal("100.0"), "text-bg-success"),
            (Decimal("90.0"), "text-bg-success"),
            (Decimal("89.9"), "text-bg-warning"),
            (Decimal("75.0"), "text-bg-warning"),
            (Decimal("74.9"), "text-bg-danger"),
            (Decimal("0.0"), "text-bg-danger"),
        ],
    )
    def test_score_bands(self, score, badge):
        assert Audit(score=score).score_badge == badge

    def test_the_database_keeps_dates_and_status_together(self, audit):
        from datetime import timedelta

        from django.db import IntegrityError, transaction

        for change in (
            {"completed_at": audit.started_at + timedelta(hours=1)},  # a date without the status
            {"status": "completed"},  # the status without a date
            {"status": "completed", "completed_at": audit.started_at - timedelta(seconds=1)},  # before the start
            {"score": Decimal("100.1")},
            {"score": Decimal("-0.1")},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                assert Audit.objects.filter(pk=audit.pk).update(**change) == 1, change
        Audit.objects.filter(pk=audit.pk).update(
            status="completed", completed_at=audit.started_at, score=Decimal("100.0")
        )


class TestPlanEntry:
    def test_text_and_link(self, plan_entry):
        assert str(plan_entry) == f"Workplace walk-through: Flotation crew ({plan_entry.month:%m.%Y})"
        assert plan_entry.get_absolute_url() == f"/audits/plan/?month={plan_entry.month:%Y-%m}"

    def test_the_month_is_a_first_day(self, plan_entry):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            AuditPlanEntry.objects.filter(pk=plan_entry.pk).update(month=plan_entry.month.replace(day=2))


class TestAnswer:
    def test_text_link_and_photo_path(self, audit):
        answer = audit.answers.select_related("item").order_by("item__order").first()
        assert str(answer) == f"SA-{audit.pk} #1: Walkways clear and dry"
        assert answer.get_absolute_url() == f"/audits/{audit.pk}/#item-{answer.item_id}"
        # A random name under the audit; only the (checked) extension is kept (issue 14).
        stored = photo_upload_to(answer, "spill.jpg")
        assert stored.startswith(f"audits/{audit.pk}/") and stored.endswith(".jpg") and "spill" not in stored

    def test_a_long_text_is_cut_for_lists(self, audit):
        answer = audit.answers.select_related("item").first()
        answer.item.text = "x" * 500
        assert len(str(answer)) == 300

    @pytest.mark.parametrize("result", ["compliant", "non_compliant", "not_applicable", ""])
    def test_non_compliant(self, result):
        assert AuditAnswer(result=result).is_non_compliant == (result == "non_compliant")

    def test_a_non_compliance_needs_a_comment(self):
        with pytest.raises(ValidationError) as error:
            AuditAnswer(result="non_compliant", comment="  ").clean()
        assert error.value.message_dict == {"comment": ["Describe what is not compliant."]}
        AuditAnswer(result="non_compliant", comment="Spill").clean()
        AuditAnswer(result="compliant", comment="").clean()


class TestTemplate:
    def test_text_links_and_current_version(self, template, hse_head):
        from apps.audits import services

        assert str(template) == "Workplace walk-through"
        assert template.get_absolute_url() == f"/audits/templates/{template.pk}/"
        version = services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "X"}])
        assert template.current_version() == version
        assert str(version) == "Workplace walk-through v2"
        item = version.items.get()
        assert str(item) == "1. X"
