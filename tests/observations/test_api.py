from rest_framework.test import APIClient

from apps.observations.models import Observation
from tests.factories import PersonFactory
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
