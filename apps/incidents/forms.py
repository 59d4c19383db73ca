from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common.forms import DateInput, MultipleFileField
from apps.org.models import Person

from .fivewhys import BLAME_ADVICE, blames_a_person
from .models import Incident, InvolvedPerson, Severity
from .selectors import coordinator_choices, member_choices


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—")] + Incident.Type.choices)
    occurred_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    location = forms.CharField(label=_("Where"), max_length=300)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Facts, not opinions.")
    )
    immediate_actions = forms.CharField(
        label=_("Immediate actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    actual_severity = forms.TypedChoiceField(label=_("Actual severity"), choices=Severity.choices, coerce=int)
    potential_severity = forms.TypedChoiceField(
        label=_("Potential severity"), choices=Severity.choices, coerce=int,
        help_text=_("The worst that could reasonably have happened."),
    )  # fmt: skip
    classification = forms.ChoiceField(
        label=_("Classification"), choices=Incident.Classification.choices, initial=Incident.Classification.NONE
    )
    days_lost = forms.IntegerField(label=_("Days lost"), min_value=0, initial=0, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean_days_lost(self):
        return self.cleaned_data.get("days_lost") or 0

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now():
            raise forms.ValidationError(_("An incident cannot have happened in the future."))
        return occurred_at


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=InvolvedPerson.Role.choices)
    person = forms.ModelChoiceField(label=_("From the roll"), queryset=None, required=False)
    name = forms.CharField(label=_("Or name"), max_length=200, required=False)
    injury_description = forms.CharField(label=_("Injury"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body_part = forms.CharField(label=_("Body part"), max_length=100, required=False)
    diagnosis = forms.CharField(
        label=_("Medical treatment and diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    sick_leave_days = forms.IntegerField(label=_("Sick leave days"), min_value=0, required=False)

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
    at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    description = forms.CharField(label=_("What happened"), max_length=500)


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("Files"), help_text=_("Photos, PDF or documents, up to 10 MB each."))


class OpenInvestigationForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"), queryset=None, help_text=_("An HSE specialist coordinates the commission.")
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Commission members"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = coordinator_choices()
        self.fields["members"].queryset = member_choices()


class ApproveForm(forms.Form):
    note = forms.CharField(label=_("Approval note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


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
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

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


class IncidentFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type"))] + Incident.Type.choices)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    classification = forms.ChoiceField(
        label=_("Classification"), required=False,
        choices=[("", _("Any classification"))] + Incident.Classification.choices,
    )  # fmt: skip
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
