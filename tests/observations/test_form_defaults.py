"""The observation form must not choose data for the observer: no pre-selected risk or feedback,
no unit picked silently, and "Log another" keeps only where the last one was seen."""

import re

from django.urls import reverse

from apps.accounts.roles import Role
from apps.observations.models import Observation
from tests.factories import UnitFactory, UserFactory
from tests.observations.test_views import form_data


def _checked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" id="[^"]+" value="([^"]+)" autocomplete="off" checked', page)


def _selected_unit(page: str) -> list[str]:
    select = re.search(r'<select name="unit".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="(\d*)" selected>', select)


def test_risk_and_feedback_are_not_pre_selected(client_as, org, hse_specialist, categories):
    page = client_as(hse_specialist).get(reverse("observations:create")).text
    assert _checked(page, "risk") == []
    assert _checked(page, "feedback_given") == []
    assert 'name="risk"' in page and 'name="feedback_given"' in page  # the choices are there


def test_a_missing_risk_or_feedback_answer_is_refused_with_a_clear_error(client_as, org, hse_specialist, categories):
    data = form_data(org, categories)
    del data["risk"], data["feedback_given"]
    response = client_as(hse_specialist).post(reverse("observations:create"), data)
    assert response.status_code == 400
    assert "Choose the risk." in response.text
    assert "Say whether feedback was given on the spot." in response.text
    assert not Observation.objects.exists()


def test_several_units_mean_an_explicit_choice_in_sight(client_as, org, hse_specialist, categories):
    # The specialist covers the shop, and so the crew under it: two units to choose from.
    page = client_as(hse_specialist).get(reverse("observations:create")).text
    assert _selected_unit(page) == []
    assert "Choose the unit…" in page
    where_and_when = page.index("<details")
    assert page.index('<select name="unit"') < where_and_when  # not inside the collapsed section


def test_a_missing_unit_is_refused_with_a_clear_error(client_as, org, hse_specialist, categories):
    response = client_as(hse_specialist).post(reverse("observations:create"), form_data(org, categories, unit=""))
    assert response.status_code == 400
    assert "Choose the unit where it was seen." in response.text
    assert 'aria-invalid="true" aria-describedby="id_unit_error"' in response.text


def test_one_unit_is_pre_selected(client_as, org, outsider, categories):
    # The outsider covers one shop with nothing under it.
    page = client_as(outsider).get(reverse("observations:create")).text
    assert _selected_unit(page) == [str(org.other_shop.pk)]
    assert f"now, in {org.other_shop}" in page


def test_two_units_assigned_directly_are_not_pre_selected(client_as, org, categories):
    second = UnitFactory(name="Repair shop", code="repair")
    specialist = UserFactory(username="two-shops", role=Role.HSE_SPECIALIST, units=[org.other_shop, second])
    page = client_as(specialist).get(reverse("observations:create")).text
    assert _selected_unit(page) == []


def test_log_another_keeps_the_unit_and_area_and_nothing_else(client_as, org, hse_specialist, categories):
    client = client_as(hse_specialist)
    data = form_data(org, categories, area="Bay 2 & ramp", work_stopped="on")
    response = client.post(reverse("observations:create"), data)
    detail = client.get(response["Location"]).text
    link = re.search(r'<a class="btn btn-primary" href="([^"]+)" data-testid="log-another"', detail).group(1)
    page = client.get(link.replace("&amp;", "&")).text
    assert _selected_unit(page) == [str(org.crew.pk)]
    assert 'value="Bay 2 &amp; ramp"' in page
    assert _checked(page, "kind") == [] and _checked(page, "category") == []
    assert _checked(page, "risk") == [] and _checked(page, "feedback_given") == []
    assert "Load guided by hand" not in page and "Explained the exclusion zone" not in page
    assert 'name="work_stopped" id="id_work_stopped" checked' not in page


def test_log_another_is_offered_to_the_observer_only(client_as, org, hse_specialist, hse_head, categories):
    client_as(hse_specialist).post(reverse("observations:create"), form_data(org, categories))
    observation = Observation.objects.get()
    assert 'data-testid="log-another"' in client_as(hse_specialist).get(observation.get_absolute_url()).text
    assert 'data-testid="log-another"' not in client_as(hse_head).get(observation.get_absolute_url()).text


def test_a_unit_outside_the_choices_in_the_link_is_not_selected(client_as, org, hse_specialist, categories):
    page = client_as(hse_specialist).get(reverse("observations:create") + f"?unit={org.other_shop.pk}").text
    assert _selected_unit(page) == []
    assert str(org.other_shop) not in page


def test_an_unsafe_act_without_follow_up_does_not_claim_none_was_needed(client_as, org, hse_specialist, categories):
    client_as(hse_specialist).post(reverse("observations:create"), form_data(org, categories, kind="unsafe_act"))
    page = client_as(hse_specialist).get(Observation.objects.get().get_absolute_url()).text
    assert "No action was needed" not in page
    assert "No follow-up action recorded." in page


def test_the_error_summary_links_to_each_field(client_as, org, hse_specialist, categories):
    data = form_data(org, categories, description="")
    del data["risk"]
    page = client_as(hse_specialist).post(reverse("observations:create"), data).text
    summary = page[page.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    assert 'href="#id_risk">Risk</a>: Choose the risk.' in summary
    assert 'href="#id_description">What was seen</a>' in summary
    assert '<fieldset class="mb-3" id="id_risk" aria-invalid="true" aria-describedby="id_risk_error">' in page


def test_an_empty_list_says_what_to_do_and_offers_the_form_to_those_who_may_log(
    client_as, org, hse_specialist, executive, categories
):
    page = client_as(hse_specialist).get(reverse("observations:list")).text
    assert "Go to the floor" in page
    assert f'href="{reverse("observations:create")}" data-testid="empty-state-action"' in page
    assert 'data-testid="empty-state-action"' not in client_as(executive).get(reverse("observations:list")).text
