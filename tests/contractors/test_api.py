"""The contractors API: companies, workers, work orders, access passes and the gate check.

Every endpoint's happy path; who may and who may not (403 before the input is read); malformed
input answers 400 with the field's error, never 500 (huge ids, bad dates, year 1, NUL characters,
10,000-character reasons); a step the status no longer allows answers 409 (a stale tab, a lost race);
an outsider gets 404 on what is outside their units; the gate refuses a pass when its company is
suspended, its work order stopped or its holder's documents run out, without anyone touching the
pass, and records every check; list queries do not grow with the rows."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.access import forget_scope
from apps.audit.selectors import history_for
from apps.contractors.models import (
    AccessPass,
    CompanyDocument,
    ContractorCompany,
    ContractorWorker,
    GateCheck,
    WorkerDocument,
    WorkOrder,
)
from tests.concurrency import race
from tests.factories import (
    AccessPassFactory,
    CompanyFactory,
    GateCheckFactory,
    UnitFactory,
    WorkerFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
NUL = "Ivanov\x00Ivan"
LONG_REASON = "x" * 10_000


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


def iso(days: int) -> str:
    return in_days(days).isoformat()


@pytest.fixture
def company(db):
    return CompanyFactory(name="Stroymontazh LLC", tax_number="7701234567")


@pytest.fixture
def worker(company):
    return WorkerFactory(company=company, full_name="Ivanov Ivan")


@pytest.fixture
def order(org, company, hse_specialist):
    return WorkOrderFactory(company=company, unit=org.crew, responsible=hse_specialist, number="WO-1")


@pytest.fixture
def access_pass(worker, order, pass_admin):
    """An active pass of the worker for the work order, opening the crew (the order's unit)."""
    return AccessPassFactory(holder=worker, work_order=order, issued_by=pass_admin, number="T-000001")


def pass_url(access_pass, step=""):
    return f"/api/v1/access-passes/{access_pass.pk}/" + (f"{step}/" if step else "")


def codes(body) -> list[str]:
    return [reason["code"] for reason in body["reasons"]]


# --- Companies -----------------------------------------------------------------------------------


class TestCompanies:
    URL = "/api/v1/contractor-companies/"

    def test_it_lists_every_company_with_its_documents(self, company, line_manager):
        company.documents.create(kind="insurance", number="INS-1", valid_until=in_days(300))
        CompanyFactory(name="Teploset LLC", status="suspended", status_reason="Unpaid fine")
        body = api(line_manager).get(self.URL).json()
        assert [row["name"] for row in body["results"]] == ["Stroymontazh LLC", "Teploset LLC"]
        assert body["results"][0]["documents"] == [
            {"id": company.documents.get().pk, "kind": "insurance", "number": "INS-1", "valid_until": iso(300)}
        ]

    def test_it_filters_as_the_list_page_does(self, company, hse_head):
        CompanyFactory(name="Teploset LLC", status="suspended", status_reason="Unpaid fine")
        client = api(hse_head)
        assert [r["name"] for r in client.get(self.URL, {"status": "suspended"}).json()["results"]] == ["Teploset LLC"]
        assert [r["name"] for r in client.get(self.URL, {"q": "7701"}).json()["results"]] == ["Stroymontazh LLC"]
        response = client.get(self.URL, {"status": "closed"})
        assert response.status_code == 400 and "status" in response.json()
        response = client.get(self.URL, {"q": NUL})
        assert response.status_code == 400 and "q" in response.json()

    def test_it_shows_one_company(self, company, outsider):
        # Companies are enterprise-wide: an HSE specialist of another site reads them too.
        response = api(outsider).get(f"{self.URL}{company.pk}/")
        assert response.status_code == 200
        assert response.json()["tax_number"] == "7701234567"

    @pytest.mark.parametrize("pk", [HUGE_ID, "abc", -1])
    def test_an_impossible_id_is_404(self, company, hse_head, pk):
        assert api(hse_head).get(f"{self.URL}{pk}/").status_code == 404

    def test_it_registers_a_company(self, hse_specialist):
        response = api(hse_specialist).post(
            self.URL, {"name": " Teploset LLC ", "tax_number": "771234567890", "contact_email": "a@b.test"}
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["name"], body["status"], body["documents"]) == ("Teploset LLC", "approved", [])
        company = ContractorCompany.objects.get(pk=body["id"])
        assert history_for(company).get().action == "contractors.company.registered"

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"name": "X", "tax_number": "123"}, "tax_number"),
            ({"name": "X", "tax_number": "7701234567"}, "tax_number"),  # taken
            ({"name": "", "tax_number": "7709999999"}, "name"),
            ({"name": NUL, "tax_number": "7709999999"}, "name"),
            ({"name": "X" * 201, "tax_number": "7709999999"}, "name"),
            ({"name": "X", "tax_number": "7709999999", "notes": "n" * 10_000}, "notes"),
            ({"name": "X", "tax_number": "7709999999", "contact_email": "not an address"}, "contact_email"),
        ],
    )
    def test_bad_input_is_a_field_error(self, company, hse_head, data, field):
        response = api(hse_head).post(self.URL, data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert ContractorCompany.objects.count() == 1

    @pytest.mark.parametrize("name", ["pass_admin", "line_manager", "executive"])
    def test_a_role_that_may_not_manage_companies_is_refused(self, persona, name):
        response = api(persona(name)).post(self.URL, {}, format="json")
        assert response.status_code == 403
        assert not ContractorCompany.objects.exists()

    def test_it_suspends_a_company_with_a_reason(self, company, hse_head):
        response = api(hse_head).post(
            f"{self.URL}{company.pk}/status/", {"status": "suspended", "reason": "Insurance lapsed"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["status_reason"]) == ("suspended", "Insurance lapsed")
        entry = history_for(company).get()
        assert (entry.action, entry.reason, entry.data) == (
            "contractors.company.suspended",
            "Insurance lapsed",
            {"status": ["approved", "suspended"]},
        )

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"status": "suspended"}, "reason"),
            ({"status": "suspended", "reason": "   "}, "reason"),
            ({"status": "suspended", "reason": LONG_REASON}, "reason"),
            ({"status": "suspended", "reason": "A\x00B"}, "reason"),
            ({"status": "closed", "reason": "x"}, "status"),
            ({"reason": "x"}, "status"),
        ],
    )
    def test_a_bad_status_change_is_a_field_error(self, company, hse_head, data, field):
        response = api(hse_head).post(f"{self.URL}{company.pk}/status/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        company.refresh_from_db()
        assert company.status == "approved"

    def test_the_same_status_again_is_a_409(self, company, hse_head):
        response = api(hse_head).post(f"{self.URL}{company.pk}/status/", {"status": "approved", "reason": "x"})
        assert response.status_code == 409
        assert response.json() == {"detail": "The company is already approved.", "code": "state_conflict"}

    def test_the_pass_office_may_not_set_a_status(self, company, pass_admin):
        response = api(pass_admin).post(f"{self.URL}{company.pk}/status/", {"status": "banned", "reason": "x"})
        assert response.status_code == 403

    def test_it_adds_a_document(self, company, hse_specialist):
        response = api(hse_specialist).post(
            f"{self.URL}{company.pk}/documents/",
            {"kind": "licence", "number": "L-7", "valid_until": iso(365)},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert [d["number"] for d in response.json()["documents"]] == ["L-7"]
        assert CompanyDocument.objects.get().company == company

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"kind": "licence", "number": "L-7", "valid_until": "0001-01-01"}, "valid_until"),
            ({"kind": "licence", "number": "L-7", "valid_until": "2026-13-45"}, "valid_until"),
            ({"kind": "licence", "number": "L-7", "valid_until": "soon"}, "valid_until"),
            ({"kind": "lease", "number": "L-7", "valid_until": iso(10)}, "kind"),
            ({"kind": "licence", "number": "", "valid_until": iso(10)}, "number"),
        ],
    )
    def test_a_bad_document_is_a_field_error(self, company, hse_head, data, field):
        response = api(hse_head).post(f"{self.URL}{company.pk}/documents/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not CompanyDocument.objects.exists()


# --- Workers -------------------------------------------------------------------------------------


class TestWorkers:
    URL = "/api/v1/contractor-workers/"

    def test_it_lists_and_finds_workers(self, worker, executive):
        other = WorkerFactory(full_name="Petrov Petr")
        client = api(executive)
        assert [r["full_name"] for r in client.get(self.URL).json()["results"]] == ["Ivanov Ivan", "Petrov Petr"]
        assert [r["full_name"] for r in client.get(self.URL, {"q": "petr"}).json()["results"]] == ["Petrov Petr"]
        by_company = client.get(self.URL, {"company": other.company_id}).json()["results"]
        assert [r["full_name"] for r in by_company] == ["Petrov Petr"]

    @pytest.mark.parametrize("value", [HUGE_ID, "abc", -5])
    def test_a_bad_company_parameter_is_a_field_error(self, worker, hse_head, value):
        response = api(hse_head).get(self.URL, {"company": value})
        assert response.status_code == 400
        assert "company" in response.json()

    def test_it_shows_a_worker_with_documents(self, worker, pass_admin):
        body = api(pass_admin).get(f"{self.URL}{worker.pk}/").json()
        assert (body["full_name"], body["company_name"]) == ("Ivanov Ivan", "Stroymontazh LLC")
        assert sorted(d["kind"] for d in body["documents"]) == ["induction", "medical"]

    def test_the_pass_office_registers_a_worker(self, company, pass_admin):
        response = api(pass_admin).post(
            self.URL, {"company": company.pk, "full_name": "Sidorov Sidor", "job_title": "Rigger"}, format="json"
        )
        assert response.status_code == 201, response.json()
        worker = ContractorWorker.objects.get(pk=response.json()["id"])
        assert (worker.company, worker.full_name, worker.is_active) == (company, "Sidorov Sidor", True)
        assert history_for(worker).get().action == "contractors.worker.registered"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"company": HUGE_ID}, "company"),
            ({"company": "abc"}, "company"),
            ({"company": None}, "company"),
            ({"full_name": NUL}, "full_name"),
            ({"full_name": "A" * 201}, "full_name"),
            ({"job_title": ""}, "job_title"),
        ],
    )
    def test_bad_input_is_a_field_error(self, company, pass_admin, changes, field):
        data = {"company": company.pk, "full_name": "Sidorov Sidor", "job_title": "Rigger", **changes}
        response = api(pass_admin).post(self.URL, data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not ContractorWorker.objects.exists()

    @pytest.mark.parametrize("name", ["line_manager", "executive", "system_admin"])
    def test_a_role_that_may_not_manage_workers_is_refused(self, company, persona, name):
        response = api(persona(name)).post(self.URL, {"company": company.pk, "full_name": "A", "job_title": "B"})
        assert response.status_code == 403
        assert not ContractorWorker.objects.exists()

    def test_it_adds_a_document(self, worker, hse_specialist):
        response = api(hse_specialist).post(
            f"{self.URL}{worker.pk}/documents/", {"kind": "heights", "valid_until": iso(100)}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert sorted(d["kind"] for d in response.json()["documents"]) == ["heights", "induction", "medical"]
        assert history_for(worker).get().data == {"kind": "heights", "valid_until": iso(100)}

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"kind": "medical", "valid_until": "0001-01-01"}, "valid_until"),
            ({"kind": "medical", "valid_until": "9999-12-31"}, "valid_until"),
            ({"kind": "medical"}, "valid_until"),
            ({"kind": "vaccination", "valid_until": iso(10)}, "kind"),
            ({"kind": "medical", "valid_until": iso(10), "number": "N\x00"}, "number"),
        ],
    )
    def test_a_bad_document_is_a_field_error(self, worker, hse_head, data, field):
        response = api(hse_head).post(f"{self.URL}{worker.pk}/documents/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert worker.documents.count() == 2

    def test_adding_a_document_needs_manage_workers(self, worker, executive):
        response = api(executive).post(f"{self.URL}{worker.pk}/documents/", {"kind": "medical"})
        assert response.status_code == 403


# --- Work orders ---------------------------------------------------------------------------------


class TestWorkOrders:
    URL = "/api/v1/work-orders/"

    def payload(self, org, company, responsible, /, **changes):
        return {
            "company": company.pk, "number": "WO-9", "title": "Insulation", "unit": org.crew.pk,
            "starts_on": iso(0), "ends_on": iso(30), "responsible": responsible.pk, **changes,
        }  # fmt: skip

    def test_the_list_is_scoped_and_filtered(self, org, order, hse_specialist, outsider):
        WorkOrderFactory(unit=org.other_shop, number="WO-OTHER", status="stopped", stop_reason="Gas")
        client = api(hse_specialist)
        assert [r["number"] for r in client.get(self.URL).json()["results"]] == ["WO-1"]
        assert [r["number"] for r in api(outsider).get(self.URL).json()["results"]] == ["WO-OTHER"]
        assert client.get(self.URL, {"status": "stopped"}).json()["results"] == []
        response = client.get(self.URL, {"unit": org.other_shop.pk})  # a unit the specialist does not see
        assert response.status_code == 400 and "unit" in response.json()
        response = client.get(self.URL, {"high_hazard": "perhaps"})
        assert response.status_code == 400 and "high_hazard" in response.json()

    def test_it_shows_one_and_hides_it_from_an_outsider(self, order, line_manager, outsider):
        body = api(line_manager).get(f"{self.URL}{order.pk}/").json()
        assert (body["number"], body["status"], body["company_name"]) == ("WO-1", "in_progress", "Stroymontazh LLC")
        assert api(outsider).get(f"{self.URL}{order.pk}/").status_code == 404

    def test_it_opens_a_work_order(self, org, company, hse_specialist, line_manager):
        response = api(hse_specialist).post(self.URL, self.payload(org, company, line_manager), format="json")
        assert response.status_code == 201, response.json()
        order = WorkOrder.objects.get(pk=response.json()["id"])
        assert (order.unit, order.status, order.responsible) == (org.crew, "planned", line_manager)
        assert history_for(order).get().action == "contractors.work_order.opened"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"ends_on": iso(-1)}, "ends_on"),
            ({"starts_on": "0001-01-01"}, "starts_on"),
            ({"starts_on": "2026-02-30"}, "starts_on"),
            ({"responsible": HUGE_ID}, "responsible"),
            ({"company": HUGE_ID}, "company"),
            ({"unit": HUGE_ID}, "unit"),
            ({"number": "WO-1"}, "number"),  # taken
            ({"title": NUL}, "title"),
            ({"title": ""}, "title"),
        ],
    )
    def test_bad_input_is_a_field_error(self, org, order, hse_head, changes, field):
        response = api(hse_head).post(self.URL, self.payload(org, order.company, hse_head, **changes), format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert WorkOrder.objects.count() == 1

    def test_a_unit_outside_scope_is_unknown(self, org, company, outsider):
        response = api(outsider).post(self.URL, self.payload(org, company, outsider), format="json")
        assert response.status_code == 400
        assert response.json() == {"unit": ["Unknown unit."]}

    def test_a_suspended_company_gets_no_work(self, org, company, hse_head):
        company.status, company.status_reason = "suspended", "Unpaid fine"
        company.save()
        response = api(hse_head).post(self.URL, self.payload(org, company, hse_head), format="json")
        assert response.status_code == 400
        assert "company" in response.json()

    @pytest.mark.parametrize("name", ["line_manager", "executive", "pass_admin", "system_admin"])
    def test_a_role_that_may_not_manage_work_orders_is_refused(self, org, company, persona, name):
        response = api(persona(name)).post(self.URL, self.payload(org, company, persona(name)), format="json")
        assert response.status_code == 403

    def test_it_stops_and_resumes_with_reasons(self, order, hse_specialist):
        client = api(hse_specialist)
        response = client.post(f"{self.URL}{order.pk}/step/", {"step": "stop", "reason": "Gas detected"})
        assert response.status_code == 200, response.json()
        assert (response.json()["status"], response.json()["stop_reason"]) == ("stopped", "Gas detected")
        response = client.post(f"{self.URL}{order.pk}/step/", {"step": "resume", "reason": "Air is clean"})
        assert (response.json()["status"], response.json()["stop_reason"]) == ("in_progress", "")
        assert client.post(f"{self.URL}{order.pk}/step/", {"step": "finish"}).json()["status"] == "finished"
        assert [e.action for e in history_for(order)] == [
            "contractors.work_order.finished",
            "contractors.work_order.resumed",
            "contractors.work_order.stopped",
        ]

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"step": "stop"}, "reason"),
            ({"step": "stop", "reason": LONG_REASON}, "reason"),
            ({"step": "pause", "reason": "x"}, "step"),
            ({}, "step"),
        ],
    )
    def test_a_bad_step_is_a_field_error(self, order, hse_head, data, field):
        response = api(hse_head).post(f"{self.URL}{order.pk}/step/", data, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_a_step_the_status_no_longer_allows_is_a_409(self, order, hse_head):
        response = api(hse_head).post(f"{self.URL}{order.pk}/step/", {"step": "start"})
        assert response.status_code == 409
        assert response.json() == {"detail": "This work order is in progress.", "code": "state_conflict"}

    def test_steps_are_for_hse_roles_of_the_unit(self, order, line_manager, outsider):
        assert api(line_manager).post(f"{self.URL}{order.pk}/step/", {"step": "finish"}).status_code == 403
        assert api(outsider).post(f"{self.URL}{order.pk}/step/", {"step": "finish"}).status_code == 404
        order.refresh_from_db()
        assert order.status == "in_progress"


# --- Access passes -------------------------------------------------------------------------------


class TestPassReads:
    URL = "/api/v1/access-passes/"

    def test_the_list_is_scoped_by_zones(self, org, access_pass, hse_specialist, outsider, pass_admin):
        elsewhere = AccessPassFactory(zones=[org.other_shop], number="T-000002")
        assert [r["number"] for r in api(pass_admin).get(self.URL).json()["results"]] == ["T-000002", "T-000001"]
        assert [r["number"] for r in api(hse_specialist).get(self.URL).json()["results"]] == ["T-000001"]
        assert [r["number"] for r in api(outsider).get(self.URL).json()["results"]] == [elsewhere.number]

    def test_it_filters_as_the_pass_office_list_does(self, org, access_pass, hse_specialist):
        client = api(hse_specialist)
        assert [r["number"] for r in client.get(self.URL, {"q": "ivanov"}).json()["results"]] == ["T-000001"]
        assert client.get(self.URL, {"status": "blocked"}).json()["results"] == []
        assert client.get(self.URL, {"zone": org.crew.pk}).json()["count"] == 1
        for params, field in (
            ({"zone": org.other_shop.pk}, "zone"),  # a unit the specialist does not see
            ({"zone": HUGE_ID}, "zone"),
            ({"company": "abc"}, "company"),
            ({"status": "lost"}, "status"),
            ({"q": "x" * 201}, "q"),
        ):
            response = client.get(self.URL, params)
            assert response.status_code == 400, params
            assert field in response.json()

    def test_it_shows_a_pass_with_its_zones_and_the_gate_answer_now(self, org, access_pass, executive):
        body = api(executive).get(pass_url(access_pass)).json()
        assert body["zones"] == [{"id": org.crew.pk, "code": "flotation", "name": "Flotation crew"}]
        assert (body["holder_name"], body["company_name"], body["work_order_number"]) == (
            "Ivanov Ivan",
            "Stroymontazh LLC",
            "WO-1",
        )
        assert body["gate"] == {"allowed": True, "reasons": []}

    def test_the_gate_answer_follows_the_company_without_touching_the_pass(self, access_pass, executive, company):
        ContractorCompany.objects.filter(pk=company.pk).update(status="banned", status_reason="Fatality")
        gate = api(executive).get(pass_url(access_pass)).json()["gate"]
        assert gate["allowed"] is False
        assert gate["reasons"] == [
            {"code": "company_banned", "message": "The company is banned from the site. Fatality"}
        ]

    def test_an_outsider_gets_404_and_a_role_without_passes_view_403(self, access_pass, outsider, line_manager):
        assert api(outsider).get(pass_url(access_pass)).status_code == 404
        assert api(outsider).get(pass_url(access_pass, "history")).status_code == 404
        assert api(line_manager).get(pass_url(access_pass)).status_code == 403
        assert api(line_manager).get(self.URL).status_code == 403

    @pytest.mark.parametrize("pk", [HUGE_ID, "P-000001"])
    def test_an_impossible_id_is_404(self, access_pass, pass_admin, pk):
        assert api(pass_admin).get(f"{self.URL}{pk}/").status_code == 404


class TestPassIssue:
    URL = "/api/v1/access-passes/"

    def payload(self, org, worker, order, /, **changes):
        return {
            "holder": worker.pk, "zones": [org.crew.pk], "work_order": order.pk, "valid_from": iso(0),
            "valid_until": iso(30), **changes,
        }  # fmt: skip

    def test_the_pass_office_issues_a_pass(self, org, worker, order, pass_admin):
        response = api(pass_admin).post(self.URL, self.payload(org, worker, order), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["number"], body["status"], body["holder_name"]) == ("P-000001", "active", "Ivanov Ivan")
        assert [zone["id"] for zone in body["zones"]] == [org.crew.pk]
        assert body["gate"] == {"allowed": True, "reasons": []}
        entry = history_for(AccessPass.objects.get()).get()
        assert (entry.action, entry.data["status"]) == ("contractors.pass.issued", [None, "active"])

    def test_a_number_may_be_given_and_is_kept_in_capitals(self, org, worker, order, pass_admin):
        response = api(pass_admin).post(self.URL, self.payload(org, worker, order, number="k-77"), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["number"] == "K-77"

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"valid_until": iso(-1)}, "valid_until"),
            ({"valid_from": "0001-01-01"}, "valid_from"),
            ({"valid_until": "31.12.2026"}, "valid_until"),
            ({"valid_until": iso(200)}, "valid_until"),  # beyond the work order
            ({"work_order": None, "valid_until": iso(400)}, "valid_until"),  # more than a year
            ({"zones": []}, "zones"),
            ({"zones": [HUGE_ID]}, "zones"),
            ({"zones": "crew"}, "zones"),
            ({"holder": HUGE_ID}, "holder"),
            ({"holder": None}, "holder"),
            ({"work_order": HUGE_ID}, "work_order"),
            ({"number": "no spaces!"}, "number"),
            ({"number": "P\x0012"}, "number"),
            ({"number": "T-000001"}, "number"),  # taken
            ({"number": "P" * 21}, "number"),
        ],
    )
    def test_bad_input_is_a_field_error(self, org, worker, order, access_pass, pass_admin, changes, field):
        response = api(pass_admin).post(self.URL, self.payload(org, worker, order, **changes), format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert AccessPass.objects.count() == 1

    def test_a_work_order_of_another_company_is_refused(self, org, worker, pass_admin):
        other = WorkOrderFactory(unit=org.crew)
        response = api(pass_admin).post(self.URL, self.payload(org, worker, other), format="json")
        assert response.status_code == 400
        assert response.json() == {"work_order": ["This work order belongs to another company."]}

    def test_a_suspended_company_gets_no_new_pass(self, org, worker, order, company, pass_admin):
        ContractorCompany.objects.filter(pk=company.pk).update(status="suspended", status_reason="Audit")
        response = api(pass_admin).post(self.URL, self.payload(org, worker, order), format="json")
        assert response.status_code == 400
        assert "holder" in response.json()

    @pytest.mark.parametrize("name", ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin"])
    def test_only_the_pass_office_issues(self, org, worker, order, persona, name):
        response = api(persona(name)).post(self.URL, self.payload(org, worker, order), format="json")
        assert response.status_code == 403
        assert not AccessPass.objects.exists()

    def test_anonymous_is_401(self, org, worker, order):
        assert api().post(self.URL, self.payload(org, worker, order), format="json").status_code == 401


class TestPassSteps:
    def post(self, user, access_pass, step, **data):
        return api(user).post(pass_url(access_pass, step), data, format="json")

    def test_the_pass_office_walks_a_pass_through_its_statuses(self, access_pass, pass_admin, hse_head):
        for user, step, data, expected in [
            (pass_admin, "suspend", {"reason": "Holiday"}, "suspended"),
            (pass_admin, "reinstate", {}, "active"),
            (hse_head, "block", {"reason": "No harness at height"}, "blocked"),
            (hse_head, "unblock", {"reason": "Retrained"}, "active"),
            (pass_admin, "revoke", {"reason": "Left the company"}, "revoked"),
        ]:
            response = self.post(user, access_pass, step, **data)
            assert response.status_code == 200, (step, response.json())
            assert response.json()["status"] == expected, step
        history = api(pass_admin).get(pass_url(access_pass, "history")).json()
        assert [(e["action"], e["before"], e["after"], e["reason"]) for e in history] == [
            ("contractors.pass.revoked", "active", "revoked", "Left the company"),
            ("contractors.pass.unblocked", "blocked", "active", "Retrained"),
            ("contractors.pass.blocked", "active", "blocked", "No harness at height"),
            ("contractors.pass.reinstated", "suspended", "active", ""),
            ("contractors.pass.suspended", "active", "suspended", "Holiday"),
        ]
        assert history[2]["by"] == str(hse_head)
        assert history[2]["label"] == "Pass blocked"

    def test_a_block_answers_with_the_gate_refusing(self, access_pass, hse_specialist):
        body = self.post(hse_specialist, access_pass, "block", reason="Drunk on site").json()
        assert body["gate"]["allowed"] is False
        assert codes(body["gate"]) == ["pass_blocked"]

    def test_it_extends_a_pass(self, access_pass, pass_admin):
        response = self.post(pass_admin, access_pass, "extend", valid_until=iso(80), reason="Job extended")
        assert response.status_code == 200, response.json()
        assert response.json()["valid_until"] == iso(80)
        entry = api(pass_admin).get(pass_url(access_pass, "history")).json()[0]
        assert (entry["action"], entry["valid_until"]) == ("contractors.pass.extended", [iso(60), iso(80)])

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"valid_until": iso(10)}, "valid_until"),  # not later than the current end
            ({"valid_until": iso(120)}, "valid_until"),  # beyond the work order
            ({"valid_until": "0001-01-01"}, "valid_until"),
            ({"valid_until": "tomorrow"}, "valid_until"),
            ({}, "valid_until"),
            ({"valid_until": iso(80), "reason": LONG_REASON}, "reason"),
        ],
    )
    def test_a_bad_extension_is_a_field_error(self, access_pass, pass_admin, data, field):
        response = api(pass_admin).post(pass_url(access_pass, "extend"), data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        access_pass.refresh_from_db()
        assert access_pass.valid_until == in_days(60)

    @pytest.mark.parametrize("step", ["suspend", "block", "unblock", "revoke"])
    @pytest.mark.parametrize("reason", ["", "   ", LONG_REASON, "a\x00b"])
    def test_a_step_without_a_fit_reason_is_a_field_error(self, access_pass, pass_admin, step, reason):
        response = self.post(pass_admin, access_pass, step, reason=reason)
        assert response.status_code == 400
        assert "reason" in response.json()
        assert not history_for(access_pass).exists()

    @pytest.mark.parametrize(
        ("status", "step"),
        [
            ("active", "reinstate"),
            ("active", "unblock"),
            ("suspended", "suspend"),
            ("blocked", "block"),
            ("blocked", "extend"),
            ("revoked", "revoke"),
            ("revoked", "suspend"),
        ],
    )
    def test_a_step_the_status_no_longer_allows_is_a_409(self, access_pass, pass_admin, status, step):
        # The tab was opened before someone else changed the pass: the answer says what it is now.
        AccessPass.objects.filter(pk=access_pass.pk).update(
            status=status, status_reason="" if status == "active" else "x"
        )
        response = self.post(pass_admin, access_pass, step, reason="Because", valid_until=iso(80))
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "state_conflict"
        assert body["detail"].startswith("This pass is already")
        assert not history_for(access_pass).exists()

    @pytest.mark.parametrize(
        ("name", "step", "code"),
        [
            ("hse_specialist", "suspend", 403),
            ("hse_specialist", "extend", 403),
            ("hse_specialist", "unblock", 403),
            ("hse_head", "revoke", 403),
            ("executive", "block", 403),
            ("system_admin", "block", 403),
            ("line_manager", "block", 403),
            ("outsider", "block", 404),  # may block, but not a pass of someone else's units
        ],
    )
    def test_who_may_not(self, access_pass, persona, name, step, code):
        response = self.post(persona(name), access_pass, step, reason="x", valid_until=iso(80))
        assert response.status_code == code
        access_pass.refresh_from_db()
        assert access_pass.status == "active"

    def test_an_impossible_id_is_404(self, access_pass, pass_admin):
        assert api(pass_admin).post(f"/api/v1/access-passes/{HUGE_ID}/block/", {"reason": "x"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_of_racing_blocks_one_wins_and_the_others_get_409(org, pass_admin, hse_head):
    access_pass = AccessPassFactory(zones=[org.crew])
    users = [pass_admin, hse_head]

    def step(i):
        return api(users[i % 2]).post(pass_url(access_pass, "block"), {"reason": f"by {i}"}, format="json")

    outcomes = race(8, step)
    assert not outcomes.failed
    assert sorted(response.status_code for response in outcomes.results) == [200] + [409] * 7
    assert list(history_for(access_pass).values_list("action", flat=True)) == ["contractors.pass.blocked"]


@pytest.mark.django_db(transaction=True)
def test_of_racing_registrations_of_one_company_one_wins_and_none_is_a_500(org, hse_head):
    def step(i):
        return api(hse_head).post(
            "/api/v1/contractor-companies/", {"name": f"Twin {i}", "tax_number": "7709999999"}, format="json"
        )

    outcomes = race(8, step)
    assert not outcomes.failed
    answers = sorted(response.status_code for response in outcomes.results)
    # The losers either see the winner's row (400, the number is taken) or meet it at the insert (409).
    assert answers.count(201) == 1 and set(answers) <= {201, 400, 409}
    assert ContractorCompany.objects.count() == 1


# --- The gate ------------------------------------------------------------------------------------


class TestGateCheck:
    URL = "/api/v1/gate-checks/"

    def check(self, user, number, checkpoint="Gate 1"):
        return api(user).post(self.URL, {"number": number, "checkpoint": checkpoint}, format="json")

    def untouched(self, access_pass):
        """The pass as the pass office left it: active, its status not changed, nothing logged on it."""
        before = AccessPass.objects.get(pk=access_pass.pk)
        assert (before.status, before.status_changed_at) == ("active", access_pass.status_changed_at)
        assert not history_for(access_pass).exists()

    def test_a_good_pass_lets_its_holder_in_and_the_check_is_recorded(self, access_pass, hse_specialist):
        response = self.check(hse_specialist, " t-000001 ", checkpoint="Gate 3")
        assert response.status_code == 200
        body = response.json()
        record = GateCheck.objects.get()
        assert body == {
            "allowed": True, "number": "T-000001", "reasons": [], "holder": "Ivanov Ivan",
            "company": "Stroymontazh LLC", "check": record.pk, "checked_at": body["checked_at"],
        }  # fmt: skip
        assert (record.access_pass, record.checked_by, record.checkpoint, record.allowed) == (
            access_pass,
            hse_specialist,
            "Gate 3",
            True,
        )

    def test_an_unknown_number_is_refused_and_recorded(self, pass_admin):
        body = self.check(pass_admin, "Z-404").json()
        assert (body["allowed"], body["holder"], body["company"]) == (False, None, None)
        assert body["reasons"] == [{"code": "unknown_number", "message": "No pass has this number."}]
        record = GateCheck.objects.get()
        assert (record.access_pass, record.number_presented, record.allowed) == (None, "Z-404", False)

    def test_the_gate_answers_any_guard_for_any_card(self, access_pass, outsider):
        # The outsider cannot read the pass (404), but as a guard may check it at the gate.
        assert self.check(outsider, access_pass.number).json()["allowed"] is True

    def test_a_suspended_company_refuses_the_pass(self, access_pass, company, hse_head):
        status = api(hse_head).post(
            f"/api/v1/contractor-companies/{company.pk}/status/", {"status": "suspended", "reason": "Unpaid fine"}
        )
        assert status.status_code == 200
        body = self.check(hse_head, access_pass.number).json()
        assert body["allowed"] is False
        assert body["reasons"] == [{"code": "company_suspended", "message": "The company is suspended. Unpaid fine"}]
        self.untouched(access_pass)
        assert GateCheck.objects.get().reasons == [{"code": "company_suspended", "detail": "Unpaid fine"}]

    def test_a_stopped_work_order_refuses_the_pass_until_resumed(self, access_pass, order, hse_specialist):
        step = f"/api/v1/work-orders/{order.pk}/step/"
        assert api(hse_specialist).post(step, {"step": "stop", "reason": "Gas detected"}).status_code == 200
        body = self.check(hse_specialist, access_pass.number).json()
        assert (body["allowed"], codes(body)) == (False, ["work_order_stopped"])
        assert body["reasons"][0]["message"] == "The work order is stopped. Gas detected"
        self.untouched(access_pass)
        assert api(hse_specialist).post(step, {"step": "resume", "reason": "Air is clean"}).status_code == 200
        assert self.check(hse_specialist, access_pass.number).json()["allowed"] is True
        assert list(GateCheck.objects.order_by("id").values_list("allowed", flat=True)) == [False, True]

    @pytest.mark.parametrize("kind", ["medical", "induction"])
    def test_a_required_document_running_out_refuses_the_pass(self, org, order, pass_admin, time_machine, kind):
        last_day = in_days(10)
        documents = {"medical": in_days(200), "induction": in_days(200), kind: last_day}
        worker = WorkerFactory(company=order.company, documents=documents)
        access_pass = AccessPassFactory(holder=worker, work_order=order)
        assert self.check(pass_admin, access_pass.number).json()["allowed"] is True
        time_machine.move_to(timezone.now() + timedelta(days=11))
        body = self.check(pass_admin, access_pass.number).json()
        assert body["allowed"] is False
        assert codes(body) == [f"document_expired_{kind}"]
        self.untouched(access_pass)
        assert [check.reasons for check in GateCheck.objects.order_by("id")] == [
            [],
            [{"code": f"document_expired_{kind}", "detail": last_day.isoformat()}],
        ]

    def test_a_missing_document_refuses_the_pass(self, order, pass_admin):
        worker = WorkerFactory(company=order.company, documents={"induction": in_days(200)})
        access_pass = AccessPassFactory(holder=worker, work_order=order)
        body = self.check(pass_admin, access_pass.number).json()
        assert codes(body) == ["document_missing_medical"]
        assert body["reasons"][0]["message"] == "No medical clearance on file."

    def test_every_reason_is_listed(self, access_pass, company, order, pass_admin):
        ContractorCompany.objects.filter(pk=company.pk).update(status="banned", status_reason="Fatality")
        WorkOrder.objects.filter(pk=order.pk).update(status="finished")
        AccessPass.objects.filter(pk=access_pass.pk).update(status="blocked", status_reason="Violation")
        WorkerDocument.objects.filter(worker=access_pass.holder).delete()
        assert codes(self.check(pass_admin, access_pass.number).json()) == [
            "pass_blocked",
            "company_banned",
            "work_order_finished",
            "document_missing_medical",
            "document_missing_induction",
        ]

    @pytest.mark.parametrize("name", ["line_manager", "executive", "system_admin"])
    def test_a_role_that_may_not_check_learns_nothing(self, access_pass, persona, name):
        response = self.check(persona(name), access_pass.number)
        assert response.status_code == 403
        assert "Ivanov" not in response.content.decode()
        assert set(response.json()) == {"detail"}
        assert not GateCheck.objects.exists()

    def test_anonymous_is_401_and_nothing_is_recorded(self, access_pass):
        assert api().post(self.URL, {"number": access_pass.number}).status_code == 401
        assert not GateCheck.objects.exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "number"),
            ({"number": ""}, "number"),
            ({"number": "   "}, "number"),
            ({"number": "P" * 41}, "number"),
            ({"number": "P-00\x0001"}, "number"),
            ({"number": ["P-000001"]}, "number"),
            ({"number": "P-000001", "checkpoint": "G" * 101}, "checkpoint"),
            ({"number": "P-000001", "checkpoint": "G\x00"}, "checkpoint"),
        ],
    )
    def test_bad_input_is_a_field_error_and_nothing_is_recorded(self, access_pass, pass_admin, data, field):
        response = api(pass_admin).post(self.URL, data, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert not GateCheck.objects.exists()

    def test_the_recent_checks_are_listed_and_filtered(self, org, access_pass, pass_admin, hse_specialist):
        self.check(pass_admin, access_pass.number)
        self.check(pass_admin, "Z-404")
        client = api(pass_admin)
        rows = client.get(self.URL).json()["results"]
        assert [(r["number"], r["allowed"], r["holder"]) for r in rows] == [
            ("Z-404", False, None),
            ("T-000001", True, "Ivanov Ivan"),
        ]
        assert rows[0]["reasons"] == [{"code": "unknown_number", "message": "No pass has this number."}]
        assert [r["number"] for r in client.get(self.URL, {"allowed": "false"}).json()["results"]] == ["Z-404"]
        assert [r["number"] for r in client.get(self.URL, {"pass": access_pass.pk}).json()["results"]] == ["T-000001"]
        # A user who sees some units only sees the checks of their passes (not unknown numbers).
        assert [r["number"] for r in api(hse_specialist).get(self.URL).json()["results"]] == ["T-000001"]
        for params, field in (
            ({"pass": HUGE_ID}, "pass"),
            ({"pass": "abc"}, "pass"),
            ({"allowed": "maybe"}, "allowed"),
        ):
            response = client.get(self.URL, params)
            assert response.status_code == 400, params
            assert field in response.json()

    def test_an_outsider_neither_lists_nor_opens_checks_of_other_units(self, access_pass, outsider, pass_admin):
        check = GateCheckFactory(access_pass=access_pass)
        assert api(outsider).get(self.URL).json()["results"] == []
        assert api(outsider).get(f"{self.URL}{check.pk}/").status_code == 404
        response = api(outsider).get(self.URL, {"pass": access_pass.pk})
        assert response.status_code == 400 and "pass" in response.json()
        assert api(pass_admin).get(f"{self.URL}{check.pk}/").json()["holder"] == "Ivanov Ivan"

    def test_reading_checks_needs_passes_view(self, access_pass, line_manager):
        assert api(line_manager).get(self.URL).status_code == 403


# --- Query counts --------------------------------------------------------------------------------


def _grow(org, count=6):
    """More rows of every kind the lists show, each with the relations its row shows."""
    for index in range(count):
        zone = UnitFactory(parent=org.shop, kind="crew")
        order = WorkOrderFactory(unit=zone)
        worker = WorkerFactory(company=order.company)
        order.company.documents.create(kind="insurance", number=f"I-{index}", valid_until=in_days(100))
        access_pass = AccessPassFactory(holder=worker, work_order=order, zones=[zone, org.crew])
        GateCheckFactory(access_pass=access_pass, allowed=False, reasons=[{"code": "pass_blocked", "detail": ""}])
        GateCheckFactory(access_pass=None, number_presented=f"Z-{index}", allowed=False)


LIST_URLS = [
    "/api/v1/contractor-companies/",
    "/api/v1/contractor-companies/?status=approved&q=LLC",
    "/api/v1/contractor-workers/",
    "/api/v1/contractor-workers/?q=worker",
    "/api/v1/work-orders/",
    "/api/v1/work-orders/?status=in_progress&high_hazard=false",
    "/api/v1/access-passes/",
    "/api/v1/access-passes/?status=active&q=LLC",
    "/api/v1/gate-checks/",
    "/api/v1/gate-checks/?allowed=false",
]


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("persona_name", ["hse_head", "hse_specialist"])
def test_list_query_count_does_not_grow_with_rows(org, access_pass, persona, persona_name, url):
    _grow(org, count=1)  # a row of every kind each list (and filter) shows, to start with
    user = persona(persona_name)
    client = api(user)
    client.get(url)  # warm up: content types
    forget_scope(user)  # each request below reads the user's units afresh, as a real one does
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # At most: the user's units (two), the count, the rows, three relations of the rows, the
    # holders' trainings and the trainings the zones require (the gate's training check).
    assert len(few.captured_queries) <= 9, [q["sql"] for q in few.captured_queries]
    _grow(org)
    forget_scope(user)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 1
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_a_pass_list_page_is_seven_queries(org, access_pass, pass_admin, django_assert_num_queries):
    """The count, the rows with holder, company and work order, the zones, the holders' documents,
    the sanctions in force, the holders' trainings and the trainings zones require: whatever the
    number of passes (the pass office sees every unit, so no scope is read)."""
    _grow(org)
    client = api(pass_admin)
    client.get("/api/v1/access-passes/")
    with django_assert_num_queries(7):
        rows = client.get("/api/v1/access-passes/").json()["results"]
    assert len(rows) == 7 and all(row["zones"] for row in rows)


def test_a_pass_history_is_two_queries_however_long(access_pass, pass_admin, django_assert_num_queries):
    client = api(pass_admin)
    for _ in range(3):
        client.post(pass_url(access_pass, "suspend"), {"reason": "Holiday"})
        client.post(pass_url(access_pass, "reinstate"), {})
    client.get(pass_url(access_pass, "history"))  # warm up: the content type
    with django_assert_num_queries(2):  # the pass, then its entries with their actors
        assert len(client.get(pass_url(access_pass, "history")).json()) == 6


# --- The schema ----------------------------------------------------------------------------------


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_schema_documents_the_endpoints_filters_and_conflicts(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    params = {p["name"] for p in paths["/api/v1/access-passes/"]["get"]["parameters"]}
    assert params >= {"q", "status", "company", "zone", "page"}
    assert {p["name"] for p in paths["/api/v1/gate-checks/"]["get"]["parameters"]} >= {"pass", "allowed"}
    for step in ("extend", "suspend", "reinstate", "block", "unblock", "revoke"):
        assert "409" in paths[f"/api/v1/access-passes/{{id}}/{step}/"]["post"]["responses"]
    assert "409" in paths["/api/v1/work-orders/{id}/step/"]["post"]["responses"]
    assert "200" in paths["/api/v1/gate-checks/"]["post"]["responses"]
    enums = schema["components"]["schemas"]
    # The names clients already use stay as they were.
    assert enums["StatusEnum"]["enum"] == ["open", "in_progress", "done", "verified", "cancelled"]
    assert enums["StepEnum"]["enum"] == ["analysis", "approve", "close", "plan"]
    assert enums["AccessPassStatusEnum"]["enum"] == ["active", "suspended", "blocked", "expired", "revoked"]


# --- Never a 500 ---------------------------------------------------------------------------------

NASTY = [HUGE_ID, -HUGE_ID, 0, 1.5, True, None, "", "\x00", "0001-01-01", "9999-12-31", "x" * 10_000, [], {}, [HUGE_ID]]


def _writes(ctx):
    """(user, url, a valid body) of every write of the API."""
    order, access_pass, head, office = ctx["order"], ctx["access_pass"], ctx["hse_head"], ctx["pass_admin"]
    company = f"/api/v1/contractor-companies/{order.company_id}"
    worker = f"/api/v1/contractor-workers/{access_pass.holder_id}"
    return [
        (head, "/api/v1/contractor-companies/", {"name": "A", "tax_number": "7709999999", "notes": ""}),
        (head, f"{company}/status/", {"status": "banned", "reason": "x"}),
        (head, f"{company}/documents/", {"kind": "licence", "number": "L", "valid_until": iso(9)}),
        (head, "/api/v1/contractor-workers/", {"company": order.company_id, "full_name": "A", "job_title": "B"}),
        (head, f"{worker}/documents/", {"kind": "medical", "valid_until": iso(9), "number": "M"}),
        (head, "/api/v1/work-orders/",
         {"company": order.company_id, "number": "W", "title": "T", "unit": order.unit_id, "starts_on": iso(0),
          "ends_on": iso(9), "responsible": head.pk, "location": "", "is_high_hazard": False}),
        (head, f"/api/v1/work-orders/{order.pk}/step/", {"step": "stop", "reason": "x"}),
        (office, "/api/v1/access-passes/",
         {"holder": access_pass.holder_id, "zones": [order.unit_id], "work_order": order.pk, "valid_from": iso(0),
          "valid_until": iso(9), "number": ""}),
        (office, pass_url(access_pass, "extend"), {"valid_until": iso(70), "reason": ""}),
        *[(office, pass_url(access_pass, step), {"reason": "x"})
          for step in ("suspend", "reinstate", "block", "unblock", "revoke")],
        (office, "/api/v1/gate-checks/", {"number": access_pass.number, "checkpoint": ""}),
    ]  # fmt: skip


def test_no_write_answers_500_whatever_a_field_holds(access_pass, order, hse_head, pass_admin):
    ctx = {"order": order, "access_pass": access_pass, "hse_head": hse_head, "pass_admin": pass_admin}
    for user, url, body in _writes(ctx):
        client = api(user)
        for name in body:
            for value in NASTY:
                response = client.post(url, {**body, name: value}, format="json")
                assert response.status_code < 500, (url, name, value)
        for raw in ("[]", "null", '"x"', "{", "1e999"):
            response = client.post(url, raw, content_type="application/json")
            assert response.status_code < 500, (url, raw)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/contractor-companies/", "/api/v1/contractor-workers/", "/api/v1/work-orders/", "/api/v1/access-passes/",
     "/api/v1/gate-checks/"],
)  # fmt: skip
def test_no_list_answers_500_whatever_a_parameter_holds(access_pass, hse_specialist, url):
    client = api(hse_specialist)
    for name in ("q", "status", "company", "unit", "zone", "pass", "allowed", "high_hazard", "page"):
        for value in (str(HUGE_ID), "-1", "\x00", "x" * 10_000, "0001-01-01", "true", ""):
            response = client.get(url, {name: value})
            assert response.status_code in (200, 400, 404), (url, name, value)
