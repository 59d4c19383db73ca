"""Permission-walk expectations for the KPI API (see tests/walk.py): definitions, targets, values and
snapshots. The dashboard roles read them (the outsider too: an HSE specialist, but not the crew's
records: its unit target answers 404 and a value of the crew 400); only the HSE head writes targets."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from tests.walk import Case, api

DASHBOARD = ["hse_specialist", "hse_head", "line_manager", "executive", "system_admin", "outsider"]
TARGET_SETTERS = ["hse_head"]


def build(ctx) -> None:
    """A target for the crew and a snapshot row of the crew."""
    from apps.kpis.models import KpiSnapshot, KpiTarget

    ctx.kpi_target = KpiTarget.objects.create(
        kpi="feedback_share", unit=ctx.crew, valid_from=date(2026, 1, 1), value=Decimal(90), set_by=ctx.hse_head
    )
    ctx.kpi_snapshot = KpiSnapshot.objects.create(
        kpi="observations", month=date(2026, 1, 1), unit=ctx.crew, numerator=Decimal(3)
    )


def _writes(ok):
    expect = api(TARGET_SETTERS, ok=ok)
    return expect


def _value_of_crew(ctx):
    return reverse("api:kpi-value-list") + f"?kpi=observations&unit={ctx.crew.pk}&from=2026-01&to=2026-03"


EXPECTATIONS = {
    "api:kpi-definition-list": [Case(lambda o: reverse("api:kpi-definition-list"), api(DASHBOARD))],
    "api:kpi-definition-detail": [
        Case(lambda o: reverse("api:kpi-definition-detail", args=["trir"]), api(DASHBOARD)),
    ],
    "api:kpi-target-list": [
        Case(lambda o: reverse("api:kpi-target-list"), api(DASHBOARD)),
        Case(
            lambda o: reverse("api:kpi-target-list"),
            _writes(201),
            "post",
            {"kpi": "trir", "valid_from": "2026-02", "value": "1.5", "reason": "benchmark"},
        ),  # fmt: skip
    ],
    "api:kpi-target-detail": [
        Case(lambda o: reverse("api:kpi-target-detail", args=[o.kpi_target.pk]), api(DASHBOARD, outsider=404)),
        Case(
            lambda o: reverse("api:kpi-target-detail", args=[o.kpi_target.pk]), _writes(200), "patch", {"value": "95"}
        ),
        Case(lambda o: reverse("api:kpi-target-detail", args=[o.kpi_target.pk]), _writes(204), "delete"),
    ],
    "api:kpi-value-list": [
        Case(lambda o: reverse("api:kpi-value-list") + "?kpi=observations", api(DASHBOARD)),
        Case(_value_of_crew, api(DASHBOARD, outsider=400)),
    ],
    "api:kpi-snapshot-list": [Case(lambda o: reverse("api:kpi-snapshot-list"), api(DASHBOARD))],
}
