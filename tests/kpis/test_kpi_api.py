"""The KPI API: definitions in the request's language, targets written by the HSE head only, values
from the snapshots scoped to the caller's units (400 for a foreign unit or a bad parameter), and the
snapshot list scoped and paginated with a fixed number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.kpis.models import KpiTarget
from tests.factories import KpiSnapshotFactory, KpiTargetFactory

pytestmark = pytest.mark.django_db

JAN = date(2026, 1, 1)


def _month_param(month: date) -> str:
    return f"{month:%Y-%m}"


def test_definitions_in_both_languages(client_as, line_manager):
    client = client_as(line_manager)
    data = client.get(reverse("api:kpi-definition-list")).json()
    assert data["count"] == 21
    codes = {row["code"] for row in data["results"]}
    assert {"observations", "trir", "signals_answered"} <= codes
    trir = client.get(reverse("api:kpi-definition-detail", args=["trir"])).json()
    assert trir["direction"] == "down" and trir["lagging"] is True and "200,000" in trir["explanation"]
    russian = client.get(reverse("api:kpi-definition-detail", args=["trir"]), HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["code"] == "trir"
    assert client.get(reverse("api:kpi-definition-detail", args=["nothing"])).status_code == 404


def test_head_sets_changes_and_removes_a_target(client_as, hse_head, org):
    client = client_as(hse_head)
    created = client.post(
        reverse("api:kpi-target-list"),
        {"kpi": "feedback_share", "unit": org.shop.pk, "valid_from": "2026-02", "value": "85", "reason": "Plan"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    target = KpiTarget.objects.get()
    assert (target.valid_from, target.value, target.unit) == (date(2026, 2, 1), Decimal(85), org.shop)
    url = reverse("api:kpi-target-detail", args=[target.pk])
    changed = client.patch(url, {"value": "90"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["value"] == "90.00"
    assert client.delete(url + "?reason=wrong").status_code == 204
    assert not KpiTarget.objects.exists()
    entries = AuditEntry.objects.filter(action__startswith="kpis.target").order_by("id")
    assert list(entries.values_list("action", flat=True)) == [
        "kpis.target.set",
        "kpis.target.set",
        "kpis.target.removed",
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kpi": "nothing", "valid_from": "2026-02", "value": "1"}, "kpi"),
        ({"kpi": "trir", "valid_from": "Feb", "value": "1"}, "valid_from"),
        ({"kpi": "trir", "valid_from": "2026-02", "value": "-1"}, "value"),
        ({"kpi": "trir", "valid_from": "2026-02", "value": "1", "role": "line_manager", "unit": 0}, "unit"),
    ],
)
def test_bad_targets_answer_400(client_as, hse_head, payload, field):
    response = client_as(hse_head).post(reverse("api:kpi-target-list"), payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_manager_reads_targets_but_not_another_units(client_as, line_manager, org):
    KpiTargetFactory(kpi="trir", value=Decimal(1))
    KpiTargetFactory(kpi="feedback_share", unit=org.shop, value=Decimal(90))
    foreign = KpiTargetFactory(kpi="feedback_share", unit=org.other_shop, value=Decimal(70))
    client = client_as(line_manager)
    rows = client.get(reverse("api:kpi-target-list")).json()["results"]
    assert {row["kpi"] for row in rows} == {"trir", "feedback_share"} and len(rows) == 2
    assert client.get(reverse("api:kpi-target-detail", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("api:kpi-target-list"), {}, content_type="application/json").status_code == 403


def _values(client, **params):
    return client.get(reverse("api:kpi-value-list"), params)


def test_values_of_own_units_and_a_foreign_unit_refused(client_as, line_manager, org):
    KpiSnapshotFactory(kpi="feedback_share", unit=org.shop, month=JAN, numerator=1, denominator=2)
    KpiSnapshotFactory(kpi="feedback_share", unit=org.crew, month=JAN, numerator=1, denominator=2)
    KpiSnapshotFactory(kpi="feedback_share", unit=org.other_shop, month=JAN, numerator=9, denominator=10)
    client = client_as(line_manager)
    mine = _values(client, kpi="feedback_share", **{"from": "2026-01", "to": "2026-02"})
    assert mine.status_code == 200
    figures = mine.json()["figures"]
    assert [row["month"] for row in figures] == ["2026-01-01", "2026-02-01"]
    assert (figures[0]["numerator"], figures[0]["denominator"], figures[0]["value"]) == ("2.0000", "4.0000", "50.0000")
    assert figures[1]["value"] is None
    assert mine.json()["computed_at"] is not None
    crew = _values(client, kpi="feedback_share", unit=org.crew.pk, **{"from": "2026-01", "to": "2026-01"}).json()
    assert crew["figures"][0]["numerator"] == "1.0000"
    foreign = _values(client, kpi="feedback_share", unit=org.other_shop.pk)
    assert foreign.status_code == 400 and "unit" in foreign.json()


def test_values_of_the_whole_enterprise_for_the_executive(client_as, executive, org):
    KpiSnapshotFactory(kpi="observations", unit=org.shop, month=JAN, numerator=3)
    KpiSnapshotFactory(kpi="observations", unit=org.other_shop, month=JAN, numerator=4)
    data = _values(client_as(executive), kpi="observations", **{"from": "2026-01", "to": "2026-01"}).json()
    assert data["figures"][0]["value"] == "7.0000"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "kpi"),
        ({"kpi": "nothing"}, "kpi"),
        ({"kpi": "trir", "from": "yesterday"}, "from"),
        ({"kpi": "trir", "from": "2026-05", "to": "2026-01"}, "from"),
        ({"kpi": "trir", "from": "2000-01", "to": "2026-01"}, "to"),
        ({"kpi": "trir", "unit": "abc"}, "unit"),
        ({"kpi": "trir", "person": "999999"}, "person"),
    ],
)
def test_bad_value_parameters_answer_400(client_as, hse_head, params, field):
    response = _values(client_as(hse_head), **params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_persons_values(client_as, hse_head, hse_specialist, org):
    KpiSnapshotFactory(kpi="observations", unit=org.shop, month=JAN, numerator=5, person=hse_specialist)
    KpiSnapshotFactory(kpi="observations", unit=org.shop, month=JAN, numerator=5)
    data = _values(client_as(hse_head), kpi="observations", person=hse_specialist.pk,
                   **{"from": "2026-01", "to": "2026-01"}).json()  # fmt: skip
    assert data["person"] == hse_specialist.pk and data["figures"][0]["value"] == "5.0000"


def test_snapshots_scoped_filtered_and_paginated(client_as, line_manager, org, django_assert_max_num_queries):
    for month in range(1, 7):
        KpiSnapshotFactory(kpi="observations", unit=org.crew, month=date(2026, month, 1), numerator=month)
        KpiSnapshotFactory(kpi="observations", unit=org.other_shop, month=date(2026, month, 1), numerator=1)
    client = client_as(line_manager)
    client.get(reverse("api:kpi-snapshot-list"))  # warm the session
    with django_assert_max_num_queries(8):
        data = client.get(reverse("api:kpi-snapshot-list")).json()
    assert data["count"] == 6
    assert {row["unit"] for row in data["results"]} == {org.crew.pk}
    assert data["results"][0]["month"] == "2026-06-01" and data["results"][0]["value"] == 6.0
    filtered = client.get(reverse("api:kpi-snapshot-list"), {"month": "2026-03", "kpi": "observations"}).json()
    assert filtered["count"] == 1
    assert client.get(reverse("api:kpi-snapshot-list"), {"unit": org.other_shop.pk}).status_code == 400
    assert client.get(reverse("api:kpi-snapshot-list"), {"kpi": "nothing"}).status_code == 400


def test_the_pass_office_reads_no_kpis(client_as, pass_admin):
    client = client_as(pass_admin)
    assert client.get(reverse("api:kpi-definition-list")).status_code == 403
    assert client.get(reverse("api:kpi-value-list"), {"kpi": "trir"}).status_code == 403


def test_values_default_to_the_last_12_months(client_as, hse_head):
    data = _values(client_as(hse_head), kpi="trir").json()
    assert len(data["figures"]) == 12
    assert data["figures"][-1]["month"] == timezone.localdate().replace(day=1).isoformat()
