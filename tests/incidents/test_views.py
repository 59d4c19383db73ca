from datetime import date

import pytest
from django.urls import reverse

from apps.incidents.models import CauseTreeFact, Incident, WhyChain
from tests.factories import UserFactory

from .helpers import DIAGNOSIS, make_incident, make_injured, make_investigation, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hse_specialist):
    incident = make_incident(org.crew, hse_specialist)
    make_injured(incident)
    return incident


@pytest.fixture
def investigation(incident, hse_specialist):
    return make_investigation(incident, hse_specialist, status="analysis")


@pytest.fixture
def pdf_html(monkeypatch):
    """The HTML each PDF was made from (what WeasyPrint typeset), to check what the export holds."""
    from apps.common import pdf

    rendered = []
    real = pdf.render_to_string

    def spy(*args, **kwargs):
        rendered.append(real(*args, **kwargs))
        return rendered[-1]

    monkeypatch.setattr(pdf, "render_to_string", spy)
    return rendered


@pytest.mark.parametrize("role", ["line_manager", "executive"])
def test_medical_details_hidden_from_non_hse_in_page_api_and_pdf(
    role, persona, client_as, incident, investigation, pdf_html
):
    client = client_as(persona(role))
    page = client.get(incident.get_absolute_url()).text
    assert "Ivanov I. I." in page
    assert DIAGNOSIS not in page and "Left hand" not in page
    data = client.get(reverse("api:incident-detail", args=[incident.pk])).json()
    assert data["people"][0]["name"] == "Ivanov I. I."
    assert "diagnosis" not in data["people"][0] and "sick_leave_days" not in data["people"][0]
    listing = client.get(reverse("api:incident-list")).json()
    assert DIAGNOSIS not in str(listing)
    pdf = client.get(reverse("incidents:report_pdf", args=[investigation.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Ivanov I. I." in pdf_html[-1] and "Fracture" not in pdf_html[-1]


def test_hse_specialist_and_commission_member_see_medical_details(
    client_as, incident, investigation, hse_specialist, line_manager, pdf_html
):
    assert DIAGNOSIS in client_as(hse_specialist).get(incident.get_absolute_url()).text
    investigation.members.add(line_manager)
    client = client_as(line_manager)
    assert DIAGNOSIS in client.get(incident.get_absolute_url()).text
    assert client.get(reverse("api:incident-detail", args=[incident.pk])).json()["people"][0]["diagnosis"] == DIAGNOSIS
    client.get(reverse("incidents:report_pdf", args=[investigation.pk]))
    assert DIAGNOSIS in pdf_html[-1]


def test_medical_fields_are_not_accepted_from_a_line_manager(client_as, incident, line_manager):
    client_as(line_manager).post(
        reverse("incidents:person_add", args=[incident.pk]),
        {"role": "injured", "name": "Other", "diagnosis": "Secret"},
    )
    assert incident.people.get(name="Other").diagnosis == ""


def test_report_form_errors_in_place(client_as, org, line_manager):
    response = client_as(line_manager).post(
        reverse("incidents:create"),
        {"unit": org.crew.pk, "type": "injury", "occurred_at": "2026-10-01T10:00", "location": "Cell 1",
         "description": "Cut", "actual_severity": 4, "potential_severity": 4, "classification": "lost_time"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "A lost-time case has at least one day lost." in response.text
    assert 'value="Cell 1"' in response.text
    assert not Incident.objects.exists()


def test_report_happy_path(client_as, org, line_manager):
    response = client_as(line_manager).post(
        reverse("incidents:create"),
        {"unit": org.crew.pk, "type": "injury", "occurred_at": "2026-10-01T10:00", "location": "Cell 1",
         "description": "Cut", "actual_severity": 2, "potential_severity": 2, "classification": "medical"},
    )  # fmt: skip
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert incident.is_recordable


def test_wrong_tree_is_refused_with_a_message_a_commission_understands(client_as, investigation, hse_specialist):
    client = client_as(hse_specialist)
    url = reverse("incidents:fact_add", args=[investigation.pk])
    client.post(url, {"text": "Hand caught in the pulley"})
    final = CauseTreeFact.objects.get()
    client.post(url, {"text": "Operator reaches in", "leads_to": final.pk})
    reach = CauseTreeFact.objects.get(text="Operator reaches in")
    response = client.post(
        reverse("incidents:link_add", args=[investigation.pk]), {"antecedent": final.pk, "consequent": reach.pk}
    )
    assert response.status_code == 400
    assert "cannot lead to another fact" in response.text
    response = client.post(url, {"text": "operator reaches in!", "leads_to": final.pk})
    assert response.status_code == 400
    assert "Two facts say the same thing" in response.text
    page = client.get(investigation.get_absolute_url()).text
    assert 'class="cause-tree cause-tree-wide"' in page and 'class="cause-tree cause-tree-narrow"' in page
    assert "Operator reaches in" in page


def test_blaming_answer_shows_a_warning_not_an_error(client_as, investigation, hse_specialist):
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    client = client_as(hse_specialist)
    response = client.post(reverse("incidents:step_add", args=[chain.pk]), {"answer": "Оператор был невнимателен"})
    assert response.status_code == 302
    page = client.get(investigation.get_absolute_url()).text
    assert 'data-testid="blame-warning"' in page
    assert chain.steps.count() == 1


def test_get_is_refused_on_mutations(client_as, investigation, hse_specialist):
    client = client_as(hse_specialist)
    assert client.get(reverse("incidents:fact_add", args=[investigation.pk])).status_code == 405
    assert client.get(reverse("incidents:investigation_status", args=[investigation.pk, "close"])).status_code == 405


def test_close_refused_on_the_page_with_the_uncovered_cause(client_as, investigation, hse_specialist, hse_head):
    from apps.incidents.models import WhyStep

    investigation.status = "approved"
    investigation.approved_by = hse_head
    investigation.save()
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.create(chain=chain, order=1, answer="No interlock on the guard", is_root_cause=True)
    response = client_as(hse_specialist).post(
        reverse("incidents:investigation_status", args=[investigation.pk, "close"])
    )
    assert response.status_code == 400
    assert "No interlock on the guard" in response.text
    investigation.refresh_from_db()
    assert investigation.status == "approved"


def test_quality_rules_are_written_on_the_page(client_as, investigation, hse_specialist):
    page = client_as(hse_specialist).get(investigation.get_absolute_url()).text
    assert "At least half the actions are elimination" in page
    assert 'data-testid="quality-score"' in page


def test_outsider_gets_404(client_as, incident, investigation, outsider):
    client = client_as(outsider)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.get(investigation.get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:report_pdf", args=[investigation.pk])).status_code == 404


def test_commission_member_from_another_site_sees_the_incident(client_as, incident, investigation, org):
    member = UserFactory(role="line_manager", units=[org.other_shop])
    assert client_as(member).get(incident.get_absolute_url()).status_code == 404
    investigation.members.add(member)
    assert client_as(member).get(investigation.get_absolute_url()).status_code == 200


def test_list_filters(client_as, org, hse_head, hse_specialist):
    make_incident(org.crew, hse_specialist, location="Crew place")
    make_incident(org.other_shop, hse_specialist, type="near_miss", classification="none", days_lost=0,
                  location="Other place")  # fmt: skip
    client = client_as(hse_head)
    page = client.get(reverse("incidents:list"), {"type": "near_miss"}).text
    assert "Other place" in page and "Crew place" not in page
    page = client.get(reverse("incidents:list"), {"unit": org.shop.pk}).text
    assert "Crew place" in page and "Other place" not in page


def test_list_query_count_does_not_grow(client_as, org, hse_specialist, django_assert_max_num_queries):
    client = client_as(hse_specialist)
    make_investigation(make_incident(org.crew, hse_specialist), hse_specialist)
    client.get(reverse("incidents:list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("incidents:list"))
    for _ in range(15):
        make_investigation(make_incident(org.crew, hse_specialist), hse_specialist)
        make_incident(org.shop, hse_specialist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("incidents:list")).status_code == 200


def test_investigation_page_query_count_is_bounded(
    client_as, investigation, hse_specialist, django_assert_max_num_queries
):
    from apps.incidents import services

    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    for n in range(6):
        services.fact_add(actor=hse_specialist, investigation=investigation, text=f"Fact {n}", leads_to=final)
    client = client_as(hse_specialist)
    with django_assert_max_num_queries(30):
        assert client.get(investigation.get_absolute_url()).status_code == 200


def test_action_for_a_fact_is_linked(client_as, investigation, hse_specialist, line_manager):
    from apps.incidents import services

    final = services.fact_add(actor=hse_specialist, investigation=investigation, text="Hand caught")
    guard = services.fact_add(
        actor=hse_specialist, investigation=investigation, text="Guard off", is_unusual=True, leads_to=final
    )
    response = client_as(hse_specialist).post(
        reverse("incidents:action_add", args=[investigation.pk]),
        {"cause": f"fact-{guard.pk}", "title": "Interlock the guard", "control_level": "engineering",
         "owner": line_manager.pk, "due_date": soon().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    action = guard.actions.get()
    assert action.source_kind.code == "investigation" and action.title == "Interlock the guard"


def test_list_shows_rates_and_a_dash_without_hours(client_as, org, hse_specialist):
    from decimal import Decimal

    from tests.factories import HoursWorkedFactory

    client = client_as(hse_specialist)
    make_incident(org.crew, hse_specialist)  # lost time, recordable, 5 days, 2026-10-05
    params = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    page = client.get(reverse("incidents:list"), params).text
    assert '<div class="stat-value">—</div><div class="stat-label">TRIR' in page
    HoursWorkedFactory(unit=org.crew, month=date(2026, 10, 1), hours=Decimal("100000"))
    page = client.get(reverse("incidents:list"), params).text
    assert '<div class="stat-value">2.00</div><div class="stat-label">TRIR' in page
    assert '<div class="stat-value">10.00</div><div class="stat-label">LTIFR' in page


def test_large_ids_are_not_grouped_in_the_editor(client_as, investigation, hse_specialist):
    CauseTreeFact.objects.create(pk=12345, investigation=investigation, text="Hand caught", is_final_event=True)
    page = client_as(hse_specialist).get(investigation.get_absolute_url()).text
    assert 'id="fact-12345"' in page and 'name="leads_to" value="12345"' in page
