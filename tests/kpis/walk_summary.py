"""Permission-walk expectations for the executive summary, the escalations and the monthly reports,
pages and API (see tests/walk.py).

The records (built below): an open escalation raised by the HSE head, and a done monthly report of
last month with its PDF. Who is who: the executive and the HSE head read everything here (the
summary is enterprise-wide); the HSE head raises and withdraws escalations, the executive decides;
both generate the monthly report. Everyone else — HSE specialists (the outsider is one), line
managers, the pass office, the system admin — gets 403."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, everyone

READERS = ["hse_head", "executive"]


def build(ctx) -> None:
    from django.core.files.base import ContentFile

    from apps.kpis.models import Escalation, MonthlyReport

    today = timezone.localdate()
    ctx.kpi_escalation = Escalation.objects.create(
        title="Fund the second LOTO station", why="Two near misses at the crusher.", options="Buy now\nWait a year",
        deadline=today + timedelta(days=7), raised_by=ctx.hse_head,
    )  # fmt: skip
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    report = MonthlyReport(month=last_month, status=MonthlyReport.Status.DONE, progress=100,
                           requested_by=ctx.executive, finished_at=timezone.now())  # fmt: skip
    report.file.save("walk-report.pdf", ContentFile(b"%PDF-1.4\n% walk\n"), save=False)
    report.save()
    ctx.kpi_report = report


def only(allowed, ok=200, *, anonymous=302):
    expect = dict.fromkeys(SIGNED_IN, 403)
    expect.update(dict.fromkeys(allowed, ok))
    expect["anonymous"] = anonymous
    return expect


def api_only(allowed, ok=200):
    return only(allowed, ok, anonymous=401)


def _month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def _raise(ctx) -> dict:
    return {
        "title": "Stop night work at the kiln",
        "why": "Two burns in a month.",
        "options": "Stop\nKeep with a second operator",
        "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }


def _escalation(name):
    return lambda ctx: reverse(name, args=[ctx.kpi_escalation.pk])


def _report(name):
    return lambda ctx: reverse(name, args=[ctx.kpi_report.pk])


EXPECTATIONS: dict = {
    # --- Pages ---
    "kpis:summary": [
        Case(lambda ctx: reverse("kpis:summary"), only(READERS)),
        Case(lambda ctx: reverse("kpis:summary") + "?month=1999-01", only(READERS, 400)),
    ],
    "kpis:escalation_list": [Case(lambda ctx: reverse("kpis:escalation_list"), only(READERS))],
    "kpis:escalation_create": [
        Case(lambda ctx: reverse("kpis:escalation_create"), only(["hse_head"])),
        Case(lambda ctx: reverse("kpis:escalation_create"), only(["hse_head"], 302), "post", _raise),
    ],
    "kpis:escalation_detail": [Case(_escalation("kpis:escalation_detail"), only(READERS))],
    "kpis:escalation_decide": [
        Case(_escalation("kpis:escalation_decide"), everyone(405)),
        Case(
            _escalation("kpis:escalation_decide"),
            only(["executive"], 302),
            "post",
            lambda ctx: {f"e{ctx.kpi_escalation.pk}-choice": "0", f"e{ctx.kpi_escalation.pk}-comment": "Go"},
        ),
    ],
    "kpis:escalation_withdraw": [
        Case(_escalation("kpis:escalation_withdraw"), everyone(405)),
        Case(_escalation("kpis:escalation_withdraw"), only(["hse_head"], 302), "post", {"reason": "Solved locally"}),
    ],
    "kpis:report_list": [Case(lambda ctx: reverse("kpis:report_list"), only(READERS))],
    "kpis:report_request": [
        Case(lambda ctx: reverse("kpis:report_request"), everyone(405)),
        Case(lambda ctx: reverse("kpis:report_request"), only(READERS, 302), "post", lambda ctx: {"month": _month()}),
    ],
    "kpis:report_status": [
        Case(_report("kpis:report_status"), only(READERS)),
        Case(_report("kpis:report_status"), everyone(405), "post"),
    ],
    "kpis:report_file": [Case(_report("kpis:report_file"), only(READERS))],
    # --- API ---
    "api:escalation-list": [
        Case(lambda ctx: reverse("api:escalation-list"), api_only(READERS)),
        Case(lambda ctx: reverse("api:escalation-list"), api_only(["hse_head"], 201), "post", _raise),
    ],
    "api:escalation-detail": [Case(_escalation("api:escalation-detail"), api_only(READERS))],
    "api:escalation-decide": [
        Case(_escalation("api:escalation-decide"), api_only(["executive"]), "post", {"decision": "Buy now"}),
    ],
    "api:escalation-withdraw": [
        Case(_escalation("api:escalation-withdraw"), api_only(["hse_head"]), "post", {"reason": "Solved"}),
    ],
    "api:monthly-report-list": [
        Case(lambda ctx: reverse("api:monthly-report-list"), api_only(READERS)),
        Case(
            lambda ctx: reverse("api:monthly-report-list"),
            api_only(READERS, 202),
            "post",
            lambda ctx: {"month": _month()},
        ),
    ],
    "api:monthly-report-detail": [Case(_report("api:monthly-report-detail"), api_only(READERS))],
    "api:monthly-report-file": [Case(_report("api:monthly-report-file"), api_only(READERS))],
}
