"""The forms of the KPI pages: the dashboard's unit and month pickers, the scorecards' month and
sort, and the HSE head's target form. A unit outside the user's scope is an unknown choice (a field
error shown in place, 400), never silently dropped."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.audits.forms import MonthField, MonthInput
from apps.common.dates import month_start, records_begin

from .definitions import KPIS


def first_month() -> date:
    """The first month a picker offers: the month the enterprise's records begin."""
    return month_start(records_begin())


def current_month(today: date | None = None) -> date:
    return month_start(today or timezone.localdate())


class PickerMonthInput(MonthInput):
    """`<input type="month">` from the records' first month to the current month."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["max"] = f"{current_month():%Y-%m}"
        context["widget"]["attrs"]["min"] = f"{first_month():%Y-%m}"
        return context


class PastMonthField(MonthField):
    """A month from the records' first month to the current one (the current month: so far)."""

    widget = PickerMonthInput

    def validate(self, value):
        super().validate(value)
        if value and value > current_month():
            raise ValidationError(_("There are no figures for a month to come yet."), code="future_month")
        if value and value < first_month():
            raise ValidationError(_("The records begin later."), code="before_records")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class DashboardFilterForm(forms.Form):
    """The dashboard's unit (one of the user's units; empty: all of them) and month (empty: the
    last complete month)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False, empty_label=_("All my units"))
    month = PastMonthField(label=_("Month"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _("This unit is not one of yours.")
        _style(self)


SCORECARD_SORTS = ["name"]  # and every per-person KPI code (with "-" for descending), added by the form


class ScorecardFilterForm(forms.Form):
    """The side-by-side view's month and sort column (`name`, or a KPI code; `-` first: descending)."""

    month = PastMonthField(label=_("Month"), required=False)
    sort = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.sorts = {"name", *codes}
        _style(self)

    def clean_sort(self):
        value = self.cleaned_data.get("sort") or "name"
        if value.lstrip("-") not in self.sorts:
            raise ValidationError(_("Sort by the name or by one of the KPIs."), code="unknown_sort")
        return value


def _kpi_choices():
    return [("", "—")] + [(kpi.code, kpi.name) for kpi in KPIS]


TARGET_ROLES = [("", _("Everyone (enterprise-wide)")), (Role.HSE_SPECIALIST, Role.HSE_SPECIALIST.label),
                (Role.LINE_MANAGER, Role.LINE_MANAGER.label)]  # fmt: skip


class TargetForm(forms.Form):
    """A target from a month on: enterprise-wide, for a role's people, or for a unit (and those
    under it). The service checks the rest (a unit and a role together, a duplicate month)."""

    kpi = forms.ChoiceField(label=_("KPI"), choices=_kpi_choices)
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2, min_value=0)
    valid_from = MonthField(label=_("From month"), widget=MonthInput)
    role = forms.ChoiceField(label=_("For"), choices=TARGET_ROLES, required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, empty_label=_("No unit (enterprise or role)")
    )
    reason = forms.CharField(label=_("Why this target"), max_length=500, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("unit") and data.get("role"):
            self.add_error("unit", _("A target is for a unit or for a role, not both."))
        return data


class TargetRemoveForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
