"""Hostile input at every form POST and API write of the organisation and of the user's own
account, and at every list's filters: never a server error, and every page and endpoint that
shows the rows still answers 200 afterwards."""

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.org.models import Person
from tests.properties import (
    PROPERTY_SETTINGS,
    assert_no_server_error,
    assert_readable,
    hostile_date,
    hostile_number,
    hostile_text,
)

# What a JSON client may send where a string, a number or an id is expected.
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_number(),
    hostile_text(max_size=300),
    st.lists(st.integers(), max_size=3),
)
month = st.one_of(hostile_date(), hostile_date().map(lambda value: value[:7]), st.sampled_from(["2026-10", "1999-12"]))


def read_urls(org):
    return [
        reverse("org:unit_list"),
        reverse("org:unit_detail", args=[org.crew.pk]),
        reverse("org:person_list"),
        reverse("audit:entry_list"),
        reverse("core:home"),
        reverse("accounts:profile"),
        "/api/v1/sites/",
        "/api/v1/units/",
        "/api/v1/people/",
        "/api/v1/hours-worked/",
    ]


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _unit(org):
    return st.one_of(st.just(org.crew.pk), st.just(org.other_shop.pk), json_value)


@PROPERTY_SETTINGS
@given(data=st.fixed_dictionaries({"month": month, "hours": hostile_number(), "reason": hostile_text()}))
def test_hours_form(client_as, org, hse_specialist, data):
    client = client_as(hse_specialist)
    assert_no_server_error(client.post(reverse("org:hours_record", args=[org.crew.pk]), data))
    assert_readable(client, read_urls(org))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_hours_api(org, hse_specialist, data):
    body = data.draw(
        st.fixed_dictionaries(
            {"unit": _unit(org), "month": st.one_of(month, json_value), "hours": json_value},
            optional={"reason": st.one_of(hostile_text(), json_value)},
        )
    )
    client = api(hse_specialist)
    assert_no_server_error(client.post("/api/v1/hours-worked/", body, format="json"))
    assert_readable(client, read_urls(org)[6:])


def person_body(org):
    text = st.one_of(hostile_text(max_size=400), json_value)
    return st.fixed_dictionaries(
        {},
        optional={
            "full_name": text,
            "personnel_number": text,
            "job_title": text,
            "unit": _unit(org),
            "is_foreman": json_value,
            "is_active": json_value,
        },
    )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_people_api_create(org, hse_head, data):
    client = api(hse_head)
    assert_no_server_error(client.post("/api/v1/people/", data.draw(person_body(org)), format="json"))
    assert_readable(client, read_urls(org)[6:])


@PROPERTY_SETTINGS
@given(data=st.data())
def test_people_api_update(org, hse_head, data):
    person = Person.objects.order_by("pk").first()
    client = api(hse_head)
    body = data.draw(person_body(org))
    method = data.draw(st.sampled_from(["patch", "put"]))
    assert_no_server_error(getattr(client, method)(f"/api/v1/people/{person.pk}/", body, format="json"))
    assert_readable(client, read_urls(org)[6:])


FILTER_PARAMETERS = ["q", "unit", "site", "parent", "kind", "is_active", "is_foreman", "month_from", "month_to", "page"]


@PROPERTY_SETTINGS
@given(
    params=st.dictionaries(
        st.sampled_from(FILTER_PARAMETERS), st.one_of(hostile_text(max_size=300), hostile_number(), hostile_date())
    ),
    url=st.sampled_from(
        ["/api/v1/sites/", "/api/v1/units/", "/api/v1/people/", "/api/v1/hours-worked/", "/org/units/", "/org/people/"]
    ),
)
def test_list_filters(client_as, org, hse_specialist, params, url):
    client = client_as(hse_specialist)
    response = client.get(url, params)
    assert_no_server_error(response)
    assert response.status_code in (200, 400, 404)  # 404: an API page number past the end


@PROPERTY_SETTINGS
@given(
    params=st.dictionaries(
        st.sampled_from(["action", "actor", "date_from", "date_to", "page"]),
        st.one_of(hostile_text(max_size=300), hostile_number(), hostile_date()),
    )
)
def test_audit_log_filters(client_as, org, hse_specialist, params):
    response = client_as(hse_specialist).get(reverse("audit:entry_list"), params)
    assert_no_server_error(response)
    assert response.status_code in (200, 400)


@PROPERTY_SETTINGS
@given(
    language=st.one_of(hostile_text(max_size=50), st.sampled_from(["en", "ru", "", "de", "EN"])),
    next_url=hostile_text(300),
)
def test_language_switch(client_as, org, hse_specialist, language, next_url):
    client = client_as(hse_specialist)
    response = client.post(reverse("core:set_language"), {"language": language, "next": next_url})
    assert_no_server_error(response)
    hse_specialist.refresh_from_db()
    assert hse_specialist.language in ("", "en", "ru")
    assert_readable(client, [reverse("accounts:profile"), reverse("core:home")])


@PROPERTY_SETTINGS
@given(data=st.dictionaries(st.sampled_from(["token", "key", "user"]), hostile_text(max_size=100)))
def test_api_token_renewal(client_as, org, hse_specialist, data):
    client = client_as(hse_specialist)
    assert client.post(reverse("accounts:api_token_renew"), data).status_code == 200
    assert_readable(client, [reverse("accounts:profile")])


@PROPERTY_SETTINGS
@given(username=hostile_text(max_size=400), password=hostile_text(max_size=400))
def test_login(client, org, username, password):
    assert_no_server_error(client.post(reverse("accounts:login"), {"username": username, "password": password}))


@PROPERTY_SETTINGS
@given(
    data=st.fixed_dictionaries(
        {"old_password": hostile_text(200), "new_password1": hostile_text(200), "new_password2": hostile_text(200)}
    )
)
def test_password_change(client_as, org, hse_specialist, data):
    client = client_as(hse_specialist)
    assert_no_server_error(client.post(reverse("accounts:password_change"), data))
