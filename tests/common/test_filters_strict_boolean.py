"""A yes/no filter parameter is true or false, empty or the select's "unknown" (not given), or a
field error: never quietly read as "not given" (found by fuzzing the API)."""

import pytest
from django import forms

from apps.common.filters import StrictNullBooleanField


@pytest.mark.parametrize(
    ("raw", "value"),
    [("true", True), ("1", True), ("false", False), ("0", False), ("", None), ("unknown", None), (None, None)],
)
def test_the_words_it_takes(raw, value):
    class Form(forms.Form):
        flag = StrictNullBooleanField(required=False)

    form = Form({"flag": raw} if raw is not None else {})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["flag"] is value


@pytest.mark.parametrize("raw", ["banana", "yes please", "2x", "櫠w°("])
def test_anything_else_is_a_field_error(raw):
    class Form(forms.Form):
        flag = StrictNullBooleanField(required=False)

    form = Form({"flag": raw})
    assert not form.is_valid() and form.errors["flag"] == ["Enter true or false."]


def test_an_api_list_refuses_a_junk_boolean(db, hse_head):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(hse_head)
    assert client.get("/api/v1/trainers/", {"is_active": "banana"}).status_code == 400
    assert client.get("/api/v1/trainers/", {"is_active": "true"}).status_code == 200
    assert client.get("/api/v1/trainers/", {"is_active": ""}).status_code == 200
