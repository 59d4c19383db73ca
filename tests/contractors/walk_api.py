"""Permission-walk expectations for the contractors API (see tests/walk.py); the records are built by
tests/contractors/walk.py: a company, its worker, a work order in progress in the main unit's crew,
an active pass opening the crew and a check of it.

Who is who here: the outsider is an HSE specialist of another site's shop. Companies and workers are
enterprise-wide, so the outsider reads them and may manage them (an HSE role); work orders, passes
and checks of the crew are outside their units (404), and the gate answers every guard for any card.
The walk's pass is active: a role that may reinstate or unblock it gets through the permission
check to the status check (409), which is how the walk shows who may."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, api

CONTRACTOR_READERS = SIGNED_IN  # every role but none: the outsider too (an HSE specialist)
COMPANY_MANAGERS = ["hse_specialist", "hse_head", "system_admin", "outsider"]
WORKER_MANAGERS = ["hse_specialist", "hse_head", "pass_admin", "outsider"]
WORK_ORDER_MANAGERS = ["hse_specialist", "hse_head", "outsider"]
PASS_READERS = ["hse_specialist", "hse_head", "executive", "pass_admin", "system_admin", "outsider"]
PASS_ISSUERS = ["pass_admin"]
PASS_BLOCKERS = ["hse_specialist", "hse_head", "pass_admin", "outsider"]
PASS_UNBLOCKERS = ["hse_head", "pass_admin"]
GATE_CHECKERS = ["hse_specialist", "hse_head", "pass_admin", "outsider"]


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def scoped(allowed, *, ok=200):
    """A request on a record of the crew: `ok` for the `allowed` roles, 403 for the others; the
    outsider, when their role is allowed, gets 404 (the record is outside their units)."""
    expect = api(allowed, ok=ok)
    if "outsider" in allowed:
        expect["outsider"] = 404
    return expect


def _company(ctx):
    return {"name": "Teploset LLC", "tax_number": "7712345678", "contact_email": "office@teploset.test"}


def _work_order(ctx):
    return {
        "company": ctx.company.pk, "number": "WO-2", "title": "Insulation", "unit": ctx.crew.pk,
        "starts_on": _in_days(0), "ends_on": _in_days(30), "responsible": ctx.hse_specialist.pk,
    }  # fmt: skip


def _issue(ctx):
    return {
        "holder": ctx.worker.pk, "zones": [ctx.crew.pk], "work_order": ctx.work_order.pk,
        "valid_from": _in_days(0), "valid_until": _in_days(30),
    }  # fmt: skip


def _url(name, attr=None):
    if attr is None:
        return lambda o: reverse(f"api:{name}")
    return lambda o: reverse(f"api:{name}", args=[getattr(o, attr).pk])


EXPECTATIONS: dict = {
    "api:contractor-company-list": [
        Case(_url("contractor-company-list"), api(CONTRACTOR_READERS)),
        Case(_url("contractor-company-list"), api(COMPANY_MANAGERS, ok=201), "post", _company),
    ],
    "api:contractor-company-detail": [
        Case(_url("contractor-company-detail", "company"), api(CONTRACTOR_READERS)),
    ],
    "api:contractor-company-status": [
        Case(
            _url("contractor-company-status", "company"),
            api(COMPANY_MANAGERS),
            "post",
            {"status": "suspended", "reason": "Insurance lapsed"},
        ),
    ],
    "api:contractor-company-documents": [
        Case(
            _url("contractor-company-documents", "company"),
            api(COMPANY_MANAGERS, ok=201),
            "post",
            lambda o: {"kind": "licence", "number": "L-7", "valid_until": _in_days(365)},
        ),
    ],
    "api:contractor-worker-list": [
        Case(_url("contractor-worker-list"), api(CONTRACTOR_READERS)),
        Case(
            _url("contractor-worker-list"),
            api(WORKER_MANAGERS, ok=201),
            "post",
            lambda o: {"company": o.company.pk, "full_name": "Petrov Petr", "job_title": "Rigger"},
        ),
    ],
    "api:contractor-worker-detail": [Case(_url("contractor-worker-detail", "worker"), api(CONTRACTOR_READERS))],
    "api:contractor-worker-documents": [
        Case(
            _url("contractor-worker-documents", "worker"),
            api(WORKER_MANAGERS, ok=201),
            "post",
            lambda o: {"kind": "heights", "valid_until": _in_days(100)},
        ),
    ],
    "api:work-order-list": [
        Case(_url("work-order-list"), api(CONTRACTOR_READERS)),
        # The outsider may open work orders, but not in the crew: the unit is one they do not know.
        Case(_url("work-order-list"), {**api(WORK_ORDER_MANAGERS, ok=201), "outsider": 400}, "post", _work_order),
    ],
    "api:work-order-detail": [
        Case(_url("work-order-detail", "work_order"), scoped(CONTRACTOR_READERS)),
    ],
    "api:work-order-step": [
        Case(
            _url("work-order-step", "work_order"),
            scoped(WORK_ORDER_MANAGERS),
            "post",
            {"step": "stop", "reason": "Gas detected"},
        ),
    ],
    "api:access-pass-list": [
        Case(_url("access-pass-list"), api(PASS_READERS)),
        Case(_url("access-pass-list"), api(PASS_ISSUERS, ok=201), "post", _issue),
    ],
    "api:access-pass-detail": [Case(_url("access-pass-detail", "access_pass"), scoped(PASS_READERS))],
    "api:access-pass-history": [
        Case(_url("access-pass-history", "access_pass"), scoped(PASS_READERS)),
    ],
    "api:access-pass-extend": [
        Case(
            _url("access-pass-extend", "access_pass"),
            api(PASS_ISSUERS),
            "post",
            lambda o: {"valid_until": _in_days(80), "reason": "Job extended"},
        ),
    ],
    "api:access-pass-suspend": [
        Case(_url("access-pass-suspend", "access_pass"), api(PASS_ISSUERS), "post", {"reason": "Holiday"}),
    ],
    "api:access-pass-reinstate": [
        Case(_url("access-pass-reinstate", "access_pass"), api(PASS_ISSUERS, ok=409), "post", {"reason": "Back"}),
    ],
    "api:access-pass-block": [
        Case(
            _url("access-pass-block", "access_pass"),
            scoped(PASS_BLOCKERS),
            "post",
            {"reason": "No harness at height"},
        ),
    ],
    "api:access-pass-unblock": [
        Case(_url("access-pass-unblock", "access_pass"), api(PASS_UNBLOCKERS, ok=409), "post", {"reason": "Cleared"}),
    ],
    "api:access-pass-revoke": [
        Case(_url("access-pass-revoke", "access_pass"), api(PASS_ISSUERS), "post", {"reason": "Left the company"}),
    ],
    "api:gate-check-list": [
        Case(_url("gate-check-list"), api(PASS_READERS)),
        Case(_url("gate-check-list"), api(GATE_CHECKERS), "post", {"number": "P-000001", "checkpoint": "Gate 1"}),
    ],
    "api:gate-check-detail": [Case(_url("gate-check-detail", "gate_check"), scoped(PASS_READERS))],
}
