from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.common.forms import DateInput, MultipleFileField, MultipleFileInput

from .models import Action
from .selectors import owner_choices, source_choices
from .services import EVIDENCE_EXTENSIONS

EVIDENCE_ACCEPT = "image/*," + ",".join(sorted(EVIDENCE_EXTENSIONS))


class ActionForm(forms.Form):
    title = forms.CharField(label=_("What to do"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    priority = forms.ChoiceField(label=_("Priority"), choices=Action.Priority.choices, initial=Action.Priority.MEDIUM)
    control_level = forms.ChoiceField(
        label=_("Hierarchy-of-controls level"),
        choices=[("", "—")] + Action.ControlLevel.choices,
        help_text=_("Prefer eliminating the hazard over rules and PPE: the higher, the stronger."),
    )
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

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
        max_length=500,
        help_text=_("Required when the due date moves."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["unit"]

    def clean_due_date(self):
        # An unchanged past date is fine here; the service refuses moving it into the past.
        return self.cleaned_data["due_date"]


class CompleteForm(forms.Form):
    evidence = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(
        label=_("Evidence files"), required=False, help_text=_("Photos, PDF or documents, up to 10 MB each.")
    )


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Is the action effective?"),
        choices=[("yes", _("Yes: the hazard is controlled")), ("no", _("No: the hazard is still there"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What you checked"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    not_effective_then = forms.ChoiceField(
        label=_("If not effective"),
        choices=[("reopen", _("Reopen it for the owner")), ("follow_up", _("Close it and open a follow-up action"))],
        initial="reopen",
        widget=forms.RadioSelect,
        required=False,
    )
    follow_up_due_date = forms.DateField(label=_("Follow-up due date"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        wants_follow_up = data.get("effective") is False and data.get("not_effective_then") == "follow_up"
        if wants_follow_up and not data.get("follow_up_due_date"):
            self.add_error("follow_up_due_date", _("Give the follow-up action a due date."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    files = MultipleFileField(label=_("Evidence files"), widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))


class ActionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("active", _("Open or in progress"))] + Action.Status.choices,
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=lambda: [("", _("Any source")), *source_choices()]
    )
    control_level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level"))] + Action.ControlLevel.choices
    )
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DateInput())
    due_to = forms.DateField(label=_("Due to"), required=False, widget=DateInput())

    def __init__(self, *args, units=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
        self.fields["owner"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in owners]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
