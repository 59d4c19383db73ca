import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

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


def test_form_defaults_to_now_and_the_observers_unit(client_as, org, hse_specialist, categories):
    page = client_as(hse_specialist).get(reverse("observations:create")).text
    assert f'<option value="{org.shop.pk}" selected>' in page
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
