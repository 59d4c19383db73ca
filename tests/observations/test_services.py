from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.actions.models import Action
from apps.audit.selectors import history_for
from apps.observations.models import Observation
from apps.observations.services import observation_log, worker_names_in
from tests.factories import PersonFactory
from tests.observations.conftest import jpeg


def log(actor, unit, categories, **extra):
    return observation_log(
        actor=actor,
        unit=unit,
        kind=extra.pop("kind", Observation.Kind.UNSAFE_ACT),
        category=categories["lifting"],
        description=extra.pop("description", "Load guided by hand from under it"),
        **extra,
    )


def test_log_with_photos_feedback_and_a_follow_up_action(org, hse_specialist, line_manager, categories):
    observation = log(
        hse_specialist,
        org.crew,
        categories,
        feedback_given=True,
        feedback_to="worker",
        feedback_text="Explained the exclusion zone",
        photos=[jpeg("a.jpg"), jpeg("b.jpg")],
        follow_up={
            "title": "Provide tag lines at the lifting bay",
            "owner": line_manager,
            "due_date": date.today() + timedelta(days=10),
            "control_level": "engineering",
        },
    )
    assert observation.photos.count() == 2
    action = Action.objects.get()
    assert (action.source_kind.code, action.source_record, action.owner) == ("observation", observation, line_manager)
    assert list(observation.actions.all()) == [action]
    assert [entry.action for entry in history_for(observation)] == ["observations.observation.logged"]


def test_a_workers_name_is_refused(org, hse_specialist, categories):
    PersonFactory(unit=org.crew, full_name="Kuznetsov P. P.")
    with pytest.raises(ValidationError) as error:
        log(hse_specialist, org.shop, categories, description="Kuznetsov stood under the load")
    assert "Kuznetsov" in error.value.message_dict["description"][0]
    assert not Observation.objects.exists()


def test_names_are_matched_as_whole_words_of_the_units_people(org):
    PersonFactory(unit=org.crew, full_name="Orlov O. O.")
    PersonFactory(unit=org.other_shop, full_name="Lebedev L. L.")
    assert worker_names_in("orlov did it; Orlovsky bay", org.crew) == ["Orlov"]
    assert worker_names_in("Lebedev was there", org.crew) == []  # not on this unit's roll


def test_feedback_given_needs_a_recipient_and_future_times_are_refused(org, hse_specialist, categories):
    with pytest.raises(ValidationError) as error:
        log(
            hse_specialist,
            org.crew,
            categories,
            feedback_given=True,
            observed_at=timezone.now() + timedelta(hours=2),
        )
    assert set(error.value.message_dict) == {"feedback_to", "observed_at"}


def test_photos_are_checked_by_content(org, hse_specialist, categories):
    fake = SimpleUploadedFile("photo.jpg", b"not really a jpeg", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        log(hse_specialist, org.crew, categories, photos=[fake])
    assert "photo.jpg is not a photo." in error.value.message_dict["photos"]
    assert not Observation.objects.exists()


def test_logging_outside_scope_or_without_the_role_is_refused(org, outsider, executive, categories):
    with pytest.raises(PermissionDenied):
        log(outsider, org.crew, categories)
    with pytest.raises(PermissionDenied):
        log(executive, org.crew, categories)


def test_a_failing_follow_up_rolls_back_the_observation(org, hse_specialist, line_manager, categories):
    with pytest.raises(ValidationError):
        log(
            hse_specialist,
            org.crew,
            categories,
            follow_up={
                "title": "x",
                "owner": line_manager,
                "due_date": date(2000, 1, 1),
                "control_level": "ppe",
            },
        )
    assert not Observation.objects.exists()


def test_the_same_form_sent_twice_is_one_observation(org, hse_specialist, categories):
    import uuid

    key = uuid.uuid4()
    first = log(hse_specialist, org.crew, categories, submission_key=key)
    second = log(hse_specialist, org.crew, categories, submission_key=key)
    assert first == second
    assert Observation.objects.count() == 1
