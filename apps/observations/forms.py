import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common import uploads
from apps.common.fields import LONG_TEXT_MAX_LENGTH, EventDateTimeField, RecordDateField
from apps.common.forms import MultipleFileField, MultipleFileInput

from .models import Observation
from .selectors import category_choices

PHOTO_ACCEPT = f"image/jpeg,image/png,image/webp,{uploads.accept_attribute(uploads.PHOTOS)}"


class ObservationForm(forms.Form):
    """The phone form. Nothing that is data is chosen for the user: kind, category, what was seen,
    the risk and whether feedback was given are each the observer's own answer (no pre-selected
    risk or "no feedback" to skew the figures). The time defaults to now; the unit only when the
    observer can log in exactly one (`obvious_unit`)."""

    kind = forms.ChoiceField(label=_("What did you see?"), choices=Observation.Kind.choices, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    description = forms.CharField(
        label=_("What was seen"),
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Behaviour and conditions only. Never write a worker's name."),
    )
    feedback_given = forms.TypedChoiceField(
        label=_("Feedback given on the spot?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether feedback was given on the spot.")},
    )
    feedback_to = forms.ChoiceField(
        label=_("To whom"), choices=Observation.FeedbackTo.choices, widget=forms.RadioSelect, required=False
    )
    feedback_text = forms.CharField(
        label=_("What was said"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    work_stopped = forms.BooleanField(label=_("Work was stopped"), required=False)
    risk = forms.ChoiceField(
        label=_("Risk"),
        choices=Observation.Risk.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the risk.")},
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, error_messages={"required": _("Choose the unit where it was seen.")}
    )
    area = forms.CharField(label=_("Area"), required=False, max_length=200)
    observed_at = EventDateTimeField(label=_("When"))
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 5 photos, 10 MB each."),
        widget=MultipleFileInput(
            # The MIME types open the camera on a phone; the extensions are what the upload check accepts.
            attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "class": "form-control"}
        ),
    )
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    needs_action = forms.BooleanField(label=_("Needs a follow-up action"), required=False)
    action_title = forms.CharField(label=_("Action: what to do"), required=False, max_length=300)
    action_owner = forms.ModelChoiceField(
        label=_("Action owner"), queryset=None, required=False, empty_label=_("Choose the owner…")
    )
    action_due_date = RecordDateField(label=_("Action due date"), required=False)
    action_control_level = forms.ChoiceField(
        label=_("Action level"),
        required=False,
        choices=[("", _("Choose the level…"))] + Action.ControlLevel.choices,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()
        self.fields["unit"].queryset = units
        # One unit to choose from: it is the answer. Several: the observer picks one, in sight.
        first_two = list(units[:2])
        self.obvious_unit = first_two[0] if len(first_two) == 1 else None
        if self.obvious_unit and not self.is_bound and not self.initial.get("unit"):
            self.initial["unit"] = self.obvious_unit.pk
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
