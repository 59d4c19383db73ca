"""Forms of the executive summary, the escalations and the monthly reports: they parse and bound
what is typed; the rules (deadline not past, open only, a decision required) are the services'."""

from datetime import date

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateField
from apps.common.filters import PortalFilterSet
from apps.org.models import StructuralUnit

from . import summary
from .escalations import DECISION_MAX_LENGTH, REASON_MAX_LENGTH, option_lines
from .models import Escalation

OTHER = "other"


def _month_value(month: date) -> str:
    return f"{month:%Y-%m}"


def month_choices(today: date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    return [(_month_value(month), label) for month, label in summary.month_choices(today)]


class MonthForm(forms.Form):
    """A month among those offered (the current one and the 23 before it), as YYYY-MM."""

    month = forms.ChoiceField(label=_("Month"), choices=())

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(today)
        self.fields["month"].widget.attrs.update({"class": "form-select", "data-autosubmit": ""})

    def clean_month(self) -> date:
        year, month = self.cleaned_data["month"].split("-")
        return date(int(year), int(month), 1)


def _text(label, *, max_length=LONG_TEXT_MAX_LENGTH, rows=3, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, max_length=max_length, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}),
        validators=[MaxLengthValidator(max_length)],
    )  # fmt: skip


class EscalationForm(forms.Form):
    title = forms.CharField(
        label=_("What needs a decision"), max_length=Escalation._meta.get_field("title").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    why = _text(_("Why it matters"), rows=4, help_text=_("The facts and the risk, as you would tell it in person."))
    options = _text(_("Options"), rows=4, help_text=_("One option per line, with what each would cost."))
    deadline = RecordDateField(label=_("Decision needed by"))
    unit = forms.ModelChoiceField(
        label=_("Unit (if it concerns one)"), required=False, queryset=StructuralUnit.objects.none(),
        empty_label=_("The whole enterprise"),
    )  # fmt: skip

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else StructuralUnit.objects.order_by("name")
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["deadline"].widget.attrs["class"] = "form-control"


class DecideForm(forms.Form):
    """One of the escalation's options, or a decision of one's own, and a comment."""

    choice = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, required=False)
    decision = forms.CharField(
        label=_("Your decision"), required=False, max_length=DECISION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip
    comment = _text(_("Comment (optional)"), rows=2, required=False)

    def __init__(self, *args, escalation: Escalation, **kwargs):
        kwargs.setdefault("prefix", f"e{escalation.pk}")
        super().__init__(*args, **kwargs)
        self.options = option_lines(escalation)
        self.fields["choice"].choices = [
            *((str(index), option) for index, option in enumerate(self.options)),
            (OTHER, _("Another decision (write it below)")),
        ]
        self.fields["comment"].widget.attrs["placeholder"] = _("What you expect, by when, from whom.")

    def clean(self):
        data = super().clean()
        choice, text = data.get("choice") or "", (data.get("decision") or "").strip()
        if choice and choice != OTHER:
            data["decision"] = self.options[int(choice)]
        elif text:
            data["decision"] = text
        elif "decision" not in self.errors:
            self.add_error("decision", _("Choose one of the options or write your decision."))
        return data

    @property
    def decision_value(self) -> str:
        return self.cleaned_data.get("decision", "") if hasattr(self, "cleaned_data") else ""


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it no longer needs a decision"), max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "withdraw_%s")
        super().__init__(*args, **kwargs)


class EscalationFilterSet(PortalFilterSet):
    """The escalation list's filter, for the page and the API alike."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Escalation.Status.choices, empty_label=_("Any status")
    )

    layout = {"status": "col-12 col-sm-6 col-md-4"}

    class Meta:
        model = Escalation
        fields: list[str] = []

    def filter_with(self, queryset, **values):
        if values.get("status"):
            queryset = queryset.filter(status=values["status"])
        return queryset


class ReportRequestForm(MonthForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.attrs.pop("onchange", None)
