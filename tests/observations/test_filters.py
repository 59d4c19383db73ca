"""One filter for the list page, its CSV export and the API list (apps/observations/filters.py)."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.observations.filters import ObservationFilterSet
from apps.observations.models import Observation
from apps.observations.selectors import (
    observation_filter,
    observation_list_for_user,
    observations_in_month,
    observer_month_summary,
    observer_monthly_counts,
    safe_unsafe_trend,
)
from tests.factories import ObservationFactory, UserFactory

TZ = ZoneInfo("Asia/Yekaterinburg")
LIST = reverse("observations:list")
EXPORT = reverse("observations:export")
API = "/api/v1/observations/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def walks(org, hse_specialist, line_manager, categories):
    """A few observations of the specialist and the manager in the shop and its crew."""
    ppe, lifting = categories["ppe"], categories["lifting"]

    def make(observer, unit, kind, category, when, **extra):
        return ObservationFactory(
            observer=observer, unit=unit, kind=kind, category=category, observed_at=when, **extra
        ).reference

    return {
        "a": make(hse_specialist, org.crew, "safe_act", ppe, datetime(2026, 11, 2, 9, tzinfo=TZ)),
        "b": make(
            hse_specialist,
            org.shop,
            "unsafe_act",
            lifting,
            datetime(2026, 11, 5, 9, tzinfo=TZ),
            feedback_given=True,
            feedback_to="worker",
            description="Slinger under the suspended load",
        ),
        "c": make(line_manager, org.crew, "near_miss", lifting, datetime(2026, 11, 9, 9, tzinfo=TZ)),
    }


def page_references(response) -> set[str]:
    return {obs.reference for obs in response.context["page"]}


def api_references(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"a", "b", "c"}),
        ({"tab": "mine"}, {"a", "b"}),
        ({"tab": "units"}, {"a", "b", "c"}),
        ({"kind": "near_miss"}, {"c"}),
        ({"feedback": "yes"}, {"b"}),
        ({"feedback": "no"}, {"a", "c"}),
        ({"date_from": "2026-11-05"}, {"b", "c"}),
        ({"date_to": "2026-11-05"}, {"a", "b"}),
        ({"date_from": "2026-11-05", "date_to": "2026-11-05"}, {"b"}),
        ({"q": "suspended"}, {"b"}),
        ("unit:crew", {"a", "c"}),
        ("category:lifting", {"b", "c"}),
        ("observer:line_manager", {"c"}),
    ],
)
def test_the_page_the_export_and_the_api_filter_alike(
    client_as, walks, org, hse_specialist, line_manager, categories, params, expected
):
    if isinstance(params, str):  # a filter by a row's id, resolved here
        name, key = params.split(":")
        row = {"unit": getattr(org, key, None), "category": categories.get(key), "observer": line_manager}[name]
        params = {name: row.pk}
    wanted = {walks[name] for name in expected}
    client = client_as(hse_specialist)
    page = client.get(LIST, params)
    assert (page.status_code, page_references(page)) == (200, wanted)
    export = client.get(EXPORT, params)
    assert (export.status_code, {row[0] for row in csv_rows(export)[1:]}) == (200, wanted)
    listed = api(hse_specialist).get(API, params)
    assert (listed.status_code, api_references(listed)) == (200, wanted)


BAD_PARAMETERS = [
    ("date_from", "0001-01-01", "before the enterprise"),
    ("date_from", "yesterday", "Enter a valid date."),
    ("date_to", "2026-02-30", "Enter a valid date."),
    ("date_to", "9999-12-31", "years ahead"),
    ("unit", "abc", "Select a valid choice."),
    ("unit", "99999999999999999999", "Select a valid choice."),
    ("kind", "bogus", "Select a valid choice."),
    ("category", "abc", "Select a valid choice."),
    ("observer", "0", "Select a valid choice."),
    ("feedback", "maybe", "Select a valid choice."),
    ("tab", "all", "Select a valid choice."),
    ("q", "x" * 201, "at most 200 characters"),
    ("q", "a\x00b", "Null characters are not allowed."),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD_PARAMETERS)
def test_a_bad_parameter_is_shown_in_place_on_the_page(client_as, walks, hse_specialist, name, value, message):
    response = client_as(hse_specialist).get(LIST, {name: value})
    assert response.status_code == 400
    assert message in response.text
    assert 'class="invalid-feedback d-block"' in response.text or name == "tab"
    assert list(response.context["page"]) == []
    assert response.context["summary"]["total"] == 0
    assert '<details class="card card-body mb-3" open>' in response.text  # the card opens on the error


@pytest.mark.parametrize(("name", "value", "message"), BAD_PARAMETERS)
def test_a_bad_parameter_answers_400_on_the_api(walks, hse_specialist, name, value, message):
    response = api(hse_specialist).get(API, {name: value})
    assert response.status_code == 400
    assert set(response.json()) == {name}
    assert message in response.json()[name][0]


@pytest.mark.parametrize(("name", "value", "message"), BAD_PARAMETERS[:3])
def test_the_export_with_a_bad_filter_is_no_file(client_as, walks, hse_specialist, name, value, message):
    response = client_as(hse_specialist).get(EXPORT, {name: value})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert response["Content-Type"].startswith("text/html")
    assert message in response.text


def test_a_unit_outside_ones_scope_is_a_field_error(client_as, walks, org, hse_specialist):
    ObservationFactory(unit=org.other_shop)
    assert client_as(hse_specialist).get(LIST, {"unit": org.other_shop.pk}).status_code == 400
    response = api(hse_specialist).get(API, {"unit": org.other_shop.pk})
    assert (response.status_code, set(response.json())) == (400, {"unit"})


def test_the_hse_head_may_filter_by_any_unit(client_as, walks, org, hse_head):
    ObservationFactory(unit=org.other_shop, observed_at=datetime(2026, 11, 3, tzinfo=TZ))
    response = client_as(hse_head).get(LIST, {"unit": org.other_shop.pk})
    assert (response.status_code, len(response.context["page"])) == (200, 1)


def test_the_observers_offered_are_those_of_readable_observations(walks, org, hse_specialist, line_manager, rf):
    stranger = UserFactory(role="hse_specialist", units=[org.other_shop])
    ObservationFactory(observer=stranger, unit=org.other_shop)
    request = rf.get(LIST)
    request.user = hse_specialist
    offered = list(
        ObservationFilterSet(queryset=Observation.objects.all(), request=request).form.fields["observer"].queryset
    )
    assert offered == sorted(
        [hse_specialist, line_manager], key=lambda user: (user.last_name, user.first_name, user.pk)
    )


def test_the_card_keeps_the_tab_and_has_the_shared_layout(client_as, walks, hse_specialist):
    page = client_as(hse_specialist).get(LIST, {"tab": "mine", "kind": "safe_act"}).text
    assert '<input type="hidden" name="tab" value="mine">' in page
    assert page.count('name="tab"') == 1  # carried once, by the card's `keep`
    assert 'href="?tab=mine">Clear</a>' in page
    assert 'class="nav-link active" href="?tab=mine"' in page
    assert '<details class="card card-body mb-3" open>' in page  # a filter is set


def test_a_tab_alone_leaves_the_card_closed(client_as, walks, hse_specialist):
    page = client_as(hse_specialist).get(LIST, {"tab": "mine"}).text
    assert '<details class="card card-body mb-3">' in page


def test_the_export_link_carries_the_filters(client_as, walks, hse_specialist):
    page = client_as(hse_specialist).get(LIST, {"kind": "safe_act", "page": "2"}).text
    assert f'href="{EXPORT}?kind=safe_act"' in page


# Day and month bounds in the site's time zone --------------------------------------------------


@pytest.fixture
def month_edge(org, hse_specialist, categories):
    """Two observations 1 hour apart across the end of October, site time (UTC+5): the later one
    is still 31 October in UTC."""
    late = ObservationFactory(
        observer=hse_specialist,
        unit=org.crew,
        category=categories["ppe"],
        observed_at=datetime(2026, 10, 31, 23, 30, tzinfo=TZ),
    )
    early = ObservationFactory(
        observer=hse_specialist,
        unit=org.crew,
        category=categories["ppe"],
        kind="safe_act",
        observed_at=datetime(2026, 11, 1, 0, 30, tzinfo=TZ),
    )
    return late, early


def test_day_filters_follow_the_site_clock(month_edge, hse_specialist):
    late, early = month_edge
    visible = observation_list_for_user(hse_specialist)
    assert list(observation_filter(visible, user=hse_specialist, date_to=date(2026, 10, 31))) == [late]
    assert list(observation_filter(visible, user=hse_specialist, date_from=date(2026, 11, 1))) == [early]
    assert list(
        observation_filter(visible, user=hse_specialist, date_from=date(2026, 10, 31), date_to=date(2026, 10, 31))
    ) == [late]
    assert list(observation_filter(visible, user=hse_specialist, date_from=date(2026, 11, 2))) == []


def test_day_filters_compare_the_raw_column(month_edge, hse_specialist):
    """No cast of observed_at to a date: the index on (unit, observed_at) can serve the filter."""
    visible = observation_list_for_user(hse_specialist)
    sql = str(
        observation_filter(visible, user=hse_specialist, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)).query
    )
    assert "AT TIME ZONE" not in sql and "::date" not in sql and "django_datetime_cast_date" not in sql
    sql = str(observations_in_month(visible, date(2026, 11, 1)).query)
    assert "AT TIME ZONE" not in sql and "::date" not in sql and "django_datetime_cast_date" not in sql


def test_a_month_counts_what_happened_in_it_on_the_site_clock(month_edge, hse_specialist, hse_head):
    late, early = month_edge
    visible = observation_list_for_user(hse_head)
    assert list(observations_in_month(visible, date(2026, 10, 15))) == [late]
    assert list(observations_in_month(visible, date(2026, 11, 1))) == [early]
    october = observer_monthly_counts(visible, month=date(2026, 10, 1))
    november = observer_monthly_counts(visible, month=date(2026, 11, 30))
    assert [row["count"] for row in october] == [1] and [row["count"] for row in november] == [1]
    assert observer_month_summary(hse_specialist, month=date(2026, 10, 1))["total"] == 1
    assert observer_month_summary(hse_specialist, month=date(2026, 11, 1))["total"] == 1
    trend = safe_unsafe_trend(visible, last_month=date(2026, 11, 1), months=2)
    assert trend == [
        {"month": date(2026, 10, 1), "safe": 0, "unsafe": 1},
        {"month": date(2026, 11, 1), "safe": 1, "unsafe": 0},
    ]


def test_the_trend_ignores_months_outside_its_window(month_edge, hse_head):
    visible = observation_list_for_user(hse_head)
    assert safe_unsafe_trend(visible, last_month=date(2026, 10, 1), months=1) == [
        {"month": date(2026, 10, 1), "safe": 0, "unsafe": 1}
    ]
    assert safe_unsafe_trend(visible, last_month=date(2026, 12, 1), months=1) == [
        {"month": date(2026, 12, 1), "safe": 0, "unsafe": 0}
    ]
