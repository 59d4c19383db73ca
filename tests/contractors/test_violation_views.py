"""The violation, sanction and scorecard pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.contractors import sanctions
from apps.contractors.models import AccessPass, Violation
from tests.factories.contractors import AccessPassFactory, WorkerFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(org, hse_specialist):
    return WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=8_000)


def _post_violation(client, order, **overrides):
    data = {
        "severity": "critical", "company": order.company.pk, "work_order": order.pk, "unit": order.unit.pk,
        "description": "Hot work without a permit", "location": "Bay 3",
        "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    } | overrides  # fmt: skip
    return client.post(reverse("contractors:violation_create"), data)


def test_recording_a_critical_violation_from_the_page_stops_the_work(client_as, hse_specialist, order):
    worker = WorkerFactory(company=order.company)
    access_pass = AccessPassFactory(holder=worker, work_order=order)
    response = _post_violation(client_as(hse_specialist), order, workers=[worker.pk])
    violation = Violation.objects.get()
    assert response.status_code == 302 and response["Location"] == violation.get_absolute_url()
    assert AccessPass.objects.get(pk=access_pass.pk).status == "blocked"
    page = client_as(hse_specialist).get(violation.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "Stop work" in body and access_pass.number in body and "Hot work without a permit" in body


def test_bad_input_is_shown_in_place_and_nothing_is_recorded(client_as, hse_specialist, order):
    response = _post_violation(client_as(hse_specialist), order, severity="catastrophic", description="")
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"severity", "description"}
    assert not Violation.objects.exists()


def test_the_proposal_is_shown_and_a_sanction_needs_a_reason(client_as, hse_specialist, order):
    violation = sanctions.violation_record(
        actor=hse_specialist, company=order.company, severity="severe", description="No guard rail",
        unit=order.unit, observed_at=timezone.now(), work_order=order,
    )  # fmt: skip
    client = client_as(hse_specialist)
    page = client.get(violation.get_absolute_url())
    assert "Stop work" in page.context["proposed_label"]
    refused = client.post(reverse("contractors:sanction_apply", args=[violation.pk]), {"kind": "warning", "reason": ""})
    assert refused.status_code == 400 and refused.context["sanction_form"].errors["reason"]
    applied = client.post(
        reverse("contractors:sanction_apply", args=[violation.pk]), {"kind": "warning", "reason": "First on site"}
    )
    assert applied.status_code == 302
    sanction = violation.sanctions.get()
    lift = client.post(reverse("contractors:sanction_lift", args=[sanction.pk]), {"reason": ""})
    assert lift.status_code == 400
    client.post(reverse("contractors:sanction_lift", args=[sanction.pk]), {"reason": "Appeal upheld"})
    sanction.refresh_from_db()
    assert sanction.status == "lifted"


def test_the_violation_list_has_a_bounded_query_count(client_as, hse_head, hse_specialist, order):
    def grow(n):
        for _ in range(n):
            Violation.objects.create(
                company=order.company, work_order=order, severity="minor", description="x", unit=order.unit,
                observed_at=timezone.now(), recorded_by=hse_specialist,
            )  # fmt: skip

    client = client_as(hse_head)
    grow(2)
    client.get(reverse("contractors:violation_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("contractors:violation_list")).status_code == 200
    grow(20)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("contractors:violation_list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_scorecard_page(client_as, hse_head, hse_specialist, order):
    Violation.objects.create(
        company=order.company, severity="serious", description="x", unit=order.unit, observed_at=timezone.now(),
        recorded_by=hse_specialist,
    )  # fmt: skip
    response = client_as(hse_head).get(reverse("contractors:company_scorecard", args=[order.company.pk]))
    assert response.status_code == 200
    card = response.context["card"]
    assert (card.total, card.hours, card.rank) == (1, 8_000, 1)
    assert "3.75" in response.content.decode()  # 1 serious (weight 3) per 8,000 hours → 3.75 per 10,000


def test_the_outsider_does_not_see_a_violation_of_another_site(client_as, outsider, hse_specialist, order):
    violation = Violation.objects.create(
        company=order.company, severity="minor", description="x", unit=order.unit, observed_at=timezone.now(),
        recorded_by=hse_specialist,
    )  # fmt: skip
    assert client_as(outsider).get(violation.get_absolute_url()).status_code == 404
    listed = client_as(outsider).get(reverse("contractors:violation_list"))
    assert list(listed.context["page"]) == []
