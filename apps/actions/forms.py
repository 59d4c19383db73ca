from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common import uploads
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateField
from apps.common.forms import MultipleFileField, MultipleFileInput

from .models import Action
from .selectors import owner_choices

EVIDENCE_ACCEPT = uploads.accept_attribute(uploads.EVIDENCE)
TITLE_MAX_LENGTH = Action._meta.get_field("title").max_length
REASON_MAX_LENGTH = 500


def _long_text(label, *, required=False, rows=3, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _evidence_files(**kwargs):
    return MultipleFileField(
        label=_("Evidence files"),
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("Photos, PDF, Word, Excel or text files, up to 10 MB each."),
        **kwargs,
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=TITLE_MAX_LENGTH)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = RecordDateField(label=_("Due date"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Action.Priority.choices, initial=Action.Priority.MEDIUM)
    control_level = forms.ChoiceField(
        label=_("Hierarchy-of-controls level"),
        choices=[("", "—")] + Action.ControlLevel.choices,
        help_text=_("Prefer eliminating the hazard over rules and PPE: the higher, the stronger."),
    )
    description = _long_text(_("Details"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["owner"].queryset = owner_choices()
        self.fields["due_date"].initial = timezone.localdate() + timezone.timedelta(days=14)

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_date


class ActionEditForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required when the due date moves."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["unit"]

    def clean_due_date(self):
        # An unchanged past date is fine here; the service refuses moving it into the past.
        return self.cleaned_data["due_date"]


class CompleteForm(forms.Form):
    evidence = _long_text(_("What was done"))
    files = _evidence_files(required=False)


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Is the action effective?"),
        choices=[("yes", _("Yes: the hazard is controlled")), ("no", _("No: the hazard is still there"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = _long_text(_("What you checked"), rows=2)
    not_effective_then = forms.ChoiceField(
        label=_("If not effective"),
        choices=[("reopen", _("Reopen it for the owner")), ("follow_up", _("Close it and open a follow-up action"))],
        initial="reopen",
        widget=forms.RadioSelect,
        required=False,
    )
    follow_up_due_date = RecordDateField(label=_("Follow-up due date"), required=False)

    def clean(self):
        data = super().clean()
        wants_follow_up = data.get("effective") is False and data.get("not_effective_then") == "follow_up"
        if wants_follow_up and not data.get("follow_up_due_date") and "follow_up_due_date" not in self.errors:
            self.add_error("follow_up_due_date", _("Give the follow-up action a due date."))
        return data


class CancelForm(forms.Form):
    reason = _long_text(_("Why is it cancelled?"), required=True, rows=2)


class EvidenceForm(forms.Form):
    files = _evidence_files()
