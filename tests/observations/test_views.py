import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.observations.counts import rebuild_monthly_counts
from apps.observations.models import Observation
from tests.factories import PASSWORD
from tests.observations.conftest import jpeg

TZ = ZoneInfo("Asia/Yekaterinburg")


def form_data(org, categories, **extra):
    return {
        "kind": "unsafe_act",
        "category": categories["lifting"].pk,
        "description": "Load guided by hand from under it",
        "feedback_given": "yes",
        "feedback_to": "worker",
        "feedback_text": "Explained the exclusion zone",
        "risk": "high",
        "unit": org.crew.pk,
        "observed_at": "2026-11-20T09:30",
        **extra,
    }


def test_log_from_the_form_with_a_photo(client_as, org, hse_specialist, categories):
    response = client_as(hse_specialist).post(
        reverse("observations:create"), {**form_data(org, categories), "photos": [jpeg()]}
    )
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == observation.get_absolute_url()
    assert observation.photos.count() == 1
    assert observation.observed_at == datetime(2026, 11, 20, 9, 30, tzinfo=TZ)


def test_bad_input_keeps_everything_typed(client_as, org, hse_specialist, categories):
    data = form_data(org, categories, feedback_to="", description="Slinger under the load at bay 2")
    response = client_as(hse_specialist).post(reverse("observations:create"), data)
    assert response.status_code == 400
    assert "Say to whom the feedback was given." in response.text
    assert "Slinger under the load at bay 2" in response.text
    assert 'id="kind-unsafe_act" value="unsafe_act" autocomplete="off" checked' in response.text
    assert not Observation.objects.exists()


def _sign_in_then_expire(client, user):
    """Sign in through the login page (as a browser does), then lose the session."""
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.session.flush()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


def test_expired_session_keeps_the_observation_until_signed_in_again(client, org, hse_specialist, categories):
    _sign_in_then_expire(client, hse_specialist)
    data = form_data(org, categories, description="Guard missing on the tail pulley")
    response = client.post(reverse("observations:create"), data)  # not signed in any more
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Observation.objects.exists()
    client.force_login(hse_specialist)
    page = client.get(reverse("observations:create"))
    assert "Guard missing on the tail pulley" in page.text
    assert "Here is what you had typed" in page.text
    # Shown once: a second visit starts a fresh form.
    assert "Guard missing on the tail pulley" not in client.get(reverse("observations:create")).text


def test_a_browser_never_signed_in_keeps_nothing(client, org, categories):
    from django.contrib.sessions.models import Session

    data = form_data(org, categories, description="x" * 100_000)
    response = client.post(reverse("observations:create"), data)
    assert response.status_code == 302
    assert not Session.objects.exists()


def test_an_oversized_draft_is_not_kept(client, org, hse_specialist, categories):
    _sign_in_then_expire(client, hse_specialist)
    client.post(reverse("observations:create"), form_data(org, categories, description="y" * 40_000))
    client.force_login(hse_specialist)
    assert "y" * 100 not in client.get(reverse("observations:create")).text


def test_a_draft_is_offered_only_to_the_user_who_typed_it(client, org, hse_specialist, hse_head, categories):
    _sign_in_then_expire(client, hse_specialist)
    client.post(reverse("observations:create"), form_data(org, categories, description="Guard missing at C-3"))
    client.force_login(hse_head)  # someone else signs in on the same browser
    assert "Guard missing at C-3" not in client.get(reverse("observations:create")).text


def test_sign_out_forgets_the_browser(client, org, hse_specialist, categories):
    from django.contrib.sessions.models import Session

    client.post(reverse("accounts:login"), {"username": hse_specialist.username, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    Session.objects.all().delete()
    client.post(reverse("observations:create"), form_data(org, categories))
    assert not Session.objects.exists()


def test_form_defaults_to_the_only_unit_of_the_observer(client_as, org, outsider, categories):
    # More on what the form does not choose for the observer: test_form_defaults.py
    page = client_as(outsider).get(reverse("observations:create")).text
    assert f'<option value="{org.other_shop.pk}" selected>' in page
    assert "never write a worker's name" in page


def test_roles_without_logging_are_refused(client_as, org, executive, categories):
    assert client_as(executive).get(reverse("observations:create")).status_code == 403


def test_detail_photo_and_outsider(client_as, org, hse_specialist, outsider, categories):
    client_as(hse_specialist).post(reverse("observations:create"), {**form_data(org, categories), "photos": [jpeg()]})
    observation = Observation.objects.get()
    picture = observation.photos.get()
    assert client_as(outsider).get(observation.get_absolute_url()).status_code == 404
    assert client_as(outsider).get(reverse("observations:photo", args=[picture.pk])).status_code == 404
    response = client_as(hse_specialist).get(reverse("observations:photo", args=[picture.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_csv_export_follows_the_filters(client_as, org, hse_head, hse_specialist, categories):
    client = client_as(hse_specialist)
    client.post(reverse("observations:create"), form_data(org, categories))
    client.post(reverse("observations:create"), form_data(org, categories, kind="safe_act", feedback_given="no"))
    response = client_as(hse_head).get(reverse("observations:export"), {"kind": "safe_act"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Reference"
    assert len(rows) == 2
    assert rows[1][4] == "Safe act"


@pytest.mark.parametrize("tab", ["mine", "units"])
def test_list_query_count_does_not_grow(client_as, org, hse_specialist, categories, tab, django_assert_max_num_queries):
    client = client_as(hse_specialist)

    def add(count):
        for _ in range(count):
            obs = Observation.objects.create(
                observer=hse_specialist, unit=org.crew, category=categories["ppe"], kind="safe_act", description="x"
            )
            obs.photos.create(image="observations/not-read-by-the-list.jpg")

    add(1)
    client.get(reverse("observations:list"), {"tab": tab})
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("observations:list"), {"tab": tab})
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("observations:list"), {"tab": tab}).status_code == 200


def test_stats_page(client_as, org, hse_head, hse_specialist, categories):
    client_as(hse_specialist).post(reverse("observations:create"), form_data(org, categories))
    page = client_as(hse_head).get(reverse("observations:stats"))
    assert page.status_code == 200
    assert "<svg" in page.text


def test_home_shows_the_observers_month_against_the_target(client_as, org, hse_specialist, categories, settings):
    settings.OBSERVATIONS_MONTHLY_TARGET = 8
    client = client_as(hse_specialist)
    from django.utils import timezone

    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("observations:create"), form_data(org, categories, observed_at=now)).status_code == 302
    page = client.get(reverse("core:home")).text
    assert "1 of 8 observations this month" in page


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "1969-12-31T23:59", "1999-12-31T23:59", "9999-12-31T23:59"])
def test_a_time_outside_the_window_is_refused_by_the_form(client_as, org, hse_specialist, hse_head, categories, when):
    response = client_as(hse_specialist).post(
        reverse("observations:create"), form_data(org, categories, observed_at=when)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["observed_at"]
    assert not Observation.objects.exists()
    client = client_as(hse_head)
    for url in [reverse("observations:list"), reverse("observations:export"), "/api/v1/observations/"]:
        assert client.get(url).status_code == 200


def test_the_form_shows_a_future_time_in_place(client_as, org, hse_specialist, categories):
    from datetime import timedelta

    from django.utils import timezone

    later = (timezone.localtime() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    response = client_as(hse_specialist).post(
        reverse("observations:create"), form_data(org, categories, observed_at=later)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["observed_at"] == ["This cannot be in the future."]
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"), [("description", LONG_TEXT_MAX_LENGTH), ("feedback_text", LONG_TEXT_MAX_LENGTH), ("area", 200)]
)
def test_text_limits_on_the_form(client_as, org, hse_specialist, categories, field, limit):
    client = client_as(hse_specialist)
    response = client.post(reverse("observations:create"), form_data(org, categories, **{field: "y" * (limit + 1)}))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not Observation.objects.exists()
    response = client.post(reverse("observations:create"), form_data(org, categories, **{field: "y" * limit}))
    assert response.status_code == 302
    assert len(getattr(Observation.objects.get(), field)) == limit


FOLLOW_UP = ["action_title", "action_owner", "action_due_date", "action_control_level"]


def _follow_up_data(org, categories, line_manager, **extra):
    follow_up = {
        "needs_action": "on",
        "action_title": "Fit a guard",
        "action_owner": line_manager.pk,
        "action_due_date": (date.today() + timedelta(days=20)).isoformat(),
        "action_control_level": "engineering",
    }
    return form_data(org, categories, **{**follow_up, **extra})


@pytest.mark.parametrize("missing", FOLLOW_UP)
def test_a_follow_up_needs_all_its_fields(client_as, org, hse_specialist, line_manager, categories, missing):
    data = _follow_up_data(org, categories, line_manager, **{missing: ""})
    response = client_as(hse_specialist).post(reverse("observations:create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {missing: ["Needed for the follow-up action."]}
    assert not Observation.objects.exists()


def test_a_follow_up_with_all_its_fields_is_opened(client_as, org, hse_specialist, line_manager, categories):
    from apps.actions.models import Action

    response = client_as(hse_specialist).post(
        reverse("observations:create"), _follow_up_data(org, categories, line_manager)
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.title, action.owner, action.priority) == ("Fit a guard", line_manager, "high")  # risk high


def test_without_the_switch_the_follow_up_fields_are_ignored(client_as, org, hse_specialist, categories):
    from apps.actions.models import Action

    data = form_data(org, categories, action_title="Half typed", action_control_level="ppe")
    assert client_as(hse_specialist).post(reverse("observations:create"), data).status_code == 302
    assert Observation.objects.count() == 1
    assert not Action.objects.exists()


def test_a_follow_up_due_in_the_past_is_shown_at_its_field(client_as, org, hse_specialist, line_manager, categories):
    data = _follow_up_data(
        org, categories, line_manager, action_due_date=(date.today() - timedelta(days=1)).isoformat()
    )
    response = client_as(hse_specialist).post(reverse("observations:create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors == {"action_due_date": ["The due date cannot be in the past."]}
    assert not Observation.objects.exists()


def test_a_follow_up_due_date_outside_the_records_window_is_a_field_error(
    client_as, org, hse_specialist, line_manager, categories
):
    data = _follow_up_data(org, categories, line_manager, action_due_date="0001-01-01")
    response = client_as(hse_specialist).post(reverse("observations:create"), data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["action_due_date"]
    assert not Observation.objects.exists()


def test_a_file_that_is_not_a_photo_is_shown_at_the_photos(client_as, org, hse_specialist, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("shift.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client_as(hse_specialist).post(
        reverse("observations:create"), {**form_data(org, categories), "photos": [fake]}
    )
    assert response.status_code == 400
    assert "shift.jpg: this type of file is not accepted" in response.context["form"].errors["photos"][0]
    assert not Observation.objects.exists()


def test_the_photo_input_accepts_what_the_check_accepts(client_as, org, hse_specialist, categories):
    page = client_as(hse_specialist).get(reverse("observations:create")).text
    assert 'accept="image/jpeg,image/png,image/webp,.jpeg,.jpg,.png,.webp"' in page


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x","y")', "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_csv_cells_never_run_as_formulas(client_as, org, hse_specialist, hse_head, categories, formula):
    from tests.factories import ObservationFactory

    ObservationFactory(
        observer=hse_specialist,
        unit=org.crew,
        category=categories["ppe"],
        description=formula,
        area=formula,
        feedback_given=True,
        feedback_to="worker",
        feedback_text=formula,
    )
    response = client_as(hse_head).get(reverse("observations:export"))
    row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1]
    assert (row[3], row[6], row[9]) == ("'" + formula, "'" + formula, "'" + formula)
    assert row[1][0].isdigit()  # the time stays a time


def test_a_submission_sent_twice_shows_the_saved_observation(client_as, org, hse_specialist, categories):
    import uuid

    data = form_data(org, categories, submission_key=str(uuid.uuid4()))
    client = client_as(hse_specialist)
    first = client.post(reverse("observations:create"), data)
    second = client.post(reverse("observations:create"), data)
    observation = Observation.objects.get()
    assert first["Location"] == second["Location"] == observation.get_absolute_url()


def test_the_stats_page_lists_this_months_observers_and_counts_the_period(
    client_as, org, hse_head, hse_specialist, categories
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.common.dates import day_start, month_start
    from tests.factories import ObservationFactory

    start = day_start(month_start(timezone.localdate()))
    ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"], observed_at=start)
    ObservationFactory(
        observer=hse_specialist, unit=org.crew, category=categories["ppe"], observed_at=start - timedelta(minutes=1)
    )
    rebuild_monthly_counts()  # created directly, not through the service
    response = client_as(hse_head).get(reverse("observations:stats"))
    assert response.context["summary"]["total"] == 2  # the last 12 months (the default period)
    assert [row["count"] for row in response.context["observers"]] == [1]  # this month, against the target


def test_category_choices_are_not_localised_numbers(client_as, org, hse_specialist, categories):
    """With the thousand separator on, a category id of 1234 must not be offered as "1,234"."""
    from apps.observations.models import ObservationCategory

    big = ObservationCategory.objects.create(pk=12345, code="big-id", name_en="Big", name_ru="Big")
    page = client_as(hse_specialist).get(reverse("observations:create")).text
    assert 'id="category-12345" value="12345"' in page
    data = form_data(org, categories, category=str(big.pk))
    assert client_as(hse_specialist).post(reverse("observations:create"), data).status_code == 302
    assert Observation.objects.get().category == big
