"""The number of queries of every list of this app (API and pages) stays the same as rows grow:
measured with few rows, then asserted with many."""

import pytest
from django.urls import reverse

from apps.actions.models import Action
from apps.incidents.models import CauseTreeFact, CauseTreeLink, TimelineEvent, WhyChain, WhyStep

from .helpers import make_incident, make_injured, make_investigation, soon

pytestmark = pytest.mark.django_db


def investigated_incident(org, coordinator, members, *, facts=3):
    """An incident with an injured person, a timeline, and an investigation with a why-chain, a
    cause tree (`facts` facts, each linked to the final event and the first to every other) and an
    action on its root cause and on a fact."""
    incident = make_incident(org.crew, coordinator)
    make_injured(incident)
    TimelineEvent.objects.create(incident=incident, at=incident.occurred_at, description="Hand caught")
    investigation = make_investigation(incident, coordinator, members=members, status="analysis")
    chain = WhyChain.objects.create(investigation=investigation, problem_statement="Hand caught")
    WhyStep.objects.create(chain=chain, order=1, answer="Reached in")
    root = WhyStep.objects.create(chain=chain, order=2, answer="No interlock", is_root_cause=True)
    final = CauseTreeFact.objects.create(investigation=investigation, text="Hand caught", is_final_event=True)
    others = [
        CauseTreeFact.objects.create(investigation=investigation, text=f"Fact {n}", is_unusual=n % 2 == 0)
        for n in range(1, facts)
    ]
    for fact in others:
        CauseTreeLink.objects.create(investigation=investigation, antecedent=fact, consequent=final)
    for fact in others[1:]:
        CauseTreeLink.objects.create(investigation=investigation, antecedent=others[0], consequent=fact)
    for source in (root, *others[:1]):
        Action.objects.create(
            title="Fix", unit=org.crew, owner=coordinator, created_by=coordinator, due_date=soon(),
            control_level="engineering", source_record=source,
        )  # fmt: skip
    return investigation


def queries_stay_the_same(client, url, grow, django_assert_max_num_queries, params=None):
    client.get(url, params)  # warm the caches (content types, sessions)
    with django_assert_max_num_queries(100) as few:
        assert client.get(url, params).status_code == 200
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, params)
        assert response.status_code == 200
    return response


API_LISTS = ["api:incident-list", "api:investigation-list", "api:why-chain-list", "api:cause-tree-fact-list",
             "api:cause-tree-link-list"]  # fmt: skip


@pytest.mark.parametrize("name", API_LISTS)
@pytest.mark.parametrize("persona_name", ["hse_specialist", "line_manager"])  # medical details shown, and dropped
def test_api_lists_do_not_grow_with_rows(persona, client_as, org, hse_specialist, line_manager, name, persona_name,
                                         django_assert_max_num_queries):  # fmt: skip
    investigated_incident(org, hse_specialist, [line_manager])
    client = client_as(persona(persona_name))

    def grow():
        for _ in range(8):
            investigated_incident(org, hse_specialist, [line_manager])
            make_incident(org.shop, hse_specialist)

    response = queries_stay_the_same(client, reverse(name), grow, django_assert_max_num_queries)
    assert response.json()["count"] >= 9


def test_an_investigation_page_of_the_api_answers_in_a_few_queries(client_as, org, hse_specialist, line_manager,
                                                                   django_assert_max_num_queries):  # fmt: skip
    for _ in range(20):
        investigated_incident(org, hse_specialist, [line_manager])
    client = client_as(hse_specialist)
    client.get(reverse("api:investigation-list"))
    # Session, user, scope, count, page, members, and the five of the analyses: not 4-5 per row.
    with django_assert_max_num_queries(15):
        assert len(client.get(reverse("api:investigation-list")).json()["results"]) == 20


def test_the_investigation_page_does_not_grow_with_the_tree(client_as, org, hse_specialist, line_manager,
                                                           django_assert_max_num_queries):  # fmt: skip
    small = investigated_incident(org, hse_specialist, [line_manager], facts=3)
    large = investigated_incident(org, hse_specialist, [line_manager], facts=12)
    assert large.links.count() > 3 * small.links.count()
    client = client_as(hse_specialist)
    client.get(small.get_absolute_url())
    with django_assert_max_num_queries(60) as few:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(large.get_absolute_url())
        assert page.status_code == 200
    assert "Fact 1 → Fact 11" in page.text


def test_the_incident_list_page_does_not_grow_with_rows(client_as, org, hse_specialist, line_manager,
                                                        django_assert_max_num_queries):  # fmt: skip
    investigated_incident(org, hse_specialist, [line_manager])

    def grow():
        for _ in range(10):
            investigated_incident(org, hse_specialist, [line_manager])
            make_incident(org.shop, hse_specialist)

    params = {"date_from": "2026-01-01", "type": "injury"}
    queries_stay_the_same(client_as(hse_specialist), reverse("incidents:list"), grow, django_assert_max_num_queries,
                          params)  # fmt: skip


def test_the_kpi_average_does_not_grow_with_investigations(org, hse_head, hse_specialist, line_manager,
                                                           django_assert_max_num_queries):  # fmt: skip
    from datetime import date

    from apps.incidents.selectors import investigation_quality_average

    period = {"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)}
    investigated_incident(org, hse_specialist, [line_manager])
    with django_assert_max_num_queries(20) as few:
        investigation_quality_average(hse_head, **period)
    for _ in range(10):
        investigated_incident(org, hse_specialist, [line_manager])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert investigation_quality_average(hse_head, **period) is not None
