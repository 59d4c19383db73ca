"""Contractor audits: an audit of the audits app (checklist, answers, score, findings) tied to the
company and its work order; the scorecard counts those completed and their average score."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audits import services as audit_services
from apps.contractors import sanctions, scorecard
from apps.contractors.models import ContractorAudit
from tests.audits.conftest import ITEMS, answer_all
from tests.factories.contractors import WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(hse_head):
    return audit_services.template_create(
        actor=hse_head, name="Contractor site walk", code="contractor-walk", items=[dict(item) for item in ITEMS]
    )


@pytest.fixture
def order(org, hse_specialist):
    return WorkOrderFactory(unit=org.crew, responsible=hse_specialist, hours_on_site=1_000)


def test_an_audit_is_started_for_the_company_and_scored_on_the_scorecard(hse_specialist, order, template):
    link = sanctions.contractor_audit_start(
        actor=hse_specialist, company=order.company, template=template, unit=order.unit, work_order=order
    )
    assert (link.company, link.work_order, link.audit.unit, link.audit.auditor) == (
        order.company, order, order.unit, hse_specialist
    )  # fmt: skip
    card = scorecard.company_scorecard(order.company, today=timezone.localdate())
    assert (card.audits_done, card.audit_score) == (0, None)  # started, not completed
    answer_all(link.audit, hse_specialist, ["compliant", "non_compliant", "compliant"])
    audit_services.audit_complete(actor=hse_specialist, audit=link.audit)
    card = scorecard.company_scorecard(order.company, today=timezone.localdate())
    assert card.audits_done == 1
    assert card.audit_score == 50.0  # weights 1 + 2 compliant of 1 + 3 + 2


def test_the_work_order_must_be_the_companys_and_the_auditor_must_cover_the_unit(
    hse_specialist, outsider, pass_admin, order, template
):
    other = WorkOrderFactory(unit=order.unit, responsible=hse_specialist)
    with pytest.raises(ValidationError):
        sanctions.contractor_audit_start(
            actor=hse_specialist, company=order.company, template=template, unit=order.unit, work_order=other
        )
    for user in (outsider, pass_admin):
        with pytest.raises(PermissionDenied):
            sanctions.contractor_audit_start(actor=user, company=order.company, template=template, unit=order.unit)
    assert not ContractorAudit.objects.exists()


def test_the_page_starts_an_audit_and_lists_it(client_as, hse_specialist, order, template):
    client = client_as(hse_specialist)
    url = reverse("contractors:company_audits", args=[order.company.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"template": "", "unit": order.unit.pk})
    assert refused.status_code == 400 and "template" in refused.context["form"].errors
    started = client.post(url, {"template": template.pk, "unit": order.unit.pk, "work_order": order.pk})
    link = ContractorAudit.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("audits:conduct", args=[link.audit_id])
    listed = client.get(url)
    assert [row.pk for row in listed.context["page"]] == [link.pk]


def test_the_pass_office_reads_no_audits_and_may_not_start_one(client_as, pass_admin, order, template):
    client = client_as(pass_admin)
    url = reverse("contractors:company_audits", args=[order.company.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(url, {"template": template.pk, "unit": order.unit.pk}).status_code == 403
