import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.audit.selectors import history_for
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.observations import services
from apps.observations.models import Observation
from apps.observations.services import default_follow_up_due, observation_log, priority_for, worker_names_in
from tests.factories import ObservationFactory, PersonFactory, UnitFactory
from tests.observations.conftest import jpeg

TZ = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


def log(actor, unit, categories, **extra):
    return observation_log(
        actor=actor,
        unit=unit,
        kind=extra.pop("kind", Observation.Kind.UNSAFE_ACT),
        category=categories["lifting"],
        description=extra.pop("description", "Load guided by hand from under it"),
        **extra,
    )


def refusal(callable_, *args, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        callable_(*args, **kwargs)
    return error.value.message_dict


def follow_up(owner, **extra):
    return {
        "title": "Provide tag lines at the lifting bay",
        "owner": owner,
        "due_date": date.today() + timedelta(days=10),
        "control_level": "engineering",
        **extra,
    }


def test_log_with_photos_feedback_and_a_follow_up_action(org, hse_specialist, line_manager, categories):
    observation = log(
        hse_specialist,
        org.crew,
        categories,
        feedback_given=True,
        feedback_to="worker",
        feedback_text="Explained the exclusion zone",
        photos=[jpeg("a.jpg"), jpeg("b.jpg")],
        follow_up=follow_up(line_manager),
    )
    assert observation.photos.count() == 2
    action = Action.objects.get()
    assert (action.source_kind.code, action.source_record, action.owner) == ("observation", observation, line_manager)
    assert (action.unit, action.description) == (org.crew, observation.description)
    assert list(observation.actions.all()) == [action]
    assert [entry.action for entry in history_for(observation)] == ["observations.observation.logged"]
    entry = history_for(observation)[0]
    assert (entry.actor, entry.data) == (hse_specialist, {"kind": "unsafe_act", "photos": 2, "feedback_given": True})


def test_without_a_time_the_observation_is_now(org, hse_specialist, categories):
    with time_machine.travel(NOW, tick=False):
        assert log(hse_specialist, org.crew, categories).observed_at == NOW


# Workers' names ------------------------------------------------------------------------------


def test_a_workers_name_is_refused(org, hse_specialist, categories):
    PersonFactory(unit=org.crew, full_name="Kuznetsov P. P.")
    errors = refusal(log, hse_specialist, org.shop, categories, description="Kuznetsov stood under the load")
    assert "Kuznetsov" in errors["description"][0]
    assert not Observation.objects.exists()


@pytest.mark.parametrize("field", ["area", "feedback_text"])
def test_a_name_in_the_area_or_in_what_was_said_is_refused_too(org, hse_specialist, categories, field):
    PersonFactory(unit=org.crew, full_name="Kuznetsov P. P.")
    extra = {field: "near Kuznetsov", "feedback_given": True, "feedback_to": "worker"}
    assert "Kuznetsov" in refusal(log, hse_specialist, org.crew, categories, **extra)["description"][0]
    assert not Observation.objects.exists()


def test_names_are_matched_as_whole_words_of_the_units_people(org):
    PersonFactory(unit=org.crew, full_name="Orlov O. O.")
    PersonFactory(unit=org.other_shop, full_name="Lebedev L. L.")
    assert worker_names_in("orlov did it; Orlovsky bay", org.crew) == ["Orlov"]
    assert worker_names_in("Lebedev was there", org.crew) == []  # not on this unit's roll
    assert worker_names_in("", org.crew) == []


def test_the_people_of_the_whole_subtree_are_looked_for(org):
    """The shop's crew has a team under it, and the team a shift: their people count too."""
    team = UnitFactory(parent=org.crew, name="Team A", kind="crew")
    shift = UnitFactory(parent=team, name="Night shift", kind="crew")
    PersonFactory(unit=shift, full_name="Morozov M. M.")  # great-grandchild of the shop
    PersonFactory(unit=team, full_name="Volkov V. V.")  # grandchild of the shop
    text = "Morozov and Volkov and Petrov"
    assert worker_names_in(text, org.shop) == ["Morozov", "Petrov", "Volkov"]
    assert worker_names_in(text, team) == ["Morozov", "Volkov"]  # not the crew's Petrov, above
    assert worker_names_in(text, shift) == ["Morozov"]


def test_the_subtree_is_read_in_a_fixed_number_of_queries(org, django_assert_num_queries):
    unit = org.crew
    for depth in range(6):
        unit = UnitFactory(parent=unit, name=f"Level {depth}", kind="crew")
    PersonFactory(unit=unit, full_name="Glubokov G. G.")
    with django_assert_num_queries(2):  # the tree, then the people
        assert worker_names_in("Glubokov", org.shop) == ["Glubokov"]


def test_the_name_length_boundary(org):
    PersonFactory(unit=org.crew, full_name="Ivin A. A.")  # 4 letters: looked for
    PersonFactory(unit=org.crew, full_name="Ivo B. B.")  # 3 letters: too likely an ordinary word
    assert services.MIN_NAME_LENGTH == 4
    assert worker_names_in("ivin and ivo", org.crew) == ["Ivin"]


def test_only_the_surname_of_an_active_person_counts(org):
    PersonFactory(unit=org.crew, full_name="Sokolov Ivan Petrovich")
    PersonFactory(unit=org.crew, full_name="Belov B. B.", is_active=False)
    PersonFactory(unit=org.crew, full_name="   ")
    assert worker_names_in("Ivan Petrovich told Belov", org.crew) == []  # first names, a leaver
    assert worker_names_in("xxxx", org.crew) == []  # a blank name matches nothing
    assert worker_names_in("SOKOLOV", org.crew) == ["Sokolov"]


def test_a_surname_shared_by_two_people_is_named_once(org):
    PersonFactory(unit=org.crew, full_name="Orlov A. A.")
    PersonFactory(unit=org.shop, full_name="Orlov B. B.")
    assert worker_names_in("Orlov", org.shop) == ["Orlov"]


# When ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observed_at", "accepted"),
    [
        (NOW + timedelta(minutes=5), True),
        (NOW + timedelta(minutes=5, seconds=1), False),
        (NOW - timedelta(days=365), True),
    ],
)
def test_the_clock_tolerance_is_five_minutes(org, hse_specialist, categories, observed_at, accepted):
    with time_machine.travel(NOW, tick=False):
        if accepted:
            assert log(hse_specialist, org.crew, categories, observed_at=observed_at).observed_at == observed_at
        else:
            assert refusal(log, hse_specialist, org.crew, categories, observed_at=observed_at) == {
                "observed_at": ["This cannot be in the future."]
            }
            assert not Observation.objects.exists()


def test_nothing_before_the_records_begin(org, hse_specialist, categories, settings):
    settings.PORTAL_RECORDS_BEGIN = date(2000, 1, 1)
    first = datetime(2000, 1, 1, 0, 0, tzinfo=TZ)
    assert log(hse_specialist, org.crew, categories, observed_at=first).observed_at == first
    errors = refusal(log, hse_specialist, org.crew, categories, observed_at=first - timedelta(minutes=1))
    assert "before the enterprise's records begin" in errors["observed_at"][0]
    assert Observation.objects.count() == 1


def test_the_year_one_is_refused_and_never_stored(org, hse_specialist, categories):
    """0001-01-01 00:00 on the site's clock is a BC instant in UTC: it must never reach the table."""
    errors = refusal(log, hse_specialist, org.crew, categories, observed_at=datetime(1, 1, 1, tzinfo=TZ))
    assert set(errors) == {"observed_at"}
    assert not Observation.objects.exists()


def test_the_model_checks_the_window_too(org, hse_specialist, categories):
    observation = ObservationFactory.build(
        observer=hse_specialist, unit=org.crew, category=categories["ppe"], observed_at=datetime(1999, 1, 1, tzinfo=UTC)
    )
    with pytest.raises(ValidationError) as error:
        observation.full_clean()
    assert set(error.value.message_dict) == {"observed_at"}


def test_the_database_refuses_a_time_before_1970(org, hse_specialist, categories):
    observation = ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=observation.pk).update(observed_at=datetime(1969, 12, 31, 23, 59, tzinfo=UTC))
    Observation.objects.filter(pk=observation.pk).update(observed_at=datetime(1970, 1, 1, tzinfo=UTC))  # the floor


# Feedback ------------------------------------------------------------------------------------


def test_feedback_given_needs_a_recipient_and_future_times_are_refused(org, hse_specialist, categories):
    errors = refusal(
        log, hse_specialist, org.crew, categories, feedback_given=True, observed_at=timezone.now() + timedelta(hours=2)
    )
    assert errors == {"feedback_to": ["Say to whom the feedback was given."], "observed_at": [errors["observed_at"][0]]}
    assert not Observation.objects.exists()


@pytest.mark.parametrize("recipient", ["worker", "crew", "manager"])
def test_feedback_given_to_someone_is_kept(org, hse_specialist, categories, recipient):
    observation = log(
        hse_specialist, org.crew, categories, feedback_given=True, feedback_to=recipient, feedback_text="Stop"
    )
    assert (observation.feedback_given, observation.feedback_to, observation.feedback_text) == (True, recipient, "Stop")


def test_feedback_not_given_keeps_no_recipient_nor_words(org, hse_specialist, categories):
    observation = log(hse_specialist, org.crew, categories, feedback_given=False, feedback_to="crew", feedback_text="x")
    observation.refresh_from_db()
    assert (observation.feedback_given, observation.feedback_to, observation.feedback_text) == (False, "", "")


def test_the_database_refuses_feedback_to_nobody(org, hse_specialist, categories):
    observation = ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.filter(pk=observation.pk).update(feedback_given=True, feedback_to="")


# Photos --------------------------------------------------------------------------------------


def test_photos_are_checked_by_content(org, hse_specialist, categories):
    fake = SimpleUploadedFile("photo.jpg", b"not really a jpeg", content_type="image/jpeg")
    errors = refusal(log, hse_specialist, org.crew, categories, photos=[jpeg("good.jpg"), fake])
    assert errors == {"photos": ["photo.jpg: this type of file is not accepted (accepted: .jpeg, .jpg, .png, .webp)."]}
    assert not Observation.objects.exists()


def test_a_photo_whose_name_lies_is_refused(org, hse_specialist, categories):
    errors = refusal(log, hse_specialist, org.crew, categories, photos=[jpeg("report.pdf")])
    assert "report.pdf" in errors["photos"][0]


def test_five_photos_at_most(org, hse_specialist, categories):
    assert services.PHOTOS_PER_OBSERVATION == 5
    errors = refusal(log, hse_specialist, org.crew, categories, photos=[jpeg(f"{n}.jpg") for n in range(6)])
    assert errors == {"photos": ["At most 5 photos."]}
    assert not Observation.objects.exists()
    observation = log(hse_specialist, org.crew, categories, photos=[jpeg(f"{n}.jpg") for n in range(5)])
    assert observation.photos.count() == 5


def _photo_of(size: int) -> SimpleUploadedFile:
    data = jpeg().read()
    return SimpleUploadedFile("big.jpg", data + b"\0" * (size - len(data)), content_type="image/jpeg")


def test_ten_megabytes_per_photo_at_most(org, hse_specialist, categories, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert services.PHOTO_MAX_BYTES == 10 * 1024 * 1024
    errors = refusal(log, hse_specialist, org.crew, categories, photos=[_photo_of(services.PHOTO_MAX_BYTES + 1)])
    assert errors == {"photos": ["big.jpg is larger than 10 MB."]}
    assert log(hse_specialist, org.crew, categories, photos=[_photo_of(services.PHOTO_MAX_BYTES)]).photos.count() == 1


# Who may log ---------------------------------------------------------------------------------


def test_logging_outside_scope_or_without_the_role_is_refused(org, outsider, executive, categories):
    with pytest.raises(PermissionDenied):
        log(outsider, org.crew, categories)
    with pytest.raises(PermissionDenied):
        log(executive, org.crew, categories)
    assert not Observation.objects.exists()


def test_logging_in_a_unit_below_ones_own_is_allowed(org, line_manager, categories):
    assert log(line_manager, org.crew, categories).unit == org.crew


# Follow-up action ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "priority"),
    [("low", "low"), ("medium", "medium"), ("high", "high"), ("critical", "critical")],
)
def test_the_follow_up_is_as_urgent_as_the_risk(org, hse_specialist, line_manager, categories, risk, priority):
    assert priority_for(risk) == priority
    log(hse_specialist, org.crew, categories, risk=risk, follow_up=follow_up(line_manager))
    assert Action.objects.get().priority == priority


def test_an_explicit_priority_wins_over_the_risk(org, hse_specialist, line_manager, categories):
    log(hse_specialist, org.crew, categories, risk="low", follow_up=follow_up(line_manager, priority="critical"))
    assert Action.objects.get().priority == "critical"


def test_every_risk_has_a_priority():
    assert set(services.PRIORITY_FOR_RISK) == set(Observation.Risk.values)


def test_a_failing_follow_up_rolls_back_the_observation(org, hse_specialist, line_manager, categories):
    errors = refusal(
        log, hse_specialist, org.crew, categories, follow_up=follow_up(line_manager, due_date=date(2000, 1, 1))
    )
    # Named as the form names the follow-up's fields, so the page shows it in place.
    assert errors == {"action_due_date": ["The due date cannot be in the past."]}
    assert not Observation.objects.exists()
    assert not Action.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_follow_up_due_today_is_accepted(org, hse_specialist, line_manager, categories):
    log(hse_specialist, org.crew, categories, follow_up=follow_up(line_manager, due_date=timezone.localdate()))
    assert Action.objects.get().due_date == timezone.localdate()


def test_the_default_follow_up_is_due_in_two_weeks():
    assert default_follow_up_due(date(2026, 11, 20)) == date(2026, 12, 4)
    with time_machine.travel(NOW, tick=False):
        assert default_follow_up_due() == date(2026, 12, 4)


# The same form twice -------------------------------------------------------------------------


def test_the_same_form_sent_twice_is_one_observation(org, hse_specialist, categories):
    key = uuid.uuid4()
    first = log(hse_specialist, org.crew, categories, submission_key=key)
    second = log(hse_specialist, org.crew, categories, submission_key=key, description="Changed on the way")
    assert first == second
    assert Observation.objects.count() == 1
    assert AuditEntry.objects.filter(action="observations.observation.logged").count() == 1


def test_without_a_key_two_sends_are_two_observations(org, hse_specialist, categories):
    log(hse_specialist, org.crew, categories)
    log(hse_specialist, org.crew, categories)
    assert Observation.objects.count() == 2


def test_another_users_key_is_refused_not_a_server_error(org, hse_specialist, line_manager, categories):
    key = uuid.uuid4()
    log(hse_specialist, org.crew, categories, submission_key=key)
    with pytest.raises(ValidationError) as error:
        log(line_manager, org.crew, categories, submission_key=key)
    assert "already been sent" in error.value.messages[0]
    assert Observation.objects.count() == 1


def test_a_key_lost_to_a_simultaneous_send_returns_the_winner(org, hse_specialist, categories, monkeypatch):
    """The first lookup misses (the other request has not committed yet); the insert then meets
    the committed key, and the observation already logged is the answer."""
    key = uuid.uuid4()
    winner = log(hse_specialist, org.crew, categories, submission_key=key)
    looked_up = []
    real = services._logged_with_key

    def late(actor, submission_key):
        looked_up.append(submission_key)
        return None if len(looked_up) == 1 else real(actor, submission_key)

    monkeypatch.setattr(services, "_logged_with_key", late)
    assert log(hse_specialist, org.crew, categories, submission_key=key) == winner
    assert looked_up == [key, key]
    assert Observation.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_an_integrity_error_that_is_not_the_key_is_not_hidden(org, hse_specialist, categories, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(Observation, "save", broken_save)
    with pytest.raises(IntegrityError):
        log(hse_specialist, org.crew, categories, submission_key=uuid.uuid4())
    with pytest.raises(IntegrityError):
        log(hse_specialist, org.crew, categories)


def test_a_new_key_is_a_new_observation_even_after_others(org, hse_specialist, categories):
    first = log(hse_specialist, org.crew, categories, submission_key=uuid.uuid4())
    second = log(hse_specialist, org.crew, categories, submission_key=uuid.uuid4())
    assert first != second
    assert Observation.objects.count() == 2


def test_a_follow_up_refusal_on_another_field_keeps_its_name(org, hse_specialist, line_manager, categories):
    errors = refusal(log, hse_specialist, org.crew, categories, follow_up=follow_up(line_manager, priority="bogus"))
    assert list(errors) == ["priority"]
    assert not Observation.objects.exists()


@pytest.mark.parametrize("field", ["description", "feedback_text"])
def test_the_service_caps_free_text_on_its_own(org, hse_specialist, categories, field):
    """Whoever calls the service (an import, a script) meets the cap too, through full_clean()."""
    extra = {"feedback_given": True, "feedback_to": "worker", field: "z" * (LONG_TEXT_MAX_LENGTH + 1)}
    assert list(refusal(log, hse_specialist, org.crew, categories, **extra)) == [field]
    assert not Observation.objects.exists()
    extra[field] = "z" * LONG_TEXT_MAX_LENGTH
    assert len(getattr(log(hse_specialist, org.crew, categories, **extra), field)) == LONG_TEXT_MAX_LENGTH


@pytest.mark.parametrize(("field", "label"), [("description", "what was seen"), ("feedback_text", "what was said")])
def test_the_model_fields_carry_the_cap(field, label):
    model_field = Observation._meta.get_field(field)
    assert (model_field.verbose_name, model_field.max_length) == (label, LONG_TEXT_MAX_LENGTH)
    assert model_field.formfield().max_length == LONG_TEXT_MAX_LENGTH  # the admin's form too
    assert [validator.limit_value for validator in model_field.validators] == [LONG_TEXT_MAX_LENGTH]
    assert Observation._meta.get_field("feedback_text").blank and not Observation._meta.get_field("description").blank
