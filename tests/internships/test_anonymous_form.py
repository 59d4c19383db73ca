"""The workers' anonymous QR form: no login, a phone, both languages; it stores the signal with the
date only, writes no other row, sets no cookie but CSRF's, logs neither the address nor the text,
and limits submissions with short-lived keys in the cache (never the database, never the address)."""

import logging
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from apps.audit.models import AuditEntry
from apps.internships import public_views
from apps.internships.feedback import unit_feedback_token
from apps.internships.forms import FEEDBACK_TEXT_MAX_LENGTH
from apps.internships.models import Signal
from apps.notifications.models import OutboxMessage
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 6, 15)
TEXT = "The guard on conveyor 3 is missing since Monday"
ADDRESS = "10.20.30.40"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(14, 37)).replace(tzinfo=SITE), tick=False)


@pytest.fixture
def worker():
    """A worker's phone: no account, CSRF checked as in real life, its own address."""
    return Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDRESS)


def form_url(unit, lang=None):
    url = reverse("internships:feedback_form", args=[unit_feedback_token(unit)])
    return f"{url}?lang={lang}" if lang else url


def submit(client, unit, *, kind="hazard", text=TEXT, lang=None, **extra):
    page = client.get(form_url(unit, lang), **extra)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token, "text": text}
    if kind:
        data["kind"] = kind
    return client.post(form_url(unit, lang or "en"), data, **extra)


def test_it_opens_without_login_on_a_phone(worker, org):
    response = worker.get(form_url(org.crew))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'name="viewport"' in html
    assert org.crew.name in html
    # Kind as big buttons: the five a worker picks from, and nothing else to fill in but the text.
    kinds = re.findall(r'<input type="radio" class="btn-check" name="kind" [^>]*value="([a-z_]+)"', html)
    assert kinds == ["hazard", "idea", "ppe", "tool", "rule"]
    assert set(re.findall(r'<(?:input|textarea|select)[^>]* name="([a-z_]+)"', html)) == {
        "csrfmiddlewaretoken",
        "kind",
        "text",
    }
    assert "No name, no time, nothing about your phone" in html
    # A plain number, whatever the language's thousand separator ("2 000" would cap the text at 2).
    assert f'maxlength="{FEEDBACK_TEXT_MAX_LENGTH}"' in worker.get(form_url(org.crew, "ru")).content.decode()
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("token", ["nonsense", "1.abc", "x" * 300])
def test_it_is_404_for_a_bad_token(worker, org, token):
    assert worker.get(reverse("internships:feedback_form", args=[token])).status_code == 404
    assert worker.get(reverse("internships:feedback_thanks", args=[token])).status_code == 404


def test_it_is_404_for_a_tampered_or_inactive_unit(worker, org):
    token = unit_feedback_token(org.crew)
    unit_id, signature = token.split(".", 1)
    forged = f"{org.other_shop.pk}.{signature}"
    assert worker.get(reverse("internships:feedback_form", args=[forged])).status_code == 404
    closed = UnitFactory(is_active=False)
    assert worker.get(form_url(closed)).status_code == 404


def test_it_follows_the_browser_language(worker, org):
    russian = worker.get(form_url(org.crew), HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert '<html lang="ru">' in russian.content.decode()
    assert russian.headers["Content-Language"] == "ru"
    english = worker.get(form_url(org.crew), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="en">' in english.content.decode()


def test_the_toggle_switches_language_in_the_url_without_a_cookie(worker, org):
    response = worker.get(form_url(org.crew, "ru"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="ru">' in html
    # Each language is a link with ?lang=…; the current one is marked, and the form posts in it.
    assert re.search(r'href="[^"]+\?lang=ru"[^>]*aria-current="true"', html)
    assert re.search(r'href="[^"]+\?lang=en"', html)
    assert f'action="{form_url(org.crew, "ru")}"' in html
    assert set(response.cookies) <= {"csrftoken"}
    # An unknown ?lang= is ignored: the browser's language.
    assert '<html lang="en">' in worker.get(form_url(org.crew, "xx"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_submission_keeps_the_date_only_and_thanks_the_worker(worker, org):
    response = submit(worker, org.crew, kind="ppe", lang="ru")
    thanks = reverse("internships:feedback_thanks", args=[unit_feedback_token(org.crew)])
    assert response.status_code == 302
    assert response["Location"] == f"{thanks}?lang=ru"
    signal = Signal.objects.get()
    assert (signal.unit, signal.internship, signal.source, signal.kind) == (org.crew, None, "worker_form", "ppe")
    assert (signal.raw_text, signal.recorded_on, signal.status) == (TEXT, TODAY, "new")
    page = worker.get(response["Location"])
    assert page.status_code == 200
    assert '<html lang="ru">' in page.content.decode()
    assert 'data-testid="thanks"' in page.content.decode()


def test_no_cookie_but_csrf_and_no_session(worker, org):
    from django.contrib.sessions.models import Session

    page = worker.get(form_url(org.crew))
    assert set(page.cookies) <= {"csrftoken"}
    response = submit(worker, org.crew)
    assert response.status_code == 302
    assert set(response.cookies) <= {"csrftoken"}
    thanks = worker.get(response["Location"])
    assert set(thanks.cookies) <= {"csrftoken"}
    assert set(worker.cookies) <= {"csrftoken"}
    assert Session.objects.count() == 0


def _row_counts() -> dict:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_no_row_but_the_signal_is_written(worker, org):
    from django.contrib.sessions.models import Session

    before = _row_counts()
    assert (before["audit.AuditEntry"], before["sessions.Session"]) == (AuditEntry.objects.count(), 0)
    assert submit(worker, org.crew).status_code == 302
    after = _row_counts()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert changed == {"internships.Signal": (0, 1)}
    assert AuditEntry.objects.count() == before["audit.AuditEntry"]
    assert Session.objects.count() == 0
    assert OutboxMessage.objects.count() == before["notifications.OutboxMessage"]


def test_a_refused_submission_keeps_the_text_in_place(worker, org):
    response = submit(worker, org.crew, kind="")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Pick what it is about." in html
    assert TEXT in html
    assert Signal.objects.count() == 0
    assert set(response.cookies) <= {"csrftoken"}


def test_an_empty_text_is_refused(worker, org):
    response = submit(worker, org.crew, text="   ")
    assert response.status_code == 400
    assert "Write a few words" in response.content.decode()
    assert Signal.objects.count() == 0


def test_five_submissions_in_ten_minutes_then_the_next_waits(worker, org, time_machine):
    for _ in range(public_views.CLIENT_LIMIT):
        assert submit(worker, org.crew).status_code == 302
    refused = submit(worker, org.crew, text="One more thing about the guard")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert 'data-testid="rate-limited"' in html
    assert "One more thing about the guard" in html  # kept for the next try
    assert Signal.objects.count() == public_views.CLIENT_LIMIT
    # The limit is the cache's: keys that name neither the address nor anything but a hash.
    keys = [key for key in cache._cache if "internships:feedback" in key]
    assert keys and not any(ADDRESS in key for key in keys)
    assert any(re.search(r"internships:feedback:client:[0-9a-f]{64}$", key) for key in keys)
    # One second before the window ends: still refused; one second after: accepted again.
    time_machine.shift(timedelta(seconds=public_views.CLIENT_WINDOW_SECONDS - 1))
    assert submit(worker, org.crew).status_code == 429
    time_machine.shift(timedelta(seconds=2))
    assert submit(worker, org.crew).status_code == 302
    assert Signal.objects.count() == public_views.CLIENT_LIMIT + 1


def test_the_limit_is_per_client_and_per_unit(worker, org):
    for _ in range(public_views.CLIENT_LIMIT):
        assert submit(worker, org.crew).status_code == 302
    assert submit(worker, org.crew).status_code == 429
    assert submit(worker, org.other_shop).status_code == 302  # another unit's poster
    neighbour = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.20.30.41")
    assert submit(neighbour, org.crew).status_code == 302  # another phone


def test_clearing_the_cache_lifts_the_limit(worker, org):
    for _ in range(public_views.CLIENT_LIMIT):
        submit(worker, org.crew)
    assert submit(worker, org.crew).status_code == 429
    cache.clear()
    assert submit(worker, org.crew).status_code == 302


def test_a_unit_takes_at_most_so_many_an_hour(org, monkeypatch, time_machine):
    monkeypatch.setattr(public_views, "UNIT_HOURLY_LIMIT", 3)
    phones = [Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.0.0.{n}") for n in range(5)]
    assert [submit(phone, org.crew).status_code for phone in phones] == [302, 302, 302, 429, 429]
    time_machine.shift(timedelta(hours=1))
    assert submit(phones[4], org.crew).status_code == 302


def test_the_client_key_changes_every_day(rf, org, time_machine):
    request = rf.post("/", REMOTE_ADDR=ADDRESS)
    today = public_views._client_key(request, org.crew)
    assert ADDRESS not in today
    assert public_views._client_key(request, org.crew) == today
    time_machine.shift(timedelta(days=1))
    assert public_views._client_key(request, org.crew) != today


def test_a_cache_that_is_down_does_not_silence_a_worker(worker, org, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "add", broken)
    assert submit(worker, org.crew).status_code == 302
    assert Signal.objects.count() == 1


@override_settings(DEBUG=True)  # SQL is logged with its parameters under DEBUG: the hardest case
def test_no_log_record_holds_the_address_or_the_text(worker, org, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    # The settings keep SQL at INFO; even when someone lowers it, the submission stays unlogged.
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    Signal.objects.filter(raw_text="probe").count()
    assert any(record.name == "django.db.backends" for record in caplog.records), "SQL logging is on"
    caplog.clear()
    assert submit(worker, org.crew).status_code == 302
    for _ in range(public_views.CLIENT_LIMIT):
        submit(worker, org.crew)  # the last is refused (429): not logged either
    assert Signal.objects.count() == public_views.CLIENT_LIMIT
    for record in caplog.records:
        seen = f"{record.getMessage()} {vars(record)!r}"
        assert TEXT not in seen, record.name
        assert ADDRESS not in seen, record.name
    assert not any(getattr(record, "request", None) is not None for record in caplog.records)
