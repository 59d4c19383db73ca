"""The rules of safety audits, each pinned on both sides of its boundary: a test here fails when
a rule moves by one step (a weight, a day, a month, a decimal, who may act)."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audits import rules, services
from apps.audits.forms import CompleteForm, parse_item_lines
from apps.audits.models import WEIGHT_MAX, WEIGHT_MIN, AuditPlanEntry, ChecklistItem, ChecklistTemplate, compute_score
from apps.common.dates import next_month, plan_horizon
from tests.factories import UnitFactory, UserFactory

from .conftest import answer_all


def _answers(*rows):
    """(result, weight) pairs as compute_score reads them."""
    return [SimpleNamespace(result=result, item=SimpleNamespace(weight=weight)) for result, weight in rows]


C, NC, NA = "compliant", "non_compliant", "not_applicable"


class TestScore:
    def test_not_applicable_items_are_left_out(self):
        assert compute_score(_answers((C, 1), (NA, 100))) == Decimal("100.0")
        assert compute_score(_answers((C, 1), (NC, 1), (NA, 100))) == Decimal("50.0")

    def test_weights_count(self):
        assert compute_score(_answers((C, 3), (NC, 1))) == Decimal("75.0")
        assert compute_score(_answers((C, 1), (NC, 3))) == Decimal("25.0")

    def test_an_unanswered_item_counts_for_nothing(self):
        assert compute_score(_answers((C, 1), ("", 5))) == Decimal("100.0")

    def test_rounded_half_up_at_one_decimal(self):
        # 1 / 16 = 6.25 %: half up gives 6.3 (half even and down would give 6.2).
        assert compute_score(_answers((C, 1), (NC, 15))) == Decimal("6.3")
        # 3 / 16 = 18.75 % -> 18.8; 1 / 8 = 12.5 % stays 12.5.
        assert compute_score(_answers((C, 3), (NC, 13))) == Decimal("18.8")
        assert compute_score(_answers((C, 1), (NC, 7))) == Decimal("12.5")

    def test_below_the_half_rounds_down(self):
        # 1 / 3 = 33.33 % -> 33.3 (rounding up would give 33.4); 2 / 3 = 66.67 % -> 66.7.
        assert compute_score(_answers((C, 1), (NC, 2))) == Decimal("33.3")
        assert compute_score(_answers((C, 2), (NC, 1))) == Decimal("66.7")
        # 1 / 32 = 3.125 % -> 3.1 (just above the half of the second decimal, not of the first).
        assert compute_score(_answers((C, 1), (NC, 31))) == Decimal("3.1")

    def test_one_decimal_exactly(self):
        score = compute_score(_answers((C, 2), (NC, 1)))
        assert score.as_tuple().exponent == -1

    def test_nothing_applicable_has_no_score(self):
        assert compute_score(_answers((NA, 1), (NA, 2))) is None
        assert compute_score([]) is None

    def test_all_non_compliant_is_zero(self):
        assert compute_score(_answers((NC, 4))) == Decimal("0.0")

    def test_all_compliant_is_a_hundred(self):
        assert compute_score(_answers((C, 1), (C, 100))) == Decimal("100.0")


class TestWeights:
    """Item weights: whole numbers from 1 to 100, written in ASCII digits."""

    def test_the_range(self):
        assert (WEIGHT_MIN, WEIGHT_MAX) == (1, 100)

    @pytest.mark.parametrize(
        ("value", "ok"),
        [(0, False), (1, True), (100, True), (101, False), ("1", True), ("100", True), ("101", False), ("0", False)],
    )
    def test_the_boundaries(self, value, ok):
        assert (rules.weight_error(value) is None) is ok

    @pytest.mark.parametrize(
        "value", ["²", "١٢", "99999999999999999999", "-1", "1e2", "0x10", "3.5", "NaN", "", True, None, [], "1 2"]
    )
    def test_what_is_not_a_weight(self, value):
        assert rules.weight_error(value) is not None

    def test_spaces_around_are_fine(self):
        assert rules.parse_weight(" 7 ") == 7

    def test_the_service_names_the_item(self, template, hse_head):
        items = [{"text": "Fine", "weight": 100}, {"text": "Heavy", "weight": 101}, {"text": "Odd", "weight": "²"}]
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(actor=hse_head, template=template, items=items)
        messages = error.value.message_dict["items"]
        assert len(messages) == 2
        assert messages[0].startswith("Item 2:") and messages[1].startswith("Item 3:")
        assert template.versions.count() == 1

    def test_the_service_takes_the_bounds(self, template, hse_head):
        version = services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "A", "weight": 1}, {"text": "B", "weight": "100"}]
        )
        assert list(version.items.values_list("weight", flat=True)) == [1, 100]

    def test_a_weight_left_out_is_one(self, template, hse_head):
        version = services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "A"}, {"text": "B", "weight": ""}]
        )
        assert list(version.items.values_list("weight", flat=True)) == [1, 1]

    def test_the_database_refuses_what_slipped_through(self, template):
        from django.db import IntegrityError, transaction

        version = template.current_version()
        for weight in (0, 101):
            with pytest.raises(IntegrityError), transaction.atomic():
                ChecklistItem.objects.create(version=version, order=50 + weight, text="x", weight=weight)


class TestItems:
    def test_text_of_500_characters_is_taken_501_is_not(self, template, hse_head):
        services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "x" * 500}])
        with pytest.raises(ValidationError) as error:
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": "ok"}, {"text": "x" * 501}]
            )
        assert error.value.message_dict["items"][0].startswith("Item 2:")
        assert template.versions.count() == 2

    def test_section_of_120_characters_is_taken_121_is_not(self, template, hse_head):
        services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "ok", "section": "s" * 120}]
        )
        with pytest.raises(ValidationError, match="Item 1"):
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": "ok", "section": "s" * 121}]
            )

    def test_guidance_of_5000_characters_is_taken_5001_is_not(self, template, hse_head):
        services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "ok", "guidance": "g" * 5000}]
        )
        with pytest.raises(ValidationError, match="Item 1"):
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": "ok", "guidance": "g" * 5001}]
            )

    def test_a_nul_character_is_refused(self, template, hse_head):
        with pytest.raises(ValidationError, match="Item 1"):
            services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "a\x00b"}])

    def test_at_most_200_items(self, template, hse_head):
        assert rules.ITEMS_MAX == 200
        services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": f"Item {n}"} for n in range(200)]
        )
        with pytest.raises(ValidationError, match="at most 200 items"):
            services.template_publish_new_version(
                actor=hse_head, template=template, items=[{"text": f"Item {n}"} for n in range(201)]
            )
        assert template.versions.count() == 2

    def test_the_form_names_each_bad_line(self):
        rows, errors = parse_item_lines("A | ok | 1\n\nB | heavy | 101\nC | odd | ²\nD | light | 100")
        assert [row["text"] for row in rows] == ["ok", "light"]
        assert errors[0].startswith("Line 3:") and errors[1].startswith("Line 4:")

    def test_the_form_takes_0_to_2_separators(self):
        rows, errors = parse_item_lines("just text\nSection | text\nSection | text | 3")
        assert errors == []
        assert [(row["section"], row["weight"]) for row in rows] == [("", 1), ("Section", 1), ("Section", 3)]
        assert parse_item_lines("a | b | 1 | d")[1][0].startswith("Line 1:")

    def test_the_form_checks_lengths_as_the_columns_hold_them(self):
        assert parse_item_lines("x" * 500)[1] == []
        assert parse_item_lines("x" * 501)[1][0].startswith("Line 1:")
        assert parse_item_lines("s" * 120 + " | text")[1] == []
        assert parse_item_lines("s" * 121 + " | text")[1][0].startswith("Line 1:")

    def test_the_form_caps_the_items(self):
        assert parse_item_lines("\n".join(f"Item {n}" for n in range(200)))[1] == []
        assert "at most 200" in parse_item_lines("\n".join(f"Item {n}" for n in range(201)))[1][0]


class TestActionDueDays:
    def test_fourteen_days(self):
        assert rules.ACTION_DUE_DAYS == 14
        assert rules.default_due_date(date(2026, 2, 20)) == date(2026, 3, 6)

    def test_a_finding_is_due_exactly_fourteen_days_after_the_audit(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, [NC, C, C])
        today = date(2026, 12, 31)
        services.audit_complete(actor=hse_specialist, audit=audit, today=today)
        assert Action.objects.get().due_date == date(2027, 1, 14)

    def test_the_review_page_proposes_the_same_date(self, audit, hse_specialist):
        answer_all(audit, hse_specialist, [NC, C, C])
        answers = list(audit.answers.select_related("item").order_by("item__order"))
        form = CompleteForm(answers=answers, today=date(2026, 12, 31))
        assert form.fields[f"due_{answers[0].pk}"].initial == date(2027, 1, 14)

    def test_the_review_page_takes_today_and_refuses_yesterday(self, audit, hse_specialist, line_manager):
        answer_all(audit, hse_specialist, [NC, C, C])
        answers = list(audit.answers.select_related("item").order_by("item__order"))
        nc = answers[0]
        today = timezone.localdate()

        def form(due):
            data = {f"owner_{nc.pk}": line_manager.pk, f"due_{nc.pk}": due.isoformat(), f"level_{nc.pk}": "ppe"}
            return CompleteForm(data, answers=answers, today=today)

        assert form(today).is_valid()
        assert not form(today - timedelta(days=1)).is_valid()


class TestDefaultOwner:
    def test_the_units_own_line_manager(self, audit, org, line_manager):
        crew_manager = UserFactory(role=Role.LINE_MANAGER, units=[org.crew])
        assert services.default_action_owner(audit) == crew_manager  # nearer than the shop's

    def test_else_the_nearest_one_up_the_tree(self, audit, line_manager):
        assert services.default_action_owner(audit) == line_manager  # on the shop, above the crew

    def test_not_one_below_or_beside(self, audit, org, hse_specialist):
        UserFactory(role=Role.LINE_MANAGER, units=[UnitFactory(parent=org.crew)])
        UserFactory(role=Role.LINE_MANAGER, units=[org.other_shop])
        assert services.default_action_owner(audit) == hse_specialist

    def test_an_inactive_manager_or_another_role_is_passed_over(self, audit, org, hse_specialist):
        UserFactory(role=Role.LINE_MANAGER, units=[org.crew], is_active=False)
        UserFactory(role=Role.HSE_SPECIALIST, units=[org.crew])
        UserFactory(role=Role.EXECUTIVE, units=[org.crew])
        assert services.default_action_owner(audit) == hse_specialist

    def test_of_two_on_one_unit_the_first_registered(self, audit, org):
        first = UserFactory(role=Role.LINE_MANAGER, units=[org.crew])
        UserFactory(role=Role.LINE_MANAGER, units=[org.crew])
        assert services.default_action_owner(audit) == first

    def test_without_any_the_auditor(self, audit, hse_specialist):
        assert services.default_action_owner(audit) == hse_specialist


class TestPlanMonths:
    def plan(self, org, hse_head, auditor, template, month, today=None):
        return services.plan_entry_create(
            actor=hse_head, unit=org.crew, auditor=auditor, month=month, template=template, today=today
        )

    def test_this_month_is_accepted_until_its_last_day(self, org, hse_head, hse_specialist, template):
        entry = self.plan(org, hse_head, hse_specialist, template, date(2026, 11, 1), today=date(2026, 11, 30))
        assert entry.month == date(2026, 11, 1)

    def test_last_month_is_refused_from_the_first_day(self, org, hse_head, hse_specialist, template):
        with pytest.raises(ValidationError) as error:
            self.plan(org, hse_head, hse_specialist, template, date(2026, 10, 31), today=date(2026, 11, 1))
        assert "month" in error.value.message_dict
        assert not AuditPlanEntry.objects.exists()

    def test_up_to_the_plan_horizon(self, org, hse_head, hse_specialist, template):
        last = plan_horizon().replace(day=1)
        assert self.plan(org, hse_head, hse_specialist, template, last).month == last
        with pytest.raises(ValidationError) as error:
            self.plan(org, hse_head, hse_specialist, template, next_month(last))
        assert "month" in error.value.message_dict
        assert AuditPlanEntry.objects.count() == 1

    def test_a_plan_entry_of_this_month_can_go_until_its_last_day(self, plan_entry, hse_head):
        last_day = next_month(plan_entry.month) - timedelta(days=1)
        services.plan_entry_delete(actor=hse_head, entry=plan_entry, today=last_day)
        assert not AuditPlanEntry.objects.exists()
        assert AuditEntry.objects.filter(action="audits.plan_entry.deleted").count() == 1

    def test_a_past_months_entry_stays(self, plan_entry, hse_head):
        with pytest.raises(ValidationError, match="past month"):
            services.plan_entry_delete(actor=hse_head, entry=plan_entry, today=next_month(plan_entry.month))
        assert AuditPlanEntry.objects.filter(pk=plan_entry.pk).exists()
        assert not AuditEntry.objects.filter(action="audits.plan_entry.deleted").exists()

    def test_month_is_open(self):
        assert rules.month_is_open(date(2026, 11, 1), date(2026, 11, 30))
        assert not rules.month_is_open(date(2026, 10, 1), date(2026, 11, 1))
        assert rules.month_is_open(date(2026, 12, 1), date(2026, 11, 30))


class TestAuditor:
    def plan(self, org, hse_head, auditor, template, unit=None):
        return services.plan_entry_create(
            actor=hse_head, unit=unit or org.crew, auditor=auditor, month=timezone.localdate(), template=template
        )

    def test_a_specialist_covering_the_unit_or_a_unit_above_it(self, org, hse_head, hse_specialist, template):
        assert self.plan(org, hse_head, hse_specialist, template).auditor == hse_specialist  # covers the shop

    def test_the_hse_head_covers_every_unit(self, org, hse_head, template):
        assert self.plan(org, hse_head, hse_head, template, unit=org.other_shop).auditor == hse_head

    def test_a_specialist_of_another_unit_is_refused(self, org, hse_head, outsider, template):
        with pytest.raises(ValidationError, match="does not cover the unit"):
            self.plan(org, hse_head, outsider, template)

    def test_a_specialist_of_a_unit_below_is_refused(self, org, hse_head, template):
        below = UserFactory(role=Role.HSE_SPECIALIST, units=[org.crew])
        with pytest.raises(ValidationError, match="does not cover the unit"):
            self.plan(org, hse_head, below, template, unit=org.shop)

    @pytest.mark.parametrize("role", [Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN, Role.PASS_ADMIN])
    def test_other_roles_cannot_be_auditors(self, org, hse_head, template, role):
        with pytest.raises(ValidationError, match="Only an HSE specialist"):
            self.plan(org, hse_head, UserFactory(role=role, units=[org.shop]), template)
        assert not AuditPlanEntry.objects.exists()

    def test_an_inactive_specialist_is_refused(self, org, hse_head, template):
        gone = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop], is_active=False)
        with pytest.raises(ValidationError, match="Only an HSE specialist"):
            self.plan(org, hse_head, gone, template)

    def test_a_retired_checklist_cannot_be_planned(self, org, hse_head, hse_specialist, template):
        ChecklistTemplate.objects.filter(pk=template.pk).update(is_active=False)
        with pytest.raises(ValidationError) as error:
            self.plan(org, hse_head, hse_specialist, template)
        assert "template" in error.value.message_dict

    def test_a_checklist_without_a_version_cannot_be_planned(self, org, hse_head, hse_specialist):
        empty = ChecklistTemplate.objects.create(name="Empty", code="empty")
        with pytest.raises(ValidationError, match="no published version"):
            self.plan(org, hse_head, hse_specialist, empty)


class TestWhoConducts:
    def test_the_auditor_and_the_hse_head_standing_in(self, audit, hse_specialist, hse_head):
        assert rules.may_conduct(hse_specialist, audit)
        assert rules.may_conduct(hse_head, audit)

    def test_not_a_colleague_in_the_same_unit(self, audit, org):
        colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        assert not rules.may_conduct(colleague, audit)

    @pytest.mark.parametrize("role", [Role.LINE_MANAGER, Role.EXECUTIVE, Role.SYSTEM_ADMIN])
    def test_not_other_roles(self, audit, org, role):
        assert not rules.may_conduct(UserFactory(role=role, units=[org.shop]), audit)

    def test_not_an_auditor_who_no_longer_covers_the_unit(self, audit, hse_specialist, org):
        from apps.accounts.access import forget_scope

        hse_specialist.units.set([org.other_shop])
        forget_scope(hse_specialist)
        assert not rules.may_conduct(hse_specialist, audit)

    def test_not_an_inactive_auditor(self, audit, hse_specialist):
        hse_specialist.is_active = False
        assert not rules.may_conduct(hse_specialist, audit)

    def test_the_service_refuses_a_colleague_and_changes_nothing(self, audit, org):
        colleague = UserFactory(role=Role.HSE_SPECIALIST, units=[org.shop])
        item = audit.answers.first().item
        with pytest.raises(PermissionDenied):
            services.audit_answer(actor=colleague, audit=audit, item=item, result=C)
        with pytest.raises(PermissionDenied):
            services.audit_complete(actor=colleague, audit=audit)
        assert set(audit.answers.values_list("result", flat=True)) == {""}

    def test_the_page_offers_continuing_only_to_those_who_may(self, client_as, audit, hse_head, line_manager):
        url = audit.get_absolute_url()
        conduct = reverse("audits:conduct", args=[audit.pk])
        assert conduct in client_as(hse_head).get(url).text
        assert conduct not in client_as(line_manager).get(url).text


class TestFindingErrorsNameTheItem:
    def test_a_field_error_of_the_action(self, audit, hse_specialist, line_manager):
        answer_all(audit, hse_specialist, [C, NC, C])
        line_manager.is_active = False
        line_manager.save()
        nc = audit.answers.get(item__order=2)
        with pytest.raises(ValidationError) as error:
            services.audit_complete(actor=hse_specialist, audit=audit, nc_actions={nc.pk: {"owner": line_manager}})
        assert error.value.message_dict == {"owner": ["Item 2: This user can no longer own actions."]}
        assert not Action.objects.exists()

    def test_an_error_without_a_field(self, audit, hse_specialist, monkeypatch):
        answer_all(audit, hse_specialist, [NC, C, C])

        def refuse(**kwargs):
            raise ValidationError(["Not today.", "Nor tomorrow."])

        monkeypatch.setattr(services, "action_create", refuse)
        with pytest.raises(ValidationError) as error:
            services.audit_complete(actor=hse_specialist, audit=audit)
        assert error.value.messages == ["Item 1: Not today.", "Item 1: Nor tomorrow."]
        assert not hasattr(error.value, "error_dict")
