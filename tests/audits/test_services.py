from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audits import services
from apps.audits.models import Audit, AuditAnswer, ChecklistItem
from tests.factories import UserFactory

from .conftest import ITEMS, answer_all, photo_upload


class TestTemplates:
    def test_create_publishes_version_one(self, template, hse_head):
        version = template.current_version()
        assert version.number == 1
        assert version.published_by == hse_head
        assert [item.text for item in version.items.order_by("order")] == [item["text"] for item in ITEMS]

    def test_a_specialist_may_not_manage_templates(self, template, hse_specialist):
        with pytest.raises(PermissionDenied):
            services.template_publish_new_version(actor=hse_specialist, template=template, items=ITEMS)

    def test_a_new_version_leaves_past_audits_unchanged(self, template, audit, hse_head, hse_specialist):
        old_items = list(audit.template_version.items.values_list("pk", "text"))
        changed = [dict(item) for item in ITEMS]
        changed[1]["text"] = "Conveyor guards interlocked"
        version = services.template_publish_new_version(
            actor=hse_head, template=template, items=changed, notes="Interlocks"
        )
        assert version.number == 2
        assert template.current_version() == version
        audit.refresh_from_db()
        assert audit.template_version.number == 1
        assert list(audit.template_version.items.values_list("pk", "text")) == old_items
        assert ChecklistItem.objects.filter(version=version, text="Conveyor guards interlocked").exists()

    def test_a_version_needs_items(self, template, hse_head):
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": " "}])
        assert "items" in error.value.message_dict


class TestPlan:
    def test_plan_entry_normalises_the_month(self, org, hse_head, hse_specialist, template, this_month):
        entry = services.plan_entry_create(
            actor=hse_head, unit=org.crew, auditor=hse_specialist, month=this_month + timedelta(days=5),
            template=template,
        )  # fmt: skip
        assert entry.month == this_month
        assert AuditEntry.objects.filter(action="audits.plan_entry.created").exists()

    def test_the_auditor_must_be_hse_and_cover_the_unit(self, org, hse_head, line_manager, outsider, template):
        month = timezone.localdate()
        for auditor in (line_manager, outsider):
            with pytest.raises(ValidationError) as error:
                services.plan_entry_create(
                    actor=hse_head, unit=org.crew, auditor=auditor, month=month, template=template
                )
            assert "auditor" in error.value.message_dict

    def test_a_past_month_cannot_be_planned(self, org, hse_head, hse_specialist, template, this_month):
        with pytest.raises(ValidationError) as error:
            services.plan_entry_create(
                actor=hse_head, unit=org.crew, auditor=hse_specialist, month=this_month - timedelta(days=1),
                template=template,
            )  # fmt: skip
        assert "month" in error.value.message_dict

    def test_duplicate_is_refused(self, plan_entry, hse_head):
        with pytest.raises(ValidationError):
            services.plan_entry_create(
                actor=hse_head, unit=plan_entry.unit, auditor=plan_entry.auditor, month=plan_entry.month,
                template=plan_entry.template,
            )  # fmt: skip

    def test_planning_needs_scope(self, org, outsider, hse_specialist, template, line_manager):
        for actor in (outsider, line_manager):
            with pytest.raises(PermissionDenied):
                services.plan_entry_create(
                    actor=actor, unit=org.crew, auditor=hse_specialist, month=timezone.localdate(),
                    template=template,
                )  # fmt: skip

    def test_a_started_entry_cannot_be_deleted(self, audit, hse_head):
        with pytest.raises(ValidationError):
            services.plan_entry_delete(actor=hse_head, entry=audit.plan_entry)

    def test_a_past_months_plan_is_closed(self, plan_entry, hse_specialist):
        next_month = (plan_entry.month + timedelta(days=32)).replace(day=1)
        with pytest.raises(ValidationError, match="past month"):
            services.plan_entry_delete(actor=hse_specialist, entry=plan_entry, today=next_month)

    def test_delete(self, plan_entry, hse_specialist):
        services.plan_entry_delete(actor=hse_specialist, entry=plan_entry, reason="Shutdown")
        assert not type(plan_entry).objects.exists()


class TestConduct:
    def test_start_creates_one_blank_answer_per_item(self, audit, hse_specialist):
        assert audit.auditor == hse_specialist
        assert audit.status == Audit.Status.IN_PROGRESS
        assert audit.answers.count() == len(ITEMS)
        assert set(audit.answers.values_list("result", flat=True)) == {""}
        assert AuditEntry.objects.filter(action="audits.audit.started", target_id=str(audit.pk)).exists()

    def test_a_plan_entry_is_started_once(self, audit, hse_specialist):
        with pytest.raises(ValidationError):
            services.audit_start(actor=hse_specialist, plan_entry=audit.plan_entry)

    def test_outsider_cannot_start(self, plan_entry, outsider):
        with pytest.raises(PermissionDenied):
            services.audit_start(actor=outsider, plan_entry=plan_entry)

    def test_non_compliant_needs_a_comment(self, audit, hse_specialist):
        item = audit.answers.first().item
        with pytest.raises(ValidationError) as error:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="non_compliant", comment=" ")
        assert "comment" in error.value.message_dict

    def test_unknown_result_is_refused(self, audit, hse_specialist):
        item = audit.answers.first().item
        with pytest.raises(ValidationError) as error:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="maybe")
        assert "result" in error.value.message_dict

    def test_only_the_auditor_or_head_fills_in(self, audit, org, hse_head, line_manager):
        colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        item = audit.answers.first().item
        for stranger in (colleague, line_manager):
            with pytest.raises(PermissionDenied):
                services.audit_answer(actor=stranger, audit=audit, item=item, result="compliant")
        services.audit_answer(actor=hse_head, audit=audit, item=item, result="compliant")

    def test_photo_is_stored(self, audit, hse_specialist):
        item = audit.answers.first().item
        answer = services.audit_answer(
            actor=hse_specialist, audit=audit, item=item, result="non_compliant", comment="Oil spill",
            photo=photo_upload("spill.png", "PNG"),
        )  # fmt: skip
        assert answer.photo.name.endswith(".png")

    @pytest.mark.parametrize(
        "upload",
        [
            pytest.param(lambda: photo_upload("spill.gif", "PNG"), id="wrong-extension"),
            pytest.param(
                lambda: __import__("django.core.files.uploadedfile").core.files.uploadedfile.SimpleUploadedFile(
                    "spill.jpg", b"not a picture at all"
                ),
                id="not-a-picture",
            ),
        ],
    )
    def test_bad_photo_is_refused(self, audit, hse_specialist, upload):
        item = audit.answers.first().item
        with pytest.raises(ValidationError) as error:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant", photo=upload())
        assert "photo" in error.value.message_dict

    def test_photos_up_to_ten_megabytes_are_taken(self, audit, hse_specialist, monkeypatch):
        assert services.PHOTO_MAX_BYTES == 10 * 1024 * 1024
        item = audit.answers.first().item
        size = photo_upload().size
        monkeypatch.setattr(services, "PHOTO_MAX_BYTES", size)  # exactly at the limit: taken
        services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant", photo=photo_upload())
        monkeypatch.setattr(services, "PHOTO_MAX_BYTES", size - 1)  # one byte over: refused
        with pytest.raises(ValidationError, match="larger than") as error:
            services.audit_answer(
                actor=hse_specialist, audit=audit, item=item, result="not_applicable", photo=photo_upload("b.jpg")
            )
        assert "photo" in error.value.message_dict
        assert AuditAnswer.objects.get(audit=audit, item=item).result == "compliant"


class TestComplete:
    def test_all_items_must_be_answered(self, audit, hse_specialist):
        item = audit.answers.first().item
        services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant")
        with pytest.raises(ValidationError, match="Not answered: 2, 3"):
            services.audit_complete(actor=hse_specialist, audit=audit)
        audit.refresh_from_db()
        assert audit.status == Audit.Status.IN_PROGRESS

    def test_score_is_weighted_and_leaves_out_not_applicable(self, audit, hse_specialist):
        # weights 1, 3, 2: compliant 1 + N/A 3 + non-compliant 2 -> 1 / (1 + 2) = 33.3 %
        answer_all(audit, hse_specialist, ["compliant", "not_applicable", "non_compliant"])
        audit = services.audit_complete(actor=hse_specialist, audit=audit)
        assert audit.score == Decimal("33.3")
        assert audit.status == Audit.Status.COMPLETED and audit.completed_at

    def test_all_not_applicable_has_no_score(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["not_applicable"] * 3)
        audit = services.audit_complete(actor=hse_specialist, audit=audit)
        assert audit.score is None
        assert not Action.objects.exists()

    def test_non_compliant_items_become_actions_for_the_line_manager(self, audit, hse_specialist, line_manager):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "non_compliant"], comment="Spill at pump 3")
        today = timezone.localdate()
        services.audit_complete(actor=hse_specialist, audit=audit, today=today)
        actions = list(Action.objects.order_by("id"))
        assert len(actions) == 2
        first = actions[0]
        assert first.title == ITEMS[0]["text"]
        assert first.description == "Spill at pump 3"
        assert (first.owner, first.unit, first.source_kind.code) == (line_manager, audit.unit, "safety_audit")
        assert first.due_date == today + timedelta(days=14)
        assert first.control_level == Action.ControlLevel.ADMINISTRATIVE
        nc_answer = audit.answers.get(item__order=1)
        assert first.source_record == nc_answer and list(nc_answer.actions.all()) == [first]
        assert AuditEntry.objects.filter(action="audits.audit.completed", target_id=str(audit.pk)).exists()

    def test_the_auditor_chooses_owner_due_date_and_level(self, audit, hse_specialist, hse_head):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "compliant"])
        answer = audit.answers.get(item__order=1)
        due = timezone.localdate() + timedelta(days=3)
        services.audit_complete(
            actor=hse_specialist, audit=audit,
            nc_actions={answer.pk: {"owner": hse_head, "due_date": due, "control_level": "engineering"}},
        )  # fmt: skip
        action = Action.objects.get()
        assert (action.owner, action.due_date, action.control_level) == (hse_head, due, "engineering")

    def test_without_a_line_manager_the_auditor_owns_the_actions(self, org, hse_head, template, hse_specialist):
        entry = services.plan_entry_create(
            actor=hse_head, unit=org.other_shop, auditor=hse_head, month=timezone.localdate(), template=template
        )
        audit = services.audit_start(actor=hse_head, plan_entry=entry)
        answer_all(audit, hse_head, ["non_compliant", "compliant", "compliant"])
        services.audit_complete(actor=hse_head, audit=audit)
        assert Action.objects.get().owner == hse_head

    def test_a_completed_audit_cannot_change(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        services.audit_complete(actor=hse_specialist, audit=audit)
        with pytest.raises(ValidationError):
            services.audit_answer(
                actor=hse_specialist, audit=audit, item=audit.answers.first().item, result="non_compliant",
                comment="late",
            )  # fmt: skip
        with pytest.raises(ValidationError):
            services.audit_complete(actor=hse_specialist, audit=audit)

    def test_a_stranger_cannot_complete(self, audit, hse_specialist, line_manager):
        answer_all(audit, hse_specialist, ["compliant"] * 3)
        with pytest.raises(PermissionDenied):
            services.audit_complete(actor=line_manager, audit=audit)

    def test_a_past_due_date_is_refused_and_nothing_is_saved(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "compliant"])
        answer = audit.answers.get(item__order=1)
        with pytest.raises(ValidationError):
            services.audit_complete(
                actor=hse_specialist, audit=audit, nc_actions={answer.pk: {"due_date": date(2001, 1, 1)}}
            )
        audit.refresh_from_db()
        assert audit.status == Audit.Status.IN_PROGRESS
        assert not Action.objects.exists()
        assert AuditAnswer.objects.filter(actions__isnull=False).count() == 0


class TestWhatIsRefusedAndHow:
    """The messages a person reads, word for word: they are the interface of a refusal."""

    def test_a_nul_character_in_a_checklist(self, hse_head, template):
        with pytest.raises(ValidationError) as error:
            services.template_create(actor=hse_head, name="a\x00b", code="nul", items=[{"text": "X"}])
        assert error.value.message_dict["name"] == ["Remove the invisible control character (NUL)."]
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": "X"}], notes="\x00"
            )
        assert error.value.message_dict == {"notes": ["Remove the invisible control character (NUL)."]}
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "a\x00"}])
        assert error.value.message_dict == {"items": ["Item 1: remove the invisible control character (NUL)."]}
        assert type(template).objects.count() == 1 and template.versions.count() == 1

    def test_several_problems_of_one_item(self, hse_head, template):
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": "x" * 501, "guidance": "\x00"}]
            )
        assert error.value.message_dict["items"] == [
            "Item 1: Ensure this value has at most 500 characters (it has 501).; "
            "remove the invisible control character (NUL)."
        ]

    def test_a_bad_weight(self, hse_head, template):
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "X", "weight": 0}])
        assert error.value.message_dict == {"items": ["Item 1: the weight must be a whole number from 1 to 100."]}

    def test_no_item_and_too_many(self, hse_head, template):
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(actor=hse_head, template=template, items=[{}, {"text": None}])
        assert error.value.message_dict == {"items": ["A checklist needs at least one item."]}
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": str(n)} for n in range(201)]
            )
        assert error.value.message_dict == {"items": ["A checklist has at most 200 items (this one has 201)."]}

    def test_blank_items_are_skipped_wherever_they_are(self, hse_head, template):
        version = services.template_publish_new_version(
            actor=hse_head,
            template=template,
            items=[{"text": "First"}, {"text": "  "}, {}, {"text": "Last", "section": " PPE "}],
        )
        rows = list(version.items.values_list("order", "section", "text", "guidance", "weight"))
        assert rows == [(1, "", "First", "", 1), (2, "PPE", "Last", "", 1)]

    def test_only_the_auditor_fills_in_word_for_word(self, audit, org):
        colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        with pytest.raises(PermissionDenied) as error:
            services.audit_answer(actor=colleague, audit=audit, item=audit.answers.first().item, result="compliant")
        assert str(error.value) == "Only the auditor can fill in this audit."

    def test_an_audit_deleted_meanwhile(self, audit, hse_specialist):
        from apps.common.errors import StateConflict

        item = audit.answers.first().item
        Audit.objects.filter(pk=audit.pk).delete()
        with pytest.raises(StateConflict) as error:
            services.audit_answer(actor=hse_specialist, audit=audit, item=item, result="compliant")
        assert error.value.messages == ["This audit no longer exists."]

    def test_a_plan_entry_or_checklist_deleted_meanwhile(self, org, hse_head, hse_specialist):
        from apps.audits.models import AuditPlanEntry, ChecklistTemplate
        from apps.common.errors import StateConflict

        ghost = ChecklistTemplate(pk=999999, name="Gone", code="gone")
        with pytest.raises(StateConflict, match="This checklist no longer exists."):
            services.template_publish_new_version(actor=hse_head, template=ghost, items=[{"text": "X"}])
        with pytest.raises(StateConflict, match="This checklist no longer exists."):
            services.plan_entry_create(
                actor=hse_head, unit=org.crew, auditor=hse_specialist, month=timezone.localdate(), template=ghost
            )
        entry = AuditPlanEntry(pk=999999, unit=org.crew)
        with pytest.raises(StateConflict, match="This audit is no longer in the plan."):
            services.audit_start(actor=hse_specialist, plan_entry=entry)
