"""The pass office on a phone: block a pass with a reason from the pass list, then check the card at
the gate page and see it refused, with the reason. And every contractor page fits a phone's width."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.contractors.models import AccessPass, GateCheck
from tests.browser.conftest import DESKTOP, PHONE, confirm, screenshot
from tests.factories import (
    AccessPassFactory,
    CompanyDocumentFactory,
    CompanyFactory,
    GateCheckFactory,
    WorkerFactory,
    WorkOrderFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crew_pass(org, hse_specialist):
    company = CompanyFactory(name="Stroymontazh LLC")
    order = WorkOrderFactory(company=company, unit=org.crew, responsible=hse_specialist, number="WO-1",
                             title="Pipe welding on the flotation line")  # fmt: skip
    holder = WorkerFactory(company=company, full_name="Ivanov Ivan Ivanovich")
    CompanyDocumentFactory(company=company, kind="insurance", valid_until=timezone.localdate() - timedelta(days=3))
    return AccessPassFactory(number="P-000123", holder=holder, work_order=order, zones=[org.crew])


def test_pass_admin_blocks_a_pass_and_the_gate_refuses_it(pass_admin, crew_pass, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), pass_admin)
    page.goto(f"{live_server.url}/contractors/passes/")
    page.fill("[data-testid=search]", "P-000123")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("Ivanov Ivan Ivanovich").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "Active"

    page.locator("#block summary").click()
    page.get_by_role("button", name="Block the pass").click()  # no reason: refused in place
    confirm(page, then_wait=True)  # the portal asks first: a blocked pass is refused at every gate
    page.wait_for_load_state("networkidle")
    assert page.locator("#block").get_attribute("open") is not None
    assert page.get_by_text("Say why: the reason is kept with the change.", exact=True).is_visible()
    page.fill("#block_reason", "Worked at height without a harness")
    page.get_by_role("button", name="Block the pass").click()
    confirm(page, then_wait=True)
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=status]").inner_text() == "Blocked"
    assert page.get_by_text("At the gate now: refused").is_visible()
    screenshot(page, "pass-blocked-phone")

    page.goto(f"{live_server.url}/contractors/gate/")
    assert page.evaluate("document.activeElement.name") == "number"  # ready to type or scan
    page.fill("input[name=checkpoint]", "Gate 2")
    page.fill("input[name=number]", "p-000123")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state("networkidle")
    verdict = page.locator("[data-testid=verdict]")
    assert verdict.inner_text().startswith("REFUSE")
    assert page.get_by_text("The pass is blocked. Worked at height without a harness").is_visible()
    assert page.get_by_text("Ivanov Ivan Ivanovich").is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["viewport"]["width"]
    screenshot(page, "gate-refused-phone")

    check = GateCheck.objects.get()
    assert (check.allowed, check.checkpoint, check.checked_by) == (False, "Gate 2", pass_admin)
    assert AccessPass.objects.get().status == "blocked"

    # The QR code on the card opens the gate page with the number: checked at once, same checkpoint.
    page.goto(f"{live_server.url}/contractors/gate/?number=P-000123")
    assert page.locator("[data-testid=verdict]").inner_text().startswith("REFUSE")
    assert list(GateCheck.objects.values_list("checkpoint", flat=True)) == ["Gate 2", "Gate 2"]


# A browser that reads QR codes itself (Chrome on Android) with a camera pointed at a card: the
# detector and the camera are stand-ins, the page's own script is what is tried.
FAKE_CAMERA_AND_DETECTOR = """
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() { return Promise.resolve([{ rawValue: " p-000123 " }]); }
};
navigator.mediaDevices.getUserMedia = () => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  canvas.getContext("2d").fillRect(0, 0, 64, 64);
  return Promise.resolve(canvas.captureStream(5));
};
"""


def test_the_gate_scans_the_qr_code_where_the_browser_can(pass_admin, crew_pass, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), pass_admin)
    page.goto(f"{live_server.url}/contractors/gate/")
    assert page.locator("[data-gate-scan]").is_hidden()  # this chromium reads no QR codes: type the number
    page.add_init_script(FAKE_CAMERA_AND_DETECTOR)
    page.goto(f"{live_server.url}/contractors/gate/")
    page.get_by_role("button", name="Scan the QR code").click()
    page.wait_for_selector("[data-testid=verdict]")
    assert page.locator("[data-testid=verdict]").inner_text().startswith("ALLOW")
    assert GateCheck.objects.get().number_presented == "P-000123"


PAGES = [
    ("pass-list", lambda p: "/contractors/passes/"),
    ("pass-detail", lambda p: p.get_absolute_url()),
    ("pass-issue", lambda p: "/contractors/passes/new/"),
    ("gate", lambda p: "/contractors/gate/"),
    ("gate-allow", lambda p: "/contractors/gate/?number=P-000124"),
    ("companies", lambda p: "/contractors/companies/"),
    ("company", lambda p: p.company.get_absolute_url()),
    ("worker", lambda p: p.holder.get_absolute_url()),
    ("work-orders", lambda p: "/contractors/work-orders/"),
    ("work-order", lambda p: p.work_order.get_absolute_url()),
    ("home", lambda p: "/"),
]


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_contractor_pages_fit_the_screen(pass_admin, hse_head, org, crew_pass, new_page, sign_in, live_server,
                                         size_name):  # fmt: skip
    size = PHONE if size_name == "phone" else DESKTOP
    AccessPassFactory(number="P-000124", work_order=crew_pass.work_order, zones=[org.crew, org.shop])
    AccessPassFactory(number="P-000125", status="blocked", status_reason="Fight at the canteen",
                      work_order=crew_pass.work_order, zones=[org.crew])  # fmt: skip
    GateCheckFactory(access_pass=crew_pass, allowed=False, checkpoint="Gate 1",
                     reasons=[{"code": "pass_suspended", "detail": "Holiday"}])  # fmt: skip
    for user in (pass_admin, hse_head):
        page = sign_in(new_page(size), user)
        for name, url in PAGES:
            if name == "pass-issue" and user == hse_head:
                continue  # the pass office's alone
            response = page.goto(f"{live_server.url}{url(crew_pass)}")
            assert response.status == 200, name
            screenshot(page, f"contractors-{name}-{user.role}-{size_name}")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= size["viewport"]["width"], f"{name} is {width}px wide for {user.role}"
