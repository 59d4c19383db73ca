import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from apps.core.demo import load_demo_data
from apps.org.models import HoursWorked, Person, StructuralUnit


@pytest.mark.parametrize(
    ("persona_name", "heading"),
    [
        ("hse_specialist", "My units"),
        ("hse_head", "Enterprise structure"),
        ("line_manager", "My shop"),
        ("executive", "Enterprise structure"),
        ("pass_admin", "Units on site"),
        ("system_admin", "Administration"),
    ],
)
def test_each_role_has_its_home_page(client_as, persona, persona_name, heading):
    user = persona(persona_name)
    response = client_as(user).get(reverse("core:home"))
    assert response.status_code == 200
    assert heading in response.text
    assert user.get_role_display() in response.text


def test_language_choice_is_kept_on_the_user(client_as, hse_specialist):
    client = client_as(hse_specialist)
    response = client.post(reverse("core:set_language"), {"language": "ru", "next": "/org/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/units/"
    hse_specialist.refresh_from_db()
    assert hse_specialist.language == "ru"
    client.cookies.clear()
    client.force_login(hse_specialist)
    page = client.get(reverse("org:unit_list"))
    assert "Структурные подразделения" in page.text
    assert page["Content-Language"] == "ru"


def test_language_switch_refuses_foreign_redirects(client_as, hse_specialist):
    response = client_as(hse_specialist).post(
        reverse("core:set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_not_found_page_looks_like_the_app(client_as, hse_specialist):
    response = client_as(hse_specialist).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "HSE Portal" in response.text


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("org:unit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_page_renders(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text


def test_static_assets_are_local(client_as, hse_head):
    page = client_as(hse_head).get(reverse("core:home")).text
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


def test_demo_data_loads_twice_without_duplicates(db):
    from datetime import date

    first = load_demo_data(today=date(2026, 11, 22))
    counts = (StructuralUnit.objects.count(), Person.objects.count(), HoursWorked.objects.count())
    second = load_demo_data(today=date(2026, 11, 22))
    assert first == second
    assert counts == (StructuralUnit.objects.count(), Person.objects.count(), HoursWorked.objects.count())
    assert counts[2] == 9 * 12  # every crew and area has 12 months of hours worked
    assert Person.objects.filter(job_title="Crane operator").exists()
    assert Person.objects.filter(job_title="Mine surveyor").exists()


def _production_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "hse_portal.settings.production", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _production_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_a_secret_key_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("k" * 30 + "-a-long-random-production-secret-0123456789")
    assert _production_settings({"SECRET_KEY_FILE": str(secret)}).returncode == 0


def test_malformed_boolean_setting_is_an_error():
    result = _production_settings({"SECRET_KEY": "x" * 60, "DEBUG": "maybe"})
    assert result.returncode != 0


@pytest.mark.parametrize("persona_name", ["hse_specialist", "hse_head", "line_manager", "executive"])
def test_home_page_query_count_does_not_grow(client_as, persona, persona_name, org, django_assert_max_num_queries):
    from tests.factories import ActionFactory, PersonFactory, UnitFactory

    user = persona(persona_name)
    client = client_as(user)
    from django.core.cache import cache

    client.get(reverse("core:home"))
    cache.clear()  # measure the page as it is built, not as it is kept
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("core:home"))
    for _ in range(10):
        crew = UnitFactory(parent=org.shop, site=org.shop.site, kind="crew")
        PersonFactory.create_batch(3, unit=crew)
        ActionFactory.create_batch(3, unit=crew, owner=user)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("core:home")).status_code == 200


def test_server_error_page_looks_like_the_app_and_needs_no_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"/static/css/portal.css" in response.content
    # A POST that failed kept nothing: the page must not say otherwise.
    assert b"may not have been saved" in response.content and b"was lost" not in response.content


def test_forbidden_page_looks_like_the_app(client_as, executive):
    response = client_as(executive).get(reverse("actions:create"))
    assert response.status_code == 403
    assert "You are not allowed to do this" in response.text


def test_home_unit_tree_is_kept_per_scope_and_follows_a_new_scope(client_as, hse_specialist, org):
    from tests.factories import UnitFactory

    client = client_as(hse_specialist)
    first = client.get(reverse("core:home")).context["tree"]
    assert [row["name"] for row in first][:2] == ["Concentrator", "Flotation crew"]
    UnitFactory(parent=org.shop, site=org.shop.site, kind="crew", name="Reagent crew")  # a new unit: a new scope
    names = [row["name"] for row in client.get(reverse("core:home")).context["tree"]]
    assert "Reagent crew" in names


def test_home_page_works_when_the_cache_is_down(client_as, hse_head, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    assert client_as(hse_head).get(reverse("core:home")).status_code == 200


def test_signing_in_and_out_works_when_the_cache_is_down(client, hse_head, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "set", "delete", "has_key"):
        monkeypatch.setattr(cache, name, broken)
    hse_head.set_password("a-long-password-1")
    hse_head.save()
    response = client.post(reverse("accounts:login"), {"username": hse_head.username, "password": "a-long-password-1"})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).context["user"] == hse_head
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302  # signed out: back to the sign-in page


def test_a_signed_in_request_reads_its_session_from_the_cache(client_as, hse_head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(hse_head)
    client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:home"))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
