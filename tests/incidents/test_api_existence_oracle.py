"""The cause-tree API answers the same for a fact of another tree (in or out of the caller's units)
and for a fact that does not exist: same status, same words, on the same field."""

import pytest
from django.urls import reverse

from apps.incidents import services
from apps.incidents.models import CauseTreeFact, CauseTreeLink

from .helpers import make_incident, make_investigation

pytestmark = pytest.mark.django_db

WORDS = ["That fact is not in this tree."]


@pytest.fixture
def trees(org, hse_specialist, hse_head, outsider):
    here = make_investigation(make_incident(org.crew, hse_specialist), hse_specialist, status="analysis")
    elsewhere = make_investigation(make_incident(org.other_shop, outsider), outsider, status="analysis")
    final_here = services.fact_add(actor=hse_specialist, investigation=here, text="Hand caught")
    final_there = services.fact_add(actor=outsider, investigation=elsewhere, text="Fall")
    missing = (CauseTreeFact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    return here, final_here, final_there, missing


def _post(client, name, data):
    return client.post(reverse(name), data, content_type="application/json")


@pytest.mark.parametrize("who", ["hse_specialist", "hse_head"])  # out of scope / in scope, other tree
def test_a_link_to_a_fact_of_another_tree_reads_as_one_that_does_not_exist(request, client_as, trees, who):
    here, final_here, final_there, missing = trees
    client = client_as(request.getfixturevalue(who))
    answers = []
    for stranger in (final_there.pk, missing):
        for field in ("antecedent", "consequent"):
            data = {"investigation": here.pk, "antecedent": final_here.pk, "consequent": final_here.pk}
            data[field] = stranger
            response = _post(client, "api:cause-tree-link-list", data)
            answers.append((field, response.status_code, response.json()))
    assert answers == [(field, 400, {field: WORDS}) for _stranger in (1, 2) for field in ("antecedent", "consequent")]
    assert not CauseTreeLink.objects.exists()


@pytest.mark.parametrize("who", ["hse_specialist", "hse_head"])
def test_a_fact_leading_to_a_fact_of_another_tree_reads_as_one_that_does_not_exist(request, client_as, trees, who):
    here, _final_here, final_there, missing = trees
    client = client_as(request.getfixturevalue(who))
    answers = [
        _post(client, "api:cause-tree-fact-list", {"investigation": here.pk, "text": "A", "leads_to": stranger})
        for stranger in (final_there.pk, missing)
    ]
    assert [(a.status_code, a.json()) for a in answers] == [(400, {"leads_to": WORDS})] * 2
    assert CauseTreeFact.objects.filter(investigation=here).count() == 1


def test_a_fact_of_the_same_tree_is_still_accepted(client_as, trees, hse_specialist):
    here, final_here, _final_there, _missing = trees
    client = client_as(hse_specialist)
    response = _post(
        client, "api:cause-tree-fact-list", {"investigation": here.pk, "text": "A", "leads_to": final_here.pk}
    )
    assert response.status_code == 201
