from django import forms
from django.utils.translation import gettext_lazy as _


class HoursWorkedForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    hours = forms.DecimalField(label=_("Hours worked"), min_value=0, max_digits=12, decimal_places=1)
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        help_text=_("Source of the figure or why it was corrected."),
    )


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.TypedChoiceField(
        label=_("Unit"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    foremen = forms.BooleanField(label=_("Foremen only"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
