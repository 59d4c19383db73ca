"""Boundaries of the services' rules: due dates (today yes, yesterday no), the text cap, evidence
files checked by content, status conflicts, and refusals that leave the database unchanged."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.actions import services
from apps.actions.models import Action, ActionEvidence
from apps.audit.models import AuditEntry
from apps.audit.selectors import history_for
from apps.common.dates import short_date
from apps.common.errors import StateConflict
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.notifications.models import OutboxMessage
from tests.actions.conftest import jpeg, pdf, renamed_executable
from tests.factories import ActionFactory, UserFactory

TODAY = date(2026, 11, 22)
YESTERDAY = TODAY - timedelta(days=1)


def create(actor, unit, owner, **overrides):
    values = {
        "actor": actor,
        "title": "Guard the tail pulley",
        "unit": unit,
        "owner": owner,
        "due_date": TODAY,
        "control_level": Action.ControlLevel.ENGINEERING,
        "today": TODAY,
    }
    return services.action_create(**{**values, **overrides})


def snapshot(action):
    row = Action.objects.values().get(pk=action.pk)
    row.pop("updated_at")
    return row, AuditEntry.objects.count(), ActionEvidence.objects.count(), Action.objects.count()


class TestDueDate:
    def test_create_accepts_today(self, org, hse_specialist, owner):
        assert create(hse_specialist, org.crew, owner, due_date=TODAY).due_date == TODAY

    def test_create_refuses_yesterday(self, org, hse_specialist, owner):
        with pytest.raises(ValidationError) as error:
            create(hse_specialist, org.crew, owner, due_date=YESTERDAY)
        assert error.value.message_dict == {"due_date": ["The due date cannot be in the past."]}
        assert not Action.objects.exists() and not AuditEntry.objects.exists()

    def test_create_refuses_a_date_beyond_the_plan_horizon(self, org, hse_specialist, owner):
        with pytest.raises(ValidationError) as error:
            create(hse_specialist, org.crew, owner, due_date=date(9999, 12, 31))
        assert "due_date" in error.value.message_dict
        assert not Action.objects.exists()

    def test_update_accepts_today_and_refuses_yesterday(self, action, line_manager):
        before = snapshot(action)
        with pytest.raises(ValidationError) as error:
            services.action_update(actor=line_manager, action=action, due_date=YESTERDAY, reason="x", today=TODAY)
        assert error.value.message_dict == {"due_date": ["The due date cannot be in the past."]}
        assert snapshot(action) == before
        services.action_update(actor=line_manager, action=action, due_date=TODAY, reason="Sooner", today=TODAY)
        action.refresh_from_db()
        assert action.due_date == TODAY

    def test_an_unchanged_past_due_date_is_no_change(self, org, owner, line_manager):
        late = ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 1, 10))
        old_title = late.title
        services.action_update(actor=line_manager, action=late, due_date=date(2026, 1, 10), title="New", today=TODAY)
        late.refresh_from_db()
        assert (late.title, late.due_date) == ("New", date(2026, 1, 10))
        assert history_for(late).get().data == {"changes": {"title": [old_title, "New"]}}

    def test_follow_up_due_date_today_is_accepted_yesterday_refused_none_required(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        before = snapshot(done)
        for due, message in [(YESTERDAY, "The due date cannot be in the past."), (None, "Give the action a due date.")]:
            with pytest.raises(ValidationError) as error:
                services.action_verify(
                    actor=line_manager,
                    action=done,
                    effective=False,
                    note="Not working",
                    not_effective_then="follow_up",
                    follow_up={"due_date": due},
                    today=TODAY,
                )
            assert error.value.message_dict == {"follow_up_due_date": [message]}
            assert snapshot(done) == before
        services.action_verify(
            actor=line_manager,
            action=done,
            effective=False,
            note="Not working",
            not_effective_then="follow_up",
            follow_up={"due_date": TODAY},
            today=TODAY,
        )
        assert done.follow_ups.get().due_date == TODAY


class TestTextCap:
    def test_evidence_at_the_cap_is_kept_one_more_is_refused(self, org, owner):
        first = ActionFactory(unit=org.crew, owner=owner)
        with pytest.raises(ValidationError) as error:
            services.action_complete(actor=owner, action=first, evidence="x" * (LONG_TEXT_MAX_LENGTH + 1))
        assert list(error.value.message_dict) == ["evidence"]
        first.refresh_from_db()
        assert first.status == Action.Status.OPEN
        services.action_complete(actor=owner, action=first, evidence="x" * LONG_TEXT_MAX_LENGTH)
        first.refresh_from_db()
        assert len(first.evidence) == LONG_TEXT_MAX_LENGTH

    @pytest.mark.parametrize("field", ["note", "reason", "description"])
    def test_other_texts_are_capped(self, org, owner, line_manager, field):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        too_long = "y" * (LONG_TEXT_MAX_LENGTH + 1)
        calls = {
            "note": lambda: services.action_verify(actor=line_manager, action=done, effective=False, note=too_long),
            "reason": lambda: services.action_cancel(actor=line_manager, action=done, reason=too_long),
            "description": lambda: create(line_manager, owner.units.first(), owner, description=too_long),
        }
        before = snapshot(done)
        with pytest.raises(ValidationError) as error:
            calls[field]()
        assert list(error.value.message_dict) == [field]
        assert snapshot(done) == before

    def test_a_long_update_description_is_refused(self, action, line_manager):
        with pytest.raises(ValidationError) as error:
            services.action_update(actor=line_manager, action=action, description="z" * (LONG_TEXT_MAX_LENGTH + 1))
        assert list(error.value.message_dict) == ["description"]

    def test_texts_are_stored_stripped(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner)
        services.action_complete(actor=owner, action=done, evidence="  Guard fitted \n")
        services.action_cancel(actor=line_manager, action=done, reason="  Plant closed  ")
        done.refresh_from_db()
        assert (done.evidence, done.cancel_reason) == ("Guard fitted", "Plant closed")


class TestEvidenceFiles:
    def test_a_renamed_executable_is_refused_and_nothing_is_stored(self, action, owner):
        before = snapshot(action)
        with pytest.raises(ValidationError) as error:
            services.action_complete(actor=owner, action=action, evidence="done", files=[renamed_executable()])
        assert "guard.jpg: this type of file is not accepted" in error.value.message_dict["files"][0]
        assert snapshot(action) == before

    def test_a_real_pdf_and_a_photo_are_accepted(self, action, owner):
        services.action_complete(actor=owner, action=action, evidence="", files=[pdf(), jpeg()])
        names = sorted(action.evidence_files.values_list("original_name", flat=True))
        assert names == ["guard.jpg", "work-order.pdf"]
        assert history_for(action).get().data == {"files": ["work-order.pdf", "guard.jpg"]}

    def test_a_pdf_with_a_photo_name_is_refused(self, action, owner):
        with pytest.raises(ValidationError):
            services.action_complete(actor=owner, action=action, evidence="", files=[pdf("photo.jpg")])

    def test_size_limit_is_inclusive(self, action, owner):
        limit = services.EVIDENCE_MAX_BYTES
        head = b"%PDF-1.4\n"
        at_limit = SimpleUploadedFile("big.pdf", head + b"0" * (limit - len(head)))
        over = SimpleUploadedFile("bigger.pdf", head + b"0" * (limit + 1 - len(head)))
        with pytest.raises(ValidationError) as error:
            services.evidence_add(actor=owner, action=action, files=[over])
        assert "bigger.pdf is larger than 10 MB." in error.value.message_dict["files"]
        assert not ActionEvidence.objects.exists()
        services.evidence_add(actor=owner, action=action, files=[at_limit])
        assert action.evidence_files.get().original_name == "big.pdf"

    def test_the_stored_name_is_ours_the_original_name_is_kept(self, action, owner):
        name = ("Ш" * 200) + ".pdf"
        services.evidence_add(actor=owner, action=action, files=[pdf(name)])
        evidence = action.evidence_files.get()
        assert evidence.original_name == name[:255]
        stored = evidence.file.name
        assert stored.startswith(f"actions/evidence/{action.pk}/") and stored.endswith(".pdf")
        assert "Ш" not in stored

    def test_evidence_needs_a_file_and_an_action_not_cancelled(self, org, owner):
        action = ActionFactory(unit=org.crew, owner=owner)
        with pytest.raises(ValidationError) as error:
            services.evidence_add(actor=owner, action=action, files=[])
        assert list(error.value.message_dict) == ["files"]
        for status in ("done", "verified"):
            Action.objects.filter(pk=action.pk).update(status=status, verified_by=owner)
            services.evidence_add(actor=owner, action=action, files=[jpeg()])
        Action.objects.filter(pk=action.pk).update(status="cancelled", cancel_reason="x")
        before = snapshot(action)
        with pytest.raises(StateConflict) as conflict:
            services.evidence_add(actor=owner, action=action, files=[jpeg()])
        assert conflict.value.messages == ["This action is already cancelled."]
        assert snapshot(action) == before
        assert history_for(action).count() == 2

    def test_evidence_add_by_a_stranger_is_refused(self, action, executive):
        with pytest.raises(PermissionDenied):
            services.evidence_add(actor=executive, action=action, files=[jpeg()])
        assert not ActionEvidence.objects.exists()

    def test_completion_counts_evidence_already_uploaded(self, action, owner):
        services.evidence_add(actor=owner, action=action, files=[jpeg()])
        services.action_complete(actor=owner, action=action, evidence="")
        assert action.status == Action.Status.DONE


ALL = ["open", "in_progress", "done", "verified", "cancelled"]
CONFLICTS = {
    "open": "This action is open: it has not been marked as done.",
    "in_progress": "This action is already in progress.",
    "done": "This action is already done.",
    "verified": "This action is already verified.",
    "cancelled": "This action is already cancelled.",
}
STEPS = {
    "start": (["open"], lambda a, u: services.action_start(actor=u, action=a)),
    "complete": (["open", "in_progress"], lambda a, u: services.action_complete(actor=u, action=a, evidence="x")),
    "verify": (["done"], lambda a, u: services.action_verify(actor=u, action=a, effective=True)),
    "cancel": (["open", "in_progress", "done"], lambda a, u: services.action_cancel(actor=u, action=a, reason="x")),
    "update": (["open", "in_progress"], lambda a, u: services.action_update(actor=u, action=a, title="Re-planned")),
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("status", ALL)
def test_each_step_is_allowed_from_its_statuses_only(org, owner, hse_head, step, status):
    allowed, call = STEPS[step]
    action = ActionFactory(unit=org.crew, owner=owner, status=status, cancel_reason="x", verified_by=hse_head)
    if status in allowed:
        call(action, hse_head)
        assert history_for(action).count() == 1
        return
    before = snapshot(action)
    with pytest.raises(StateConflict) as conflict:
        call(action, hse_head)
    assert conflict.value.messages == [CONFLICTS[status]]
    assert snapshot(action) == before


def test_the_service_checks_the_status_it_finds_not_the_one_it_was_given(action, owner):
    stale = Action.objects.get(pk=action.pk)
    services.action_complete(actor=owner, action=action, evidence="first")
    with pytest.raises(StateConflict):
        services.action_complete(actor=owner, action=stale, evidence="second")
    assert stale.evidence == "first"  # reloaded
    assert history_for(action).count() == 1


def test_the_permission_is_checked_on_the_reloaded_row(action, owner, hse_specialist):
    stale = Action.objects.get(pk=action.pk)
    services.action_update(actor=hse_specialist, action=action, owner=hse_specialist)
    with pytest.raises(PermissionDenied):
        services.action_start(actor=owner, action=stale)  # no longer the owner


class TestRefusalsChangeNothing:
    def test_start_by_a_stranger(self, action, executive):
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_start(actor=executive, action=action)
        assert snapshot(action) == before

    def test_cancel_by_the_owner(self, action, owner):
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_cancel(actor=owner, action=action, reason="Not needed")
        assert snapshot(action) == before

    def test_verify_by_the_owner(self, org, owner):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        before = snapshot(done)
        with pytest.raises(PermissionDenied):
            services.action_verify(actor=owner, action=done, effective=True)
        assert snapshot(done) == before

    def test_edit_by_the_owner(self, action, owner):
        before = snapshot(action)
        with pytest.raises(PermissionDenied):
            services.action_update(actor=owner, action=action, title="Mine now")
        assert snapshot(action) == before

    def test_not_effective_needs_a_known_next_step(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        before = snapshot(done)
        with pytest.raises(ValidationError) as error:
            services.action_verify(actor=line_manager, action=done, effective=False, note="x", not_effective_then="?")
        assert list(error.value.message_dict) == ["not_effective_then"]
        assert snapshot(done) == before

    def test_not_effective_needs_a_note(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        before = snapshot(done)
        with pytest.raises(ValidationError) as error:
            services.action_verify(actor=line_manager, action=done, effective=False, note="   ")
        assert error.value.message_dict == {"note": ["Say why the action was not effective."]}
        assert snapshot(done) == before


class TestUpdate:
    def test_nothing_changed_logs_nothing(self, action, line_manager):
        services.action_update(actor=line_manager, action=action, title=action.title, due_date=action.due_date)
        assert not history_for(action).exists()

    def test_unknown_fields_are_a_programming_error(self, action, line_manager):
        with pytest.raises(ValueError, match="status"):
            services.action_update(actor=line_manager, action=action, status="done")

    def test_an_inactive_new_owner_is_refused(self, action, line_manager):
        gone = UserFactory(role="line_manager", is_active=False)
        with pytest.raises(ValidationError) as error:
            services.action_update(actor=line_manager, action=action, owner=gone)
        assert list(error.value.message_dict) == ["owner"]
        action.refresh_from_db()
        assert action.owner != gone

    def test_a_new_title_keeps_the_escalation(self, action, line_manager):
        Action.objects.filter(pk=action.pk).update(escalation=Action.Escalation.MANAGER)
        services.action_update(actor=line_manager, action=action, title="Clearer title")
        action.refresh_from_db()
        assert action.escalation == Action.Escalation.MANAGER

    def test_the_owner_is_told_only_when_someone_else_assigns(self, action, line_manager, hse_specialist):
        services.action_update(actor=hse_specialist, action=action, owner=hse_specialist)
        assert not OutboxMessage.objects.exists()  # assigned it to themselves
        services.action_update(actor=hse_specialist, action=action, owner=line_manager)
        message = OutboxMessage.objects.get()
        assert message.recipient == line_manager
        assert message.kind == OutboxMessage.Kind.ACTION_ASSIGNED
        assert message.url == action.get_absolute_url()

    def test_history_records_the_change_and_the_reason(self, action, owner, line_manager, hse_specialist):
        services.action_update(actor=line_manager, action=action, owner=hse_specialist, reason="  Handover ")
        entry = history_for(action).get()
        assert entry.data == {"changes": {"owner": [str(owner.pk), str(hse_specialist.pk)]}}
        assert entry.reason == "Handover"


class TestCreate:
    def test_an_inactive_owner_is_refused(self, org, hse_specialist):
        gone = UserFactory(role="line_manager", is_active=False)
        with pytest.raises(ValidationError) as error:
            create(hse_specialist, org.crew, gone)
        assert list(error.value.message_dict) == ["owner"]
        assert not Action.objects.exists()

    def test_an_owner_creating_for_themselves_is_not_told(self, org, line_manager):
        create(line_manager, org.crew, line_manager)
        assert not OutboxMessage.objects.exists()

    def test_the_source_is_recorded(self, org, hse_head, owner):
        from tests.factories import ObservationFactory

        observation = ObservationFactory(unit=org.crew, observer=hse_head)
        action = create(hse_head, org.crew, owner, source_record=observation)
        assert action.source_record == observation
        assert action.source_kind.code == "observation"
        assert history_for(action).get().data == {
            "owner": owner.pk,
            "due_date": TODAY.isoformat(),
            "source": "observation",
        }

    def test_a_title_over_300_characters_is_refused(self, org, hse_specialist, owner):
        with pytest.raises(ValidationError) as error:
            create(hse_specialist, org.crew, owner, title="t" * 301)
        assert list(error.value.message_dict) == ["title"]
        assert create(hse_specialist, org.crew, owner, title="t" * 300).title == "t" * 300


class TestVerify:
    def test_reopening_clears_the_escalation(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done", escalation=Action.Escalation.HSE_HEAD)
        services.action_verify(actor=line_manager, action=done, effective=False, note="Still leaking")
        done.refresh_from_db()
        assert (done.status, done.escalation, done.escalated_at, done.is_effective) == ("open", 0, None, False)
        entry = history_for(done).get()
        assert (entry.action, entry.reason, entry.data) == (
            "actions.action.not_effective",
            "Still leaking",
            {"then": "reopen"},
        )

    def test_effective_logs_no_next_step(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        services.action_verify(actor=line_manager, action=done, effective=True, note="")
        entry = history_for(done).get()
        assert (entry.action, entry.data) == ("actions.action.verified", {"then": None})
        assert not done.follow_ups.exists()

    def test_the_follow_up_copies_the_action_unless_told_otherwise(self, org, owner, line_manager, hse_head):
        done = ActionFactory(unit=org.crew, owner=owner, status="done", priority="high", control_level="ppe")
        services.action_verify(
            actor=line_manager,
            action=done,
            effective=False,
            note="PPE not worn",
            not_effective_then="follow_up",
            follow_up={"due_date": TODAY, "owner": hse_head, "title": "Fit a guard", "control_level": "engineering"},
            today=TODAY,
        )
        follow_up = done.follow_ups.get()
        assert (follow_up.title, follow_up.owner, follow_up.control_level, follow_up.priority) == (
            "Fit a guard",
            hse_head,
            "engineering",
            "high",
        )
        assert (follow_up.unit, follow_up.created_by, follow_up.description) == (org.crew, line_manager, "PPE not worn")

    def test_the_owners_manager_opens_a_follow_up_outside_their_units(self, org, owner, line_manager):
        far = ActionFactory(unit=org.other_shop, owner=owner, status="done", title="Far")
        services.action_verify(
            actor=line_manager,
            action=far,
            effective=False,
            note="Not effective",
            not_effective_then="follow_up",
            follow_up={"due_date": TODAY},
            today=TODAY,
        )
        follow_up = far.follow_ups.get()
        assert (follow_up.title, follow_up.owner, follow_up.unit) == ("Far", owner, org.other_shop)


class TestMessages:
    def test_a_refusal_says_why(self, action, executive):
        with pytest.raises(PermissionDenied) as error:
            services.action_start(actor=executive, action=action)
        assert str(error.value) == "You may not change this action."

    def test_a_conflict_is_coded(self, org, owner, hse_head):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        with pytest.raises(StateConflict) as conflict:
            services.action_start(actor=hse_head, action=done)
        assert conflict.value.code == "state_conflict"

    def test_the_new_owner_is_told_what_where_and_when(self, org, hse_specialist, owner):
        action = create(hse_specialist, org.crew, owner, title="Guard the tail pulley")
        message = OutboxMessage.objects.get()
        assert message.subject == f"New action for you: {action.reference} Guard the tail pulley"
        assert message.body == f"{hse_specialist} assigned you an action in {org.crew}, due {short_date(TODAY)}."
        assert message.url == action.get_absolute_url()
        assert message.dedupe_key.startswith(f"action_assigned:{action.pk}:{owner.pk}:")

    def test_an_inactive_owner_is_named_as_such(self, org, hse_specialist):
        gone = UserFactory(role="line_manager", is_active=False)
        with pytest.raises(ValidationError) as error:
            create(hse_specialist, org.crew, gone)
        assert error.value.message_dict == {"owner": ["This user can no longer own actions."]}

    def test_a_blank_title_is_refused(self, org, hse_specialist, owner):
        for title in ("", "   ", None):
            with pytest.raises(ValidationError) as error:
                create(hse_specialist, org.crew, owner, title=title)
            assert list(error.value.message_dict) == ["title"]
        assert not Action.objects.exists()

    def test_the_history_names_the_creator(self, org, hse_specialist, owner):
        action = create(hse_specialist, org.crew, owner)
        entry = history_for(action).get()
        assert (entry.actor, entry.action) == (hse_specialist, "actions.action.created")

    def test_a_follow_up_date_beyond_the_horizon_is_an_error_on_that_field(self, org, owner, line_manager):
        done = ActionFactory(unit=org.crew, owner=owner, status="done")
        with pytest.raises(ValidationError) as error:
            services.action_verify(
                actor=line_manager,
                action=done,
                effective=False,
                note="x",
                not_effective_then="follow_up",
                follow_up={"due_date": date(9999, 12, 31)},
                today=TODAY,
            )
        assert list(error.value.message_dict) == ["follow_up_due_date"]
        done.refresh_from_db()
        assert done.status == "done"

    def test_a_very_long_file_name_is_kept_to_255_characters_with_its_extension(self, action, owner):
        services.evidence_add(actor=owner, action=action, files=[pdf("n" * 300 + ".pdf")])
        assert action.evidence_files.get().original_name == "n" * 251 + ".pdf"
