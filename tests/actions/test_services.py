from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.actions import services
from apps.actions.models import Action
from apps.audit.selectors import history_for
from apps.notifications.models import OutboxMessage
from tests.actions.conftest import jpeg

TODAY = date(2026, 11, 22)


def test_create_opens_an_action_logs_it_and_tells_the_owner(org, hse_specialist, owner):
    action = services.action_create(
        actor=hse_specialist,
        title="Guard the conveyor tail pulley",
        unit=org.crew,
        owner=owner,
        due_date=date(2026, 12, 1),
        control_level=Action.ControlLevel.ENGINEERING,
        today=TODAY,
    )
    assert action.status == Action.Status.OPEN
    assert [entry.action for entry in history_for(action)] == ["actions.action.created"]
    message = OutboxMessage.objects.get(kind="action_assigned")
    assert message.recipient == owner
    assert action.reference in message.subject


def test_create_refuses_a_past_due_date(org, hse_specialist, owner):
    with pytest.raises(ValidationError) as error:
        services.action_create(
            actor=hse_specialist,
            title="x",
            unit=org.crew,
            owner=owner,
            due_date=date(2026, 11, 21),
            control_level="ppe",
            today=TODAY,
        )
    assert "due_date" in error.value.message_dict
    assert not Action.objects.exists()


def test_create_outside_scope_is_refused(org, outsider, owner):
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=outsider,
            title="x",
            unit=org.crew,
            owner=owner,
            due_date=date(2026, 12, 1),
            control_level="ppe",
            today=TODAY,
        )


def test_full_life_cycle(action, owner, line_manager):
    services.action_start(actor=owner, action=action)
    assert action.status == Action.Status.IN_PROGRESS
    services.action_complete(actor=owner, action=action, evidence="Guard fitted, photo attached")
    assert (action.status, action.completed_by) == (Action.Status.DONE, owner)
    services.action_verify(actor=line_manager, action=action, effective=True, note="Checked on site")
    assert (action.status, action.verified_by, action.is_effective) == (Action.Status.VERIFIED, line_manager, True)
    assert [entry.action for entry in history_for(action)] == [
        "actions.action.verified",
        "actions.action.completed",
        "actions.action.started",
    ]


def test_owner_never_verifies_own_action(action, owner):
    services.action_complete(actor=owner, action=action, evidence="done")
    with pytest.raises(PermissionDenied):
        services.action_verify(actor=owner, action=action, effective=True)


def test_only_owner_manager_and_hse_roles_change_status(action, executive, outsider, hse_specialist, hse_head):
    for stranger in (executive, outsider):
        with pytest.raises(PermissionDenied):
            services.action_start(actor=stranger, action=action)
    services.action_start(actor=hse_specialist, action=action)
    services.action_complete(actor=hse_head, action=action, evidence="done by the crew")
    assert action.status == Action.Status.DONE


def test_completion_needs_evidence(action, owner):
    with pytest.raises(ValidationError) as error:
        services.action_complete(actor=owner, action=action, evidence="  ")
    assert "evidence" in error.value.message_dict
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_evidence_file_type_and_size_are_checked(action, owner):
    script = SimpleUploadedFile("run.exe", b"MZ")
    with pytest.raises(ValidationError):
        services.action_complete(actor=owner, action=action, evidence="", files=[script])
    services.action_complete(actor=owner, action=action, evidence="", files=[jpeg()])
    assert action.evidence_files.get().original_name == "guard.jpg"


def test_not_effective_reopens_with_a_reason(action, owner, line_manager):
    services.action_complete(actor=owner, action=action, evidence="Sign put up")
    with pytest.raises(ValidationError):
        services.action_verify(actor=line_manager, action=action, effective=False, note="")
    services.action_verify(actor=line_manager, action=action, effective=False, note="Sign ignored on nights")
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    assert action.is_effective is False


def test_not_effective_can_spawn_a_follow_up(action, owner, hse_specialist):
    services.action_complete(actor=owner, action=action, evidence="Sign put up")
    services.action_verify(
        actor=hse_specialist,
        action=action,
        effective=False,
        note="Administrative control did not work",
        not_effective_then="follow_up",
        follow_up={"due_date": date(2027, 1, 15), "control_level": Action.ControlLevel.ENGINEERING},
    )
    follow_up = action.follow_ups.get()
    assert action.status == Action.Status.VERIFIED
    assert (follow_up.owner, follow_up.status, follow_up.due_date) == (owner, Action.Status.OPEN, date(2027, 1, 15))


def test_cancel_needs_a_reason_and_not_the_owner(action, owner, line_manager):
    with pytest.raises(PermissionDenied):
        services.action_cancel(actor=owner, action=action, reason="not needed")
    with pytest.raises(ValidationError):
        services.action_cancel(actor=line_manager, action=action, reason="")
    services.action_cancel(actor=line_manager, action=action, reason="Equipment decommissioned")
    assert action.status == Action.Status.CANCELLED
    assert history_for(action).first().reason == "Equipment decommissioned"


@pytest.mark.parametrize(
    ("status", "call"),
    [
        ("done", lambda a, u: services.action_start(actor=u, action=a)),
        ("verified", lambda a, u: services.action_complete(actor=u, action=a, evidence="x")),
        ("open", lambda a, u: services.action_verify(actor=u, action=a, effective=True)),
        ("cancelled", lambda a, u: services.action_cancel(actor=u, action=a, reason="x")),
    ],
)
def test_transitions_from_the_wrong_status_are_refused(action, hse_head, status, call):
    Action.objects.filter(pk=action.pk).update(status=status, cancel_reason="x", verified_by=hse_head)
    action.refresh_from_db()
    with pytest.raises(ValidationError):
        call(action, hse_head)


def test_moving_the_due_date_needs_a_reason_and_resets_escalation(action, line_manager):
    Action.objects.filter(pk=action.pk).update(escalation=Action.Escalation.MANAGER)
    action.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.action_update(actor=line_manager, action=action, due_date=date(2027, 2, 1), today=TODAY)
    assert "reason" in error.value.message_dict
    services.action_update(
        actor=line_manager, action=action, due_date=date(2027, 2, 1), reason="Part on order", today=TODAY
    )
    action.refresh_from_db()
    assert (action.due_date, action.escalation) == (date(2027, 2, 1), Action.Escalation.NONE)
    assert history_for(action).first().data["changes"]["due_date"] == ["2026-12-01", "2027-02-01"]


def test_reassigning_tells_the_new_owner(action, line_manager, hse_specialist):
    services.action_update(actor=line_manager, action=action, owner=hse_specialist)
    assert OutboxMessage.objects.get(kind="action_assigned").recipient == hse_specialist
