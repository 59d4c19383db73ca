from django.urls import reverse


def test_an_oversized_form_is_refused_before_it_is_read(client_as, hse_specialist):
    client = client_as(hse_specialist)
    response = client.post(
        reverse("observations:create"),
        "x=" + "a" * (2 * 1024 * 1024 + 10),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "nothing was saved" in response.text


def test_an_oversized_api_call_answers_json(client_as, hse_specialist):
    client = client_as(hse_specialist)
    response = client.post(
        reverse("api:action-list"), "{" + " " * (2 * 1024 * 1024 + 10) + "}", content_type="application/json"
    )
    assert response.status_code == 413
    assert "nothing was saved" in response.json()["detail"]


def test_a_form_just_under_the_limit_goes_through_to_the_view(client_as, hse_specialist):
    client = client_as(hse_specialist)
    response = client.post(
        reverse("observations:create"), "x=" + "a" * 1000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400  # the form's own errors, not 413
