"""What pages share around a call to a service."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from .errors import StateConflict
from .forms import add_service_errors


def call_service(
    request, form, call: Callable[[], object], *, success: str, done_url, success_url=None
) -> HttpResponse | None:
    """Run `call` (a service call with its arguments bound) for a page with a form.

    Done: the `success` message and a redirect to `success_url` (or `done_url`). A StateConflict
    (someone changed the record first): its message and a redirect to `done_url`, the record as it
    is now. Any other ValidationError: put on the form, and None, so the caller renders the form
    again (with status 400). `done_url` and `success_url` are anything `redirect()` takes."""
    try:
        call()
    except StateConflict as conflict:
        messages.error(request, " ".join(conflict.messages))
        return redirect(done_url)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(success_url if success_url is not None else done_url)
