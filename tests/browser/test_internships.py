"""A worker on a phone scans the crew's QR code: the anonymous form opens with no login, switches to
Russian, takes a kind and a concern and says thank you, fitting the screen and leaving no cookie but
CSRF's. And the HSE specialist records a signal on a phone during the internship."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.internships.feedback import unit_feedback_token
from apps.internships.models import Internship, Signal
from tests.browser.conftest import PHONE, screenshot
from tests.factories import InternshipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_worker_sends_a_concern_in_russian_from_the_qr_code(org, new_page, live_server):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/internships/feedback/{unit_feedback_token(org.crew)}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate(FITS)

    page.locator("[data-testid=language-toggle] a[lang=ru]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("[data-testid=language-toggle] a[lang=ru]").get_attribute("aria-current") == "true"
    assert page.evaluate(FITS)
    height = page.locator("[data-testid=kind-ppe]").bounding_box()["height"]
    assert height >= 48  # a thumb's target
    screenshot(page, "feedback-form-ru-phone")

    page.locator("[data-testid=kind-ppe]").click()
    page.fill("textarea[name=text]", "Нет новых защитных очков, старые поцарапаны")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=thanks]").is_visible()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.evaluate(FITS)
    screenshot(page, "feedback-thanks-ru-phone")

    assert {cookie["name"] for cookie in page.context.cookies()} <= {"csrftoken"}
    signal = Signal.objects.get()
    assert (signal.unit_id, signal.kind, signal.source) == (org.crew.pk, "ppe", "worker_form")
    assert signal.internship_id is None
    assert signal.raw_text == "Нет новых защитных очков, старые поцарапаны"
    assert signal.recorded_on == timezone.localdate()


def test_the_specialist_records_a_signal_on_a_phone(org, hse_specialist, new_page, sign_in, live_server):
    foreman = PersonFactory(unit=org.crew, full_name="Kozlov K. K.", is_foreman=True, job_title="Foreman")
    today = timezone.localdate()
    internship = InternshipFactory(
        unit=org.crew, specialist=hse_specialist, host_foreman=foreman, status=Internship.Status.IN_PROGRESS,
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1),
    )  # fmt: skip
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}{internship.get_absolute_url()}")
    assert page.evaluate(FITS)
    page.locator("[data-testid=record-signal]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=no-names]").is_visible()
    page.locator("[data-testid=kind-rule]").click()
    page.fill("textarea[name=raw_text]", "The permit to work takes an hour, so small jobs go without one")
    assert page.evaluate(FITS)
    screenshot(page, "signal-form-phone")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_load_state("networkidle")

    assert page.url.endswith(internship.get_absolute_url())
    assert page.get_by_text("Signal recorded.").is_visible()
    assert page.locator("[data-testid=signal-count]").inner_text() == "1"
    signal = Signal.objects.get()
    assert (signal.internship_id, signal.kind, signal.recorded_on) == (internship.pk, "rule", today)
