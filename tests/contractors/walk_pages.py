"""Permission-walk expectations for the contractor and pass pages (see tests/walk.py). The records
are built by tests/contractors/walk.py: a company, its worker, a work order and an active pass in
the main unit's crew (so the outsider, an HSE specialist of another site, gets 404 for them), a
gate check. Companies and workers are enterprise-wide: the outsider reads them."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, everyone, page

PASS_VIEWERS = ["hse_specialist", "hse_head", "executive", "pass_admin", "system_admin", "outsider"]
CHECKERS = ["hse_specialist", "hse_head", "pass_admin", "outsider"]
COMPANY_MANAGERS = ["hse_specialist", "hse_head", "system_admin", "outsider"]
WORKER_MANAGERS = ["hse_specialist", "hse_head", "pass_admin", "outsider"]
WORK_ORDER_MANAGERS = ["hse_specialist", "hse_head", "outsider"]


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def on_pass(allowed, ok=302):
    """A POST on the walk's pass (it opens the crew): `ok` for the allowed roles, 403 for the other
    roles (with the pass in scope or without passes.view), 404 for the outsider."""
    expect = dict.fromkeys(SIGNED_IN, 403)
    expect.update(dict.fromkeys(allowed, ok))
    expect["outsider"] = 404
    expect["anonymous"] = 302
    return expect


def on_work_order(allowed, ok=302):
    return on_pass(allowed, ok)


def only(allowed, ok=302, *, outsider=None):
    expect = dict.fromkeys(SIGNED_IN, 403)
    expect.update(dict.fromkeys(allowed, ok))
    if outsider is not None:
        expect["outsider"] = outsider
    expect["anonymous"] = 302
    return expect


def _photo_url(ctx):
    """The worker photo URL, after giving the walk's worker a photo (the shared records have none)."""
    if not ctx.worker.photo:
        from tests.observations.conftest import jpeg

        ctx.worker.photo.save("walk.jpg", jpeg("walk.jpg"), save=True)
    return reverse("contractors:worker_photo", args=[ctx.worker.pk])


def _pass_data(ctx):
    return {
        "holder": ctx.worker.pk,
        "work_order": ctx.work_order.pk,
        "zones": [ctx.crew.pk],
        "valid_from": _day(0),
        "valid_until": _day(30),
    }


def _work_order_data(ctx):
    return {
        "company": ctx.company.pk,
        "number": "WO-77",
        "title": "Scaffolding",
        "unit": ctx.crew.pk,
        "starts_on": _day(1),
        "ends_on": _day(20),
        "responsible": ctx.hse_specialist.pk,
    }


def _url(name, attr=None):
    if attr is None:
        return lambda o: reverse(f"contractors:{name}")
    return lambda o: reverse(f"contractors:{name}", args=[getattr(o, attr).pk])


EXPECTATIONS: dict = {
    "contractors:pass_list": [
        Case(_url("pass_list"), page(PASS_VIEWERS)),
        Case(lambda o: reverse("contractors:pass_list") + "?q=P-0000", page(PASS_VIEWERS)),
        # A malformed filter is shown in place: 400, never a 500.
        Case(
            lambda o: reverse("contractors:pass_list") + "?status=nonsense",
            {**page(PASS_VIEWERS), **dict.fromkeys(PASS_VIEWERS, 400)},
        ),
    ],
    "contractors:pass_export": [Case(_url("pass_export"), page(PASS_VIEWERS))],
    "contractors:pass_bulk": [
        Case(_url("pass_bulk"), everyone(405)),
        Case(
            _url("pass_bulk"),
            only(["pass_admin"]),
            "post",
            lambda o: {"passes": [o.access_pass.pk], "operation": "suspend", "reason": "On holiday"},
        ),
    ],
    "contractors:pass_issue": [
        Case(_url("pass_issue"), page(["pass_admin"])),
        Case(_url("pass_issue"), only(["pass_admin"]), "post", _pass_data),
    ],
    "contractors:pass_detail": [Case(_url("pass_detail", "access_pass"), page(PASS_VIEWERS, outsider=404))],
    "contractors:pass_extend": [
        Case(_url("pass_extend", "access_pass"), everyone(405)),
        Case(_url("pass_extend", "access_pass"), on_pass(["pass_admin"]), "post", lambda o: {"valid_until": _day(80)}),
    ],
    "contractors:pass_suspend": [
        Case(_url("pass_suspend", "access_pass"), everyone(405)),
        Case(_url("pass_suspend", "access_pass"), on_pass(["pass_admin"]), "post", {"reason": "Holiday"}),
    ],
    "contractors:pass_reinstate": [
        Case(_url("pass_reinstate", "access_pass"), everyone(405)),
        # The walk's pass is active: the pass office is told so (a message and the pass's page).
        Case(_url("pass_reinstate", "access_pass"), on_pass(["pass_admin"]), "post", {"reason": ""}),
    ],
    "contractors:pass_block": [
        Case(_url("pass_block", "access_pass"), everyone(405)),
        Case(
            _url("pass_block", "access_pass"),
            on_pass(["pass_admin", "hse_specialist", "hse_head"]),
            "post",
            {"reason": "No harness at height"},
        ),
    ],
    "contractors:pass_unblock": [
        Case(_url("pass_unblock", "access_pass"), everyone(405)),
        Case(_url("pass_unblock", "access_pass"), on_pass(["pass_admin", "hse_head"]), "post", {"reason": "x"}),
    ],
    "contractors:pass_revoke": [
        Case(_url("pass_revoke", "access_pass"), everyone(405)),
        Case(_url("pass_revoke", "access_pass"), on_pass(["pass_admin"]), "post", {"reason": "Card lost"}),
    ],
    # Any checker may check any card (a guard must be able to refuse it), the outsider too.
    "contractors:gate": [
        Case(_url("gate"), page(CHECKERS)),
        Case(lambda o: reverse("contractors:gate") + "?number=P-000001", page(CHECKERS)),
        Case(_url("gate"), page(CHECKERS), "post", {"number": "P-000001", "checkpoint": "Gate 1"}),
    ],
    "contractors:company_list": [Case(_url("company_list"), page())],
    "contractors:company_create": [
        Case(_url("company_create"), page(COMPANY_MANAGERS)),
        Case(_url("company_create"), only(COMPANY_MANAGERS), "post", {"name": "Montazh", "tax_number": "7701000001"}),
    ],
    "contractors:company_detail": [Case(_url("company_detail", "company"), page())],
    "contractors:company_set_status": [
        Case(_url("company_set_status", "company"), everyone(405)),
        Case(
            _url("company_set_status", "company"),
            only(COMPANY_MANAGERS),
            "post",
            {"status": "suspended", "reason": "Failed the contractor audit"},
        ),
    ],
    "contractors:company_document_add": [
        Case(_url("company_document_add", "company"), page(COMPANY_MANAGERS)),
        Case(
            _url("company_document_add", "company"),
            only(COMPANY_MANAGERS),
            "post",
            lambda o: {"kind": "licence", "number": "L-7", "valid_until": _day(365)},
        ),
    ],
    "contractors:worker_create": [
        Case(_url("worker_create", "company"), page(WORKER_MANAGERS)),
        Case(
            _url("worker_create", "company"),
            only(WORKER_MANAGERS),
            "post",
            {"full_name": "Petrov Pyotr", "job_title": "Rigger"},
        ),
    ],
    "contractors:worker_detail": [Case(_url("worker_detail", "worker"), page())],
    "contractors:worker_photo": [Case(_photo_url, page())],
    "contractors:worker_document_add": [
        Case(_url("worker_document_add", "worker"), page(WORKER_MANAGERS)),
        Case(
            _url("worker_document_add", "worker"),
            only(WORKER_MANAGERS),
            "post",
            lambda o: {"kind": "heights", "valid_until": _day(180)},
        ),
    ],
    "contractors:work_order_list": [Case(_url("work_order_list"), page())],
    "contractors:work_order_create": [
        Case(_url("work_order_create"), page(WORK_ORDER_MANAGERS)),
        # The outsider may open work orders, but not in the crew: the unit is not among the choices.
        Case(_url("work_order_create"), only(WORK_ORDER_MANAGERS, outsider=400), "post", _work_order_data),
    ],
    "contractors:work_order_detail": [Case(_url("work_order_detail", "work_order"), page(outsider=404))],
    "contractors:work_order_step": [
        Case(lambda o: reverse("contractors:work_order_step", args=[o.work_order.pk, "stop"]), everyone(405)),
        Case(
            lambda o: reverse("contractors:work_order_step", args=[o.work_order.pk, "stop"]),
            on_work_order(["hse_specialist", "hse_head"]),
            "post",
            {"reason": "Scaffold not inspected"},
        ),
    ],
}
