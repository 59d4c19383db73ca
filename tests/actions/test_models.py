"""Facts about one action: overdue days (open only, from the day after the due date), the text
cap on its free-text fields, the due date's window, labels."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.actions.models import Action, evidence_upload_to
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from tests.factories import ActionFactory

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("status", "due", "days"),
    [
        ("open", TODAY + timedelta(1), 0),
        ("open", TODAY, 0),
        ("open", TODAY - timedelta(1), 1),
        ("in_progress", TODAY - timedelta(10), 10),
        ("done", TODAY - timedelta(10), 0),
        ("verified", TODAY - timedelta(10), 0),
        ("cancelled", TODAY - timedelta(10), 0),
    ],
)
def test_days_overdue_and_is_overdue(status, due, days):
    action = Action(status=status, due_date=due)
    assert action.days_overdue(TODAY) == days
    assert action.is_overdue(TODAY) is (days > 0)


TEXTS = {"description": "details", "evidence": "evidence", "verification_note": "verification note",
         "cancel_reason": "reason for cancelling"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_free_text_fields_are_optional_capped_and_labelled(org, owner, name):
    field = Action._meta.get_field(name)
    assert (str(field.verbose_name), field.blank, field.max_length) == (TEXTS[name], True, LONG_TEXT_MAX_LENGTH)
    assert field.formfield().max_length == LONG_TEXT_MAX_LENGTH
    action = ActionFactory.build(unit=org.crew, owner=owner, created_by=owner, due_date=TODAY)
    setattr(action, name, "")
    action.full_clean()
    setattr(action, name, "x" * LONG_TEXT_MAX_LENGTH)
    action.full_clean()
    setattr(action, name, "x" * (LONG_TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as error:
        action.full_clean()
    assert list(error.value.message_dict) == [name]


@pytest.mark.parametrize(("due", "ok"), [(date(1999, 12, 31), False), (date(2000, 1, 1), True)])
def test_full_clean_checks_the_due_dates_window(org, owner, due, ok):
    action = ActionFactory.build(unit=org.crew, owner=owner, created_by=owner, due_date=due)
    if ok:
        action.full_clean()
    else:
        with pytest.raises(ValidationError):
            action.full_clean()


def test_the_database_refuses_a_due_date_before_1970(org, owner):
    ActionFactory(unit=org.crew, owner=owner, due_date=date(1970, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(unit=org.crew, owner=owner, due_date=date(1969, 12, 31))


def test_evidence_is_stored_under_its_action_with_a_name_of_ours():
    class Evidence:
        action_id = 7

    first = evidence_upload_to(Evidence(), "Фото осмотра.JPG")
    second = evidence_upload_to(Evidence(), "Фото осмотра.JPG")
    assert first.startswith("actions/evidence/7/") and first.endswith(".jpg")
    assert first != second
    assert len(first) == len("actions/evidence/7/") + 32 + len(".jpg")


def test_reference_badge_and_weak_controls(org, owner):
    assert Action().reference == "A-new"
    action = ActionFactory(unit=org.crew, owner=owner, control_level="ppe")
    assert action.reference == f"A-{action.pk}"
    assert str(action) == f"A-{action.pk} {action.title}"
    assert action.is_weak_control is True
    action.control_level = "administrative"
    assert action.is_weak_control is True
    action.control_level = "engineering"
    assert action.is_weak_control is False


def test_source_kind_with_and_without_the_loaded_content_type(org, owner, hse_head):
    from tests.factories import ObservationFactory

    observation = ObservationFactory(unit=org.crew, observer=hse_head)
    action = ActionFactory(unit=org.crew, owner=owner, source_record=observation)
    assert Action.objects.get(pk=action.pk).source_kind.code == "observation"
    assert Action.objects.select_related("source_type").get(pk=action.pk).source_kind.code == "observation"
    assert ActionFactory(unit=org.crew, owner=owner).source_kind is None
