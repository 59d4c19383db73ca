import io

import pytest

from apps.actions.models import Action
from apps.audits import services
from apps.audits.models import Audit
from tests.audits.conftest import ITEMS
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 180, 0)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_specialist_runs_a_planned_audit_on_a_phone(
    org, hse_specialist, hse_head, line_manager, new_page, sign_in, live_server, tmp_path
):
    from django.utils import timezone

    template = services.template_create(
        actor=hse_head, name="Workplace walk-through", code="walk", items=[dict(item) for item in ITEMS]
    )
    services.plan_entry_create(
        actor=hse_head, unit=org.crew, auditor=hse_specialist, month=timezone.localdate(), template=template
    )
    photo = _jpeg(tmp_path / "spill.jpg")

    page = sign_in(new_page(PHONE), hse_specialist)
    page.goto(f"{live_server.url}/audits/")
    page.get_by_role("button", name="Start audit").click()
    page.wait_for_load_state("networkidle")
    cards = page.locator("[data-testid=item-card]")
    assert cards.count() == 3

    # Non-compliant without a comment: the card says so, and keeps the choice.
    first = cards.nth(0)
    first.get_by_text("Non-compliant", exact=True).click()
    first.get_by_role("button", name="Save item").click()
    first = page.locator("[data-testid=item-card]").nth(0)
    first.get_by_text("Describe what is not compliant.").wait_for()
    assert first.locator("input[value=non_compliant]").is_checked()
    first.locator("textarea").fill("Slurry spill on the walkway, no barrier")
    first.locator("input[type=file]").set_input_files(str(photo))
    first.get_by_role("button", name="Save item").click()
    page.locator("[data-testid=item-card]").nth(0).locator("[data-testid=saved]").wait_for()

    for index in (1, 2):
        card = page.locator("[data-testid=item-card]").nth(index)
        card.get_by_text("Compliant", exact=True).click()
        card.get_by_role("button", name="Save item").click()
        page.locator("[data-testid=item-card]").nth(index).locator("[data-testid=saved]").wait_for()
    assert page.locator("[data-testid=progress]").inner_text() == "3 / 3"
    screenshot(page, "audit-conduct-phone")

    page.get_by_role("link", name="Finish the audit").click()
    assert page.locator("[data-testid=preview-score]").inner_text() == "83.3%"  # weights 1 NC, 3 + 2 compliant
    page.get_by_role("button", name="Complete the audit").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=score]").inner_text() == "Score: 83.3%"
    assert page.locator("img.photo-thumb").count() == 1
    screenshot(page, "audit-completed-phone")

    audit = Audit.objects.get()
    assert audit.status == Audit.Status.COMPLETED
    action = Action.objects.get()
    assert (action.owner, action.source_kind.code) == (line_manager, "safety_audit")
    response = page.request.get(f"{live_server.url}/audits/{audit.pk}/report.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
