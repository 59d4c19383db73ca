"""The trainer on a phone: marks each attendee with one tap (the row updates in place, no page
load), delivers the session, then opens the certificate's verification page as anyone would."""

import pytest
from django.utils import timezone

from apps.trainings.models import Attendance
from tests.browser.conftest import PHONE, screenshot
from tests.factories import PersonFactory
from tests.factories.trainings import AttendanceFactory
from tests.trainings.web import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marking_attendance_on_a_phone_and_verifying_the_certificate(
    org, hse_specialist, new_page, sign_in, live_server
):
    world = make_world(org, hse_specialist)
    absent = AttendanceFactory(session=world.session, person=PersonFactory(unit=org.crew, full_name="Sidorova A. A."))
    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}{world.session.get_absolute_url()}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone

    loads = []
    page.on("load", lambda: loads.append(1))
    row = page.locator(f"#att-{world.attendance.pk}")
    row.locator("[data-testid=mark-passed]").tap()
    page.locator(f"#att-{world.attendance.pk}[data-mark=passed]").wait_for()
    assert row.get_by_text("Saved").is_visible()
    page.locator(f"#att-{absent.pk} [data-testid=mark-absent]").tap()
    page.locator(f"#att-{absent.pk}[data-mark=absent]").wait_for()
    assert loads == []  # one tap each, the rows updated in place
    screenshot(page, "trainings-marked-phone")

    world.attendance.refresh_from_db()
    absent.refresh_from_db()
    assert (world.attendance.presence, world.attendance.passed) == ("present", True)
    assert absent.presence == Attendance.Presence.ABSENT
    code = world.attendance.certificate_code
    assert code

    page.get_by_role("button", name="The session took place").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=session-status]").first.inner_text() == "Delivered"

    visitor = new_page(PHONE)  # a phone that scanned the QR code: nobody signed in
    visitor.goto(f"{live_server.url}/trainings/certificates/{code}/")
    result = visitor.locator("[data-testid=verify-result]")
    assert result.get_attribute("data-state") == "valid"
    assert "Petrov P. P." in result.inner_text() and "First aid" in result.inner_text()
    assert str(world.attendance.valid_until.year) in result.inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert visitor.context.cookies() == []
    screenshot(visitor, "trainings-verify-phone")
    assert timezone.localdate() <= world.attendance.valid_until
