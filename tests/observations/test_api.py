import pytest
from rest_framework.test import APIClient

from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.observations.models import Observation
from tests.factories import ObservationCategoryFactory, ObservationFactory, PersonFactory, UserFactory
from tests.observations.conftest import jpeg


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(org, categories, **extra):
    return {
        "unit": org.crew.pk,
        "kind": "unsafe_condition",
        "category": categories["housekeeping"].pk,
        "description": "Oil spill on the walkway",
        **extra,
    }


def test_create_json_and_list(org, hse_specialist, categories):
    response = api(hse_specialist).post("/api/v1/observations/", payload(org, categories), format="json")
    assert response.status_code == 201, response.json()
    listed = api(hse_specialist).get("/api/v1/observations/").json()
    assert [row["description"] for row in listed["results"]] == ["Oil spill on the walkway"]


def test_create_multipart_with_photos(org, line_manager, categories):
    response = api(line_manager).post(
        "/api/v1/observations/",
        {**payload(org, categories), "photos": [jpeg("a.jpg"), jpeg("b.jpg")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["photo_count"] == 2


def test_rules_answer_400_with_field_errors(org, hse_specialist, categories):
    PersonFactory(unit=org.crew, full_name="Zakharov Z. Z.")
    response = api(hse_specialist).post(
        "/api/v1/observations/",
        payload(org, categories, description="Zakharov slipped", feedback_given=True),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"description", "feedback_to"}
    assert not Observation.objects.exists()


def test_unit_outside_scope_is_a_field_error(org, hse_specialist, categories):
    response = api(hse_specialist).post(
        "/api/v1/observations/", payload(org, categories, unit=org.other_shop.pk), format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()


def test_executive_reads_but_does_not_log(org, executive, categories):
    assert api(executive).get("/api/v1/observations/").status_code == 200
    assert api(executive).post("/api/v1/observations/", payload(org, categories), format="json").status_code == 403


def test_categories_are_listed(org, hse_specialist, categories):
    codes = {row["code"] for row in api(hse_specialist).get("/api/v1/observation-categories/").json()["results"]}
    assert {"ppe", "lifting", "housekeeping"} <= codes


def test_the_year_one_is_a_field_error(org, hse_specialist, categories):
    response = api(hse_specialist).post(
        "/api/v1/observations/", payload(org, categories, observed_at="0001-01-01T00:00"), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"observed_at"}
    assert not Observation.objects.exists()


def test_a_time_in_the_future_is_a_field_error(org, hse_specialist, categories):
    from datetime import timedelta

    from django.utils import timezone

    later = (timezone.now() + timedelta(minutes=6)).isoformat()
    response = api(hse_specialist).post(
        "/api/v1/observations/", payload(org, categories, observed_at=later), format="json"
    )
    assert (response.status_code, response.json()) == (400, {"observed_at": ["This cannot be in the future."]})
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("field", "limit"), [("description", LONG_TEXT_MAX_LENGTH), ("feedback_text", LONG_TEXT_MAX_LENGTH), ("area", 200)]
)
def test_text_limits(org, hse_specialist, categories, field, limit):
    extra = {"feedback_given": True, "feedback_to": "crew"}
    too_long = api(hse_specialist).post(
        "/api/v1/observations/", payload(org, categories, **extra, **{field: "y" * (limit + 1)}), format="json"
    )
    assert (too_long.status_code, set(too_long.json())) == (400, {field})
    assert not Observation.objects.exists()
    at_limit = api(hse_specialist).post(
        "/api/v1/observations/", payload(org, categories, **extra, **{field: "y" * limit}), format="json"
    )
    assert at_limit.status_code == 201, at_limit.json()
    assert len(getattr(Observation.objects.get(), field)) == limit


def test_photos_are_checked_by_content_as_on_the_form(org, hse_specialist, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("fake.jpg", b"GIF89a not a jpeg", content_type="image/jpeg")
    response = api(hse_specialist).post(
        "/api/v1/observations/", {**payload(org, categories), "photos": [fake]}, format="multipart"
    )
    assert response.status_code == 400
    assert "fake.jpg: this type of file is not accepted" in response.json()["photos"][0]
    assert not Observation.objects.exists()


def test_six_photos_are_refused(org, hse_specialist, categories):
    response = api(hse_specialist).post(
        "/api/v1/observations/",
        {**payload(org, categories), "photos": [jpeg(f"{n}.jpg") for n in range(6)]},
        format="multipart",
    )
    assert (response.status_code, set(response.json())) == (400, {"photos"})
    assert not Observation.objects.exists()


def test_the_detail_is_not_narrowed_by_list_filters(org, hse_specialist, categories):
    observation = ObservationFactory(observer=hse_specialist, unit=org.crew, category=categories["ppe"])
    response = api(hse_specialist).get(f"/api/v1/observations/{observation.pk}/", {"kind": "safe_act"})
    assert (response.status_code, response.json()["reference"]) == (200, observation.reference)


def _observations(count, org, observer, categories):
    for index in range(count):
        observation = ObservationFactory(
            observer=observer if index % 2 else UserFactory(role="line_manager", units=[org.shop]),
            unit=org.crew if index % 2 else org.shop,
            category=categories["ppe" if index % 3 else "lifting"],
        )
        observation.photos.create(image="observations/not-read-by-the-api.jpg")


@pytest.mark.parametrize("params", [{}, {"tab": "mine"}, {"kind": "unsafe_condition", "q": "spill"}])
def test_list_query_count_does_not_grow(org, hse_specialist, categories, params, django_assert_max_num_queries):
    client = api(hse_specialist)
    _observations(2, org, hse_specialist, categories)
    client.get("/api/v1/observations/", params)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/api/v1/observations/", params).status_code == 200
    _observations(30, org, hse_specialist, categories)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/observations/", params)
    assert response.json()["count"] >= 15


def test_category_list_query_count_does_not_grow(org, hse_specialist, categories, django_assert_max_num_queries):
    client = api(hse_specialist)
    client.get("/api/v1/observation-categories/")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/observation-categories/")
    for index in range(30):
        ObservationCategoryFactory(code=f"extra-{index}", name_en=f"Extra {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/observation-categories/")
    assert response.json()["count"] >= 33
