"""One filter pattern for the organisation's lists: the API answers 400 with the field's error,
the page shows the error in place and answers 400; a unit or site outside the scope is refused,
never silently ignored."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import HoursWorkedFactory, PersonFactory, UnitFactory


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


BAD_PARAMETERS = [
    ("/api/v1/sites/", {"q": "x" * 201}, "q"),
    ("/api/v1/units/", {"kind": "galaxy"}, "kind"),
    ("/api/v1/units/", {"site": "abc"}, "site"),
    ("/api/v1/units/", {"parent": "abc"}, "parent"),
    ("/api/v1/units/", {"is_active": "banana"}, "is_active"),
    ("/api/v1/units/", {"is_active": "1"}, "is_active"),
    ("/api/v1/people/", {"unit": "abc"}, "unit"),
    ("/api/v1/people/", {"unit": "99999999999999999999"}, "unit"),
    ("/api/v1/people/", {"is_foreman": "yes please"}, "is_foreman"),
    ("/api/v1/people/", {"q": "x" * 201}, "q"),
    ("/api/v1/hours-worked/", {"unit": "-1"}, "unit"),
    ("/api/v1/hours-worked/", {"month_from": "0001-01-01"}, "month_from"),
    ("/api/v1/hours-worked/", {"month_from": "yesterday"}, "month_from"),
    ("/api/v1/hours-worked/", {"month_to": "9999-12"}, "month_to"),
    ("/api/v1/hours-worked/", {"month_from": "2026-10", "month_to": "2026-09-30"}, "month_to"),
]


@pytest.mark.parametrize(("url", "params", "field"), BAD_PARAMETERS)
def test_a_malformed_parameter_is_a_400_with_the_fields_error(org, hse_head, url, params, field):
    response = api(hse_head).get(url, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_search_of_200_characters_is_fine(org, hse_head):
    assert api(hse_head).get("/api/v1/people/", {"q": "x" * 200}).status_code == 200


class TestOutOfScope:
    """The choices are the user's units and sites: another's is "not one of the choices"."""

    @pytest.mark.parametrize(
        ("url", "param"),
        [("/api/v1/people/", "unit"), ("/api/v1/hours-worked/", "unit"), ("/api/v1/units/", "parent")],
    )
    def test_a_unit_outside_the_scope_is_refused(self, org, hse_specialist, url, param):
        response = api(hse_specialist).get(url, {param: org.other_shop.pk})
        assert response.status_code == 400
        assert param in response.json()

    def test_a_site_outside_the_scope_is_refused(self, org, hse_specialist):
        response = api(hse_specialist).get("/api/v1/units/", {"site": org.other_shop.site_id})
        assert response.status_code == 400

    def test_a_unit_deep_in_the_scope_is_accepted(self, org, hse_specialist):
        area = UnitFactory(parent=org.crew, kind="area")
        person = PersonFactory(unit=area)
        assert [row["id"] for row in results(api(hse_specialist).get("/api/v1/people/", {"unit": area.pk}))] == [
            person.pk
        ]


class TestFiltersNarrowTheList:
    def test_units(self, org, hse_head):
        closed = UnitFactory(parent=org.shop, kind="area", code="old", is_active=False)
        client = api(hse_head)
        assert [row["code"] for row in results(client.get("/api/v1/units/", {"kind": "crew"}))] == ["flotation"]
        assert [row["id"] for row in results(client.get("/api/v1/units/", {"is_active": "false"}))] == [closed.pk]
        assert closed.pk not in [row["id"] for row in results(client.get("/api/v1/units/", {"is_active": "true"}))]
        assert {row["id"] for row in results(client.get("/api/v1/units/", {"parent": org.shop.pk}))} == {
            org.crew.pk,
            closed.pk,
        }
        assert [row["id"] for row in results(client.get("/api/v1/units/", {"site": org.other_shop.site_id}))] == [
            org.other_shop.pk
        ]
        assert [row["id"] for row in results(client.get("/api/v1/units/", {"q": "old"}))] == [closed.pk]

    def test_people(self, org, hse_head):
        foreman = PersonFactory(unit=org.crew, is_foreman=True, full_name="Aaa")
        left = PersonFactory(unit=org.crew, is_active=False, full_name="Bbb")
        client = api(hse_head)
        assert [row["id"] for row in results(client.get("/api/v1/people/", {"is_foreman": "true"}))] == [foreman.pk]
        assert [row["id"] for row in results(client.get("/api/v1/people/", {"is_active": "false"}))] == [left.pk]
        assert len(results(client.get("/api/v1/people/", {"is_active": "true"}))) == 3
        assert [row["full_name"] for row in results(client.get("/api/v1/people/", {"q": "sidorov"}))] == [
            "Sidorov S. S."
        ]
        assert len(results(client.get("/api/v1/people/", {"unit": org.crew.pk}))) == 3

    def test_hours_worked(self, org, hse_head):
        for month in (9, 10, 11):
            HoursWorkedFactory(unit=org.crew, month=date(2026, month, 1))
        HoursWorkedFactory(unit=org.shop, month=date(2026, 10, 1))
        client = api(hse_head)
        rows = results(client.get("/api/v1/hours-worked/", {"unit": org.crew.pk, "month_from": "2026-10"}))
        assert [row["month"] for row in rows] == ["2026-11-01", "2026-10-01"]
        rows = results(client.get("/api/v1/hours-worked/", {"month_from": "2026-10-15", "month_to": "2026-10-15"}))
        assert [(row["unit"], row["month"]) for row in rows] == [
            (org.shop.pk, "2026-10-01"),
            (org.crew.pk, "2026-10-01"),
        ]

    def test_sites(self, org, hse_head):
        rows = results(api(hse_head).get("/api/v1/sites/", {"q": org.other_shop.site.name}))
        assert [row["id"] for row in rows] == [org.other_shop.site_id]

    def test_an_empty_parameter_is_no_filter(self, org, hse_head):
        response = api(hse_head).get("/api/v1/people/", {"q": "", "unit": "", "is_foreman": ""})
        assert len(results(response)) == 2


class TestPages:
    def test_person_list_shows_a_bad_filter_in_place(self, client_as, org, hse_head):
        response = client_as(hse_head).get(reverse("org:person_list"), {"unit": "abc", "q": "petrov"})
        assert response.status_code == 400
        assert "is-invalid" in response.text
        assert "Select a valid choice" in response.text
        assert 'value="petrov"' in response.text  # what was typed is kept
        assert "Petrov P. P." not in response.text  # no list under a broken filter

    def test_person_list_refuses_a_unit_outside_the_scope(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).get(reverse("org:person_list"), {"unit": org.other_shop.pk})
        assert response.status_code == 400
        assert "Sidorov" not in response.text

    def test_person_list_filters(self, client_as, org, hse_head):
        PersonFactory(unit=org.other_shop, full_name="Kozlov K. K.", job_title="Bus driver", is_foreman=True)
        client = client_as(hse_head)
        response = client.get(reverse("org:person_list"), {"unit": org.other_shop.pk, "q": "bus"})
        assert response.status_code == 200
        assert "Kozlov K. K." in response.text
        assert "Petrov P. P." not in response.text
        response = client.get(reverse("org:person_list"), {"is_foreman": "true"})
        assert "Kozlov K. K." in response.text
        assert "Sidorov S. S." not in response.text
        assert '<details class="card card-body mb-3" open>' in response.text  # the card opens when filtering

    def test_person_list_unit_choices_are_the_scope(self, client_as, org, hse_specialist):
        response = client_as(hse_specialist).get(reverse("org:person_list"))
        assert f'<option value="{org.crew.pk}"' in response.text
        assert f'<option value="{org.other_shop.pk}"' not in response.text

    def test_unit_list_filters_and_shows_errors_in_place(self, client_as, org, hse_head):
        client = client_as(hse_head)
        response = client.get(reverse("org:unit_list"), {"kind": "crew"})
        assert response.status_code == 200
        assert "Flotation crew" in response.text
        assert "Transport shop" not in response.text
        response = client.get(reverse("org:unit_list"), {"kind": "galaxy"})
        assert response.status_code == 400
        assert "is-invalid" in response.text
        assert "Flotation crew" not in response.text

    def test_unit_list_says_when_nothing_matches(self, client_as, org, hse_head):
        response = client_as(hse_head).get(reverse("org:unit_list"), {"q": "no such unit"})
        assert response.status_code == 200
        assert "No unit matches these filters." in response.text

    def test_unit_list_is_paginated(self, client_as, org, hse_head):
        from apps.org.views import UNITS_PER_PAGE

        assert UNITS_PER_PAGE == 100
        type(org.shop.site).objects.filter(pk=org.shop.site_id).update(name="A site")
        type(org.shop.site).objects.filter(pk=org.other_shop.site_id).update(name="Z site")
        UnitFactory.create_batch(UNITS_PER_PAGE - 3 + 1, parent=org.shop, kind="crew", name="Crew x")
        client = client_as(hse_head)
        response = client.get(reverse("org:unit_list"))
        assert "1 / 2" in response.text
        assert 'rel="next"' in response.text
        assert "Transport shop" not in response.text
        response = client.get(reverse("org:unit_list"), {"page": 2})
        assert "Transport shop" in response.text

    def test_unit_list_of_one_page_has_no_page_links(self, client_as, org, hse_head):
        UnitFactory.create_batch(100 - 3, parent=org.shop, kind="crew")
        response = client_as(hse_head).get(reverse("org:unit_list"))
        assert 'rel="next"' not in response.text
        assert "100 records" in response.text
