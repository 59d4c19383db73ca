"""The gate check: may the holder of this pass go in now?

Decided at the moment of the check from what is true then, never from a flag set at issue time:
the pass's status and dates, its company's status, its work order, and its holder's documents.
A company suspended this morning, a work order stopped an hour ago or a medical clearance that
ran out yesterday refuses the pass without anyone touching it. The answer lists every reason.

Apps above this one add their own reasons with `register_check` (the trainings app refuses a worker
whose training required in a zone of the pass has run out), so the gate knows no app above it."""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import REQUIRED_WORKER_DOCUMENTS, AccessPass, ContractorCompany, WorkerDocument, WorkOrder


@dataclass(frozen=True)
class Refusal:
    """One reason to refuse: a stable code (kept with the check, read by turnstiles) and what to
    tell the guard."""

    code: str
    detail: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "detail": self.detail}


@dataclass(frozen=True)
class ExtraCheck:
    """A check another app adds: `check(access_pass, today, memo)` returns its refusals; `memo` is a
    dict shared by the checks of one request (for rows read once, not once per pass); `prefetch`
    are lookups a list of passes prefetches so the check reads no row per pass; `describe(code,
    detail)` tells the guard what one of its refusals means (None: not one of its codes)."""

    check: Callable
    prefetch: tuple = ()
    describe: Callable | None = None


_EXTRA_CHECKS: list[ExtraCheck] = []


def register_check(check: Callable, *, prefetch: tuple = (), describe: Callable | None = None) -> None:
    if any(
        extra.check.__qualname__ == check.__qualname__ and extra.check.__module__ == check.__module__
        for extra in _EXTRA_CHECKS
    ):
        return  # AppConfig.ready() may run twice in one process (tests)
    _EXTRA_CHECKS.append(ExtraCheck(check, tuple(prefetch), describe))


def check_prefetches() -> list:
    """What a list of passes prefetches so the registered checks read no row per pass."""
    return [lookup for extra in _EXTRA_CHECKS for lookup in extra.prefetch]


@dataclass
class Decision:
    access_pass: AccessPass | None
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.access_pass is not None and not self.refusals


def refusals_for(
    access_pass: AccessPass,
    *,
    today: date,
    documents: list | None = None,
    sanctions: list | None = None,
    memo: dict | None = None,
) -> list[Refusal]:
    """Every reason this pass does not let its holder in on `today` (none: allowed). `documents`
    are the holder's (read when not given); `memo` is shared by the passes of one request."""
    found = []
    if access_pass.status != AccessPass.Status.ACTIVE:
        found.append(Refusal(f"pass_{access_pass.status}", access_pass.status_reason))
    if today < access_pass.valid_from:
        found.append(Refusal("pass_not_yet_valid", access_pass.valid_from.isoformat()))
    if access_pass.valid_until < today and access_pass.status != AccessPass.Status.EXPIRED:
        found.append(Refusal("pass_expired", access_pass.valid_until.isoformat()))
    company = access_pass.company
    if company.status != ContractorCompany.Status.APPROVED:
        found.append(Refusal(f"company_{company.status}", company.status_reason))
    holder = access_pass.holder
    if not holder.is_active or holder.company_id != access_pass.company_id:
        found.append(Refusal("holder_left_company"))
    order = access_pass.work_order
    if order is not None:
        if order.status == WorkOrder.Status.STOPPED:
            found.append(Refusal("work_order_stopped", order.stop_reason))
        elif order.status == WorkOrder.Status.FINISHED:
            found.append(Refusal("work_order_finished", order.number))
    if sanctions is None:
        sanctions = list(access_pass.sanctions.filter(status="in_force"))
    for sanction in sanctions:
        found.append(Refusal("sanction_in_force", sanction.reason))
    if documents is None:
        documents = list(holder.documents.all())
    for kind in REQUIRED_WORKER_DOCUMENTS:
        valid = [doc.valid_until for doc in documents if doc.kind == kind]
        if not valid:
            found.append(Refusal(f"document_missing_{kind}"))
        elif max(valid) < today:
            found.append(Refusal(f"document_expired_{kind}", max(valid).isoformat()))
    memo = {} if memo is None else memo
    for extra in _EXTRA_CHECKS:
        found.extend(extra.check(access_pass, today, memo))
    return found


def describe(refusal: dict) -> str:
    """What a refusal (as kept with the check) tells the guard, in the reader's language."""
    code, detail = refusal.get("code", ""), refusal.get("detail", "")
    for extra in _EXTRA_CHECKS:
        text = extra.describe(code, detail) if extra.describe else None
        if text is not None:
            return text
    messages = {
        "unknown_number": _("No pass has this number."),
        "pass_suspended": _("The pass is suspended."),
        "pass_blocked": _("The pass is blocked."),
        "pass_expired": _("The pass has expired."),
        "pass_revoked": _("The pass is revoked."),
        "pass_not_yet_valid": _("The pass is not valid yet."),
        "company_suspended": _("The company is suspended."),
        "company_banned": _("The company is banned from the site."),
        "holder_left_company": _("The holder no longer works for the company."),
        "work_order_stopped": _("The work order is stopped."),
        "work_order_finished": _("The work order is finished."),
        "sanction_in_force": _("A sanction is in force against this pass."),
    }
    for kind, label in WorkerDocument.Kind.choices:
        messages[f"document_missing_{kind}"] = _("No %(document)s on file.") % {"document": str(label).lower()}
        messages[f"document_expired_{kind}"] = _("The %(document)s has expired.") % {"document": str(label).lower()}
    text = messages.get(code, code)
    if not detail:
        return text
    with contextlib.suppress(ValueError):  # a date: shown in the reader's format
        detail = _("Date: %(date)s.") % {"date": date_format(date.fromisoformat(detail), "SHORT_DATE_FORMAT")}
    return f"{text} {detail}"
