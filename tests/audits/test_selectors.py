from datetime import UTC, date, datetime, timedelta

import pytest

from apps.audits import services
from apps.audits.models import Audit, AuditPlanEntry
from apps.audits.selectors import audit_list_for_user, audits_done_vs_planned, plan_entry_list_for_user

MONTH = date(2026, 10, 1)


@pytest.fixture
def plan(org, template, hse_specialist, hse_head, outsider):
    """October: specialist 3 planned (crew done, shop in progress, crew again not started),
    outsider 1 planned and done in the other shop, 1 unplanned audit done in the crew;
    September: one more done for the specialist (must not count for October)."""
    version = template.current_version()

    def entry(unit, auditor, month=MONTH, status=None, code=None):
        tpl = template
        if code:
            tpl = type(template).objects.create(name=code, code=code)
        planned = AuditPlanEntry.objects.create(
            unit=unit, auditor=auditor, month=month, template=tpl, planned_by=hse_head
        )
        if status:
            _audit(unit, auditor, status, planned)
        return planned

    def _audit(unit, auditor, status, planned=None, completed=datetime(2026, 10, 20, 9, tzinfo=UTC)):
        return Audit.objects.create(
            plan_entry=planned, unit=unit, auditor=auditor, template_version=version, status=status,
            started_at=completed - timedelta(hours=1),
            completed_at=completed if status == Audit.Status.COMPLETED else None,
        )  # fmt: skip

    entry(org.crew, hse_specialist, status=Audit.Status.COMPLETED)
    entry(org.shop, hse_specialist, status=Audit.Status.IN_PROGRESS)
    entry(org.crew, hse_specialist, code="lifting")
    entry(org.other_shop, outsider, status=Audit.Status.COMPLETED)
    _audit(org.crew, hse_specialist, Audit.Status.COMPLETED)
    entry(org.crew, hse_specialist, month=date(2026, 9, 1), status=Audit.Status.COMPLETED, code="september")


def test_totals_for_everyone(plan, hse_head):
    result = audits_done_vs_planned(user=hse_head, month=MONTH)
    assert (result["planned"], result["done"], result["unplanned"]) == (4, 2, 1)


def test_per_auditor_and_per_unit(plan, hse_head, hse_specialist, outsider):
    result = audits_done_vs_planned(user=hse_head, month=date(2026, 10, 17))
    by_auditor = {row["auditor_id"]: (row["planned"], row["done"]) for row in result["by_auditor"]}
    assert by_auditor == {hse_specialist.pk: (3, 1), outsider.pk: (1, 1)}
    by_unit = {row["unit"]: (row["planned"], row["done"]) for row in result["by_unit"]}
    assert by_unit == {"Flotation crew": (2, 1), "Concentrator": (1, 0), "Transport shop": (1, 1)}


def test_scoped_to_the_users_units(plan, hse_specialist, outsider):
    mine = audits_done_vs_planned(user=hse_specialist, month=MONTH)
    assert (mine["planned"], mine["done"], mine["unplanned"]) == (3, 1, 1)
    theirs = audits_done_vs_planned(user=outsider, month=MONTH)
    assert (theirs["planned"], theirs["done"], theirs["unplanned"]) == (1, 1, 0)


def test_by_units(plan, org):
    result = audits_done_vs_planned(units=[org.crew], month=MONTH)
    assert (result["planned"], result["done"]) == (2, 1)
    september = audits_done_vs_planned(units=[org.crew.pk], month=date(2026, 9, 1))
    assert (september["planned"], september["done"], september["unplanned"]) == (1, 1, 0)


def test_an_empty_month(plan, hse_head):
    result = audits_done_vs_planned(user=hse_head, month=date(2026, 11, 1))
    assert (result["planned"], result["done"], result["by_auditor"]) == (0, 0, [])


def test_lists_are_scoped(plan, hse_specialist, outsider, line_manager, pass_admin):
    assert audit_list_for_user(hse_specialist).count() == 4
    assert audit_list_for_user(outsider).count() == 1
    assert audit_list_for_user(line_manager).count() == 4
    assert plan_entry_list_for_user(outsider).count() == 1
    assert plan_entry_list_for_user(hse_specialist).count() == 4


class TestPlanEntryFilter:
    @pytest.fixture
    def entries(self, org, template, hse_specialist, hse_head):
        from tests.factories import UserFactory

        other_auditor = UserFactory(role="hse_specialist", units=[org.shop], last_name="Aaronson")

        def entry(unit, auditor, month, code):
            tpl = type(template).objects.create(name=code, code=code)
            return AuditPlanEntry.objects.create(
                unit=unit, auditor=auditor, month=month, template=tpl, planned_by=hse_head
            )

        return {
            "crew_oct": entry(org.crew, hse_specialist, MONTH, "a"),
            "crew_oct_other": entry(org.crew, other_auditor, MONTH, "b"),
            "shop_oct": entry(org.shop, hse_specialist, MONTH, "c"),
            "crew_sep": entry(org.crew, hse_specialist, date(2026, 9, 1), "d"),
            "other_auditor": other_auditor,
        }

    def test_by_unit_auditor_and_month(self, entries, org, hse_specialist, hse_head):
        from apps.audits.selectors import plan_entry_filter

        mine = plan_entry_list_for_user(hse_head)
        crew = {entries["crew_oct"], entries["crew_sep"], entries["crew_oct_other"]}
        assert set(plan_entry_filter(mine, unit_id=org.crew.pk)) == crew
        assert set(plan_entry_filter(mine, unit_id=org.crew)) == crew
        assert list(plan_entry_filter(mine, unit_id=org.shop)) == [entries["shop_oct"]]
        by_auditor = plan_entry_filter(mine, auditor_id=entries["other_auditor"].pk)
        assert list(by_auditor) == [entries["crew_oct_other"]]
        assert list(plan_entry_filter(mine, month=MONTH, unit_id=org.crew.pk)) == [
            entries["crew_oct_other"],
            entries["crew_oct"],
        ]
        assert list(plan_entry_filter(mine, month=MONTH, auditor_id=hse_specialist)) == [
            entries["shop_oct"],  # Concentrator before Flotation crew
            entries["crew_oct"],
        ]

    def test_ordered_by_month_then_auditor_then_unit(self, entries, hse_head):
        from apps.audits.selectors import plan_entry_filter

        ordered = list(plan_entry_filter(plan_entry_list_for_user(hse_head)))
        # September first; in October the auditor Aaronson before "Tester"; then units by name.
        assert ordered == [entries["crew_sep"], entries["crew_oct_other"], entries["shop_oct"], entries["crew_oct"]]

    def test_not_started(self, entries, template, hse_specialist, hse_head):
        from apps.audits.selectors import plan_entry_filter

        Audit.objects.create(
            plan_entry=entries["crew_oct"], unit=entries["crew_oct"].unit, auditor=hse_specialist,
            template_version=template.current_version(), started_at=datetime(2026, 10, 2, tzinfo=UTC),
        )  # fmt: skip
        waiting = plan_entry_filter(plan_entry_list_for_user(hse_head), month=MONTH, not_started=True)
        assert entries["crew_oct"] not in waiting and len(waiting) == 2
        assert entries["crew_oct"] in plan_entry_filter(plan_entry_list_for_user(hse_head), month=MONTH)


class TestAuditFilter:
    def test_by_unit_and_auditor_and_status(self, plan, org, hse_specialist, outsider, hse_head):
        from apps.audits.selectors import audit_filter

        everyone = audit_list_for_user(hse_head)
        assert {a.unit_id for a in audit_filter(everyone, unit_id=org.shop.pk)} == {org.shop.pk}
        assert {a.auditor_id for a in audit_filter(everyone, auditor_id=outsider)} == {outsider.pk}
        assert audit_filter(everyone, tab="in_progress").count() == 1
        assert audit_filter(everyone, tab="completed").count() == 4
        assert audit_filter(everyone).count() == 5

    def test_completed_newest_first_by_completion_others_by_start(self, org, template, hse_specialist, hse_head):
        from apps.audits.selectors import audit_filter

        version = template.current_version()
        base = datetime(2026, 10, 1, 8, tzinfo=UTC)
        # Started first but completed last, and the other way round.
        early = Audit.objects.create(
            unit=org.crew, auditor=hse_specialist, template_version=version, status="completed",
            started_at=base, completed_at=base + timedelta(days=5),
        )  # fmt: skip
        late = Audit.objects.create(
            unit=org.crew, auditor=hse_specialist, template_version=version, status="completed",
            started_at=base + timedelta(days=1), completed_at=base + timedelta(days=2),
        )  # fmt: skip
        everyone = audit_list_for_user(hse_head)
        assert list(audit_filter(everyone, tab="completed")) == [early, late]
        assert list(audit_filter(everyone)) == [late, early]

    def test_at_the_same_moment_the_newest_first(self, org, template, hse_specialist, hse_head):
        from apps.audits.selectors import audit_filter

        moment = datetime(2026, 10, 1, 8, tzinfo=UTC)
        first, second = (
            Audit.objects.create(
                unit=org.crew, auditor=hse_specialist, template_version=template.current_version(), started_at=moment
            )
            for _ in range(2)
        )
        assert list(audit_filter(audit_list_for_user(hse_head))) == [second, first]

    def test_non_compliances_are_counted(self, audit, hse_specialist, hse_head):
        from apps.audits.selectors import audit_filter

        from .conftest import answer_all

        answer_all(audit, hse_specialist, ["non_compliant", "compliant", "non_compliant"])
        clean = services.audit_start(actor=hse_specialist, unit=audit.unit, template=audit.template_version.template)
        counted = {row.pk: row.non_compliant_count for row in audit_filter(audit_list_for_user(hse_head))}
        assert counted == {audit.pk: 2, clean.pk: 0}  # each audit its own; none is 0, not empty


class TestTemplates:
    def test_listed_by_name_with_their_version_counts(self, template, hse_head, line_manager):
        from apps.audits import services
        from apps.audits.selectors import template_list_for_user

        services.template_publish_new_version(actor=hse_head, template=template, items=[{"text": "X"}])
        retired = services.template_create(actor=hse_head, name="A retired one", code="old", items=[{"text": "X"}])
        type(template).objects.filter(pk=retired.pk).update(is_active=False)
        listed = list(template_list_for_user(line_manager))
        assert [(t.name, t.version_count) for t in listed] == [("A retired one", 1), ("Workplace walk-through", 2)]
        assert list(template_list_for_user(line_manager, active_only=True)) == [template]
        assert list(template_list_for_user(line_manager, active=False)) == [retired]

    def test_items_in_checklist_order_whatever_their_ids(self, template, hse_head):
        from apps.audits.models import ChecklistItem, ChecklistTemplateVersion
        from apps.audits.selectors import items_of, versions_with_items

        version = ChecklistTemplateVersion.objects.create(template=template, number=2, published_by=hse_head)
        for order in (3, 1, 2):  # stored out of order
            ChecklistItem.objects.create(version=version, order=order, text=f"Item {order}")
        assert [item.order for item in items_of(version)] == [1, 2, 3]
        newest = list(versions_with_items(template))[0]
        assert [item.order for item in newest.items.all()] == [1, 2, 3]

    def test_versions_newest_first_with_items_in_order(self, template, hse_head, django_assert_num_queries):
        from apps.audits import services
        from apps.audits.selectors import items_of, versions_with_items

        services.template_publish_new_version(
            actor=hse_head, template=template, items=[{"text": "Z first"}, {"text": "A second"}]
        )
        with django_assert_num_queries(2):
            versions = list(versions_with_items(template))
            texts = [[item.text for item in version.items.all()] for version in versions]
            publishers = {version.published_by.username for version in versions}
        assert [version.number for version in versions] == [2, 1]
        assert texts[0] == ["Z first", "A second"]
        assert publishers == {hse_head.username}
        assert [item.text for item in items_of(versions[0])] == ["Z first", "A second"]


class TestWhoSees:
    def test_no_role_no_rows(self, plan, org):
        from django.contrib.auth.models import AnonymousUser

        from tests.factories import UserFactory

        no_role = UserFactory(role="", units=[org.shop])
        for user in (AnonymousUser(), no_role, UserFactory(role="pass_admin")):
            assert audit_list_for_user(user).count() == 0
            assert plan_entry_list_for_user(user).count() == 0

    def test_an_inactive_user_sees_nothing(self, plan, hse_specialist):
        hse_specialist.is_active = False
        assert audit_list_for_user(hse_specialist).count() == 0


class TestAnswersOf:
    def test_in_checklist_order_whatever_the_answers_ids(self, org, template, hse_specialist, hse_head):
        from apps.audits.models import AuditAnswer
        from apps.audits.selectors import answers_of

        version = template.current_version()
        audit = Audit.objects.create(
            unit=org.crew,
            auditor=hse_specialist,
            template_version=version,
            started_at=datetime(2026, 10, 2, tzinfo=UTC),
        )
        for item in version.items.order_by("-order"):  # stored last item first
            AuditAnswer.objects.create(audit=audit, item=item)
        answers = answers_of(audit)
        assert [answer.item.order for answer in answers] == [1, 2, 3]
        assert all(answer.found_actions == [] for answer in answers)

    def test_three_queries_whatever_the_items(self, audit, django_assert_num_queries):
        from apps.audits.selectors import answers_of

        with django_assert_num_queries(2):
            answers = answers_of(audit)
            texts = [answer.item.text for answer in answers]
        assert len(texts) == 3


class TestAuditorChoices:
    @pytest.fixture
    def people(self, org):
        from tests.factories import UserFactory

        return {
            "b": UserFactory(role="hse_specialist", units=[org.crew], last_name="Berg", first_name="Zoe"),
            "a2": UserFactory(role="hse_specialist", units=[org.shop], last_name="Adams", first_name="Yan"),
            "a1": UserFactory(role="hse_specialist", units=[org.shop], last_name="Adams", first_name="Xu"),
            "gone": UserFactory(role="hse_specialist", units=[org.shop], is_active=False, last_name="Aaa"),
            "far": UserFactory(role="hse_specialist", units=[org.other_shop], last_name="Far"),
            "manager": UserFactory(role="line_manager", units=[org.shop], last_name="Boss"),
        }

    def test_for_a_specialist_those_of_the_units_in_scope_and_oneself(self, people, hse_specialist):
        from apps.audits.selectors import auditor_choices

        names = [user.pk for user in auditor_choices(hse_specialist)]
        assert names == [people["a1"].pk, people["a2"].pk, people["b"].pk, hse_specialist.pk]

    def test_a_planner_without_units_offers_themselves(self, people, org):
        from apps.audits.selectors import auditor_choices
        from tests.factories import UserFactory

        newcomer = UserFactory(role="hse_specialist", units=[])
        assert list(auditor_choices(newcomer)) == [newcomer]

    def test_the_outsider_only_themselves_and_those_of_their_units(self, people, outsider):
        from apps.audits.selectors import auditor_choices

        assert list(auditor_choices(outsider)) == [people["far"], outsider]

    def test_for_the_head_and_without_a_planner_every_active_auditor(self, people, hse_head, hse_specialist):
        from apps.audits.selectors import auditor_choices

        expected = {people["a1"], people["a2"], people["b"], people["far"], hse_head, hse_specialist}
        assert set(auditor_choices(hse_head)) == expected
        assert set(auditor_choices()) == expected

    def test_filter_choices_add_former_auditors_of_what_one_sees(self, people, org, template, hse_specialist):
        from apps.audits.selectors import auditor_filter_choices

        version = template.current_version()
        moment = datetime(2026, 10, 2, tzinfo=UTC)
        Audit.objects.create(unit=org.crew, auditor=people["gone"], template_version=version, started_at=moment)
        Audit.objects.create(unit=org.other_shop, auditor=people["far"], template_version=version, started_at=moment)
        shown = list(auditor_filter_choices(hse_specialist))
        assert shown == [people["gone"], people["a1"], people["a2"], people["b"], hse_specialist]

    def test_filter_choices_add_auditors_of_plan_entries_one_sees(self, people, org, template, hse_head, outsider):
        from apps.audits.selectors import auditor_filter_choices

        AuditPlanEntry.objects.create(
            unit=org.other_shop, auditor=people["gone"], month=MONTH, template=template, planned_by=hse_head
        )
        assert list(auditor_filter_choices(outsider)) == [people["gone"], people["far"], outsider]


class TestDoneVsPlannedRows:
    def test_rows_are_named_and_ordered(self, org, template, hse_head):
        from tests.factories import UnitFactory, UserFactory

        unnamed = UserFactory(role="hse_head", username="nameless", first_name="", last_name="")
        same_b = UserFactory(role="hse_head", first_name="Boris", last_name="Smith")  # registered first
        same_a = UserFactory(role="hse_head", first_name="Anna", last_name="Smith")
        zed = UserFactory(role="hse_head", first_name="Zed", last_name="Adams")
        aardvark = UnitFactory(name="Aardvark crew", parent=org.shop)  # newest unit, first by name
        for index, (auditor, unit) in enumerate(
            [(same_b, org.shop), (same_a, org.crew), (unnamed, org.other_shop), (same_a, org.shop), (zed, aardvark)]
        ):
            tpl = type(template).objects.create(name=f"T{index}", code=f"t{index}")
            AuditPlanEntry.objects.create(unit=unit, auditor=auditor, month=MONTH, template=tpl, planned_by=hse_head)
        result = audits_done_vs_planned(user=hse_head, month=MONTH)
        assert result["month"] == MONTH
        assert [(row["auditor"], row["planned"]) for row in result["by_auditor"]] == [
            ("nameless", 1),
            ("Zed Adams", 1),
            ("Anna Smith", 2),
            ("Boris Smith", 1),
        ]
        assert [(row["unit"], row["unit_id"], row["planned"]) for row in result["by_unit"]] == [
            ("Aardvark crew", aardvark.pk, 1),
            ("Concentrator", org.shop.pk, 2),
            ("Flotation crew", org.crew.pk, 1),
            ("Transport shop", org.other_shop.pk, 1),
        ]

    def test_two_units_of_one_name_stay_apart(self, org, template, hse_head, hse_specialist):
        from tests.factories import UnitFactory

        twin = UnitFactory(name="Concentrator", parent=org.shop)
        for index, unit in enumerate([twin, org.shop]):
            tpl = type(template).objects.create(name=f"T{index}", code=f"t{index}")
            AuditPlanEntry.objects.create(unit=unit, auditor=hse_head, month=MONTH, template=tpl, planned_by=hse_head)
        rows = audits_done_vs_planned(user=hse_head, month=MONTH)["by_unit"]
        assert [(row["unit_id"], row["planned"]) for row in rows] == [(org.shop.pk, 1), (twin.pk, 1)]


def test_the_detail_brings_the_units_parent_for_the_default_owner(audit, hse_specialist, django_assert_num_queries):
    from apps.audits.selectors import audit_detail_for_user

    found = audit_detail_for_user(hse_specialist, audit.pk)
    with django_assert_num_queries(0):
        assert found.unit.parent.name == "Concentrator"
