from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.audit.models import AuditEntry
from apps.org.models import HoursWorked, Person


def api(user=None, token=False):
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_is_refused(org):
    response = api().get("/api/v1/units/")
    assert response.status_code == 401


def test_token_auth_lists_only_units_in_scope(org, hse_specialist):
    response = api(hse_specialist, token=True).get("/api/v1/units/")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == {"concentrator", "flotation"}


def test_outsider_gets_404_on_a_person_outside_scope(org, outsider):
    person = Person.objects.get(full_name="Petrov P. P.")
    assert api(outsider).get(f"/api/v1/people/{person.pk}/").status_code == 404


def test_create_person_reports_field_errors(org, hse_head):
    response = api(hse_head).post("/api/v1/people/", {"full_name": "", "unit": org.crew.pk}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"full_name", "personnel_number", "job_title"}


def test_create_person_is_logged(org, hse_head):
    response = api(hse_head).post(
        "/api/v1/people/",
        {"full_name": "Orlov O. O.", "personnel_number": "N-1", "job_title": "Welder", "unit": org.crew.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert AuditEntry.objects.filter(action="org.person.created", actor=hse_head).exists()


def test_specialist_may_not_create_people(org, hse_specialist):
    response = api(hse_specialist).post("/api/v1/people/", {}, format="json")
    assert response.status_code == 403


def test_delete_is_not_offered(org, hse_head):
    person = Person.objects.first()
    assert api(hse_head).delete(f"/api/v1/people/{person.pk}/").status_code == 405


def test_hours_for_a_unit_outside_scope_is_a_field_error(org, hse_specialist):
    response = api(hse_specialist).post(
        "/api/v1/hours-worked/", {"unit": org.other_shop.pk, "month": "2026-10-01", "hours": "10"}, format="json"
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not HoursWorked.objects.exists()


def test_hours_post_twice_replaces_the_figure(org, hse_specialist):
    client = api(hse_specialist)
    for hours in ("100.0", "120.0"):
        response = client.post(
            "/api/v1/hours-worked/", {"unit": org.crew.pk, "month": "2026-10-01", "hours": hours}, format="json"
        )
        assert response.status_code == 201, response.json()
    assert HoursWorked.objects.get().hours == 120


def test_negative_hours_answer_400_not_500(org, hse_specialist):
    response = api(hse_specialist).post(
        "/api/v1/hours-worked/", {"unit": org.crew.pk, "month": "2026-10-01", "hours": "-1"}, format="json"
    )
    assert response.status_code == 400
    assert "hours" in response.json()


def test_schema_and_docs_are_served_offline(client, org):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/people/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower()
    assert "/static/drf_spectacular_sidecar/" in docs.text
