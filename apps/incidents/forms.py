from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common import uploads
from apps.common.fields import (
    LONG_TEXT_MAX_LENGTH,
    BoundedIntegerField,
    EventDateTimeField,
    ModelMultipleChoiceField,
    RecordDateField,
)
from apps.common.forms import MultipleFileField
from apps.common.versioning import version_form_field
from apps.org.models import Person

from .fivewhys import BLAME_ADVICE, blames_a_person
from .models import (
    APPROVAL_NOTE_MAX_LENGTH,
    DAYS_LOST_MAX,
    SICK_LEAVE_DAYS_MAX,
    Incident,
    InvolvedPerson,
    Severity,
)
from .selectors import coordinator_choices, member_choices


def _long_text(label, *, rows=2, max_length=LONG_TEXT_MAX_LENGTH, **kwargs):
    return forms.CharField(label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class IncidentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—")] + Incident.Type.choices)
    occurred_at = EventDateTimeField(label=_("When"))
    location = forms.CharField(label=_("Where"), max_length=300)
    description = _long_text(_("What happened"), rows=4, help_text=_("Facts, not opinions."))
    immediate_actions = _long_text(_("Immediate actions"), required=False)
    actual_severity = forms.TypedChoiceField(label=_("Actual severity"), choices=Severity.choices, coerce=int)
    potential_severity = forms.TypedChoiceField(
        label=_("Potential severity"), choices=Severity.choices, coerce=int,
        help_text=_("The worst that could reasonably have happened."),
    )  # fmt: skip
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Incident.Classification.choices, initial=Incident.Classification.NONE
    )
    days_lost = BoundedIntegerField(label=_("Days lost"), max_value=DAYS_LOST_MAX, initial=0, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_days_lost(self):
        return self.cleaned_data.get("days_lost") or 0


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=InvolvedPerson.Role.choices)
    person = forms.ModelChoiceField(label=_("From the roll"), queryset=None, required=False)
    name = forms.CharField(label=_("Or name"), max_length=200, required=False)
    injury_description = _long_text(_("Injury"), required=False)
    body_part = forms.CharField(label=_("Body part"), max_length=100, required=False)
    diagnosis = _long_text(_("Medical treatment and diagnosis"), required=False)
    sick_leave_days = BoundedIntegerField(label=_("Sick leave days"), max_value=SICK_LEAVE_DAYS_MAX, required=False)

    def __init__(self, *args, incident=None, show_medical=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(unit=incident.unit, is_active=True) if incident else (
            Person.objects.none())  # fmt: skip
        if not show_medical:
            for name in InvolvedPerson.MEDICAL_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose a person from the roll or type a name."))
        return data


class TimelineForm(forms.Form):
    at = EventDateTimeField(label=_("When"))
    description = forms.CharField(label=_("What happened"), max_length=500)


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"), help_text=_("Photos, videos, PDF or documents, up to 10 MB each."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = uploads.accept_attribute(uploads.INCIDENT_FILES)


class OpenInvestigationForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"), queryset=None, help_text=_("An HSE specialist coordinates the commission.")
    )
    members = ModelMultipleChoiceField(
        label=_("Commission members"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinator_choices()
        self.fields["members"].queryset = member_choices()


class VersionForm(forms.Form):
    """A step without other input (a workflow button, a removal): the version of the record the
    user decided on."""

    version = version_form_field()


class ApproveForm(VersionForm):
    note = _long_text(_("Approval note"), required=False, max_length=APPROVAL_NOTE_MAX_LENGTH)


class ChainForm(forms.Form):
    problem_statement = forms.CharField(
        label=_("Problem statement"), max_length=500, help_text=_("What happened, as a fact: the first why asks why.")
    )


class StepForm(forms.Form):
    answer = forms.CharField(label=_("Because…"), max_length=500)
    is_root_cause = forms.BooleanField(
        label=_("This is the root cause"), required=False,
        help_text=_("A cause the system can remove: design, procedure, planning, supervision."),
    )  # fmt: skip

    @property
    def blame_warning(self):
        """A warning, not an error: the chain may still go on from here."""
        answer = self.data.get(self.add_prefix("answer"), "") if self.is_bound else ""
        return BLAME_ADVICE if blames_a_person(answer) else ""


class FactForm(forms.Form):
    text = forms.CharField(label=_("Fact"), max_length=300, help_text=_("One fact, observed — not an opinion."))
    is_unusual = forms.BooleanField(label=_("Unusual"), required=False)
    leads_to = forms.TypedChoiceField(label=_("Led to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, facts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads_to"].choices = [("", "—")] + [(fact.pk, fact.text) for fact in facts]
        if facts:
            self.fields["leads_to"].required = True
        else:
            # The first fact is the final event: the incident itself.
            del self.fields["leads_to"]
            del self.fields["is_unusual"]
            self.fields["text"].label = _("Final event")
            self.fields["text"].help_text = _("The incident itself, e.g. “Hand caught in the tail pulley”.")


class FactEditForm(forms.Form):
    text = forms.CharField(label=_("Fact"), max_length=300)
    is_unusual = forms.BooleanField(label=_("Unusual"), required=False)
    version = version_form_field()  # the fact's, as the user read it


class LinkForm(forms.Form):
    antecedent = forms.TypedChoiceField(label=_("This fact"), coerce=int)
    consequent = forms.TypedChoiceField(label=_("also led to"), coerce=int)

    def __init__(self, *args, facts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(fact.pk, fact.text) for fact in facts]
        self.fields["antecedent"].choices = choices
        self.fields["consequent"].choices = choices


class InvestigationActionForm(forms.Form):
    cause = forms.ChoiceField(label=_("Addresses"))
    title = forms.CharField(label=_("What to do"), max_length=300)
    control_level = forms.ChoiceField(
        label=_("Hierarchy-of-controls level"), choices=[("", "—")] + Action.ControlLevel.choices,
        help_text=_("Prefer eliminating the hazard over rules and PPE: the higher, the stronger."),
    )  # fmt: skip
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = RecordDateField(label=_("Due date"))
    description = _long_text(_("Details"), required=False)

    def __init__(self, *args, causes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].choices = [("", "—")] + causes
        self.fields["owner"].queryset = owner_choices()
        self.fields["due_date"].initial = timezone.localdate() + timezone.timedelta(days=30)

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_date
