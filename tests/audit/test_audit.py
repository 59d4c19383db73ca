import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from apps.audit.labels import LABELS, generic_label, label_for
from apps.audit.models import AuditEntry
from apps.audit.selectors import history_for
from apps.audit.services import MASK, SENSITIVE_KEYS, log_action
from apps.core.audit_log import ENTRIES_PER_PAGE, audit_entry_list_for_user
from tests.factories import PersonFactory, UserFactory

SITE_TZ = ZoneInfo("Asia/Yekaterinburg")


def test_entry_records_who_what_where_and_why(org, hse_specialist):
    entry = log_action(
        actor=hse_specialist, action="org.unit.renamed", target=org.crew, reason="re-organisation", data={"a": 1}
    )
    assert (entry.actor, entry.actor_name, entry.unit, entry.reason, entry.data) == (
        hse_specialist,
        str(hse_specialist),
        None,
        "re-organisation",
        {"a": 1},
    )
    assert entry.target_repr == "Flotation crew"
    assert entry.target_id == str(org.crew.pk)
    assert entry.target_type.model_class() is type(org.crew)
    assert list(history_for(org.crew)) == [entry]


def test_the_unit_comes_from_the_target_unless_given(org, hse_head):
    person = PersonFactory(unit=org.crew)
    assert log_action(actor=hse_head, action="org.person.changed", target=person).unit == org.crew
    assert log_action(actor=hse_head, action="org.person.changed", target=person, unit=org.shop).unit == org.shop
    assert log_action(actor=hse_head, action="org.person.changed", unit=org.shop).unit == org.shop


def test_an_entry_without_a_target_or_actor(org):
    entry = log_action(actor=None, action="accounts.user.created")
    assert (entry.actor, entry.actor_name, entry.target_type, entry.target_id, entry.target_repr, entry.unit) == (
        None,
        "system",
        None,
        "",
        "",
        None,
    )
    assert (entry.reason, entry.data) == ("", {})
    assert log_action(actor=AnonymousUser(), action="accounts.user.created").actor_name == "system"


def test_a_long_record_name_is_cut_to_the_column(org, hse_head):
    person = PersonFactory(unit=org.crew, full_name="x" * 200, job_title="y" * 200)
    entry = log_action(actor=hse_head, action="org.person.changed", target=person)
    assert entry.target_repr == str(person)[:255]
    assert len(entry.target_repr) == 255


def test_history_is_per_record_newest_first(org, hse_head):
    first = log_action(actor=hse_head, action="org.unit.renamed", target=org.crew)
    second = log_action(actor=hse_head, action="org.unit.moved", target=org.crew)
    log_action(actor=hse_head, action="org.unit.renamed", target=org.shop)
    assert list(history_for(org.crew)) == [second, first]


class TestMasking:
    @pytest.mark.parametrize("word", ["password", "token", "secret", "medical", "diagnosis"])
    def test_each_sensitive_word_masks_its_key(self, db, word):
        entry = log_action(actor=None, action="accounts.user.created", data={word: "x", f"new_{word.upper()}": "y"})
        assert entry.data == {word: MASK, f"new_{word.upper()}": MASK}

    def test_the_words(self):
        assert SENSITIVE_KEYS == ("password", "token", "secret", "medical", "diagnosis")
        assert MASK == "********"

    def test_nested_values_lists_and_tuples_are_masked_too(self, db):
        entry = log_action(
            actor=None,
            action="accounts.user.created",
            data={
                "password": {"nested": "whole value masked"},
                "nested": {"api_token": "y", "level": {"client_secret": "z", "kept": 1}},
                "rows": [{"medical_note": "a", "kept": "b"}, "plain"],
                "pairs": ({"diagnosis": "c"},),
            },
        )
        assert entry.data == {
            "password": MASK,
            "nested": {"api_token": MASK, "level": {"client_secret": MASK, "kept": 1}},
            "rows": [{"medical_note": MASK, "kept": "b"}, "plain"],
            "pairs": [{"diagnosis": MASK}],
        }

    def test_other_keys_and_values_are_kept_as_they_are(self, db):
        data = {"hours": "12.5", "changes": {"job_title": ["a", "b"]}, "note": "the password is in the safe", "n": 3}
        assert log_action(actor=None, action="org.x.y", data=data).data == data

    def test_a_non_text_key_is_checked_as_text(self, db):
        from apps.audit.services import _masked

        assert _masked({1: "a", None: "b"}) == {1: "a", None: "b"}


class TestActionCodes:
    @pytest.mark.parametrize(
        "code",
        ["", "blocked", "Contractors.Pass.Blocked", "a..b", "a.b.", ".a.b", "1a.b", "a.1b", "a-b.c", "a.b c", "a.B"],
    )
    def test_malformed_codes_are_refused(self, db, code):
        with pytest.raises(ValueError, match="app.entity.verb"):
            log_action(actor=None, action=code)
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("code", ["a.b", "org.hours_worked.recorded", "a1.b_2.c3", "x.y.z.w", "a_.b"])
    def test_well_formed_codes_are_kept(self, db, code):
        assert log_action(actor=None, action=code).action == code

    def test_a_newline_after_a_good_code_is_refused(self, db):
        with pytest.raises(ValueError):
            log_action(actor=None, action="org.person.created\n")


class TestLabels:
    def test_a_known_code_has_its_label(self):
        assert label_for("org.hours_worked.recorded") == "Hours worked recorded"
        assert label_for("accounts.api_token.renewed") == "API token replaced"
        assert label_for("contractors.pass.unblocked") == "Pass unblocked"

    @pytest.mark.parametrize(
        ("code", "label"),
        [
            ("contractors.card.reprinted", "Card reprinted"),
            ("trainings.session.attendance_marked", "Session attendance marked"),
            ("a.b", "B"),
            ("org.login", "Login"),
            ("blocked", "Blocked"),
            ("Contractors.Card.Reprinted", "Card reprinted"),
            ("x.__.y", "Y"),
            ("", "Change recorded"),
            (".", "Change recorded"),
        ],
    )
    def test_an_unknown_code_gets_a_readable_generic_label(self, code, label):
        assert code not in LABELS
        assert label_for(code) == label
        assert generic_label(code) == label

    def test_every_label_is_text_and_every_code_well_formed(self):
        from apps.audit.services import ACTION_CODE

        for code, label in LABELS.items():
            assert ACTION_CODE.match(code), code
            assert str(label).strip(), code

    def test_the_entry_uses_the_label(self, db):
        assert log_action(actor=None, action="contractors.pass.blocked").label == "Pass blocked"

    def test_the_page_shows_the_generic_label(self, client_as, org, hse_head):
        log_action(actor=hse_head, action="contractors.pass.blocked", unit=org.crew)
        response = client_as(hse_head).get(reverse("audit:entry_list"))
        assert ">Pass blocked<" in response.text


class TestScope:
    def test_readers_see_only_their_units_entries(self, org, hse_specialist, outsider, hse_head, executive):
        log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew)
        log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.other_shop)
        log_action(actor=hse_head, action="accounts.user.created")
        assert audit_entry_list_for_user(hse_specialist).count() == 1
        assert audit_entry_list_for_user(outsider).count() == 1
        assert audit_entry_list_for_user(hse_head).count() == 3
        assert audit_entry_list_for_user(executive).count() == 3

    def test_a_user_without_a_role_reads_nothing(self, org, hse_head):
        log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew)
        assert audit_entry_list_for_user(UserFactory(role="", units=[org.shop])).count() == 0

    def test_the_action_prefix_matches_whole_words(self, org, hse_head):
        for code in ("org.person.created", "org.person.updated", "org.personnel.moved", "organisation.x.y", "org"):
            log_action(actor=hse_head, action=code if "." in code else "org.x", unit=org.crew)

        def actions(prefix):
            return sorted(audit_entry_list_for_user(hse_head, action_prefix=prefix).values_list("action", flat=True))

        assert actions("org.person") == ["org.person.created", "org.person.updated"]
        assert actions("org.person.") == ["org.person.created", "org.person.updated"]
        assert actions("ORG.PERSON.CREATED") == ["org.person.created"]
        assert actions("org") == ["org.person.created", "org.person.updated", "org.personnel.moved", "org.x"]
        assert len(actions("")) == 5

    def test_the_actor_filter(self, org, hse_head, hse_specialist):
        mine = log_action(actor=hse_specialist, action="org.x.y", unit=org.crew)
        log_action(actor=hse_head, action="org.x.y", unit=org.crew)
        assert list(audit_entry_list_for_user(hse_head, actor_id=hse_specialist.pk)) == [mine]


class TestDates:
    """Whole days of the site's time zone (Asia/Yekaterinburg, UTC+5), inclusive at both ends."""

    def entry_at(self, when):
        with time_machine.travel(when, tick=False):
            return log_action(actor=None, action="org.x.y")

    def test_the_day_starts_and_ends_at_midnight_site_time(self, db, hse_head):
        day = datetime(2026, 10, 10, tzinfo=SITE_TZ)
        before = self.entry_at(day - timedelta(microseconds=1))
        first = self.entry_at(day)
        last = self.entry_at(day + timedelta(days=1) - timedelta(microseconds=1))
        after = self.entry_at(day + timedelta(days=1))

        def between(first_day, last_day):
            return set(audit_entry_list_for_user(hse_head, date_from=first_day, date_to=last_day))

        assert between(day.date(), day.date()) == {first, last}
        assert set(audit_entry_list_for_user(hse_head, date_from=day.date())) == {first, last, after}
        assert set(audit_entry_list_for_user(hse_head, date_to=day.date())) == {before, first, last}

    def test_the_query_compares_the_raw_column(self, db, hse_head):
        from datetime import date

        sql = str(audit_entry_list_for_user(hse_head, date_from=date(2026, 10, 10), date_to=date(2026, 10, 11)).query)
        assert '"audit_auditentry"."created_at" >=' in sql
        assert '"audit_auditentry"."created_at" <' in sql
        assert "AT TIME ZONE" not in sql and "::date" not in sql


class TestPage:
    url = reverse("audit:entry_list")

    def test_it_lists_entries(self, client_as, org, hse_head):
        log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew, reason="monthly figures")
        response = client_as(hse_head).get(self.url)
        assert response.status_code == 200
        assert "monthly figures" in response.text
        assert "org.hours_worked.recorded" not in response.text  # the label, not the code (test_labels.py)
        assert "Hours worked recorded" in response.text

    def test_filters(self, client_as, org, hse_head, hse_specialist):
        log_action(actor=hse_specialist, action="org.person.created", unit=org.crew, reason="reason-one")
        log_action(actor=hse_head, action="org.hours_worked.recorded", unit=org.crew, reason="reason-two")
        client = client_as(hse_head)
        response = client.get(self.url, {"action": "org.person"})
        assert "reason-one" in response.text and "reason-two" not in response.text
        response = client.get(self.url, {"actor": hse_head.pk})
        assert "reason-two" in response.text and "reason-one" not in response.text
        assert f'<option value="{hse_specialist.pk}"' in response.text

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"date_from": "0001-01-01"}, "This is before the enterprise's records begin (1 Jan 2000)."),
            ({"date_to": "yesterday"}, "Enter a valid date."),
            ({"date_from": "2026-10-02", "date_to": "2026-10-01"}, "The end date cannot be before the start date."),
            ({"action": "org..person"}, "An action code is made of words separated by dots, e.g. org.hours_worked."),
            ({"action": "x" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
            ({"actor": "abc"}, "Select a valid choice. That choice is not one of the available choices."),
            ({"actor": "999999"}, "Select a valid choice. That choice is not one of the available choices."),
        ],
    )
    def test_a_bad_filter_is_shown_in_place(self, client_as, org, hse_head, params, message):
        log_action(actor=hse_head, action="org.x.y", unit=org.crew, reason="should not show")
        response = client_as(hse_head).get(self.url, params)
        assert response.status_code == 400
        errors = re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', response.text)
        assert [html.unescape(error) for error in errors] == [message]
        assert "is-invalid" in response.text
        assert "should not show" not in response.text

    def test_date_filters(self, client_as, org, hse_head):
        for day in (9, 10, 11):
            with time_machine.travel(datetime(2026, 10, day, 12, tzinfo=SITE_TZ), tick=False):
                log_action(actor=hse_head, action="org.x.y", unit=org.crew, reason=f"on-day-{day}")
        client = client_as(hse_head)

        def shown(**params):
            return sorted(set(re.findall(r"on-day-\d+", client.get(self.url, params).text)))

        assert shown(date_from="2026-10-10") == ["on-day-10", "on-day-11"]
        assert shown(date_to="2026-10-10") == ["on-day-10", "on-day-9"]
        assert shown(date_from="2026-10-10", date_to="2026-10-10") == ["on-day-10"]

    def test_actor_choices_are_by_surname_then_first_name_then_login(self, client_as, org, hse_head):
        users = [
            UserFactory(username="0b", last_name="Aaa", first_name="Bbb"),
            UserFactory(username="a2", last_name="Aaa", first_name="Aaa"),
            UserFactory(username="a1", last_name="Aaa", first_name="Aaa"),
            UserFactory(username="z", last_name="Zzz", first_name="Aaa"),
        ]
        text = client_as(hse_head).get(self.url).text
        positions = [text.index(f'<option value="{user.pk}"') for user in users]
        assert [users[i].username for i in sorted(range(4), key=positions.__getitem__)] == ["a1", "a2", "0b", "z"]

    def test_the_same_day_on_both_ends_is_fine(self, client_as, org, hse_head):
        response = client_as(hse_head).get(self.url, {"date_from": "2026-10-02", "date_to": "2026-10-02"})
        assert response.status_code == 200

    def test_nothing_matching_says_so(self, client_as, org, hse_head):
        log_action(actor=hse_head, action="org.x.y", unit=org.crew)
        response = client_as(hse_head).get(self.url, {"action": "incidents"})
        assert "No entry matches these filters." in response.text

    def test_fifty_entries_a_page(self, client_as, org, hse_head):
        assert ENTRIES_PER_PAGE == 50
        for index in range(ENTRIES_PER_PAGE + 1):
            log_action(actor=hse_head, action="org.x.y", unit=org.crew, reason=f"entry-{index:03d}")
        client = client_as(hse_head)
        first = client.get(self.url)
        assert "1 / 2" in first.text
        assert "entry-050" in first.text and "entry-000" not in first.text
        assert "entry-000" in client.get(self.url, {"page": 2}).text

    def test_page_links_keep_the_filters(self, client_as, org, hse_head):
        for _ in range(ENTRIES_PER_PAGE + 1):
            log_action(actor=hse_head, action="org.x.y", unit=org.crew)
        response = client_as(hse_head).get(self.url, {"action": "org"})
        assert "?action=org&amp;page=2" in response.text

    def test_query_count_does_not_grow_with_entries(self, client_as, org, hse_head, django_assert_max_num_queries):
        client = client_as(hse_head)
        log_action(actor=hse_head, action="org.x.y", target=org.crew, unit=org.crew)
        client.get(self.url)
        with django_assert_max_num_queries(15) as few:
            client.get(self.url)
        for index in range(30):
            actor = UserFactory(role="hse_specialist", units=[org.shop])
            unit = PersonFactory(unit=org.crew).unit
            log_action(actor=actor, action=f"org.thing{index}.done", target=actor, unit=unit)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(self.url)
        assert response.status_code == 200
        assert "Thing29 done" in response.text


def test_an_actor_that_is_not_a_user_is_the_system(db):
    entry = log_action(actor="nightly task", action="org.x.y")
    assert (entry.actor, entry.actor_name) == (None, "system")
