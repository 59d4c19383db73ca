import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common.forms import DateInput, MultipleFileField, MultipleFileInput

from .models import Observation
from .selectors import category_choices


class ObservationForm(forms.Form):
    """The phone form: three things are required (kind, category, what was seen); the rest has
    sensible defaults (now, the observer's unit)."""

    kind = forms.ChoiceField(label=_("What did you see?"), choices=Observation.Kind.choices, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    description = forms.CharField(
        label=_("What was seen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Behaviour and conditions only. Never write a worker's name."),
    )
    feedback_given = forms.TypedChoiceField(
        label=_("Feedback given on the spot?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    feedback_to = forms.ChoiceField(
        label=_("To whom"), choices=Observation.FeedbackTo.choices, widget=forms.RadioSelect, required=False
    )
    feedback_text = forms.CharField(label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    work_stopped = forms.BooleanField(label=_("Work was stopped"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk"), choices=Observation.Risk.choices, widget=forms.RadioSelect, initial=Observation.Risk.MEDIUM
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    area = forms.CharField(label=_("Area"), required=False, max_length=200)
    observed_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 5 photos, 10 MB each."),
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment", "class": "form-control"}
        ),
    )
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    needs_action = forms.BooleanField(label=_("Needs a follow-up action"), required=False)
    action_title = forms.CharField(label=_("Action: what to do"), required=False, max_length=300)
    action_owner = forms.ModelChoiceField(label=_("Action owner"), queryset=None, required=False)
    action_due_date = forms.DateField(label=_("Action due date"), required=False, widget=DateInput())
    action_control_level = forms.ChoiceField(
        label=_("Action level"),
        required=False,
        choices=[("", "—")] + Action.ControlLevel.choices,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()
        self.fields["unit"].queryset = units
        self.fields["action_owner"].queryset = owner_choices()
        self.fields["observed_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["submission_key"].initial = uuid.uuid4()

    def clean(self):
        data = super().clean()
        if data.get("needs_action"):
            for name in ("action_title", "action_owner", "action_due_date", "action_control_level"):
                if not data.get(name):
                    self.add_error(name, _("Needed for the follow-up action."))
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        follow_up = None
        if data.pop("needs_action"):
            follow_up = {
                "title": data["action_title"],
                "owner": data["action_owner"],
                "due_date": data["action_due_date"],
                "control_level": data["action_control_level"],
            }
        for name in ("action_title", "action_owner", "action_due_date", "action_control_level"):
            data.pop(name)
        return {**data, "follow_up": follow_up}


class ObservationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind"))] + Observation.Kind.choices)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    observer = forms.TypedChoiceField(label=_("Observer"), required=False, coerce=int, empty_value=None)
    feedback = forms.ChoiceField(
        label=_("Feedback"),
        required=False,
        choices=[("", _("With or without")), ("yes", _("Feedback given")), ("no", _("No feedback"))],
    )

    def __init__(self, *args, units=(), observers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
        self.fields["category"].choices = [("", _("Any category"))] + [(c.pk, str(c)) for c in category_choices()]
        self.fields["observer"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in observers]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
