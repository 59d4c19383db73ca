"""The period picker of the pages with charts: how many months the trends and the period's figures
cover (`?months=3`, `6` or `12`; 12 by default), ending with the page's month.

The choice is a GET parameter, kept in the URL (and in the page's other links) like any filter. A
value that is not offered is an error on the picker; the page then shows the default period with
status 400, never a 500 and never a silently different window."""

from datetime import date

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .dates import months_back

PERIOD_CHOICES = (3, 6, 12)
DEFAULT_PERIOD = 12
PARAMETER = "months"


def _period_label(count: int) -> str:
    return ngettext("Last %(count)d month", "Last %(count)d months", count) % {"count": count}


# Lazy: the choices are made once, at import; each page shows them in its reader's language.
_label = lazy(_period_label, str)


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=[(count, _label(count)) for count in PERIOD_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a period of 3, 6 or 12 months.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].widget.attrs.update({"class": "form-select", "data-autosubmit": ""})


def period_from(query) -> tuple[int, PeriodForm, bool]:
    """(the number of months asked for, the picker, whether the query was valid): the default
    period when `months` is absent or empty, and also when it is invalid (valid is then False)."""
    if not query.get(PARAMETER):
        return DEFAULT_PERIOD, PeriodForm(initial={PARAMETER: DEFAULT_PERIOD}), True
    form = PeriodForm({PARAMETER: query.get(PARAMETER)})
    if form.is_valid() and form.cleaned_data[PARAMETER]:
        return form.cleaned_data[PARAMETER], form, True
    return DEFAULT_PERIOD, form, False


def period_months(last_month: date, count: int) -> list[date]:
    """The first days of the `count` months of the period ending with `last_month`, oldest first."""
    return months_back(last_month, count)
