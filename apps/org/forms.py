from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HOURS_WORKED_MAX, validate_hours_month

REASON_MAX_LENGTH = 500


class HoursWorkedForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        validators=[validate_hours_month],
    )
    hours = forms.DecimalField(
        label=_("Hours worked"), min_value=0, max_value=HOURS_WORKED_MAX, max_digits=12, decimal_places=1
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Source of the figure or why it was corrected."),
    )
