"""The contractor and pass pages: happy paths, refusals shown in place (400), reasons required,
bulk actions, scoping (404 for the outsider), the gate page as every role, the pass office's home
page, and list query counts that do not grow with the rows."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.selectors import history_for
from apps.contractors import services
from apps.contractors.models import AccessPass, ContractorCompany, ContractorWorker, GateCheck, WorkOrder
from tests.actions.conftest import renamed_executable
from tests.factories import (
    AccessPassFactory,
    CompanyDocumentFactory,
    CompanyFactory,
    GateCheckFactory,
    WorkerDocumentFactory,
    WorkerFactory,
    WorkOrderFactory,
)
from tests.observations.conftest import jpeg

pytestmark = pytest.mark.django_db

REASON_REQUIRED = "Say why: the reason is kept with the change."


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def company(org):
    return CompanyFactory(name="Stroymontazh LLC")


@pytest.fixture
def order(org, company, hse_specialist):
    return WorkOrderFactory(company=company, unit=org.crew, responsible=hse_specialist, number="WO-1")


@pytest.fixture
def holder(company):
    return WorkerFactory(company=company, full_name="Ivanov Ivan")


@pytest.fixture
def crew_pass(org, order, holder):
    """An active pass opening the crew (in the HSE specialist's scope, outside the outsider's)."""
    return AccessPassFactory(number="P-000101", holder=holder, work_order=order, zones=[org.crew])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- The pass list -------------------------------------------------------------------------------------


class TestPassList:
    url = reverse("contractors:pass_list")

    def test_rows_show_number_holder_company_zones_and_status(self, client_as, pass_admin, crew_pass):
        page = client_as(pass_admin).get(self.url).text
        assert "P-000101" in page and "Ivanov Ivan" in page and "Stroymontazh LLC" in page
        assert "Flotation crew" in page and ">Active<" in page

    @pytest.mark.parametrize("text", ["P-0001", "p-000101", "ivanov", "stroymont"])
    def test_search_by_number_name_or_company(self, client_as, pass_admin, crew_pass, text):
        other = AccessPassFactory(number="Q-000001", holder=WorkerFactory(full_name="Sidorov Semyon"))
        page = client_as(pass_admin).get(self.url, {"q": text}).text
        assert "P-000101" in page
        assert other.number not in page

    def test_status_filter_and_a_malformed_one(self, client_as, pass_admin, crew_pass):
        AccessPassFactory(number="P-000102", status="blocked", status_reason="Fight")
        client = client_as(pass_admin)
        blocked = client.get(self.url, {"status": "blocked"}).text
        assert "P-000102" in blocked and "P-000101" not in blocked
        bad = client.get(self.url, {"status": "nonsense"})
        assert bad.status_code == 400
        assert "P-000101" not in bad.text
        assert "Select a valid choice." in bad.text

    def test_expiring_this_week(self, client_as, pass_admin, crew_pass):
        soon = AccessPassFactory(number="P-000103", valid_until=in_days(3))
        page = client_as(pass_admin).get(self.url, {"status": "expiring"}).text
        assert soon.number in page and crew_pass.number not in page

    def test_scoped_for_the_specialist_and_the_outsider(self, client_as, hse_specialist, outsider, org, crew_pass):
        elsewhere = AccessPassFactory(number="P-000104", zones=[org.other_shop])
        mine = client_as(hse_specialist).get(self.url).text
        assert crew_pass.number in mine and elsewhere.number not in mine
        theirs = client_as(outsider).get(self.url).text
        assert elsewhere.number in theirs and crew_pass.number not in theirs

    def test_only_the_pass_office_gets_the_bulk_bar(self, client_as, pass_admin, hse_head, crew_pass):
        assert 'data-testid="bulk-bar"' in client_as(pass_admin).get(self.url).text
        page = client_as(hse_head).get(self.url).text
        assert 'data-testid="bulk-bar"' not in page and 'name="passes"' not in page

    def test_line_manager_is_refused(self, client_as, line_manager):
        assert client_as(line_manager).get(self.url).status_code == 403

    def test_query_count_does_not_grow_with_rows(
        self, client_as, pass_admin, org, order, django_assert_max_num_queries
    ):
        client = client_as(pass_admin)
        AccessPassFactory(work_order=order, zones=[org.crew, org.shop])
        client.get(self.url)  # warms the filter choices' cache
        with django_assert_max_num_queries(8) as few:
            client.get(self.url)
        for _ in range(30):
            AccessPassFactory(work_order=order, zones=[org.crew, org.shop])
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(self.url)
        assert response.status_code == 200
        assert len(response.context["page"]) == 25


class TestPassExport:
    url = reverse("contractors:pass_export")

    def rows(self, response):
        text = b"".join(response.streaming_content).decode()
        return list(csv.reader(io.StringIO(text)))

    def test_the_filtered_list_as_safe_csv(self, client_as, pass_admin, crew_pass, company):
        AccessPassFactory(number="P-000200", holder=WorkerFactory(company=company, full_name="=HYPERLINK(1)"))
        AccessPassFactory(number="X-000300")
        response = client_as(pass_admin).get(self.url, {"company": company.pk})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        header, *rows = self.rows(response)
        assert header[0] == "Pass number"
        numbers = {row[0] for row in rows}
        assert numbers == {"P-000101", "P-000200"}
        dangerous = next(row for row in rows if row[0] == "P-000200")
        assert dangerous[1] == "'=HYPERLINK(1)"
        crew_row = next(row for row in rows if row[0] == "P-000101")
        assert crew_row[5] == "Flotation crew" and crew_row[8] == "Active"

    def test_a_malformed_filter_answers_the_list_with_its_error(self, client_as, pass_admin):
        assert client_as(pass_admin).get(self.url, {"company": "abc"}).status_code == 400

    def test_too_many_rows_are_refused_with_a_message(self, client_as, pass_admin, monkeypatch):
        monkeypatch.setattr("apps.contractors.views.EXPORT_MAX", 2)
        AccessPassFactory.create_batch(3)
        response = client_as(pass_admin).get(self.url, {"status": "active"}, follow=True)
        assert response.redirect_chain[0][0] == reverse("contractors:pass_list") + "?status=active"
        assert any("narrow the filters" in text for text in messages_of(response))

    def test_line_manager_is_refused(self, client_as, line_manager):
        assert client_as(line_manager).get(self.url).status_code == 403


class TestBulk:
    url = reverse("contractors:pass_bulk")

    def test_get_is_rejected(self, client_as, pass_admin):
        assert client_as(pass_admin).get(self.url).status_code == 405

    def test_only_the_pass_office(self, client_as, hse_head, crew_pass):
        data = {"passes": [crew_pass.pk], "operation": "suspend", "reason": "Holiday"}
        assert client_as(hse_head).post(self.url, data).status_code == 403
        crew_pass.refresh_from_db()
        assert crew_pass.status == "active"

    def test_extend_reports_changed_and_refused(self, client_as, pass_admin, org, order, crew_pass):
        second = AccessPassFactory(number="P-000102", work_order=order, zones=[org.crew])
        blocked = AccessPassFactory(number="P-000103", status="blocked", status_reason="Fight", work_order=order)
        new_end = in_days(80)
        response = client_as(pass_admin).post(
            self.url + "?status=",
            {"passes": [crew_pass.pk, second.pk, blocked.pk], "operation": "extend",
             "valid_until": new_end.isoformat()},
            follow=True,
        )  # fmt: skip
        assert response.redirect_chain[0] == (reverse("contractors:pass_list") + "?status=", 302)
        texts = messages_of(response)
        assert any(text.startswith("2 passes extended to") for text in texts)
        assert "P-000103 not changed: This pass is already blocked." in texts
        for access_pass, until in ((crew_pass, new_end), (second, new_end)):
            access_pass.refresh_from_db()
            assert access_pass.valid_until == until
        blocked.refresh_from_db()
        assert blocked.status == "blocked"

    def test_suspend_with_a_reason_is_kept_in_history(self, client_as, pass_admin, crew_pass):
        response = client_as(pass_admin).post(
            self.url, {"passes": [crew_pass.pk], "operation": "suspend", "reason": "On holiday"}
        )
        assert response.status_code == 302
        crew_pass.refresh_from_db()
        assert (crew_pass.status, crew_pass.status_reason) == ("suspended", "On holiday")
        entry = history_for(crew_pass).get()
        assert (entry.action, entry.reason, entry.actor) == ("contractors.pass.suspended", "On holiday", pass_admin)

    def test_suspend_without_a_reason_is_shown_in_place(self, client_as, pass_admin, org, order, crew_pass):
        second = AccessPassFactory(work_order=order, zones=[org.crew])
        response = client_as(pass_admin).post(
            self.url, {"passes": [crew_pass.pk, second.pk], "operation": "suspend", "reason": " "}
        )
        assert response.status_code == 400
        assert REASON_REQUIRED in response.text
        # The ticks are kept for the second try.
        assert f'value="{crew_pass.pk}" id="tick-{crew_pass.pk}" aria-label="Select pass P-000101" checked' in (
            response.text
        )
        assert not AccessPass.objects.filter(status="suspended").exists()

    def test_nothing_ticked_or_no_date(self, client_as, pass_admin, crew_pass):
        client = client_as(pass_admin)
        none = client.post(self.url, {"operation": "suspend", "reason": "x"})
        assert none.status_code == 400 and "Tick the passes to change." in none.text
        no_date = client.post(self.url, {"passes": [crew_pass.pk], "operation": "extend"})
        assert no_date.status_code == 400 and "Give the new end date." in no_date.text

    def test_an_unknown_pass_is_an_invalid_choice(self, client_as, pass_admin):
        response = client_as(pass_admin).post(self.url, {"passes": ["999999"], "operation": "suspend", "reason": "x"})
        assert response.status_code == 400


# --- One pass ------------------------------------------------------------------------------------------


class TestPassDetail:
    def test_shows_holder_company_zones_and_the_gate_answer(self, client_as, pass_admin, crew_pass):
        page = client_as(pass_admin).get(crew_pass.get_absolute_url()).text
        assert "Ivanov Ivan" in page and "Stroymontazh LLC" in page and "WO-1" in page and "Flotation crew" in page
        assert "At the gate now: allowed" in page

    def test_the_gate_answer_lists_every_reason(self, client_as, pass_admin, crew_pass, order):
        WorkOrder.objects.filter(pk=order.pk).update(status="stopped", stop_reason="Scaffold not inspected")
        ContractorCompany.objects.filter(pk=crew_pass.company_id).update(status="suspended", status_reason="Audit")
        page = client_as(pass_admin).get(crew_pass.get_absolute_url()).text
        assert "At the gate now: refused" in page
        assert "The work order is stopped. Scaffold not inspected" in page
        assert "The company is suspended. Audit" in page

    def test_history_shows_who_when_why_and_the_change(self, client_as, pass_admin, hse_specialist, crew_pass):
        services.pass_block(actor=hse_specialist, access_pass=crew_pass, reason="No harness at height")
        GateCheckFactory(access_pass=crew_pass, allowed=False, checkpoint="Gate 4",
                         reasons=[{"code": "pass_blocked", "detail": "No harness at height"}])  # fmt: skip
        page = client_as(pass_admin).get(crew_pass.get_absolute_url()).text
        assert 'Active → <span class="fw-semibold">Blocked</span>' in page
        assert str(hse_specialist) in page and "No harness at height" in page
        assert "Gate 4" in page and "The pass is blocked. No harness at height" in page

    def test_forms_follow_the_role_and_the_status(self, client_as, pass_admin, hse_specialist, hse_head, executive,
                                                  crew_pass):  # fmt: skip
        def urls(user):
            page = client_as(user).get(crew_pass.get_absolute_url()).text
            steps = ["extend", "suspend", "reinstate", "block", "unblock", "revoke"]
            return {step for step in steps if reverse(f"contractors:pass_{step}", args=[crew_pass.pk]) in page}

        assert urls(pass_admin) == {"extend", "suspend", "block", "revoke"}
        assert urls(hse_specialist) == {"block"}
        assert urls(executive) == set()
        AccessPass.objects.filter(pk=crew_pass.pk).update(status="blocked", status_reason="x")
        assert urls(hse_head) == {"unblock"}
        assert urls(pass_admin) == {"unblock", "revoke"}

    def test_outsider_gets_404(self, client_as, outsider, crew_pass):
        assert client_as(outsider).get(crew_pass.get_absolute_url()).status_code == 404

    def test_query_count_is_bounded(self, client_as, pass_admin, crew_pass, django_assert_max_num_queries):
        for _ in range(5):
            GateCheckFactory(access_pass=crew_pass)
            services.pass_suspend(actor=pass_admin, access_pass=crew_pass, reason="x")
            services.pass_reinstate(actor=pass_admin, access_pass=crew_pass)
        client = client_as(pass_admin)
        client.get(crew_pass.get_absolute_url())
        with django_assert_max_num_queries(20):
            client.get(crew_pass.get_absolute_url())


class TestPassSteps:
    def url(self, step, access_pass):
        return reverse(f"contractors:pass_{step}", args=[access_pass.pk])

    def test_get_is_rejected(self, client_as, pass_admin, crew_pass):
        assert client_as(pass_admin).get(self.url("block", crew_pass)).status_code == 405

    @pytest.mark.parametrize("step", ["block", "suspend", "revoke"])
    def test_a_reason_is_required_and_shown_in_place(self, client_as, pass_admin, crew_pass, step):
        response = client_as(pass_admin).post(self.url(step, crew_pass), {"reason": ""})
        assert response.status_code == 400
        assert REASON_REQUIRED in response.text
        assert f'id="{step}" open' in response.text  # the form with the error is open
        crew_pass.refresh_from_db()
        assert crew_pass.status == "active"

    def test_block_then_unblock_with_reasons(self, client_as, hse_specialist, hse_head, crew_pass):
        response = client_as(hse_specialist).post(self.url("block", crew_pass), {"reason": "No harness"})
        assert response.status_code == 302 and response["Location"] == crew_pass.get_absolute_url()
        crew_pass.refresh_from_db()
        assert (crew_pass.status, crew_pass.status_reason) == ("blocked", "No harness")
        assert client_as(hse_specialist).post(self.url("unblock", crew_pass), {"reason": "x"}).status_code == 403
        missing = client_as(hse_head).post(self.url("unblock", crew_pass), {"reason": ""})
        assert missing.status_code == 400 and REASON_REQUIRED in missing.text
        client_as(hse_head).post(self.url("unblock", crew_pass), {"reason": "Retrained, harness issued"})
        crew_pass.refresh_from_db()
        assert crew_pass.status == "active"
        assert [entry.action for entry in history_for(crew_pass)] == [
            "contractors.pass.unblocked",
            "contractors.pass.blocked",
        ]

    def test_a_pass_changed_meanwhile_is_a_message(self, client_as, pass_admin, crew_pass):
        AccessPass.objects.filter(pk=crew_pass.pk).update(status="blocked", status_reason="Fight")
        response = client_as(pass_admin).post(self.url("suspend", crew_pass), {"reason": "Holiday"}, follow=True)
        assert response.redirect_chain == [(crew_pass.get_absolute_url(), 302)]
        assert "This pass is already blocked." in messages_of(response)
        assert not history_for(crew_pass).exists()

    def test_extend_refuses_an_earlier_date_in_place(self, client_as, pass_admin, crew_pass):
        response = client_as(pass_admin).post(self.url("extend", crew_pass), {"valid_until": in_days(1).isoformat()})
        assert response.status_code == 400
        assert "Choose a date after the pass&#x27;s current end date." in response.text

    def test_extend_never_beyond_the_work_order(self, client_as, pass_admin, crew_pass):
        response = client_as(pass_admin).post(self.url("extend", crew_pass), {"valid_until": in_days(200).isoformat()})
        assert response.status_code == 400
        assert "the pass cannot outlast it" in response.text

    def test_extend_and_revoke(self, client_as, pass_admin, crew_pass):
        client = client_as(pass_admin)
        assert client.post(self.url("extend", crew_pass), {"valid_until": in_days(80).isoformat()}).status_code == 302
        crew_pass.refresh_from_db()
        assert crew_pass.valid_until == in_days(80)
        assert client.post(self.url("revoke", crew_pass), {"reason": "Card lost"}).status_code == 302
        crew_pass.refresh_from_db()
        assert crew_pass.status == "revoked"

    def test_roles_and_scope(self, client_as, executive, line_manager, outsider, crew_pass):
        assert client_as(executive).post(self.url("block", crew_pass), {"reason": "x"}).status_code == 403
        assert client_as(line_manager).post(self.url("block", crew_pass), {"reason": "x"}).status_code == 403
        assert client_as(outsider).post(self.url("block", crew_pass), {"reason": "x"}).status_code == 404
        crew_pass.refresh_from_db()
        assert crew_pass.status == "active"


class TestPassIssue:
    url = reverse("contractors:pass_issue")

    def data(self, holder, org, order=None, **changes):
        data = {"holder": holder.pk, "zones": [org.crew.pk], "valid_from": in_days(0).isoformat(),
                "valid_until": in_days(30).isoformat()}  # fmt: skip
        if order is not None:
            data["work_order"] = order.pk
        return {**data, **changes}

    def test_issues_a_numbered_pass(self, client_as, pass_admin, org, holder, order):
        response = client_as(pass_admin).post(self.url, self.data(holder, org, order))
        access_pass = AccessPass.objects.get()
        assert response.status_code == 302 and response["Location"] == access_pass.get_absolute_url()
        assert access_pass.number.startswith("P-") and access_pass.issued_by == pass_admin
        assert list(access_pass.zones.all()) == [org.crew] and access_pass.work_order == order

    def test_the_holder_is_prefilled_from_the_worker_page(self, client_as, pass_admin, holder):
        page = client_as(pass_admin).get(self.url, {"holder": holder.pk}).text
        assert f'<option value="{holder.pk}" selected>Ivanov Ivan — Stroymontazh LLC</option>' in page

    def test_from_a_work_order_its_unit_and_end_are_offered(self, client_as, pass_admin, org, company, hse_head):
        short = WorkOrderFactory(company=company, unit=org.crew, responsible=hse_head, ends_on=in_days(10))
        response = client_as(pass_admin).get(self.url, {"work_order": short.pk})
        form = response.context["form"]
        assert form.initial["zones"] == [org.crew.pk] and form.initial["valid_until"] == in_days(10)
        ticked = re.search(rf'<input type="checkbox" name="zones" value="{org.crew.pk}"[^>]*>', response.text)
        assert ticked and " checked" in ticked.group(0)
        assert client_as(pass_admin).get(self.url, {"work_order": "9" * 40}).status_code == 200

    def test_refusals_are_shown_in_place(self, client_as, pass_admin, org, holder, order):
        response = client_as(pass_admin).post(
            self.url, self.data(holder, org, order, valid_until=in_days(120).isoformat())
        )
        assert response.status_code == 400
        assert "the pass cannot outlast it" in response.text
        no_zones = client_as(pass_admin).post(self.url, {**self.data(holder, org), "zones": []})
        assert no_zones.status_code == 400 and "This field is required." in no_zones.text
        assert not AccessPass.objects.exists()

    def test_workers_of_a_suspended_company_are_not_offered(self, client_as, pass_admin, org):
        banned = WorkerFactory(company=CompanyFactory(status="suspended", status_reason="Audit"), full_name="Banned B")
        page = client_as(pass_admin).get(self.url).text
        assert "Banned B" not in page
        response = client_as(pass_admin).post(self.url, self.data(banned, org))
        assert response.status_code == 400 and "Select a valid choice." in response.text

    def test_only_the_pass_office(self, client_as, hse_head):
        assert client_as(hse_head).get(self.url).status_code == 403


# --- The gate ------------------------------------------------------------------------------------------

CHECKERS = {"pass_admin", "hse_specialist", "hse_head", "outsider"}


class TestGate:
    url = reverse("contractors:gate")

    @pytest.mark.parametrize(
        "role", ["hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin", "outsider"]
    )
    def test_as_every_role(self, client_as, persona, role, crew_pass):
        response = client_as(persona(role)).get(self.url, {"number": crew_pass.number})
        if role in CHECKERS:
            # Any checker may check any card: a guard must be able to refuse it.
            assert response.status_code == 200
            assert "ALLOW" in response.text and "Ivanov Ivan" in response.text
            assert GateCheck.objects.filter(checked_by=persona(role)).count() == 1
        else:
            assert response.status_code == 403
            assert "Ivanov Ivan" not in response.text and "ALLOW" not in response.text
            assert "Stroymontazh" not in response.text and "Active" not in response.text
            assert not GateCheck.objects.exists()

    def test_anonymous_is_sent_to_sign_in_without_a_check(self, client, crew_pass):
        response = client.get(self.url, {"number": crew_pass.number})
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        assert not GateCheck.objects.exists()

    def test_the_qr_link_checks_at_once(self, client_as, pass_admin, crew_pass):
        response = client_as(pass_admin).get(self.url, {"number": "p-000101"})
        assert 'data-testid="verdict"' in response.text and "ALLOW" in response.text
        check = GateCheck.objects.get()
        assert (check.access_pass, check.allowed, check.checked_by) == (crew_pass, True, pass_admin)
        assert response.context["result"]["pass_url"] == crew_pass.get_absolute_url()

    def test_a_blocked_pass_is_refused_with_every_reason(self, client_as, pass_admin, crew_pass):
        services.pass_block(actor=pass_admin, access_pass=crew_pass, reason="Fight on site")
        crew_pass.holder.documents.filter(kind="medical").update(valid_until=in_days(-1))
        response = client_as(pass_admin).post(self.url, {"number": crew_pass.number, "checkpoint": "Gate 2"})
        assert response.status_code == 200
        assert "REFUSE" in response.text and "ALLOW" not in response.text
        assert "The pass is blocked. Fight on site" in response.text
        assert "The medical clearance has expired." in response.text
        assert "Ivanov Ivan" in response.text and "Stroymontazh LLC" in response.text
        check = GateCheck.objects.get()
        assert (check.allowed, check.checkpoint) == (False, "Gate 2")
        assert {reason["code"] for reason in check.reasons} == {"pass_blocked", "document_expired_medical"}

    def test_an_unknown_number_is_refused_and_recorded(self, client_as, pass_admin):
        response = client_as(pass_admin).post(self.url, {"number": "P-999999"})
        assert "REFUSE" in response.text and "No pass has this number." in response.text
        assert GateCheck.objects.get().access_pass is None

    def test_an_empty_number_is_shown_in_place(self, client_as, pass_admin):
        response = client_as(pass_admin).post(self.url, {"number": "  "})
        assert response.status_code == 400
        assert "Scan the card or type its number." in response.text
        assert not GateCheck.objects.exists()

    def test_a_too_long_number_is_a_field_error(self, client_as, pass_admin):
        response = client_as(pass_admin).get(self.url, {"number": "P" * 60})
        assert response.status_code == 400
        assert not GateCheck.objects.exists()

    def test_the_checkpoint_is_remembered(self, client_as, pass_admin, crew_pass):
        client = client_as(pass_admin)
        client.post(self.url, {"number": crew_pass.number, "checkpoint": "North gate"})
        page = client.get(self.url).text
        assert 'value="North gate"' in page
        client.get(self.url, {"number": crew_pass.number})
        assert list(GateCheck.objects.values_list("checkpoint", flat=True)) == ["North gate", "North gate"]

    def test_a_browser_prefetch_records_nothing(self, client_as, pass_admin, crew_pass):
        response = client_as(pass_admin).get(
            self.url, {"number": crew_pass.number}, headers={"Sec-Purpose": "prefetch"}
        )
        assert response.status_code == 200
        assert not GateCheck.objects.exists()
        assert f'value="{crew_pass.number}"' in response.text

    def test_the_outsider_checks_but_is_not_sent_to_the_pass(self, client_as, outsider, crew_pass):
        response = client_as(outsider).get(self.url, {"number": crew_pass.number})
        assert response.status_code == 200
        assert "pass_url" not in response.context["result"]
        assert crew_pass.get_absolute_url() not in response.text


# --- Companies -----------------------------------------------------------------------------------------


class TestCompanies:
    list_url = reverse("contractors:company_list")

    def test_list_counts_workers_and_active_passes(self, client_as, pass_admin, company, order, org):
        WorkerFactory(company=company)
        WorkerFactory(company=company, is_active=False)
        AccessPassFactory(work_order=order, zones=[org.crew])
        AccessPassFactory(work_order=order, zones=[org.crew], status="blocked", status_reason="x")
        CompanyFactory(name="Empty Ltd")
        response = client_as(pass_admin).get(self.list_url)
        rows = {row.name: row for row in response.context["page"]}
        # Two active workers of its own, plus the two pass holders the factory made for it.
        assert rows["Stroymontazh LLC"].worker_count == 3
        assert rows["Stroymontazh LLC"].active_pass_count == 1
        assert (rows["Empty Ltd"].worker_count, rows["Empty Ltd"].active_pass_count) == (0, 0)

    def test_the_line_manager_sees_companies_but_no_pass_counts(self, client_as, line_manager, company):
        page = client_as(line_manager).get(self.list_url).text
        assert "Stroymontazh LLC" in page and "Active passes" not in page

    def test_status_filter(self, client_as, hse_head, company):
        CompanyFactory(name="Banned Ltd", status="banned", status_reason="Fatality")
        page = client_as(hse_head).get(self.list_url, {"status": "banned"}).text
        assert "Banned Ltd" in page and "Stroymontazh LLC" not in page

    def test_query_count_does_not_grow_with_rows(self, client_as, pass_admin, django_assert_max_num_queries):
        client = client_as(pass_admin)
        AccessPassFactory()
        client.get(self.list_url)
        with django_assert_max_num_queries(6) as few:
            client.get(self.list_url)
        for _ in range(30):
            AccessPassFactory()
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(self.list_url)
        assert len(response.context["page"]) == 25

    def test_detail_shows_documents_workers_orders_and_passes(self, client_as, pass_admin, company, crew_pass):
        CompanyDocumentFactory(company=company, kind="licence", number="LIC-OLD", valid_until=in_days(-5))
        CompanyDocumentFactory(company=company, kind="insurance", number="INS-OLD", valid_until=in_days(-5))
        CompanyDocumentFactory(company=company, kind="insurance", number="INS-NEW", valid_until=in_days(300))
        page = client_as(pass_admin).get(company.get_absolute_url()).text
        assert "LIC-OLD" in page and "INS-NEW" in page
        assert ">expired<" in page  # the licence: nothing replaced it
        assert "expired, renewed" in page  # the old insurance
        assert "Ivanov Ivan" in page and "WO-1" in page and "P-000101" in page

    def test_the_outsider_reads_companies_but_not_crew_records(self, client_as, outsider, company, crew_pass):
        response = client_as(outsider).get(company.get_absolute_url())
        assert response.status_code == 200
        assert "WO-1" not in response.text and "P-000101" not in response.text

    def test_status_change_needs_a_reason(self, client_as, hse_head, company):
        url = reverse("contractors:company_set_status", args=[company.pk])
        response = client_as(hse_head).post(url, {"status": "suspended", "reason": ""})
        assert response.status_code == 400 and REASON_REQUIRED in response.text
        response = client_as(hse_head).post(url, {"status": "suspended", "reason": "Failed the audit"})
        assert response.status_code == 302
        company.refresh_from_db()
        assert (company.status, company.status_reason) == ("suspended", "Failed the audit")
        page = client_as(hse_head).get(company.get_absolute_url()).text
        assert 'Approved → <span class="fw-semibold">Suspended</span>' in page and "Failed the audit" in page

    def test_status_change_roles_and_conflicts(self, client_as, hse_head, executive, pass_admin, company):
        url = reverse("contractors:company_set_status", args=[company.pk])
        assert client_as(executive).post(url, {"status": "banned", "reason": "x"}).status_code == 403
        assert client_as(pass_admin).post(url, {"status": "banned", "reason": "x"}).status_code == 403
        assert "status" not in client_as(pass_admin).get(company.get_absolute_url()).context["status_form"].errors
        same = client_as(hse_head).post(url, {"status": "approved", "reason": "x"}, follow=True)
        assert "The company is already approved." in messages_of(same)

    def test_register_a_company(self, client_as, hse_specialist):
        url = reverse("contractors:company_create")
        response = client_as(hse_specialist).post(url, {"name": "Montazh", "tax_number": "7701000001"})
        company = ContractorCompany.objects.get()
        assert response.status_code == 302 and response["Location"] == company.get_absolute_url()
        bad = client_as(hse_specialist).post(url, {"name": "Other", "tax_number": "12"})
        assert bad.status_code == 400 and "A tax number (INN) is 10 or 12 digits." in bad.text
        twice = client_as(hse_specialist).post(url, {"name": "Other", "tax_number": "7701000001"})
        assert twice.status_code == 400 and "already exists" in twice.text
        assert client_as(hse_specialist).get(url).status_code == 200

    def test_add_a_document(self, client_as, hse_specialist, pass_admin, company):
        url = reverse("contractors:company_document_add", args=[company.pk])
        assert client_as(pass_admin).get(url).status_code == 403
        bad = client_as(hse_specialist).post(url, {"kind": "licence", "number": "L-1", "valid_until": "0001-01-01"})
        assert bad.status_code == 400
        response = client_as(hse_specialist).post(
            url, {"kind": "licence", "number": "L-1", "valid_until": in_days(100).isoformat()}
        )
        assert response.status_code == 302
        assert company.documents.get().number == "L-1"


# --- Workers -------------------------------------------------------------------------------------------


class TestWorkers:
    def test_register_with_a_photo_which_is_served_to_readers_only(self, client_as, pass_admin, company, client):
        url = reverse("contractors:worker_create", args=[company.pk])
        response = client_as(pass_admin).post(url, {"full_name": "Petrov Pyotr", "job_title": "Rigger",
                                                    "photo": jpeg("face.jpg")})  # fmt: skip
        worker = ContractorWorker.objects.get(full_name="Petrov Pyotr")
        assert response.status_code == 302 and response["Location"] == worker.get_absolute_url()
        photo_url = reverse("contractors:worker_photo", args=[worker.pk])
        assert photo_url in client_as(pass_admin).get(worker.get_absolute_url()).text
        served = client_as(pass_admin).get(photo_url)
        assert served.status_code == 200
        assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")
        client.logout()
        assert client.get(photo_url).status_code == 302

    def test_a_renamed_executable_is_refused_in_place(self, client_as, pass_admin, company):
        url = reverse("contractors:worker_create", args=[company.pk])
        response = client_as(pass_admin).post(
            url, {"full_name": "Petrov Pyotr", "job_title": "Rigger", "photo": renamed_executable("face.jpg")}
        )
        assert response.status_code == 400
        assert "Petrov Pyotr" in response.text  # what was typed is kept
        assert not ContractorWorker.objects.filter(full_name="Petrov Pyotr").exists()

    def test_line_manager_may_not_register(self, client_as, line_manager, company):
        url = reverse("contractors:worker_create", args=[company.pk])
        assert client_as(line_manager).post(url, {"full_name": "X", "job_title": "Y"}).status_code == 403

    def test_detail_shows_admission_documents_and_passes(self, client_as, pass_admin, company, org, order):
        worker = WorkerFactory(company=company, full_name="Sidorov S.", documents={"medical": in_days(-2)})
        AccessPassFactory(number="P-000555", holder=worker, work_order=order, zones=[org.crew])
        response = client_as(pass_admin).get(worker.get_absolute_url())
        required = {row["label"]: row for row in response.context["required"]}
        assert required["Medical clearance"]["in_force"] is False
        assert required["Site induction"]["valid_until"] is None
        assert "missing" in response.text and "P-000555" in response.text
        assert reverse("contractors:pass_issue") + f"?holder={worker.pk}" in response.text

    def test_passes_on_the_worker_page_are_scoped(self, client_as, outsider, holder, crew_pass):
        response = client_as(outsider).get(holder.get_absolute_url())
        assert response.status_code == 200 and crew_pass.number not in response.text

    def test_add_a_document(self, client_as, pass_admin, holder):
        url = reverse("contractors:worker_document_add", args=[holder.pk])
        missing = client_as(pass_admin).post(url, {"kind": "heights"})
        assert missing.status_code == 400 and "This field is required." in missing.text
        response = client_as(pass_admin).post(url, {"kind": "heights", "valid_until": in_days(90).isoformat()})
        assert response.status_code == 302
        assert holder.documents.filter(kind="heights").exists()

    def test_a_worker_document_factory_row_shows_expired(self, client_as, pass_admin, holder):
        WorkerDocumentFactory(worker=holder, kind="heights", number="H-9", valid_until=in_days(-1))
        page = client_as(pass_admin).get(holder.get_absolute_url()).text
        assert "H-9" in page and 'data-testid="document-expired"' in page


# --- Work orders ---------------------------------------------------------------------------------------


class TestWorkOrders:
    list_url = reverse("contractors:work_order_list")

    def test_list_is_scoped_and_filtered(self, client_as, hse_specialist, outsider, org, order, company):
        WorkOrderFactory(company=company, unit=org.other_shop, number="WO-OTHER")
        WorkOrderFactory(company=company, unit=org.crew, number="WO-STOP", status="stopped", stop_reason="x")
        mine = client_as(hse_specialist).get(self.list_url).text
        assert "WO-1" in mine and "WO-STOP" in mine and "WO-OTHER" not in mine
        stopped = client_as(hse_specialist).get(self.list_url, {"status": "stopped"}).text
        assert "WO-STOP" in stopped and "WO-1<" not in stopped
        theirs = client_as(outsider).get(self.list_url).text
        assert "WO-OTHER" in theirs and "WO-1" not in theirs

    def test_detail_steps_for_managers_only(self, client_as, hse_specialist, line_manager, order, crew_pass):
        stop = reverse("contractors:work_order_step", args=[order.pk, "stop"])
        page = client_as(hse_specialist).get(order.get_absolute_url()).text
        assert stop in page and crew_pass.number in page
        assert reverse("contractors:work_order_step", args=[order.pk, "start"]) not in page
        manager_page = client_as(line_manager).get(order.get_absolute_url()).text
        assert stop not in manager_page

    def test_stop_needs_a_reason_and_refuses_its_passes(self, client_as, hse_specialist, pass_admin, order, crew_pass):
        url = reverse("contractors:work_order_step", args=[order.pk, "stop"])
        missing = client_as(hse_specialist).post(url, {"reason": ""})
        assert missing.status_code == 400 and REASON_REQUIRED in missing.text
        assert client_as(hse_specialist).post(url, {"reason": "Scaffold not inspected"}).status_code == 302
        order.refresh_from_db()
        assert (order.status, order.stop_reason) == ("stopped", "Scaffold not inspected")
        gate = client_as(pass_admin).get(reverse("contractors:gate"), {"number": crew_pass.number}).text
        assert "REFUSE" in gate and "The work order is stopped. Scaffold not inspected" in gate

    def test_a_step_the_status_does_not_allow_is_a_message(self, client_as, hse_head, order):
        url = reverse("contractors:work_order_step", args=[order.pk, "start"])
        response = client_as(hse_head).post(url, follow=True)
        assert "This work order is in progress." in messages_of(response)

    def test_unknown_step_and_scope(self, client_as, hse_head, outsider, executive, order):
        assert (
            client_as(hse_head).post(reverse("contractors:work_order_step", args=[order.pk, "explode"])).status_code
            == 404
        )
        finish = reverse("contractors:work_order_step", args=[order.pk, "finish"])
        assert client_as(outsider).post(finish).status_code == 404
        assert client_as(executive).post(finish).status_code == 403
        assert client_as(outsider).get(order.get_absolute_url()).status_code == 404

    def test_create(self, client_as, hse_specialist, org, company):
        url = reverse("contractors:work_order_create")
        data = {"company": company.pk, "number": "WO-9", "title": "Relining", "unit": org.crew.pk,
                "starts_on": in_days(1).isoformat(), "ends_on": in_days(30).isoformat(),
                "responsible": hse_specialist.pk}  # fmt: skip
        backwards = client_as(hse_specialist).post(url, {**data, "ends_on": in_days(0).isoformat()})
        assert backwards.status_code == 400 and "The work cannot end before it starts." in backwards.text
        response = client_as(hse_specialist).post(url, data)
        order = WorkOrder.objects.get(number="WO-9")
        assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
        twice = client_as(hse_specialist).post(url, data)
        assert twice.status_code == 400 and "already exists" in twice.text

    def test_the_company_is_prefilled(self, client_as, hse_head, company):
        page = client_as(hse_head).get(reverse("contractors:work_order_create"), {"company": company.pk}).text
        assert f'<option value="{company.pk}" selected>Stroymontazh LLC</option>' in page


# --- The pass office's home page and the menu ------------------------------------------------------------


class TestHome:
    def test_the_pass_office_sees_its_day(self, client_as, pass_admin, hse_head, crew_pass, org, order):
        soon = AccessPassFactory(number="P-000201", work_order=order, zones=[org.crew], valid_until=in_days(2))
        later = AccessPassFactory(number="P-000202", work_order=order, zones=[org.crew], valid_until=in_days(40))
        services.pass_block(actor=hse_head, access_pass=later, reason="Drunk at the gate")
        services.gate_check(actor=pass_admin, number=later.number, checkpoint="Gate 7")
        services.gate_check(actor=pass_admin, number="NOPE-1")
        response = client_as(pass_admin).get(reverse("core:home"))
        page = response.text
        expiring = page.split('data-testid="expiring"')[1].split('data-testid="blocked-today"')[0]
        assert soon.number in expiring and crew_pass.number not in expiring
        blocked = page.split('data-testid="blocked-today"')[1].split('data-testid="refusals-today"')[0]
        assert later.number in blocked and "Drunk at the gate" in blocked
        refusals = page.split('data-testid="refusals-today"')[1]
        assert "Gate 7" in refusals and "The pass is blocked. Drunk at the gate" in refusals
        assert "NOPE-1" in refusals and "No pass has this number." in refusals
        assert 'data-testid="count-expiring">1<' in page
        assert 'data-testid="count-refusals">2<' in page
        for name in ("contractors:gate", "contractors:pass_issue", "contractors:pass_list"):
            assert f'href="{reverse(name)}"' in page
        assert "Units on site" in page

    def test_a_quiet_day(self, client_as, pass_admin):
        page = client_as(pass_admin).get(reverse("core:home")).text
        assert "No pass runs out this week." in page and "No refusals at the gates today." in page

    def test_the_home_query_count_is_bounded(self, client_as, pass_admin, org, order, django_assert_max_num_queries):
        for day in range(5):
            AccessPassFactory(work_order=order, zones=[org.crew], valid_until=in_days(day))
            GateCheckFactory(allowed=False, reasons=[{"code": "pass_blocked", "detail": ""}])
        client = client_as(pass_admin)
        client.get(reverse("core:home"))
        with django_assert_max_num_queries(20):
            client.get(reverse("core:home"))

    def test_other_roles_get_no_pass_office_figures(self, client_as, hse_head):
        response = client_as(hse_head).get(reverse("core:home"))
        assert "pass_day" not in response.context
        assert reverse("contractors:company_list") in response.text

    def test_the_menu(self, client_as, pass_admin, line_manager):
        admin_items = client_as(pass_admin).get(reverse("core:home")).context
        assert [item["label"] for item in admin_items["nav_items"]] == ["Passes"]
        assert "Contractors" in [item["label"] for item in admin_items["nav_more"]]
        manager = client_as(line_manager).get(reverse("core:home")).context
        assert "Passes" not in [item["label"] for item in manager["nav_items"]]
        assert "Contractors" in [item["label"] for item in manager["nav_more"]]
