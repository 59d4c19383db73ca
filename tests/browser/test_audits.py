"""Conducting a safety audit on a phone: every answer is saved when it is given (by tapping only),
each item says whether it is saved, a dropped connection keeps the answer and retries it, and
Finish refuses while an answer is not saved, naming the item."""

import io

import pytest

from apps.actions.models import Action
from apps.audits import services
from apps.audits.models import Audit, AuditAnswer
from tests.audits.conftest import ITEMS
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (240, 180, 0)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def planned(org, hse_specialist, hse_head):
    from django.utils import timezone

    template = services.template_create(
        actor=hse_head, name="Workplace walk-through", code="walk", items=[dict(item) for item in ITEMS]
    )
    return services.plan_entry_create(
        actor=hse_head, unit=org.crew, auditor=hse_specialist, month=timezone.localdate(), template=template
    )


def _start(page, live_server):
    page.goto(f"{live_server.url}/audits/")
    page.get_by_role("button", name="Start audit").tap()
    page.wait_for_load_state("networkidle")
    cards = page.locator("[data-testid=item-card]")
    assert cards.count() == 3
    return cards


def _state(card):
    return card.locator("[data-testid=answer-state]")


def _saved(card):
    _state(card).get_by_text("Saved", exact=True).wait_for()


def test_specialist_answers_by_tapping_survives_a_dropped_connection_and_finishes(
    planned, hse_specialist, line_manager, new_page, sign_in, live_server, tmp_path
):
    page = sign_in(new_page(PHONE), hse_specialist)
    context = page.context
    cards = _start(page, live_server)
    first, second, third = cards.nth(0), cards.nth(1), cards.nth(2)
    assert not page.get_by_role("button", name="Save item").first.is_visible()  # saved as given

    # Non-compliant waits for its comment, and says so; the comment is saved after a pause.
    first.get_by_text("Non-compliant", exact=True).tap()
    first.get_by_text("Describe what is not compliant").wait_for()
    _state(first).get_by_text("Not saved").wait_for()
    first.locator("textarea").fill("Slurry spill on the walkway, no barrier")
    _saved(first)
    first.locator("input[type=file]").set_input_files(str(_jpeg(tmp_path / "spill.jpg")))
    first.locator("[data-testid=photo-thumb]").wait_for()
    _saved(first)

    second.get_by_text("Compliant", exact=True).tap()
    _saved(second)
    assert page.locator("[data-testid=progress]").inner_text() == "2 / 3"

    # The connection drops while the third item is answered: the answer stays on the page.
    context.set_offline(True)
    third.get_by_text("Compliant", exact=True).tap()
    _state(third).get_by_text("Not saved").wait_for()
    third.get_by_role("button", name="Retry").wait_for()
    assert third.locator("input[value=compliant]").is_checked()
    page.locator("#finish-audit").tap(force=True)  # shown as disabled; a tap is still answered
    blocked = page.locator("[data-testid=finish-blocked]")
    blocked.wait_for()
    assert "3" in blocked.inner_text() and "not saved" in blocked.inner_text()
    assert page.url.endswith("/conduct/")
    third.get_by_role("button", name="Retry").tap()  # still offline: still not saved
    _state(third).get_by_text("Not saved").wait_for()
    assert AuditAnswer.objects.get(item__order=3).result == ""

    # Back online: the answer is sent again by itself.
    context.set_offline(False)
    _saved(third)
    assert blocked.is_hidden()
    assert page.locator("[data-testid=progress]").inner_text() == "3 / 3"
    assert AuditAnswer.objects.get(item__order=3).result == "compliant"
    screenshot(page, "audit-conduct-phone")

    page.locator("#finish-audit").tap()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=preview-score]").inner_text() == "83.3%"  # weights 1 NC, 3 + 2 compliant
    page.get_by_role("button", name="Complete the audit").tap()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=score]").inner_text() == "Score: 83.3%"
    assert page.locator("img.photo-thumb").count() == 1
    screenshot(page, "audit-completed-phone")

    audit = Audit.objects.get()
    assert audit.status == Audit.Status.COMPLETED
    assert audit.answers.get(item__order=1).comment == "Slurry spill on the walkway, no barrier"
    action = Action.objects.get()
    assert (action.owner, action.source_kind.code) == (line_manager, "safety_audit")
    response = page.request.get(f"{live_server.url}/audits/{audit.pk}/report.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_a_failed_save_is_retried_with_one_tap(planned, hse_specialist, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), hse_specialist)
    cards = _start(page, live_server)
    card = cards.nth(1)
    failures = []

    def drop(route):
        failures.append(route.request.url)
        route.abort("internetdisconnected")

    page.route("**/audits/*/items/*/", drop)
    card.get_by_text("Not applicable", exact=True).tap()
    card.get_by_role("button", name="Retry").wait_for()
    page.wait_for_function("() => true")  # let the first automatic retry (after 2 s) fail too
    page.wait_for_timeout(2500)
    assert len(failures) >= 2
    _state(card).get_by_text("Not saved").wait_for()

    page.unroute("**/audits/*/items/*/")
    card.get_by_role("button", name="Retry").tap()  # the next automatic retry is seconds away
    _saved(card)
    assert card.get_by_role("button", name="Retry").is_hidden()
    assert AuditAnswer.objects.get(item__order=2).result == "not_applicable"


def test_an_unsaved_answer_blocks_finish_naming_the_item(planned, hse_specialist, new_page, sign_in, live_server):
    page = sign_in(new_page(PHONE), hse_specialist)
    cards = _start(page, live_server)
    for index in (0, 2):
        cards.nth(index).get_by_text("Compliant", exact=True).tap()
        _saved(cards.nth(index))

    page.route("**/audits/*/items/*/", lambda route: route.fulfill(status=502, body="Bad gateway"))
    cards.nth(1).get_by_text("Compliant", exact=True).tap()
    cards.nth(1).get_by_role("button", name="Retry").wait_for()
    page.locator("#finish-audit").tap(force=True)  # shown as disabled; a tap is still answered
    blocked = page.locator("[data-testid=finish-blocked]")
    blocked.wait_for()
    assert "not saved yet: 2." in blocked.inner_text()
    assert page.url.endswith("/conduct/")
    assert Audit.objects.get().status == Audit.Status.IN_PROGRESS
    assert AuditAnswer.objects.get(item__order=2).result == ""
