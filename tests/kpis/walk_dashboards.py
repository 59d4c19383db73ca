"""Permission-walk expectations for the KPI dashboard, the scorecards, the HSE head's work queue and
the KPI targets (apps/kpis/dashboard_urls.py; see tests/walk.py).

Who is who: the dashboard is for every role with `kpis.view_dashboard` (HSE specialists — the
outsider is one —, the HSE head, line managers, the executive, the system admin), over their own
units: the outsider asking for the main unit's crew is refused (400, the filter's error in place).
The own scorecard: HSE specialists and the HSE head. Every specialist side by side and one
specialist's scorecard: the HSE head and the executive (404 for a user who is not an HSE
specialist). The work queue: the HSE head only. The targets page is read-only for every dashboard
role (declared: a manager sees what the unit is measured against); only the HSE head sets (POST)
and removes them. The pass office has none of these pages (403)."""

from django.urls import reverse
from django.utils import timezone

from tests.walk import SIGNED_IN, Case, everyone, page

DASHBOARD = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
OWN_SCORECARD = ["hse_specialist", "hse_head", "outsider"]
ALL_SCORECARDS = ["hse_head", "executive"]


def build(ctx) -> None:
    from decimal import Decimal

    from apps.kpis.models import KpiSnapshot, KpiTarget

    month = timezone.localdate().replace(day=1)
    ctx.kpi_target = KpiTarget.objects.create(
        kpi="observations", valid_from=month, value=Decimal(8), set_by=ctx.hse_head, reason="walk"
    )
    KpiSnapshot.objects.create(kpi="observations", month=month, unit=ctx.crew, numerator=Decimal(3))


def only(allowed, ok=200, *, other=403, anonymous=302):
    expect = dict.fromkeys(SIGNED_IN, other)
    expect.update(dict.fromkeys(allowed, ok))
    expect["anonymous"] = anonymous
    return expect


def _with(allowed, ok, **overrides):
    expect = only(allowed, ok)
    expect.update(overrides)
    return expect


def _set_target(ctx) -> dict:
    return {"kpi": "feedback_share", "value": "80", "valid_from": f"{timezone.localdate():%Y-%m}", "reason": "walk"}


EXPECTATIONS: dict = {
    "kpis:dashboard": [
        Case(lambda ctx: reverse("kpis:dashboard"), page(DASHBOARD)),
        # A unit of the main site: the outsider's filter is refused, not silently widened.
        Case(lambda ctx: reverse("kpis:dashboard") + f"?unit={ctx.crew.pk}", _with(DASHBOARD, 200, outsider=400)),
        Case(lambda ctx: reverse("kpis:dashboard") + "?month=1999-01", only(DASHBOARD, 400)),
    ],
    "kpis:scorecard": [Case(lambda ctx: reverse("kpis:scorecard"), page(OWN_SCORECARD))],
    "kpis:scorecard_all": [
        Case(lambda ctx: reverse("kpis:scorecard_all"), page(ALL_SCORECARDS)),
        Case(lambda ctx: reverse("kpis:scorecard_all") + "?sort=-observations", page(ALL_SCORECARDS)),
    ],
    "kpis:scorecard_person": [
        Case(lambda ctx: reverse("kpis:scorecard_person", args=[ctx.hse_specialist.pk]), page(ALL_SCORECARDS)),
        # Not an HSE specialist: 404 for those who may see scorecards.
        Case(lambda ctx: reverse("kpis:scorecard_person", args=[ctx.line_manager.pk]), only(ALL_SCORECARDS, 404)),
    ],
    "kpis:work_queue": [Case(lambda ctx: reverse("kpis:work_queue"), page(["hse_head"]))],
    "kpis:work_queue_section": [
        Case(lambda ctx: reverse("kpis:work_queue_section", args=["incidents"]), page(["hse_head"])),
        Case(lambda ctx: reverse("kpis:work_queue_section", args=["nothing"]), only(["hse_head"], 404)),
    ],
    "kpis:targets": [
        Case(lambda ctx: reverse("kpis:targets"), page(DASHBOARD)),
        Case(lambda ctx: reverse("kpis:targets"), only(["hse_head"], 302), "post", _set_target),
    ],
    "kpis:target_remove": [
        Case(lambda ctx: reverse("kpis:target_remove", args=[ctx.kpi_target.pk]), everyone(405)),
        Case(
            lambda ctx: reverse("kpis:target_remove", args=[ctx.kpi_target.pk]),
            only(["hse_head"], 302),
            "post",
            {"reason": "Replaced"},
        ),
    ],
}
