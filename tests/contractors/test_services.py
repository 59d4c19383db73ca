"""The rules of the contractor services: who may do each step, which statuses each step starts
from, what each refusal says, and the one audit entry (who, why, status before and after) that
every committed change writes."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.accounts.roles import CAPABILITIES, Role
from apps.audit.models import AuditEntry
from apps.common.dates import short_date
from apps.common.errors import StateConflict
from apps.contractors import services
from apps.contractors.models import AccessPass, CompanyDocument, ContractorCompany, ContractorWorker, WorkOrder
from tests.contractors import rows
from tests.contractors.rows import TODAY, day

PERSONAS = ["hse_specialist", "hse_head", "line_manager", "executive", "pass_admin", "system_admin", "outsider"]
ALL_STATUSES = ["active", "suspended", "blocked", "expired", "revoked"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(rows.at(TODAY))


@pytest.fixture
def world(org, pass_admin, line_manager):
    return rows.build_world(org, pass_admin=pass_admin, responsible=line_manager)


def _one_entry(record, code: str) -> AuditEntry:
    found = rows.entries(record)
    assert [entry.action for entry in found] == [code]
    return found[0]


# --- Companies -------------------------------------------------------------------------------------


class TestCompanies:
    @pytest.mark.parametrize("name", PERSONAS)
    def test_who_registers_a_company(self, persona, name):
        actor = persona(name)
        may = name in ("hse_specialist", "hse_head", "system_admin", "outsider")
        if not may:
            with pytest.raises(PermissionDenied):
                services.company_create(actor=actor, name="Stroymontazh LLC", tax_number="7701234567")
            assert not ContractorCompany.objects.exists()
            return
        company = services.company_create(
            actor=actor, name="  Stroymontazh LLC ", tax_number=" 7701234567 ", contact_name="Orlov A."
        )
        assert (company.name, company.tax_number, company.status) == ("Stroymontazh LLC", "7701234567", "approved")
        entry = _one_entry(company, "contractors.company.registered")
        assert entry.actor == actor

    @pytest.mark.parametrize("tax_number", ["770123456", "77012345678", "77O1234567", ""])
    def test_a_tax_number_is_ten_or_twelve_digits(self, hse_head, tax_number):
        with pytest.raises(ValidationError) as error:
            services.company_create(actor=hse_head, name="Firm", tax_number=tax_number)
        assert "tax_number" in error.value.message_dict
        assert not AuditEntry.objects.exists()

    def test_a_tax_number_is_registered_once(self, hse_head):
        services.company_create(actor=hse_head, name="Firm", tax_number="770123456789")
        with pytest.raises(ValidationError) as error:
            services.company_create(actor=hse_head, name="Firm again", tax_number="770123456789")
        assert "tax_number" in error.value.message_dict
        assert ContractorCompany.objects.count() == 1

    def test_suspend_keeps_the_reason_and_logs_before_and_after(self, hse_specialist):
        company = rows.company()
        services.company_set_status(
            actor=hse_specialist, company=company, status="suspended", reason=" Insurance lapsed "
        )
        company.refresh_from_db()
        assert (company.status, company.status_reason) == ("suspended", "Insurance lapsed")
        entry = _one_entry(company, "contractors.company.suspended")
        assert entry.data == {"status": ["approved", "suspended"]}
        assert (entry.reason, entry.actor) == ("Insurance lapsed", hse_specialist)

    def test_approving_again_clears_the_reason_but_the_trail_keeps_it(self, hse_head):
        company = rows.company(status="banned", reason="Fatality on site")
        services.company_set_status(actor=hse_head, company=company, status="approved", reason="Audit passed")
        company.refresh_from_db()
        assert (company.status, company.status_reason) == ("approved", "")
        entry = _one_entry(company, "contractors.company.approved")
        assert (entry.data, entry.reason) == ({"status": ["banned", "approved"]}, "Audit passed")

    def test_the_same_status_again_is_a_conflict(self, hse_head):
        company = rows.company(status="suspended", reason="Insurance lapsed")
        with pytest.raises(StateConflict) as error:
            services.company_set_status(actor=hse_head, company=company, status="suspended", reason="Again")
        assert error.value.messages == ["The company is already suspended."]
        assert not AuditEntry.objects.exists()

    def test_every_change_needs_a_reason_and_a_known_status(self, hse_head):
        company = rows.company()
        with pytest.raises(ValidationError) as error:
            services.company_set_status(actor=hse_head, company=company, status="suspended", reason="  ")
        assert "reason" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            services.company_set_status(actor=hse_head, company=company, status="closed", reason="Gone")
        assert "status" in error.value.message_dict
        company.refresh_from_db()
        assert company.status == "approved"
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("name", ["pass_admin", "line_manager", "executive"])
    def test_who_may_not_set_a_status(self, persona, name):
        company = rows.company()
        with pytest.raises(PermissionDenied):
            services.company_set_status(actor=persona(name), company=company, status="suspended", reason="x")

    def test_a_company_document_is_kept_and_logged(self, hse_specialist, pass_admin):
        company = rows.company()
        document = services.company_document_add(
            actor=hse_specialist, company=company, kind="insurance", number=" INS-7 ", valid_until=day(300)
        )
        assert (document.number, document.valid_until) == ("INS-7", day(300))
        entry = _one_entry(company, "contractors.company.document_added")
        assert entry.data == {"kind": "insurance"}
        with pytest.raises(PermissionDenied):
            services.company_document_add(
                actor=pass_admin, company=company, kind="licence", number="L-1", valid_until=day(300)
            )
        assert CompanyDocument.objects.count() == 1


# --- Workers ---------------------------------------------------------------------------------------


class TestWorkers:
    @pytest.mark.parametrize("name", PERSONAS)
    def test_who_registers_a_worker(self, persona, name):
        company = rows.company()
        actor = persona(name)
        if name not in ("pass_admin", "hse_specialist", "hse_head", "outsider"):
            with pytest.raises(PermissionDenied):
                services.worker_create(actor=actor, company=company, full_name="Ivanov I.", job_title="Welder")
            assert not ContractorWorker.objects.exists()
            return
        worker = services.worker_create(actor=actor, company=company, full_name=" Ivanov I. ", job_title="Welder ")
        assert (worker.full_name, worker.job_title, worker.is_active) == ("Ivanov I.", "Welder", True)
        _one_entry(worker, "contractors.worker.registered")

    def test_a_document_is_kept_with_its_end_date(self, pass_admin):
        worker = rows.worker(rows.company(), documents=())
        document = services.worker_document_add(
            actor=pass_admin, worker=worker, kind="medical", valid_until=day(180), number=" MED-1 "
        )
        assert (document.kind, document.number, document.valid_until) == ("medical", "MED-1", day(180))
        entry = _one_entry(worker, "contractors.worker.document_added")
        assert entry.data == {"kind": "medical", "valid_until": day(180).isoformat()}

    def test_a_document_of_an_unknown_kind_is_refused(self, pass_admin):
        worker = rows.worker(rows.company(), documents=())
        with pytest.raises(ValidationError) as error:
            services.worker_document_add(actor=pass_admin, worker=worker, kind="driving", valid_until=day(10))
        assert "kind" in error.value.message_dict
        assert not AuditEntry.objects.exists()


# --- Work orders -----------------------------------------------------------------------------------

WORK_ORDER_STEPS = {
    # step: (statuses it may start from, the status it leads to, the audit code)
    "start": ({"planned"}, "in_progress", "contractors.work_order.started"),
    "stop": ({"planned", "in_progress"}, "stopped", "contractors.work_order.stopped"),
    "resume": ({"stopped"}, "in_progress", "contractors.work_order.resumed"),
    "finish": ({"in_progress", "stopped"}, "finished", "contractors.work_order.finished"),
}


class TestWorkOrders:
    def _create(self, actor, company, org, line_manager, **fields):
        values = {"number": "WO-77", "title": "Relining mill 2", "starts_on": TODAY, "ends_on": day(30)} | fields
        return services.work_order_create(actor=actor, company=company, unit=org.crew, responsible=line_manager,
                                          **values)  # fmt: skip

    def test_open_a_work_order_in_a_unit_in_scope(self, org, hse_specialist, line_manager):
        order = self._create(hse_specialist, rows.company(), org, line_manager, is_high_hazard=True)
        assert (order.status, order.unit, order.responsible, order.is_high_hazard) == (
            "planned",
            org.crew,
            line_manager,
            True,
        )
        entry = _one_entry(order, "contractors.work_order.opened")
        assert entry.unit == org.crew

    @pytest.mark.parametrize("name", ["outsider", "line_manager", "pass_admin", "executive", "system_admin"])
    def test_who_may_not_open_one(self, org, persona, line_manager, name):
        with pytest.raises(PermissionDenied):
            self._create(persona(name), rows.company(), org, line_manager)
        assert not WorkOrder.objects.exists()

    @pytest.mark.parametrize("status", ["suspended", "banned"])
    def test_only_an_approved_company_gets_work(self, org, hse_head, line_manager, status):
        with pytest.raises(ValidationError) as error:
            self._create(hse_head, rows.company(status=status, reason="Audit failed"), org, line_manager)
        assert "company" in error.value.message_dict
        assert not WorkOrder.objects.exists()

    def test_a_work_order_cannot_end_before_it_starts(self, org, hse_head, line_manager):
        with pytest.raises(ValidationError):
            self._create(hse_head, rows.company(), org, line_manager, starts_on=day(5), ends_on=day(4))
        self._create(hse_head, rows.company(), org, line_manager, starts_on=day(5), ends_on=day(5))

    @pytest.mark.parametrize("start", ["planned", "in_progress", "stopped", "finished"])
    @pytest.mark.parametrize("step", sorted(WORK_ORDER_STEPS))
    def test_every_step_from_every_status(self, org, hse_specialist, line_manager, step, start):
        sources, target, code = WORK_ORDER_STEPS[step]
        order = rows.work_order(rows.company(), org.crew, line_manager, status=start,
                                reason="Earlier stop" if start == "stopped" else "")  # fmt: skip
        if start not in sources:
            with pytest.raises(StateConflict) as error:
                services.work_order_step(actor=hse_specialist, order=order, step=step, reason="Because")
            assert error.value.messages == [f"This work order is {order.get_status_display().lower()}."]
            order.refresh_from_db()
            assert order.status == start
            assert not AuditEntry.objects.exists()
            return
        services.work_order_step(actor=hse_specialist, order=order, step=step, reason=" Because ")
        order.refresh_from_db()
        assert order.status == target
        assert order.stop_reason == ("Because" if target == "stopped" else "")
        entry = _one_entry(order, code)
        assert (entry.data, entry.reason, entry.actor) == ({"status": [start, target]}, "Because", hse_specialist)

    @pytest.mark.parametrize("step", ["stop", "resume"])
    def test_stopping_and_resuming_need_a_reason(self, org, hse_head, line_manager, step):
        status = "stopped" if step == "resume" else "in_progress"
        order = rows.work_order(rows.company(), org.crew, line_manager, status=status, reason="Stopped earlier")
        with pytest.raises(ValidationError) as error:
            services.work_order_step(actor=hse_head, order=order, step=step, reason=" ")
        assert "reason" in error.value.message_dict
        order.refresh_from_db()
        assert order.status == status
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("step", ["start", "finish"])
    def test_starting_and_finishing_need_no_reason(self, org, hse_head, line_manager, step):
        order = rows.work_order(rows.company(), org.crew, line_manager, status="planned" if step == "start" else
                                "in_progress")  # fmt: skip
        services.work_order_step(actor=hse_head, order=order, step=step)
        assert rows.entries(order)[0].reason == ""

    def test_an_unknown_step_is_a_field_error(self, org, hse_head, line_manager):
        order = rows.work_order(rows.company(), org.crew, line_manager)
        with pytest.raises(ValidationError) as error:
            services.work_order_step(actor=hse_head, order=order, step="pause")
        assert "step" in error.value.message_dict

    @pytest.mark.parametrize("name", PERSONAS)
    def test_who_may_stop_work(self, org, persona, line_manager, name):
        order = rows.work_order(rows.company(), org.crew, line_manager)
        if name in ("hse_specialist", "hse_head"):
            services.work_order_step(actor=persona(name), order=order, step="stop", reason="Fall protection missing")
            assert order.status == "stopped"
            return
        with pytest.raises(PermissionDenied):  # the outsider covers another site's unit
            services.work_order_step(actor=persona(name), order=order, step="stop", reason="x")
        order.refresh_from_db()
        assert order.status == "in_progress"


# --- Issuing passes --------------------------------------------------------------------------------


class TestPassIssue:
    def _issue(self, actor, holder, zones, **kwargs):
        values = {"valid_from": TODAY, "valid_until": day(30)} | kwargs
        return services.pass_issue(actor=actor, holder=holder, zones=zones, **values)

    def test_issue_numbers_passes_in_order_and_logs_each(self, org, pass_admin, line_manager):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, line_manager)
        first = self._issue(pass_admin, rows.worker(firm), [org.crew, org.shop], work_order=order)
        second = self._issue(pass_admin, rows.worker(firm, "Petrov P."), [org.crew])
        assert (first.number, second.number) == ("P-000001", "P-000002")
        assert (first.status, first.company, first.issued_by, first.work_order) == ("active", firm, pass_admin, order)
        assert set(first.zones.all()) == {org.crew, org.shop}
        entry = _one_entry(first, "contractors.pass.issued")
        assert entry.data == {"status": [None, "active"], "valid_until": [None, day(30).isoformat()]}
        assert entry.actor == pass_admin

    def test_a_number_typed_by_hand_is_kept_and_does_not_break_the_sequence(self, org, pass_admin):
        firm = rows.company()
        typed = self._issue(pass_admin, rows.worker(firm), [org.crew], number=" p-9 ")
        assert typed.number == "P-9"
        self._issue(pass_admin, rows.worker(firm), [org.crew], number="P-000041")
        assert self._issue(pass_admin, rows.worker(firm), [org.crew]).number == "P-000042"
        with pytest.raises(ValidationError) as error:
            self._issue(pass_admin, rows.worker(firm), [org.crew], number="P-9")
        assert "number" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            self._issue(pass_admin, rows.worker(firm), [org.crew], number="P 1")
        assert "number" in error.value.message_dict
        assert AccessPass.objects.count() == 3

    @pytest.mark.parametrize("name", [p for p in PERSONAS if p != "pass_admin"])
    def test_only_the_pass_office_issues(self, org, persona, name):
        with pytest.raises(PermissionDenied):
            self._issue(persona(name), rows.worker(rows.company()), [org.crew])
        assert not AccessPass.objects.exists() and not AuditEntry.objects.exists()

    def _refused(self, field, actor, holder, zones, **kwargs):
        with pytest.raises(ValidationError) as error:
            self._issue(actor, holder, zones, **kwargs)
        assert field in error.value.message_dict, error.value.message_dict
        assert not AccessPass.objects.exists() and not AuditEntry.objects.exists()
        return error.value.message_dict[field]

    @pytest.mark.parametrize("status", ["suspended", "banned"])
    def test_no_pass_for_a_company_not_approved(self, org, pass_admin, status):
        firm = rows.company("Bad Firm LLC", status=status, reason="Audit failed")
        messages = self._refused("holder", pass_admin, rows.worker(firm), [org.crew])
        assert messages == [f"Bad Firm LLC is {status}: no new passes."]

    def test_no_pass_for_a_worker_who_left(self, org, pass_admin):
        messages = self._refused("holder", pass_admin, rows.worker(rows.company(), is_active=False), [org.crew])
        assert messages == ["This worker no longer works for the company."]

    def test_a_pass_opens_at_least_one_unit(self, org, pass_admin):
        self._refused("zones", pass_admin, rows.worker(rows.company()), [])

    def test_a_pass_opens_only_units_the_issuer_sees(self, org, hse_specialist, monkeypatch):
        # Today only the pass office (which sees every unit) issues; should a role that sees some
        # units be given the right, the zones are held to its scope.
        monkeypatch.setitem(CAPABILITIES, "passes.issue", frozenset({Role.PASS_ADMIN, Role.HSE_SPECIALIST}))
        holder = rows.worker(rows.company())
        messages = self._refused("zones", hse_specialist, holder, [org.crew, org.other_shop])
        assert messages == ["You may issue passes only to the units you see."]
        assert self._issue(hse_specialist, holder, [org.crew]).zones.get() == org.crew

    def test_a_pass_runs_for_at_most_a_year(self, org, pass_admin):
        holder = rows.worker(rows.company())
        assert services.PASS_MAX_DAYS == 366
        self._refused("valid_until", pass_admin, holder, [org.crew], valid_until=day(366))
        made = self._issue(pass_admin, holder, [org.crew], valid_until=day(365))
        assert made.valid_until == day(365)

    def test_a_pass_cannot_end_before_it_begins(self, org, pass_admin):
        holder = rows.worker(rows.company())
        self._refused("valid_until", pass_admin, holder, [org.crew], valid_from=day(3), valid_until=day(2))
        assert self._issue(pass_admin, holder, [org.crew], valid_from=day(3), valid_until=day(3)).pk

    def test_dates_are_required(self, org, pass_admin):
        holder = rows.worker(rows.company())
        with pytest.raises(ValidationError) as error:
            self._issue(pass_admin, holder, [org.crew], valid_from=None, valid_until=None)
        assert {"valid_from", "valid_until"} <= set(error.value.message_dict)

    def test_a_pass_never_outlasts_its_work_order(self, org, pass_admin, line_manager):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, line_manager, ends=40)
        holder = rows.worker(firm)
        messages = self._refused("valid_until", pass_admin, holder, [org.crew], work_order=order, valid_until=day(41))
        assert messages == [f"The work order ends on {short_date(day(40))}: the pass cannot outlast it."]
        assert self._issue(pass_admin, holder, [org.crew], work_order=order, valid_until=day(40)).pk

    def test_the_work_order_is_the_holders_company(self, org, pass_admin, line_manager):
        other = rows.work_order(rows.company("Other LLC"), org.crew, line_manager)
        messages = self._refused("work_order", pass_admin, rows.worker(rows.company()), [org.crew], work_order=other)
        assert messages == ["This work order belongs to another company."]

    @pytest.mark.parametrize("status", ["stopped", "finished"])
    def test_no_pass_on_a_stopped_or_finished_work_order(self, org, pass_admin, line_manager, status):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, line_manager, status=status, reason="Fall protection missing")
        messages = self._refused("work_order", pass_admin, rows.worker(firm), [org.crew], work_order=order)
        assert messages == [f"This work order is {status}."]

    @pytest.mark.parametrize("status", ["planned", "in_progress"])
    def test_a_planned_or_running_work_order_takes_passes(self, org, pass_admin, line_manager, status):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, line_manager, status=status)
        assert self._issue(pass_admin, rows.worker(firm), [org.crew], work_order=order).work_order == order

    def test_every_field_error_is_reported_at_once(self, org, pass_admin, line_manager):
        firm = rows.company(status="suspended", reason="Insurance lapsed")
        other = rows.work_order(rows.company("Other LLC"), org.crew, line_manager)
        with pytest.raises(ValidationError) as error:
            self._issue(pass_admin, rows.worker(firm), [], work_order=other, valid_until=day(400))
        assert set(error.value.message_dict) == {"zones", "holder", "work_order", "valid_until"}


# --- Pass status steps -----------------------------------------------------------------------------

PASS_STEPS = {
    # step: (service, statuses it starts from, status it leads to, reason required, audit code, who)
    "suspend": (services.pass_suspend, {"active"}, "suspended", True, "suspended", {"pass_admin"}),
    "reinstate": (services.pass_reinstate, {"suspended"}, "active", False, "reinstated", {"pass_admin"}),
    "block": (services.pass_block, {"active", "suspended"}, "blocked", True, "blocked",
              {"pass_admin", "hse_specialist", "hse_head"}),
    "unblock": (services.pass_unblock, {"blocked"}, "active", True, "unblocked", {"pass_admin", "hse_head"}),
    "revoke": (services.pass_revoke, {"active", "suspended", "blocked", "expired"}, "revoked", True, "revoked",
               {"pass_admin"}),
}  # fmt: skip


def _pass_in(org, pass_admin, status, **kwargs):
    firm = rows.company()
    return rows.access_pass(rows.worker(firm), zones=[org.crew], issued_by=pass_admin, status=status, **kwargs)


class TestPassSteps:
    @pytest.mark.parametrize("start", ALL_STATUSES)
    @pytest.mark.parametrize("step", sorted(PASS_STEPS))
    def test_every_step_from_every_status(self, org, pass_admin, line_manager, step, start):
        service, sources, target, _required, code, _who = PASS_STEPS[step]
        access_pass = _pass_in(org, pass_admin, start)
        before = AccessPass.objects.get(pk=access_pass.pk)
        if start not in sources:
            with pytest.raises(StateConflict) as error:
                service(actor=pass_admin, access_pass=access_pass, reason="Because")
            assert error.value.messages == [f"This pass is already {start}."]
            after = AccessPass.objects.get(pk=access_pass.pk)
            assert (after.status, after.status_reason, after.status_changed_at) == (
                before.status,
                before.status_reason,
                before.status_changed_at,
            )
            assert not AuditEntry.objects.exists()
            return
        service(actor=pass_admin, access_pass=access_pass, reason=" Because ")
        access_pass.refresh_from_db()
        assert access_pass.status == target
        assert access_pass.status_reason == ("" if target == "active" else "Because")
        assert access_pass.status_changed_at > before.status_changed_at
        entry = _one_entry(access_pass, f"contractors.pass.{code}")
        assert (entry.data, entry.reason, entry.actor) == ({"status": [start, target]}, "Because", pass_admin)

    @pytest.mark.parametrize("name", PERSONAS)
    @pytest.mark.parametrize("step", sorted(PASS_STEPS))
    def test_who_may_do_each_step(self, org, persona, pass_admin, line_manager, step, name):
        service, sources, target, _required, code, who = PASS_STEPS[step]
        access_pass = _pass_in(org, pass_admin, sorted(sources)[0])
        actor = persona(name)
        if name not in who:  # the outsider is an HSE specialist of another site: not their pass
            with pytest.raises(PermissionDenied):
                service(actor=actor, access_pass=access_pass, reason="Because")
            assert AccessPass.objects.get(pk=access_pass.pk).status == sorted(sources)[0]
            assert not AuditEntry.objects.exists()
            return
        service(actor=actor, access_pass=access_pass, reason="Because")
        assert _one_entry(access_pass, f"contractors.pass.{code}").actor == actor

    def test_an_hse_specialist_blocks_a_pass_opening_one_of_their_units(self, org, hse_specialist, outsider,
                                                                         pass_admin, line_manager):  # fmt: skip
        both = _pass_in(org, pass_admin, "active")
        both.zones.set([org.other_shop, org.crew])
        services.pass_block(actor=outsider, access_pass=both, reason="Seen without a harness")
        away = _pass_in(org, pass_admin, "active")
        away.zones.set([org.other_shop])
        with pytest.raises(PermissionDenied):
            services.pass_block(actor=hse_specialist, access_pass=away, reason="Not my unit")
        services.pass_block(actor=outsider, access_pass=away, reason="Drove without a seat belt")

    @pytest.mark.parametrize("reason", ["", "   ", None])
    @pytest.mark.parametrize("step", [step for step, spec in sorted(PASS_STEPS.items()) if spec[3]])
    def test_a_step_that_needs_a_reason_refuses_without_one(self, org, pass_admin, line_manager, step, reason):
        service, sources, *_ = PASS_STEPS[step]
        start = sorted(sources)[0]
        access_pass = _pass_in(org, pass_admin, start)
        with pytest.raises(ValidationError) as error:
            service(actor=pass_admin, access_pass=access_pass, reason=reason)
        assert error.value.message_dict == {"reason": ["Say why: the reason is kept with the change."]}
        assert AccessPass.objects.get(pk=access_pass.pk).status == start
        assert not AuditEntry.objects.exists()

    def test_unblocking_needs_a_reason_even_from_the_hse_head(self, org, hse_head, pass_admin, line_manager):
        blocked = _pass_in(org, pass_admin, "blocked", reason="Critical violation")
        with pytest.raises(ValidationError):
            services.pass_unblock(actor=hse_head, access_pass=blocked, reason="")
        services.pass_unblock(actor=hse_head, access_pass=blocked, reason="Retrained and re-inducted")
        entry = _one_entry(blocked, "contractors.pass.unblocked")
        assert (entry.reason, entry.data) == ("Retrained and re-inducted", {"status": ["blocked", "active"]})

    def test_a_reason_is_kept_under_five_hundred_characters(self, org, pass_admin, line_manager):
        access_pass = _pass_in(org, pass_admin, "active")
        with pytest.raises(ValidationError) as error:
            services.pass_block(actor=pass_admin, access_pass=access_pass, reason="x" * 501)
        assert "reason" in error.value.message_dict
        services.pass_block(actor=pass_admin, access_pass=access_pass, reason="x" * 500)
        assert access_pass.status_reason == "x" * 500

    def test_reinstating_needs_no_reason(self, org, pass_admin, line_manager):
        suspended = _pass_in(org, pass_admin, "suspended", reason="On holiday")
        services.pass_reinstate(actor=pass_admin, access_pass=suspended)
        assert (suspended.status, suspended.status_reason) == ("active", "")
        assert _one_entry(suspended, "contractors.pass.reinstated").reason == ""

    @pytest.mark.parametrize(("step", "start"), [("unblock", "blocked"), ("reinstate", "suspended")])
    def test_past_its_end_date_a_pass_comes_back_expired(self, org, pass_admin, line_manager, step, start):
        service = PASS_STEPS[step][0]
        access_pass = _pass_in(org, pass_admin, start, valid_until=day(-1))
        service(actor=pass_admin, access_pass=access_pass, reason="Cleared")
        assert access_pass.status == "expired"
        assert _one_entry(access_pass, f"contractors.pass.{PASS_STEPS[step][4]}").data == {"status": [start, "expired"]}

    def test_ending_today_a_pass_comes_back_active(self, org, pass_admin, line_manager):
        access_pass = _pass_in(org, pass_admin, "blocked", valid_until=TODAY)
        services.pass_unblock(actor=pass_admin, access_pass=access_pass, reason="Cleared")
        assert access_pass.status == "active"

    def test_unblocking_reads_the_end_date_of_the_row_as_locked_not_as_the_caller_loaded_it(
        self, org, pass_admin, line_manager
    ):
        access_pass = _pass_in(org, pass_admin, "blocked", valid_until=day(-1))
        stale = AccessPass.objects.get(pk=access_pass.pk)
        AccessPass.objects.filter(pk=access_pass.pk).update(valid_until=day(20))
        services.pass_unblock(actor=pass_admin, access_pass=stale, reason="Cleared")
        assert (stale.status, stale.valid_until) == ("active", day(20))

    def test_a_step_reads_the_status_of_the_row_as_locked(self, org, pass_admin, hse_head, line_manager):
        access_pass = _pass_in(org, pass_admin, "active")
        stale = AccessPass.objects.get(pk=access_pass.pk)
        services.pass_revoke(actor=pass_admin, access_pass=access_pass, reason="Left the company")
        with pytest.raises(StateConflict):
            services.pass_block(actor=hse_head, access_pass=stale, reason="Critical violation")
        assert rows.codes(access_pass) == ["contractors.pass.revoked"]

    def test_a_revoked_pass_is_never_active_again(self, org, pass_admin, line_manager):
        access_pass = _pass_in(org, pass_admin, "active")
        services.pass_revoke(actor=pass_admin, access_pass=access_pass, reason="Card lost")
        for service in (services.pass_reinstate, services.pass_unblock, services.pass_block, services.pass_suspend):
            with pytest.raises(StateConflict):
                service(actor=pass_admin, access_pass=access_pass, reason="Try")
        with pytest.raises(StateConflict):
            services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(90))
        assert rows.codes(access_pass) == ["contractors.pass.revoked"]

    def test_the_life_of_a_pass_in_the_trail(self, org, pass_admin, hse_specialist, hse_head, world):
        access_pass = world.access_pass
        services.pass_suspend(actor=pass_admin, access_pass=access_pass, reason="Medical check due")
        services.pass_reinstate(actor=pass_admin, access_pass=access_pass)
        services.pass_block(actor=hse_specialist, access_pass=access_pass, reason="No harness at height")
        services.pass_unblock(actor=hse_head, access_pass=access_pass, reason="Retrained")
        services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(80))
        services.pass_revoke(actor=pass_admin, access_pass=access_pass, reason="Left the company")
        trail = [(e.action.rsplit(".", 1)[1], e.data["status"], e.actor.username) for e in rows.entries(access_pass)]
        assert trail == [
            ("issued", [None, "active"], "passoffice"),
            ("suspended", ["active", "suspended"], "passoffice"),
            ("reinstated", ["suspended", "active"], "passoffice"),
            ("blocked", ["active", "blocked"], "specialist"),
            ("unblocked", ["blocked", "active"], "head"),
            ("extended", ["active", "active"], "passoffice"),
            ("revoked", ["active", "revoked"], "passoffice"),
        ]


# --- Extending -------------------------------------------------------------------------------------


class TestPassExtend:
    def test_extend_moves_the_end_date_later_and_logs_both_dates(self, world, pass_admin):
        access_pass = world.access_pass
        services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(75), reason="Job extended")
        access_pass.refresh_from_db()
        assert (access_pass.status, access_pass.valid_until) == ("active", day(75))
        entry = rows.entries(access_pass)[-1]
        assert entry.action == "contractors.pass.extended"
        assert entry.data == {"status": ["active", "active"], "valid_until": [day(60).isoformat(), day(75).isoformat()]}
        assert entry.reason == "Job extended"

    def test_an_expired_pass_extended_comes_back_active(self, org, pass_admin, line_manager):
        expired = _pass_in(org, pass_admin, "expired", valid_until=day(-3))
        services.pass_extend(actor=pass_admin, access_pass=expired, valid_until=day(30))
        expired.refresh_from_db()
        assert (expired.status, expired.valid_until, expired.status_reason) == ("active", day(30), "")
        entry = _one_entry(expired, "contractors.pass.extended")
        assert entry.data["status"] == ["expired", "active"]

    def test_a_suspended_pass_extended_stays_suspended(self, org, pass_admin, line_manager):
        suspended = _pass_in(org, pass_admin, "suspended", reason="On holiday")
        services.pass_extend(actor=pass_admin, access_pass=suspended, valid_until=day(90))
        suspended.refresh_from_db()
        assert (suspended.status, suspended.status_reason) == ("suspended", "On holiday")

    @pytest.mark.parametrize("status", ["blocked", "revoked"])
    def test_a_blocked_or_revoked_pass_is_not_extended(self, org, pass_admin, line_manager, status):
        access_pass = _pass_in(org, pass_admin, status)
        with pytest.raises(StateConflict) as error:
            services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(90))
        assert error.value.messages == [f"This pass is already {status}."]
        assert AccessPass.objects.get(pk=access_pass.pk).valid_until == day(60)
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("offset", [60, 59, None])
    def test_the_new_date_must_be_later(self, world, pass_admin, offset):
        with pytest.raises(ValidationError) as error:
            services.pass_extend(
                actor=pass_admin, access_pass=world.access_pass, valid_until=None if offset is None else day(offset)
            )
        assert error.value.message_dict == {"valid_until": ["Choose a date after the pass's current end date."]}
        assert rows.codes(world.access_pass) == ["contractors.pass.issued"]

    def test_at_most_a_year_from_today(self, org, pass_admin, line_manager):
        access_pass = _pass_in(org, pass_admin, "active", valid_from=day(-100))
        with pytest.raises(ValidationError) as error:
            services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(366))
        assert "valid_until" in error.value.message_dict
        services.pass_extend(actor=pass_admin, access_pass=access_pass, valid_until=day(365))
        assert access_pass.valid_until == day(365)

    def test_never_beyond_the_work_order(self, world, pass_admin):
        with pytest.raises(ValidationError) as error:
            services.pass_extend(actor=pass_admin, access_pass=world.access_pass, valid_until=day(91))
        assert error.value.message_dict == {
            "valid_until": [f"The work order ends on {short_date(day(90))}: the pass cannot outlast it."]
        }
        services.pass_extend(actor=pass_admin, access_pass=world.access_pass, valid_until=day(90))

    @pytest.mark.parametrize("name", [p for p in PERSONAS if p != "pass_admin"])
    def test_only_the_pass_office_extends(self, world, persona, name):
        with pytest.raises(PermissionDenied):
            services.pass_extend(actor=persona(name), access_pass=world.access_pass, valid_until=day(70))


# --- The daily expiry ------------------------------------------------------------------------------


class TestPassesExpire:
    def test_passes_past_their_last_day_expire_once_each_with_an_entry(self, org, pass_admin, line_manager):
        make = lambda status, until, **kw: _pass_in(org, pass_admin, status, valid_until=until, **kw)  # noqa: E731
        active_late = make("active", day(-1))
        suspended_late = make("suspended", day(-1), reason="On holiday")
        last_day = make("active", TODAY)
        blocked_late = make("blocked", day(-1), reason="Violation")
        revoked_late = make("revoked", day(-5), reason="Left")
        already = make("expired", day(-9))
        assert services.passes_expire(today=TODAY) == 2
        status = dict(AccessPass.objects.values_list("pk", "status"))
        assert status == {
            active_late.pk: "expired",
            suspended_late.pk: "expired",
            last_day.pk: "active",
            blocked_late.pk: "blocked",  # a blocked pass stays blocked: the block is what the office reads
            revoked_late.pk: "revoked",
            already.pk: "expired",
        }
        suspended_late.refresh_from_db()
        assert suspended_late.status_reason == ""
        for record, before in ((active_late, "active"), (suspended_late, "suspended")):
            entry = _one_entry(record, "contractors.pass.expired")
            assert (entry.actor, entry.actor_name, entry.data) == (None, "system", {"status": [before, "expired"]})
        assert AuditEntry.objects.count() == 2

    def test_a_second_run_finds_nothing(self, org, pass_admin, line_manager):
        _pass_in(org, pass_admin, "active", valid_until=day(-1))
        assert services.passes_expire(today=TODAY) == 1
        assert services.passes_expire(today=TODAY) == 0
        assert AuditEntry.objects.count() == 1

    def test_the_day_after_the_last_day(self, org, pass_admin, line_manager):
        access_pass = _pass_in(org, pass_admin, "active", valid_until=TODAY)
        assert services.passes_expire(today=TODAY) == 0
        assert services.passes_expire(today=day(1)) == 1
        access_pass.refresh_from_db()
        assert access_pass.status == "expired"


def test_status_changed_at_is_now(world, pass_admin):
    services.pass_block(actor=pass_admin, access_pass=world.access_pass, reason="Violation")
    assert abs(world.access_pass.status_changed_at - timezone.now()) < timedelta(seconds=5)
