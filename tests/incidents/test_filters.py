"""One filter pattern for the incident list page and every API list of the app: a malformed
parameter answers 400 with the field's error (the page shows it in place), never 500 and never a
filter silently ignored. Dates are the site's days: an incident late on the last day is in."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.common.dates import day_after_start, day_start

from .helpers import make_incident, make_investigation

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(org, hse_specialist):
    """Two incidents in the main crew (one investigated), one near miss in another site's shop."""
    crew = make_incident(org.crew, hse_specialist, location="Crew place")
    make_investigation(crew, hse_specialist, status="analysis")
    make_incident(org.other_shop, hse_specialist, type="near_miss", classification="none", days_lost=0,
                  location="Other place", occurred_at=datetime(2026, 3, 1, 10, tzinfo=UTC))  # fmt: skip
    return crew


MALFORMED = [
    ({"date_from": "0001-01-01"}, "date_from", "before the enterprise"),
    ({"date_to": "9999-12-31"}, "date_to", "years ahead"),
    ({"date_from": "yesterday"}, "date_from", "Enter a valid date"),
    ({"date_from": "2026-02-30"}, "date_from", "Enter a valid date"),
    ({"date_from": "2026-10-02", "date_to": "2026-10-01"}, "date_to", "before its start"),
    ({"unit": "abc"}, "unit", "Select a valid choice"),
    ({"unit": "99999999999999999999"}, "unit", "Select a valid choice"),
]


def _out_of_scope(org):
    return {"unit": org.other_shop.pk}


class TestIncidentListPage:
    url = reverse("incidents:list")

    def test_filters_narrow_the_list(self, client_as, rows, hse_head, org):
        client = client_as(hse_head)
        page = client.get(self.url, {"type": "near_miss"}).text
        assert "Other place" in page and "Crew place" not in page
        page = client.get(self.url, {"unit": org.shop.pk, "classification": "lost_time"}).text
        assert "Crew place" in page and "Other place" not in page

    @pytest.mark.parametrize(("params", "field", "message"), [
        *MALFORMED, ({"type": "explosion"}, "type", "Select a valid choice"),
        ({"classification": "serious"}, "classification", "Select a valid choice"),
    ])  # fmt: skip
    def test_a_malformed_parameter_is_shown_in_place_with_400(self, client_as, rows, hse_head, params, field, message):
        response = client_as(hse_head).get(self.url, params)
        assert response.status_code == 400
        assert message in response.text
        assert f'id="id_{field}"' in response.text and "is-invalid" in response.text
        assert "Crew place" not in response.text  # an empty list, not an unfiltered one

    def test_a_unit_out_of_scope_is_an_unknown_choice(self, client_as, rows, hse_specialist, org):
        response = client_as(hse_specialist).get(self.url, _out_of_scope(org))
        assert response.status_code == 400 and "Select a valid choice" in response.text

    def test_the_page_uses_the_shared_filter_card_and_keeps_the_filter_in_pagination(self, client_as, org,
                                                                                     hse_specialist):  # fmt: skip
        for n in range(30):
            make_incident(org.crew, hse_specialist, location=f"Bay {n}")
        page = client_as(hse_specialist).get(self.url, {"type": "injury"}).text
        assert '<summary class="fw-semibold"><i class="bi bi-funnel me-1"></i>Filters</summary>' in page
        assert '<details class="card card-body mb-3" open>' in page
        assert "?type=injury&amp;page=2" in page


class TestApiLists:
    @pytest.mark.parametrize("name", ["api:incident-list", "api:investigation-list"])
    @pytest.mark.parametrize(("params", "field", "message"), MALFORMED)
    def test_a_malformed_parameter_answers_400_with_the_fields_error(self, client_as, rows, hse_head, name, params,
                                                                     field, message):  # fmt: skip
        response = client_as(hse_head).get(reverse(name), params)
        assert response.status_code == 400
        assert message in " ".join(response.json()[field])

    @pytest.mark.parametrize(("name", "params", "field"), [
        ("api:incident-list", {"type": "explosion"}, "type"),
        ("api:incident-list", {"classification": "serious"}, "classification"),
        ("api:investigation-list", {"status": "finished"}, "status"),
    ])  # fmt: skip
    def test_an_unknown_choice_answers_400(self, client_as, rows, hse_head, name, params, field):
        response = client_as(hse_head).get(reverse(name), params)
        assert response.status_code == 400 and field in response.json()

    @pytest.mark.parametrize("name", ["api:incident-list", "api:investigation-list"])
    def test_a_unit_out_of_scope_answers_400(self, client_as, rows, hse_specialist, org, name):
        response = client_as(hse_specialist).get(reverse(name), _out_of_scope(org))
        assert response.status_code == 400 and "unit" in response.json()

    def test_incidents_filter_by_type_unit_classification(self, client_as, rows, hse_head, org):
        client = client_as(hse_head)

        def locations(**params):
            return {row["location"] for row in client.get(reverse("api:incident-list"), params).json()["results"]}

        assert locations(type="near_miss") == {"Other place"}
        assert locations(unit=org.shop.pk) == {"Crew place"}  # the shop with its crew
        assert locations(classification="lost_time") == {"Crew place"}
        assert locations(date_to="2026-03-01") == {"Other place"}

    def test_investigations_filter_by_status_and_unit(self, client_as, rows, hse_head, org, hse_specialist):
        other = make_investigation(make_incident(org.other_shop, hse_specialist), hse_specialist, status="opened")
        client = client_as(hse_head)

        def ids(**params):
            return {row["id"] for row in client.get(reverse("api:investigation-list"), params).json()["results"]}

        assert ids(status="opened") == {other.pk}
        assert ids(unit=org.crew.pk) == {rows.investigation.pk}
        assert ids(date_from="2026-10-05", date_to="2026-10-05") == {rows.investigation.pk, other.pk}

    @pytest.mark.parametrize("name", ["api:why-chain-list", "api:cause-tree-fact-list", "api:cause-tree-link-list"])
    def test_the_analysis_lists_filter_by_an_investigation_in_scope(self, client_as, rows, org, hse_specialist,
                                                                    outsider, name):  # fmt: skip
        from apps.incidents import services

        investigation = rows.investigation
        other = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
        for inv in (investigation, other):
            services.chain_add(actor=hse_specialist, investigation=inv, problem_statement="Why?")
            final = services.fact_add(actor=hse_specialist, investigation=inv, text="Hand caught")
            services.fact_add(actor=hse_specialist, investigation=inv, text="Reached in", leads_to=final)
        client = client_as(hse_specialist)
        rows_of = client.get(reverse(name), {"investigation": investigation.pk}).json()["results"]
        assert rows_of and {row["investigation"] for row in rows_of} == {investigation.pk}
        assert len(client.get(reverse(name)).json()["results"]) == 2 * len(rows_of)
        for bad in ("abc", "99999999999999999999", str(other.pk + 1000)):
            response = client.get(reverse(name), {"investigation": bad})
            assert response.status_code == 400 and "investigation" in response.json()
        # An investigation the user does not see is not a choice either.
        response = client_as(outsider).get(reverse(name), {"investigation": investigation.pk})
        assert response.status_code == 400


@pytest.mark.parametrize("name", ["api:incident-list", "api:investigation-list"])
def test_dates_are_the_sites_days(client_as, org, hse_head, hse_specialist, name):
    day = date(2026, 10, 5)
    last_minute = day_after_start(day) - timezone.timedelta(minutes=1)
    first_minute = day_start(day)
    late = make_incident(org.crew, hse_specialist, occurred_at=last_minute, location="Late")
    early = make_incident(org.crew, hse_specialist, occurred_at=first_minute, location="Early")
    before = make_incident(org.crew, hse_specialist, occurred_at=first_minute - timezone.timedelta(minutes=1),
                           location="Before")  # fmt: skip
    after = make_incident(org.crew, hse_specialist, occurred_at=day_after_start(day), location="After")
    for incident in (late, early, before, after):
        make_investigation(incident, hse_specialist)
    client = client_as(hse_head)
    results = client.get(reverse(name), {"date_from": day, "date_to": day}).json()["results"]
    key = "id" if name == "api:incident-list" else "incident"
    assert {row[key] for row in results} == {late.pk, early.pk}


def test_the_schema_documents_the_filters_and_the_conflicts(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    def params(path):
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert {"type", "unit", "classification", "date_from", "date_to", "page"} <= params("/api/v1/incidents/")
    assert {"status", "unit", "date_from", "date_to"} <= params("/api/v1/investigations/")
    for path in ("/api/v1/why-chains/", "/api/v1/cause-tree-facts/", "/api/v1/cause-tree-links/"):
        assert "investigation" in params(path)
        assert "409" in paths[path]["post"]["responses"]
    assert "409" in paths["/api/v1/investigations/{id}/transition/"]["post"]["responses"]
    assert "409" in paths["/api/v1/why-chains/{id}/whys/"]["post"]["responses"]
    for method in ("patch", "put", "delete"):
        assert "409" in paths["/api/v1/cause-tree-facts/{id}/"][method]["responses"]
    assert "409" in paths["/api/v1/cause-tree-links/{id}/"]["delete"]["responses"]


def test_date_filters_compare_the_raw_column(db):
    """`occurred_at >= <the day's start>`, not `occurred_at::date >= <day>`: the index serves."""
    from apps.incidents.models import Incident, Investigation
    from apps.incidents.selectors import incident_filter, investigation_filter

    day = date(2026, 10, 5)
    for rows in (
        incident_filter(Incident.objects.all(), date_from=day, date_to=day),
        investigation_filter(Investigation.objects.all(), date_from=day, date_to=day),
    ):
        sql = str(rows.query).upper()
        assert "AT TIME ZONE" not in sql and "::DATE" not in sql and "DATE(" not in sql
        assert '"OCCURRED_AT" >=' in sql and '"OCCURRED_AT" <' in sql
