"""A list's filter card reads its choices (units, people, categories) once a minute per scope and
language, not on every page; what a parameter may name is still checked against the table."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _unit_options(response) -> list[str]:
    select = re.search(r'<select[^>]*name="unit".*?</select>', response.content.decode(), re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def _unit_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('FROM "org_structuralunit"' in q["sql"] for q in queries.captured_queries)


def test_the_second_page_view_takes_the_unit_choices_from_the_cache(client_as, hse_head):
    client = client_as(hse_head)
    url = reverse("observations:list")
    first = _unit_queries(client, url)
    assert first >= 1
    assert _unit_queries(client, url) == first - 1


def test_a_unit_added_since_is_a_valid_parameter_at_once_and_listed_after_the_minute(client_as, hse_head, org):
    client = client_as(hse_head)
    url = reverse("observations:list")
    assert "Reagent crew" not in _unit_options(client.get(url))
    new = UnitFactory(parent=org.shop, site=org.shop.site, kind="crew", name="Reagent crew")
    assert client.get(url, {"unit": new.pk}).status_code == 200  # validated against the table
    assert "Reagent crew" not in _unit_options(client.get(url))  # the kept choices, within the minute
    cache.clear()  # the minute is over
    assert "Reagent crew" in _unit_options(client.get(url))


def test_choices_are_kept_per_scope(client_as, hse_head, hse_specialist, outsider):
    url = reverse("observations:list")
    assert "Transport shop" in _unit_options(client_as(hse_head).get(url))
    assert "Transport shop" not in _unit_options(client_as(hse_specialist).get(url))
    assert _unit_options(client_as(outsider).get(url)) == ["All units", "Transport shop"]


def test_choices_are_kept_per_language(client_as, hse_head):
    from django.utils import translation

    client = client_as(hse_head)
    url = reverse("observations:list")
    assert _unit_options(client.get(url))[0] == "All units"
    hse_head.language = "ru"
    hse_head.save()
    with translation.override("ru"):
        options = _unit_options(client.get(url))
    assert options[0] != "All units"


def test_choices_are_kept_for_a_minute(client_as, hse_head, org, monkeypatch):
    import time

    from django.core.cache.backends import locmem

    client = client_as(hse_head)
    url = reverse("observations:list")
    started = time.time()
    client.get(url)
    UnitFactory(parent=org.shop, site=org.shop.site, kind="crew", name="Reagent crew")
    monkeypatch.setattr(locmem.time, "time", lambda: started + 59.5)
    client.force_login(hse_head)  # the session, kept in the same cache, is not what is measured
    assert "Reagent crew" not in _unit_options(client.get(url))
    monkeypatch.setattr(locmem.time, "time", lambda: started + 60.5)
    client.force_login(hse_head)
    assert "Reagent crew" in _unit_options(client.get(url))
