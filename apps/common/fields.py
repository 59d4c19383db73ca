"""Form and API fields that check their range, so no typed value reaches the database unchecked.

- `EventDateTimeField` / `EventDateTimeSerializerField`: when something happened (records' window,
  not in the future).
- `RecordDateField` / `RecordDateSerializerField`: a date in a record or a filter (records' window
  up to the plan horizon).
- `BoundedIntegerField`: an integer with explicit bounds (never beyond what the column holds).
- `LONG_TEXT_MAX_LENGTH`: the cap on free text (descriptions, comments), forms and API alike.
- `ModelMultipleChoiceField`: several records chosen by id, an id beyond 64 bits an invalid choice.
"""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from rest_framework import serializers

from .dates import validate_event_time, validate_past_date, validate_record_date
from .forms import DateInput

LONG_TEXT_MAX_LENGTH = 5000
# PostgreSQL's smallint and integer: a form never offers more than the column holds.
SMALLINT_MAX = 32767
INTEGER_MAX = 2147483647
# The widest key any of our databases stores (bigint; SQLite's INTEGER).
KEY_MIN, KEY_MAX = -(2**63), 2**63 - 1

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class EventDateTimeField(forms.DateTimeField):
    """When something happened: not before the records begin, not in the future."""

    widget = DateTimeLocalInput
    default_validators = [validate_event_time]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        super().__init__(**kwargs)


class RecordDateField(forms.DateField):
    """A date in a record or a filter: inside the records' window, up to the plan horizon."""

    widget = DateInput
    default_validators = [validate_record_date]


class PastDateField(RecordDateField):
    """A day that has already happened."""

    default_validators = [validate_past_date]


class BoundedIntegerField(forms.IntegerField):
    """An integer with bounds; by default what a PostgreSQL smallint holds, from zero."""

    def __init__(self, *, min_value=0, max_value=SMALLINT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class EventDateTimeSerializerField(serializers.DateTimeField):
    """When something happened, from a client. DRF shifts a parsed time to UTC to check it exists;
    for hours of year 1 (or 9999) that shift overflows: such a time is outside the records' window,
    and the answer says so (400), never a 500."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_event_time])
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            try:
                validate_event_time(value)
            except (DjangoValidationError, OverflowError) as error:
                messages = getattr(error, "messages", None)
                if messages:
                    raise serializers.ValidationError(messages) from None
            self.fail("invalid", format="YYYY-MM-DDThh:mm")


class RecordDateSerializerField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("validators", [validate_record_date])
        super().__init__(**kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django checks a single choice's id against the column's range, not a list of them: SQLite
    then fails on an id beyond 64 bits (a 500 on the embedded default). Such an id is no choice."""

    def _check_values(self, value):
        for key in value:
            try:
                number = int(str(key).strip())
            except ValueError:
                continue  # not a number: Django's own check names it
            if not KEY_MIN <= number <= KEY_MAX:
                raise DjangoValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": key}
                )
        return super()._check_values(value)


def long_text_field(verbose_name, **kwargs) -> models.TextField:
    """A model's free text, capped for forms, the API and full_clean() alike (the column itself is
    text)."""
    return models.TextField(
        verbose_name, max_length=LONG_TEXT_MAX_LENGTH, validators=[MaxLengthValidator(LONG_TEXT_MAX_LENGTH)], **kwargs
    )
