"""Common form fields: several records chosen by id, whatever number a client sends."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.models import User
from apps.common.fields import ModelMultipleChoiceField
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def field():
    return ModelMultipleChoiceField(queryset=User.objects.all())


def test_ids_of_existing_records_are_chosen(org):
    first, second = UserFactory(), UserFactory()
    assert set(field().clean([str(first.pk), second.pk])) == {first, second}


@pytest.mark.parametrize("key", [2**63, -(2**63) - 1, 2**70, f" {2**64} "])
def test_an_id_beyond_64_bits_is_an_invalid_choice_on_every_database(org, key):
    with pytest.raises(ValidationError) as refused:
        field().clean([key])
    assert refused.value.code == "invalid_choice"
    assert refused.value.messages == [f"Select a valid choice. {key} is not one of the available choices."]


@pytest.mark.parametrize("key", [2**63 - 1, -(2**63)])
def test_the_widest_ids_are_looked_up_and_found_missing(org, key):
    with pytest.raises(ValidationError) as refused:
        field().clean([key])
    assert refused.value.code == "invalid_choice"


def test_a_value_that_is_no_number_gets_djangos_own_message(org):
    with pytest.raises(ValidationError) as refused:
        field().clean(["abc"])
    assert refused.value.code == "invalid_pk_value"
