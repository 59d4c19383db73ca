"""Forms of the internship and signal pages and of the workers' anonymous QR form. They parse what
was typed; the rules (who may, which status allows what, 3 to 7 days, the host on the unit's roll)
are the services'. A service's refusal is shown on the form in place
(`apps.common.forms.add_service_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common.fields import LONG_TEXT_MAX_LENGTH, RecordDateField
from apps.common.widgets import StyledForm

from .models import Internship, InternshipContact, InternshipDay, Signal

# The closing form proposes at most this many actions (more is a sign the summary needs a meeting).
MAX_PROPOSED_ACTIONS = 5
# What a worker may type on the QR form: enough for a concern, not for a document.
FEEDBACK_TEXT_MAX_LENGTH = 2000
# The kinds a worker picks on the QR form, in the order of the buttons.
FEEDBACK_KINDS = [
    Signal.Kind.HAZARD,
    Signal.Kind.IDEA,
    Signal.Kind.PPE,
    Signal.Kind.TOOL,
    Signal.Kind.RULE,
]
# What a specialist records during an internship, most frequent first.
SIGNAL_KINDS = [
    Signal.Kind.CONCERN,
    Signal.Kind.TOOL,
    Signal.Kind.RULE,
    Signal.Kind.PPE,
    Signal.Kind.RULE_BROKEN,
    Signal.Kind.HAZARD,
    Signal.Kind.IDEA,
]


def _model_max(model, name) -> int:
    return model._meta.get_field(name).max_length


def _text(label, *, required=False, rows=3, max_length=LONG_TEXT_MAX_LENGTH, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _person_label(person) -> str:
    return f"{person.full_name} — {person.job_title}" if person.job_title else person.full_name


def _user_label(user) -> str:
    return user.get_full_name() or user.username


class InternshipForm(StyledForm):
    """Plan an internship. The host foreman and specialist choices depend on the unit: the view
    passes the unit picked (from the bound data or the query string) and its candidates."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    host_foreman = forms.ModelChoiceField(
        label=_("Host foreman"),
        queryset=None,
        help_text=_("The foreman the specialist works with, on the unit's roll."),
    )
    specialist = forms.ModelChoiceField(label=_("HSE specialist"), queryset=None)
    starts_on = RecordDateField(label=_("First day"))
    ends_on = RecordDateField(
        label=_("Last day"), required=False, help_text=_("Prefilled from the proposed length; 3 to 7 days.")
    )

    def __init__(self, *args, units, foremen, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["host_foreman"].queryset = foremen
        self.fields["host_foreman"].label_from_instance = _person_label
        self.fields["specialist"].queryset = specialists
        self.fields["specialist"].label_from_instance = _user_label
        for name in ("unit", "starts_on"):
            # A change asks for the proposal again (htmx); without JS, "Show the proposal" does.
            self.fields[name].widget.attrs.update({"data-refresh": "proposal"})


class InternshipEditForm(InternshipForm):
    """Change the plan of an internship not yet finished (the unit stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["unit"]
        self.fields["starts_on"].widget.attrs.pop("data-refresh", None)


class CancelForm(StyledForm):
    reason = _text(_("Why is it cancelled?"), required=True, rows=2, max_length=500)


class DayLogForm(StyledForm):
    """One day's log, in the order of the day: from the morning work order to the handover."""

    morning_work_order = _text(
        _("Morning work order"), required=True, rows=2, help_text=_("What the crew was given to do.")
    )
    crew_roles = forms.CharField(
        label=_("Worked alongside"),
        max_length=_model_max(InternshipDay, "crew_roles"),
        help_text=_("Crew roles, e.g. operator, fitter, electrician."),
    )
    work_done = _text(_("Work done"), required=True)
    risks_seen = _text(_("Risks seen"))
    surprises = _text(_("What surprised"), rows=2)
    shift_handover = _text(_("Shift handover"), rows=2)


class ContactForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=_model_max(InternshipContact, "name"))
    job_title = forms.CharField(
        label=_("Job title"), max_length=_model_max(InternshipContact, "job_title"), required=False
    )
    how_to_reach = forms.CharField(
        label=_("How to reach"), max_length=_model_max(InternshipContact, "how_to_reach"), required=False,
        help_text=_("Only what they agreed to give: a phone, a shift, a locker room."),
    )  # fmt: skip
    is_safety_ambassador = forms.BooleanField(label=_("Safety ambassador of the unit"), required=False)


class FinishForm(StyledForm):
    summary = _text(_("Closing summary"), required=True, rows=4)
    instruction_changes = _text(_("What to change in instructions and rules"), rows=4)


class ProposedActionForm(StyledForm):
    """One action the internship proposes; a blank row is skipped."""

    title = forms.CharField(label=_("What to do"), max_length=_model_max(Action, "title"), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)
    due_date = RecordDateField(label=_("Due date"), required=False)
    control_level = forms.ChoiceField(
        label=_("Hierarchy-of-controls level"), choices=[("", "—"), *Action.ControlLevel.choices], required=False
    )
    description = _text(_("Details"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices()
        self.fields["owner"].label_from_instance = _user_label

    def clean(self):
        data = super().clean()
        if not self.has_changed() or not any(data.get(name) for name in ("title", "owner", "due_date")):
            return data
        for name in ("title", "owner", "due_date", "control_level"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Required for a proposed action."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("title", "owner", "due_date", "description"))


ProposedActionFormSet = forms.formset_factory(
    ProposedActionForm, extra=MAX_PROPOSED_ACTIONS, max_num=MAX_PROPOSED_ACTIONS, validate_max=True
)


class HostReviewForm(StyledForm):
    host_view = forms.ChoiceField(
        label=_("The host foreman says the specialist…"), choices=Internship.HostView.choices, widget=forms.RadioSelect
    )
    comment = _text(_("Short comment"), rows=2, max_length=_model_max(Internship, "host_comment"))


class SignalForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("What kind"), choices=[(kind.value, kind.label) for kind in SIGNAL_KINDS], widget=forms.RadioSelect
    )
    raw_text = _text(_("What was said"), required=True, rows=4)


class SignalRespondForm(StyledForm):
    response = forms.ChoiceField(label=_("Response"), choices=Signal.Response.choices, widget=forms.RadioSelect)
    response_text = _text(_("What was done"), required=True, rows=3)
    paraphrase = forms.CharField(
        label=_("For the board"),
        max_length=_model_max(Signal, "paraphrase"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Reword what was said so that no one can be recognised: no names, shifts, places or turns "
            "of phrase that point to a person."
        ),
    )


class FeedbackForm(forms.Form):
    """The workers' anonymous QR form: a kind and the text. Nothing else is asked or kept."""

    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[(kind.value, kind.label) for kind in FEEDBACK_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick what it is about.")},
    )
    text = forms.CharField(
        label=_("Tell us"),
        max_length=FEEDBACK_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a few words: what did you see, what would help?")},
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"], code="required")
        return text
