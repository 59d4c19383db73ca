import pytest
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


def _grow(org, count=12):
    """More rows of every kind the lists show: sites, units, people, hours worked."""
    from datetime import date

    from tests.factories import HoursWorkedFactory, PersonFactory, UnitFactory

    for index in range(count):
        unit = UnitFactory(parent=org.shop, kind="crew")
        UnitFactory(name=f"Other site shop {index}")
        PersonFactory(unit=unit)
        HoursWorkedFactory(unit=unit, month=date(2026, 1 + index % 10, 1))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/sites/",
        "/api/v1/units/",
        "/api/v1/people/",
        "/api/v1/hours-worked/",
        "/api/v1/units/?kind=crew&is_active=true",
        "/api/v1/people/?is_foreman=false&q=o",
        "/api/v1/hours-worked/?month_from=2026-01",
    ],
)
@pytest.mark.parametrize("persona_name", ["hse_head", "hse_specialist"])
def test_list_query_count_does_not_grow_with_rows(org, persona, persona_name, url, django_assert_max_num_queries):
    from datetime import date

    from tests.factories import HoursWorkedFactory

    HoursWorkedFactory(unit=org.crew, month=date(2026, 11, 1))  # one row of each list to start with
    user = persona(persona_name)
    client = api(user, token=True)
    client.get(url)  # warm up: content types
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    _grow(org)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if url != "/api/v1/":
        assert response.json()["count"] > 0


class TestHoursLimits:
    """The API applies the model's rules: a month that has begun, inside the records; 0 to 10 million."""

    def post(self, org, user, **body):
        return api(user).post(
            "/api/v1/hours-worked/", {"unit": org.crew.pk, "month": "2026-10-01", "hours": "1"} | body, format="json"
        )

    @pytest.mark.parametrize(
        ("month", "status"),
        [("2026-12-31", 201), ("2027-01-01", 400), ("2000-01-01", 201), ("1999-12-31", 400), ("0001-01-01", 400)],
    )
    def test_month_window(self, org, hse_specialist, now, month, status):
        response = self.post(org, hse_specialist, month=month)
        assert response.status_code == status, response.json()
        if status == 400:
            assert list(response.json()) == ["month"]
            assert not HoursWorked.objects.exists()
        else:
            assert response.json()["month"] == month[:8] + "01"

    @pytest.mark.parametrize(
        ("hours", "status"),
        [("0", 201), ("10000000", 201), ("10000000.1", 400), ("-0.1", 400), ("1.25", 400), ("NaN", 400), (1e300, 400)],
    )
    def test_hours_bounds(self, org, hse_specialist, hours, status):
        response = self.post(org, hse_specialist, hours=hours)
        assert response.status_code == status, response.json()
        if status == 400:
            assert list(response.json()) == ["hours"]
            assert not HoursWorked.objects.exists()

    def test_the_note_is_at_most_500_characters(self, org, hse_specialist):
        assert self.post(org, hse_specialist, reason="x" * 501).status_code == 400
        assert not HoursWorked.objects.exists()
        assert self.post(org, hse_specialist, reason="x" * 500).status_code == 201
        assert AuditEntry.objects.get().reason == "x" * 500

    def test_a_role_without_the_capability_is_refused(self, org, line_manager):
        assert self.post(org, line_manager).status_code == 403
        assert not HoursWorked.objects.exists()


class TestPersonLimits:
    def body(self, org, **fields):
        return {
            "full_name": "Orlov O. O.",
            "personnel_number": "N-1",
            "job_title": "Welder",
            "unit": org.crew.pk,
        } | fields

    @pytest.mark.parametrize(("field", "limit"), [("full_name", 200), ("personnel_number", 30), ("job_title", 200)])
    def test_lengths(self, org, hse_head, field, limit):
        client = api(hse_head)
        response = client.post("/api/v1/people/", self.body(org, **{field: "y" * (limit + 1)}), format="json")
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert not Person.objects.filter(job_title="Welder").exists()
        response = client.post("/api/v1/people/", self.body(org, **{field: "y" * limit}), format="json")
        assert response.status_code == 201

    def test_a_nul_character_is_a_field_error(self, org, hse_head):
        response = api(hse_head).post("/api/v1/people/", self.body(org, full_name="a\x00b"), format="json")
        assert response.status_code == 400
        assert "full_name" in response.json()

    def test_a_taken_personnel_number_is_a_field_error(self, org, hse_head):
        taken = Person.objects.first().personnel_number
        response = api(hse_head).post("/api/v1/people/", self.body(org, personnel_number=taken), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["personnel_number"]

    def test_a_move_to_a_unit_outside_the_scope_is_a_field_error(self, org, hse_head):
        person = Person.objects.get(full_name="Petrov P. P.")
        response = api(hse_head).patch(f"/api/v1/people/{person.pk}/", {"unit": 999999}, format="json")
        assert response.status_code == 400
        person.refresh_from_db()
        assert person.unit == org.crew

    def test_an_update_is_logged_once(self, org, hse_head):
        person = Person.objects.get(full_name="Petrov P. P.")
        response = api(hse_head).put(
            f"/api/v1/people/{person.pk}/", self.body(org, personnel_number=person.personnel_number), format="json"
        )
        assert response.status_code == 200, response.json()
        entry = AuditEntry.objects.get(action="org.person.updated")
        assert set(entry.data["changes"]) == {"full_name", "job_title"}
