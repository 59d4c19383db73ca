from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.common.errors import StateConflict
from apps.common.views import call_service


class Reason(forms.Form):
    reason = forms.CharField()


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def _form():
    form = Reason({"reason": "late"})
    assert form.is_valid()
    return form


def _raise(error):
    raise error


def test_it_says_done_and_redirects():
    request, calls = _request(), []
    response = call_service(request, _form(), lambda: calls.append(1), success="Done.", done_url="/record/")
    assert calls == [1]
    assert response.status_code == 302 and response.url == "/record/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("success", "Done.")]


def test_it_redirects_to_the_success_url_when_given():
    request = _request()
    response = call_service(
        request, _form(), lambda: None, success="Done.", done_url="/record/", success_url="/record/#part"
    )
    assert response.url == "/record/#part"


def test_a_conflict_is_a_message_over_the_record_as_it_is():
    request, form = _request(), _form()
    response = call_service(
        request,
        form,
        lambda: _raise(StateConflict("Someone closed it first.")),
        success="Done.",
        done_url="/record/",
        success_url="/record/#part",
    )
    assert response.status_code == 302 and response.url == "/record/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "Someone closed it first.")]
    assert not form.errors


def test_a_refusal_goes_on_the_form_and_nothing_is_answered():
    request, form = _request(), _form()
    response = call_service(
        request,
        form,
        lambda: _raise(ValidationError({"reason": "Too short.", "other": "Not now."})),
        success="Done.",
        done_url="/record/",
    )
    assert response is None
    assert form.errors == {"reason": ["Too short."], "__all__": ["Not now."]}
    assert list(get_messages(request)) == []
