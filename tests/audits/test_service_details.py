"""What the audit services record, word for word: the audit trail of a plan change and of a
finished audit, the actions opened for findings, and the refusals of an audit that cannot be
finished (each leaving the audit as it was)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audits import services
from apps.audits.models import Audit, AuditAnswer, AuditPlanEntry

from .conftest import ITEMS, answer_all

pytestmark = pytest.mark.django_db


def _entry(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


class TestPlanEntryDelete:
    def test_the_trail_says_who_why_and_what_was_planned(self, plan_entry, hse_head, hse_specialist, org):
        pk = plan_entry.pk
        services.plan_entry_delete(actor=hse_head, entry=plan_entry, reason="Auditor on leave")
        assert not AuditPlanEntry.objects.filter(pk=pk).exists()
        entry = _entry("audits.plan_entry.deleted")
        assert (entry.actor, entry.unit, entry.reason, entry.target_id) == (
            hse_head, org.crew, "Auditor on leave", str(pk)
        )  # fmt: skip
        assert entry.data == {
            "auditor": hse_specialist.pk,
            "month": plan_entry.month.isoformat(),
            "template": "walk-through",
        }

    def test_without_a_reason_the_reason_is_empty(self, plan_entry, hse_head):
        services.plan_entry_delete(actor=hse_head, entry=plan_entry)
        assert _entry("audits.plan_entry.deleted").reason == ""

    def test_the_last_day_of_the_month_is_still_open_and_the_next_is_not(self, plan_entry, hse_head):
        month = plan_entry.month
        next_month = (month + timedelta(days=32)).replace(day=1)
        with pytest.raises(ValidationError, match="The plan of a past month is closed."):
            services.plan_entry_delete(actor=hse_head, entry=plan_entry, today=next_month)
        assert AuditPlanEntry.objects.filter(pk=plan_entry.pk).exists()
        assert not AuditEntry.objects.filter(action="audits.plan_entry.deleted").exists()
        pk = plan_entry.pk
        services.plan_entry_delete(actor=hse_head, entry=plan_entry, today=next_month - timedelta(days=1))
        assert not AuditPlanEntry.objects.filter(pk=pk).exists()


class TestCompleteRefusals:
    def test_a_non_compliance_without_a_description_is_named(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "non_compliant"])
        AuditAnswer.objects.filter(audit=audit, result="non_compliant").update(comment="   ")
        with pytest.raises(ValidationError) as refused:
            services.audit_complete(actor=hse_specialist, audit=audit)
        assert refused.value.messages == ["Describe every non-compliance. Missing: 1, 3."]
        audit.refresh_from_db()
        assert (audit.status, audit.score, audit.completed_at) == (Audit.Status.IN_PROGRESS, None, None)
        assert not Action.objects.exists()
        assert not AuditEntry.objects.filter(action="audits.audit.completed").exists()

    def test_unanswered_items_are_named_in_order(self, audit, hse_specialist):
        second = audit.answers.get(item__order=2)
        services.audit_answer(actor=hse_specialist, audit=audit, item=second.item, result="compliant")
        with pytest.raises(ValidationError) as refused:
            services.audit_complete(actor=hse_specialist, audit=audit)
        assert refused.value.messages == ["Answer every item first. Not answered: 1, 3."]

    def test_a_refused_action_names_its_item(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["compliant", "compliant", "non_compliant"])
        answer = audit.answers.get(item__order=3)
        with pytest.raises(ValidationError) as refused:
            services.audit_complete(
                actor=hse_specialist, audit=audit, nc_actions={answer.pk: {"due_date": date(2001, 1, 1)}}
            )
        messages = refused.value.message_dict["due_date"]
        assert messages and all(message.startswith("Item 3: ") for message in messages)
        audit.refresh_from_db()
        assert audit.status == Audit.Status.IN_PROGRESS and not Action.objects.exists()


class TestCompleteRecords:
    def test_the_trail_carries_the_score_and_the_number_of_findings(self, audit, hse_specialist, org):
        answer_all(audit, hse_specialist, ["compliant", "not_applicable", "non_compliant"])
        services.audit_complete(actor=hse_specialist, audit=audit)
        entry = _entry("audits.audit.completed")
        assert (entry.actor, entry.unit, entry.target_id) == (hse_specialist, org.crew, str(audit.pk))
        assert entry.data == {"score": "33.3", "non_compliant": 1}

    def test_without_a_score_the_trail_says_none(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["not_applicable"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        assert _entry("audits.audit.completed").data == {"score": None, "non_compliant": 0}

    def test_a_chosen_title_replaces_the_items_text(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "compliant"], comment="Oil on the walkway")
        answer = audit.answers.get(item__order=1)
        services.audit_complete(actor=hse_specialist, audit=audit, nc_actions={answer.pk: {"title": "Clean pump 3"}})
        action = Action.objects.get()
        assert (action.title, action.description) == ("Clean pump 3", "Oil on the walkway")

    def test_a_long_items_text_is_cut_to_an_actions_title(self, hse_head, org, hse_specialist):
        text = "Check " + "x" * 494
        template = services.template_create(actor=hse_head, name="Long", code="long", items=[{"text": text}])
        audit = services.audit_start(actor=hse_specialist, unit=org.crew, template=template)
        answer_all(audit, hse_specialist, ["non_compliant"])
        services.audit_complete(actor=hse_specialist, audit=audit)
        assert Action.objects.get().title == text[:300]

    def test_the_default_due_date_is_fourteen_days_after_the_day_of_completion(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "compliant"])
        today = timezone.localdate()
        services.audit_complete(actor=hse_specialist, audit=audit, today=today)
        assert Action.objects.get().due_date == today + timedelta(days=14)

    def test_every_item_of_the_checklist_is_kept_in_order(self, audit):
        assert [answer.item.text for answer in audit.answers.order_by("item__order")] == [i["text"] for i in ITEMS]


class TestAnswerDetails:
    def test_the_refusals_read_word_for_word(self, audit, hse_specialist):
        item = audit.answers.first().item
        with pytest.raises(ValidationError) as refused:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="maybe")
        assert refused.value.message_dict == {"result": ["Choose compliant, non-compliant or not applicable."]}
        with pytest.raises(ValidationError) as refused:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="non_compliant")
        assert refused.value.message_dict == {"comment": ["Describe what is not compliant."]}
        assert AuditAnswer.objects.get(audit=audit, item=item).result == ""

    def test_an_item_of_another_checklist_is_refused(self, audit, hse_specialist, hse_head):
        other = services.template_create(actor=hse_head, name="Other", code="other", items=[{"text": "Elsewhere"}])
        item = other.current_version().items.get()
        with pytest.raises(ValidationError) as refused:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant")
        assert refused.value.message_dict == {"item": ["This item is not on the audit's checklist."]}

    def test_an_answer_goes_to_this_audit_only(self, audit, org, hse_specialist, template):
        newer = services.audit_start(actor=hse_specialist, unit=org.crew, template=template)
        older = audit
        item = older.answers.get(item__order=2).item
        for target, other in ((older, newer), (newer, older)):
            AuditAnswer.objects.filter(item=item).update(result="")
            services.audit_answer(actor=hse_specialist, audit=target, item=item, result="not_applicable")
            assert AuditAnswer.objects.get(audit=target, item=item).result == "not_applicable"
            assert AuditAnswer.objects.get(audit=other, item=item).result == ""

    def test_a_completed_audit_says_its_answers_cannot_change(self, audit, hse_specialist):
        from apps.common.errors import StateConflict

        answer_all(audit, hse_specialist, ["compliant"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        with pytest.raises(StateConflict) as conflict:
            services.audit_answer(
                actor=hse_specialist, audit=audit, item=audit.answers.first().item, result="compliant"
            )
        assert conflict.value.messages == ["This audit is completed; its answers can no longer change."]

    def test_without_a_comment_none_is_stored(self, audit, hse_specialist):
        item = audit.answers.first().item
        assert services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant").comment == ""

    def test_a_photo_stays_until_it_is_removed(self, audit, hse_specialist):
        from django.core.files.storage import default_storage

        from .conftest import photo_upload

        item = audit.answers.first().item
        first = services.audit_answer(
            actor=hse_specialist, audit=audit, item=item, result="compliant", photo=photo_upload("a.jpg")
        )
        kept = services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="not_applicable")
        assert kept.photo.name == first.photo.name and default_storage.exists(first.photo.name)
        replaced = services.audit_answer(
            actor=hse_specialist, audit=audit, item=item, result="compliant", photo=photo_upload("b.jpg")
        )
        assert replaced.photo.name != first.photo.name and not default_storage.exists(first.photo.name)
        removed = services.audit_answer(
            actor=hse_specialist, audit=audit, item=item, result="compliant", remove_photo=True
        )
        assert not default_storage.exists(replaced.photo.name)
        stored = AuditAnswer.objects.get(pk=removed.pk)
        assert (stored.photo.name, stored.result) == ("", "compliant")


class TestPlanEntryDeleteRefusals:
    def test_an_entry_deleted_meanwhile_is_a_conflict(self, plan_entry, hse_head):
        from apps.common.errors import StateConflict

        stale = AuditPlanEntry.objects.get(pk=plan_entry.pk)
        AuditPlanEntry.objects.filter(pk=plan_entry.pk).delete()
        with pytest.raises(StateConflict) as conflict:
            services.plan_entry_delete(actor=hse_head, entry=stale)
        assert conflict.value.messages == ["This audit is no longer in the plan."]

    def test_a_planner_of_other_units_may_not_delete(self, plan_entry, org):
        from django.core.exceptions import PermissionDenied

        from tests.factories import UserFactory

        elsewhere = UserFactory(role="hse_specialist", units=[org.other_shop])
        with pytest.raises(PermissionDenied):
            services.plan_entry_delete(actor=elsewhere, entry=plan_entry)
        assert AuditPlanEntry.objects.filter(pk=plan_entry.pk).exists()

    def test_a_closed_month_says_so(self, plan_entry, hse_head):
        next_month = (plan_entry.month + timedelta(days=32)).replace(day=1)
        with pytest.raises(ValidationError) as refused:
            services.plan_entry_delete(actor=hse_head, entry=plan_entry, today=next_month)
        assert refused.value.messages == ["The plan of a past month is closed."]


def test_the_day_of_completion_is_the_one_the_actions_are_checked_against(audit, hse_specialist):
    """An audit finished on a given day (the test's clock) opens its actions as of that day."""
    answer_all(audit, hse_specialist, ["non_compliant", "compliant", "compliant"])
    day = timezone.localdate() - timedelta(days=20)
    services.audit_complete(actor=hse_specialist, audit=audit, today=day)
    assert Action.objects.get().due_date == day + timedelta(days=14)
