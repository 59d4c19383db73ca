"""Every role's journey through the portal in a real browser, on a phone (390 × 844) and on a desktop
(1366 × 900), in English and in Russian: each step does the work through the pages as the user would,
the records it leaves are checked in the database, and every screen passes the layout check (nothing
wider than the screen, no primary button out of reach, no chart or diagram text under 12 px) and is
saved as a screenshot under test-artifacts/ (journey-<role>-<nn>-<step>-<size>-<language>.png)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.actions.models import Action
from apps.audits import services as audit_services
from apps.audits.models import Audit
from apps.contractors.models import AccessPass, GateCheck
from apps.incidents.models import CauseTreeFact, Investigation, WhyChain
from apps.internships.feedback import unit_feedback_token
from apps.internships.models import Internship, Signal
from apps.kpis import reports
from apps.kpis.models import Escalation, KpiSnapshot, KpiTarget, MonthlyReport
from apps.observations.models import Observation
from tests.audits.conftest import ITEMS
from tests.browser.journeys import LAYOUT_PROBLEMS, MIN_CHART_TEXT_PX, RUNS, SIZES, start
from tests.factories import (
    AccessPassFactory,
    ActionFactory,
    CompanyFactory,
    InternshipFactory,
    PersonFactory,
    UserFactory,
    WorkerFactory,
    WorkOrderFactory,
)
from tests.incidents.helpers import make_incident, make_investigation, planned_and_covered
from tests.observations.conftest import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.journey, pytest.mark.django_db(transaction=True)]


def last_month():
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_hse_specialist_observes_audits_and_records_a_signal(
    size, language, org, hse_specialist, hse_head, line_manager, categories, new_page, sign_in, live_server, tmp_path
):
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(jpeg().read())
    template = audit_services.template_create(
        actor=hse_head, name="Workplace walk-through", code="walk", items=[dict(item) for item in ITEMS]
    )
    audit_services.plan_entry_create(
        actor=hse_head, unit=org.crew, auditor=hse_specialist, month=timezone.localdate(), template=template
    )
    foreman = PersonFactory(unit=org.crew, full_name="Kozlov K. K.", is_foreman=True, job_title="Foreman")
    internship = InternshipFactory(
        unit=org.crew, specialist=hse_specialist, host_foreman=foreman, status=Internship.Status.IN_PROGRESS,
        starts_on=timezone.localdate() - timedelta(days=1), ends_on=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    journey = start(new_page, sign_in, live_server, hse_specialist, size, language, "hse-specialist")
    page = journey.page

    # An observation with feedback on the spot and a photo.
    journey.go("/observations/new/")
    journey.choose(page, "kind", "unsafe_condition")
    journey.choose(page, "category", str(categories["housekeeping"].pk))
    page.fill("textarea[name=description]", "Pallets block the emergency exit of bay 2")
    journey.choose(page, "risk", "high")
    journey.choose(page, "feedback_given", "yes")
    journey.choose(page, "feedback_to", "crew")
    page.fill("textarea[name=feedback_text]", "Asked the crew to clear it before the shift")
    unit = page.locator("select[name=unit]")
    if unit.is_visible():
        unit.select_option(str(org.crew.pk))
    page.set_input_files("input[name=photos]", str(photo))
    journey.screen("observation-form")
    journey.submit(page.locator("form button[type=submit].btn-primary").last)
    observation = Observation.objects.get()
    assert page.url.endswith(observation.get_absolute_url())
    assert (observation.kind, observation.risk, observation.feedback_to) == ("unsafe_condition", "high", "crew")
    assert observation.photos.count() == 1
    journey.screen("observation-saved")

    # The planned audit: started, every item answered by tapping, completed.
    journey.go("/audits/")
    journey.screen("audit-plan")
    journey.submit(page.locator("form[action*='/start/'] button[type=submit]").first)
    cards = page.locator("[data-testid=item-card]")
    assert cards.count() == len(ITEMS)
    for index in range(cards.count()):
        card = cards.nth(index)
        card.locator("label[for$='-compliant']").click()
        card.locator(
            "[data-testid=answer-state] .text-success, [data-testid=answer-state] [data-state=saved]"
        ).first.wait_for()
    journey.screen("audit-conduct")
    journey.submit(page.locator("#finish-audit"))
    journey.screen("audit-finish")
    journey.submit(page.get_by_role("button", name=journey.t("Complete the audit")))
    audit = Audit.objects.get()
    assert audit.status == Audit.Status.COMPLETED and audit.score == 100
    journey.screen("audit-completed")

    # A signal heard during the internship: anonymous, no names.
    journey.go(internship.get_absolute_url())
    journey.submit(page.locator("[data-testid=record-signal]"))
    assert page.locator("[data-testid=no-names]").is_visible()
    page.locator("[data-testid=kind-rule]").click()
    page.fill("textarea[name=raw_text]", "The permit to work takes an hour, so small jobs go without one")
    journey.screen("signal-form")
    journey.submit(page.get_by_role("button", name=journey.t("Record"), exact=True))
    assert page.url.endswith(internship.get_absolute_url())
    assert page.locator("[data-testid=signal-count]").inner_text() == "1"
    signal = Signal.objects.get()
    assert (signal.internship_id, signal.kind) == (internship.pk, "rule")
    journey.screen("internship-with-signal")


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_coordinator_builds_the_analysis_links_actions_and_downloads_the_report(
    size, language, org, hse_specialist, line_manager, new_page, sign_in, live_server
):
    incident = make_incident(org.crew, hse_specialist, location="Conveyor 3 tail pulley")
    investigation = make_investigation(incident, hse_specialist, status="analysis")
    journey = start(new_page, sign_in, live_server, hse_specialist, size, language, "coordinator")
    page = journey.page
    journey.go(investigation.get_absolute_url())
    journey.screen("investigation")

    # Five Whys: a chain of three answers, the last one the root cause.
    page.fill("#five-whys textarea[name=problem_statement], #five-whys input[name=problem_statement]",
              "Why was the operator's hand caught in the pulley?")  # fmt: skip
    journey.submit(page.locator("form[action$='/chains/'] button[type=submit]"))
    chain = WhyChain.objects.get()
    for answer, root in (
        ("He reached in to clear spillage with the belt running", False),
        ("The guard had been taken off for cleaning and not refitted", False),
        ("Cleaning has no lockout procedure for the tail pulley", True),
    ):
        form = page.locator(f"#chain-{chain.pk} form[action$='/whys/']")
        form.locator("[name=answer]").fill(answer)
        if root:
            form.locator("input[name=is_root_cause]").check()
        journey.submit(form.locator("button[type=submit]"))
    assert page.locator(f"#chain-{chain.pk} [data-testid=why]").count() == 3
    journey.screen("five-whys")

    # The cause tree: the final event and two antecedents, both necessary.
    page.fill("#cause-tree input[name=text], #cause-tree textarea[name=text]", "Hand caught in the tail pulley")
    journey.submit(page.locator("[data-testid=add-final-event]"))
    final = CauseTreeFact.objects.get(is_final_event=True)
    for text in ("Operator reaches in to clear spillage", "Guard removed for cleaning"):
        fact = page.locator(f"#fact-{final.pk}")
        fact.locator("summary").first.click()
        fact.locator("form[action$='/facts/'] input[name=text]").fill(text)
        journey.submit(fact.locator("[data-testid=add-antecedent]"))
    assert page.locator("[data-testid=tree-diagram] svg.cause-tree:visible g.fact").count() == 3
    journey.screen("cause-tree")

    # An action for the root cause, then the report.
    form = page.locator("form[action$='/actions/']")
    form.locator("select[name=cause]").select_option(index=1)
    form.locator("[name=title]").fill("Write and train a lockout procedure for tail-pulley cleaning")
    form.locator("select[name=control_level]").select_option("administrative")
    form.locator("select[name=owner]").select_option(str(line_manager.pk))
    form.locator("input[name=due_date]").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    journey.submit(form.locator("button[type=submit]"))
    action = Action.objects.get()
    assert action.owner == line_manager
    assert page.locator("#actions").get_by_text(action.reference).is_visible()
    journey.screen("actions-linked")

    link = page.locator(f"a[href$='/investigations/{investigation.pk}/report.pdf']")
    assert link.is_visible()
    report = page.request.get(f"{live_server.url}{link.get_attribute('href')}")  # as the signed-in browser
    assert report.ok and report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF-")


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_pass_office_admin_blocks_checks_at_the_gate_and_unblocks(
    size, language, org, hse_specialist, pass_admin, new_page, sign_in, live_server
):
    company = CompanyFactory(name="Stroymontazh LLC")
    order = WorkOrderFactory(company=company, unit=org.crew, responsible=hse_specialist, number="WO-1",
                             title="Pipe welding on the flotation line")  # fmt: skip
    holder = WorkerFactory(company=company, full_name="Ivanov Ivan Ivanovich")
    AccessPassFactory(number="P-000123", holder=holder, work_order=order, zones=[org.crew])
    journey = start(new_page, sign_in, live_server, pass_admin, size, language, "pass-office")
    page = journey.page

    journey.go("/contractors/passes/")
    page.fill("[data-testid=search]", "P-000123")
    journey.submit(page.locator("form:has([data-testid=search]) button[type=submit]").first)
    journey.screen("pass-found")
    page.locator("main").get_by_text("Ivanov Ivan Ivanovich").first.click()
    page.wait_for_load_state("networkidle")
    journey.screen("pass")

    page.locator("#block summary").click()
    page.fill("#block [name=reason]", "Worked at height without a harness")
    journey.submit(page.locator("#block button[type=submit]"))
    assert AccessPass.objects.get().status == "blocked"
    assert page.locator("[data-testid=status]").inner_text() == journey.t("Blocked")
    journey.screen("pass-blocked")

    journey.go("/contractors/gate/")
    page.fill("input[name=checkpoint]", "Gate 2")
    page.fill("input[name=number]", "p-000123")
    journey.submit(page.locator("form:has(input[name=number]) button[type=submit]").first)
    assert page.locator("[data-testid=verdict]").is_visible()
    assert "Worked at height without a harness" in journey.text()
    journey.screen("gate-refused")
    assert GateCheck.objects.get().allowed is False

    journey.go(AccessPass.objects.get().get_absolute_url())
    unblock = page.locator("#unblock")
    if unblock.get_attribute("open") is None:
        unblock.locator("summary").click()
    page.fill("#unblock [name=reason]", "Retrained in work at height; harness check signed")
    journey.submit(page.locator("#unblock button[type=submit]"))
    assert AccessPass.objects.get().status == "active"
    journey.screen("pass-unblocked")


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_line_manager_drills_into_overdue_actions_and_closes_one_with_evidence(
    size, language, org, line_manager, hse_specialist, new_page, sign_in, live_server, tmp_path
):
    today = timezone.localdate()
    late = ActionFactory(unit=org.crew, owner=line_manager, created_by=hse_specialist,
                         title="Guard the tail pulley of conveyor 3", due_date=today - timedelta(days=31))  # fmt: skip
    ActionFactory(unit=org.crew, owner=line_manager, title="Mark the walkway", due_date=today + timedelta(days=9))
    month = last_month()
    KpiSnapshot.objects.create(kpi="overdue_actions", unit=org.crew, month=month, person=line_manager, numerator=1)
    KpiSnapshot.objects.create(kpi="overdue_actions", unit=org.crew, month=month, numerator=1)
    photo = tmp_path / "guard.jpg"
    photo.write_bytes(jpeg("guard.jpg").read())
    journey = start(new_page, sign_in, live_server, line_manager, size, language, "line-manager")
    page = journey.page

    journey.go("/kpis/")
    journey.screen("dashboard")
    journey.go("/actions/?tab=overdue")
    assert page.locator("main").get_by_text(late.title).is_visible()
    assert page.locator("main").get_by_text("Mark the walkway").count() == 0
    journey.screen("overdue-actions")
    page.locator("main").get_by_text(late.title).first.click()
    page.wait_for_load_state("networkidle")
    journey.screen("overdue-action")
    page.fill("textarea[name=evidence]", "Interlocked guard fitted and tested")
    page.set_input_files("input[name=files]", str(photo))
    journey.submit(page.locator("#complete button[type=submit]"))
    late.refresh_from_db()
    assert late.status == Action.Status.DONE and late.evidence_files.count() == 1
    journey.screen("action-done")


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_hse_head_works_the_queue_approves_an_investigation_and_raises_an_escalation(
    size, language, org, hse_specialist, hse_head, new_page, sign_in, live_server
):
    investigation = planned_and_covered(make_incident(org.crew, hse_specialist), hse_specialist)
    journey = start(new_page, sign_in, live_server, hse_head, size, language, "hse-head")
    page = journey.page

    journey.go("/kpis/work-queue/")
    journey.screen("work-queue")
    page.locator("[data-testid=queue-approvals] a.list-group-item").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(investigation.get_absolute_url())
    journey.screen("investigation-to-approve")
    approve = page.locator("form[action$='/status/approve/']")
    note = approve.locator("textarea, input[type=text]")
    if note.count():
        note.first.fill("Root cause and actions agreed by the commission")
    journey.submit(approve.locator("button[type=submit]"))
    investigation.refresh_from_db()
    assert investigation.status == Investigation.Status.APPROVED and investigation.approved_by == hse_head
    journey.screen("investigation-approved")

    journey.go("/kpis/escalations/new/")
    page.fill("[name=title]", "Fund a second lockout station at the crusher conveyor")
    page.fill("[name=why]", "Two near misses during belt cleaning: isolation at the single station takes 40 minutes.")
    page.fill("[name=options]", "Buy and install a second station now: 1.2 M roubles\nWait for next year's budget")
    page.fill("[name=deadline]", (timezone.localdate() + timedelta(days=7)).isoformat())
    journey.screen("escalation-form")
    journey.submit(page.locator("form button[type=submit].btn-primary").last)
    escalation = Escalation.objects.get()
    assert (escalation.raised_by, escalation.status) == (hse_head, Escalation.Status.OPEN)
    journey.screen("escalation-raised")


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_top_executive_reads_the_summary_decides_and_downloads_the_monthly_pdf(
    size, language, org, hse_head, executive, new_page, sign_in, live_server
):
    month = last_month()
    before = (month - timedelta(days=1)).replace(day=1)
    for when, numerator in ((before, 71), (month, 78)):
        KpiSnapshot.objects.create(kpi="feedback_share", month=when, unit=org.crew, numerator=numerator,
                                   denominator=100)  # fmt: skip
    KpiTarget.objects.create(kpi="feedback_share", valid_from=before, value=80, set_by=hse_head)
    escalation = Escalation.objects.create(
        title="Fund a second lockout station at the crusher conveyor",
        why="Two near misses during belt cleaning: isolation at the single station takes 40 minutes.",
        options="Buy and install a second station now: 1.2 M roubles\nWait for next year's budget",
        deadline=timezone.localdate() + timedelta(days=5), raised_by=hse_head,
    )  # fmt: skip
    journey = start(new_page, sign_in, live_server, executive, size, language, "executive")
    page = journey.page

    journey.go("/kpis/summary/")
    journey.screen("summary")
    item = page.locator("[data-testid=open-escalation]")
    item.locator("summary, [data-bs-toggle], a").filter(has_text=journey.t("Decide")).first.click()
    item.get_by_label("Buy and install a second station now: 1.2 M roubles").check()
    journey.submit(item.locator("button[type=submit]").first)
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.DECIDED and escalation.decided_by == executive
    journey.screen("escalation-decided")

    journey.go("/kpis/reports/")
    journey.submit(page.locator("form[action$='/reports/request/'] button[type=submit]").first)
    report = MonthlyReport.objects.get()
    reports.report_run(report.pk)  # what the worker does (the tests' broker is in memory)
    page.wait_for_selector("[data-testid=report-row][data-status=done]", timeout=15_000)
    journey.screen("monthly-pdf-ready")
    with page.expect_download() as download:
        page.locator("[data-testid=download]").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_worker_sends_a_concern_from_the_crews_qr_code(size, language, org, new_page, sign_in, live_server):
    journey = start(new_page, sign_in, live_server, None, size, language, "worker")
    page = journey.page
    journey.go(f"/internships/feedback/{unit_feedback_token(org.crew)}/")
    if language != "en":
        page.locator(f"[data-testid=language-toggle] a[lang={language}]").click()
        page.wait_for_load_state("networkidle")
    journey.screen("feedback-form")
    page.locator("[data-testid=kind-ppe]").click()
    page.fill("textarea[name=text]", "The new goggles have not come; the old ones are scratched")
    journey.submit(page.locator("button[type=submit]").first)
    assert page.locator("[data-testid=thanks]").is_visible()
    journey.screen("feedback-thanks")
    signal = Signal.objects.get()
    assert (signal.unit_id, signal.kind, signal.internship_id) == (org.crew.pk, "ppe", None)
    assert {cookie["name"] for cookie in page.context.cookies()} <= {"csrftoken"}
    assert UserFactory._meta.model.objects.filter(last_login__isnull=False).count() == 0


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_layout_check_finds_what_sticks_out(size, new_page, sign_in, live_server):
    """The check itself can fail: a too-wide block, a primary button pushed off the screen and chart
    text drawn at 8 px are each reported; a wide table inside a scroll box is not."""
    journey = start(new_page, sign_in, live_server, None, size, "en", "layout-check")
    journey.go("/accounts/login/")
    width = SIZES[size]["viewport"]["width"]
    assert journey.page.evaluate(LAYOUT_PROBLEMS, [MIN_CHART_TEXT_PX, width]) == []
    journey.page.evaluate(
        """(width) => {
          const main = document.querySelector('main');
          const wide = '<td style="min-width:' + (width * 2) + 'px">wide</td>';
          main.insertAdjacentHTML('beforeend', '<div class="table-responsive"><table><tr>' + wide + '</tr></table>');
          main.insertAdjacentHTML('beforeend', '<div id="too-wide" style="width:' + (width + 200) + 'px">x</div>');
          main.insertAdjacentHTML('beforeend',
            '<button class="btn btn-primary" style="position:relative;left:' + width + 'px">Go</button>');
          main.insertAdjacentHTML('beforeend',
            '<svg viewBox="0 0 400 100" width="200"><text x="0" y="50" font-size="16">tiny</text></svg>');
        }""",
        width,
    )
    problems = " | ".join(journey.page.evaluate(LAYOUT_PROBLEMS, [MIN_CHART_TEXT_PX, width]))
    assert "div#too-wide" in problems
    assert 'primary button out of reach: button.btn.btn-primary "Go"' in problems
    assert 'chart text of 8.0 px: text "tiny"' in problems
    assert '"wide"' not in problems
