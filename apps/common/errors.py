"""Domain errors that pages and the API show the same way."""

from django.core.exceptions import ValidationError


class StateConflict(ValidationError):
    """The record is no longer in a state that allows this step: another user (or another tab)
    changed it first. Pages show the message; the API answers 409 Conflict.

    A subclass of ValidationError, so a view that shows a service's refusals in place shows this
    one too; only the API tells it apart, by its status code."""
