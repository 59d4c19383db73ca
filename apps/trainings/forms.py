"""Forms of the training pages. They parse what was typed; the rules (who may teach a course,
which status allows what, when a reason is required) are the services'. A service's refusal is
shown on the form in place (`apps.common.forms.add_service_errors`)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.common.fields import LONG_TEXT_MAX_LENGTH, ModelMultipleChoiceField, RecordDateField
from apps.common.widgets import StyledForm

from .models import SESSION_HOURS_MAX, VALIDITY_MONTHS_MAX, Attendance, Course, TrainingRequirement

REASON_MAX_LENGTH = 500
# The most attendees added in one go (a list shows at most this many candidates).
ADD_MAX = 100

HOURS = {"max_digits": 4, "decimal_places": 1, "max_value": SESSION_HOURS_MAX}


def _reason(label=None, *, required=False, help_text=""):
    # Whether a reason is required is the service's rule; the form caps its length.
    return forms.CharField(
        label=label or _("Reason"),
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


# --- Courses ---------------------------------------------------------------------------------------


class CourseForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short and unique, e.g. first-aid."))
    name = forms.CharField(label=_("Name"), max_length=200)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=VALIDITY_MONTHS_MAX,
        help_text=_("How long a passed training stays valid, counted from the session date."),
    )
    default_hours = forms.DecimalField(label=_("Usual length (hours)"), min_value=Decimal("0.5"), initial=4, **HOURS)
    description = forms.CharField(
        label=_("What it teaches"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CourseEditForm(CourseForm):
    is_active = forms.BooleanField(
        label=_("Still taught"), required=False, help_text=_("A course no longer taught cannot be planned.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["code"]  # the code is printed on certificates already issued


class RequirementForm(StyledForm):
    applies_to = forms.ChoiceField(label=_("Required of"), choices=TrainingRequirement.AppliesTo.choices)
    job_title = forms.CharField(
        label=_("Job title"), max_length=200, required=False, help_text=_("For a job title: as on the roll.")
    )
    unit = forms.ModelChoiceField(
        label=_("Unit or zone"),
        queryset=None,
        required=False,
        empty_label=_("Any unit"),
        help_text=_("For a job title: only in this unit and the units under it."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class TrainerForm(StyledForm):
    user = UserChoiceField(label=_("Trainer"), queryset=None, empty_label="—")
    qualified_on = RecordDateField(label=_("Teaches it since"))
    qualification = forms.CharField(
        label=_("How they qualified"),
        max_length=300,
        help_text=_("E.g. train-the-trainer course, certificate number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Internal trainers are HSE specialists and line managers (the service checks the role too).
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, role__in=["hse_specialist", "hse_head", "line_manager"]
        ).order_by("last_name", "first_name", "pk")
        self.fields["qualified_on"].initial = timezone.localdate()


class ReasonForm(StyledForm):
    """Withdraw a trainer, cancel a session, revoke a certificate: why (the service says when needed)."""

    reason = _reason()


# --- Sessions --------------------------------------------------------------------------------------


class SessionForm(StyledForm):
    course = forms.ModelChoiceField(label=_("Course"), queryset=None, empty_label="—")
    trainer = UserChoiceField(
        label=_("Trainer"), queryset=None, empty_label="—", help_text=_("An internal trainer qualified for the course.")
    )
    unit = forms.ModelChoiceField(label=_("For unit"), queryset=None, empty_label="—")
    date = RecordDateField(label=_("Date"))
    hours = forms.DecimalField(label=_("Hours"), min_value=Decimal("0.5"), **HOURS)
    preparation_hours = forms.DecimalField(
        label=_("Hours spent preparing"),
        min_value=Decimal("0"),
        required=False,
        initial=0,
        help_text=_("Preparing a course is how a trainer learns it: it counts in their activity."),
        **HOURS,
    )
    place = forms.CharField(label=_("Place"), max_length=200)

    def __init__(self, *args, units, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        courses = Course.objects.order_by("name", "pk")
        if not editing:
            courses = courses.filter(is_active=True)
        self.fields["course"].queryset = courses
        self.fields["trainer"].queryset = (
            User.objects.filter(is_active=True, trainer_qualifications__is_active=True)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["unit"].queryset = units
        if editing:
            del self.fields["course"]  # a session's certificates name its course
        elif not self.is_bound:
            self.fields["date"].initial = timezone.localdate()
            if user is not None:
                self.fields["trainer"].initial = user.pk

    def clean_preparation_hours(self):
        value = self.cleaned_data.get("preparation_hours")
        return Decimal("0") if value is None else value


class DeliverForm(StyledForm):
    result = forms.CharField(
        label=_("Result"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was covered, how it went, what to follow up."),
    )


class AttendeeChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


class AttendeeAddForm(forms.Form):
    people = AttendeeChoiceField(label=_("Employees"), queryset=None, required=False)
    workers = AttendeeChoiceField(label=_("Contractor workers"), queryset=None, required=False)

    def __init__(self, *args, people, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["workers"].queryset = workers

    def clean(self):
        data = super().clean()
        chosen = len(data.get("people") or []) + len(data.get("workers") or [])
        if not self.errors and chosen == 0:
            raise forms.ValidationError(_("Tick at least one person to add."))
        if chosen > ADD_MAX:
            raise forms.ValidationError(_("Add at most %(n)d people at a time.") % {"n": ADD_MAX})
        return data


# How the trainer marks one attendee with one tap: (presence, passed).
MARKS = {
    "passed": (Attendance.Presence.PRESENT, True),
    "failed": (Attendance.Presence.PRESENT, False),
    "present": (Attendance.Presence.PRESENT, None),
    "absent": (Attendance.Presence.ABSENT, None),
}
MARK_LABELS = {
    "passed": _("Passed"),
    "failed": _("Not passed"),
    "present": _("Present"),
    "absent": _("Absent"),
}


def mark_of(attendance) -> str:
    """The mark an attendance shows now ("" while only registered)."""
    if attendance.presence == Attendance.Presence.ABSENT:
        return "absent"
    if attendance.presence == Attendance.Presence.PRESENT:
        return {True: "passed", False: "failed"}.get(attendance.passed, "present")
    return ""


class MarkForm(forms.Form):
    mark = forms.ChoiceField(label=_("Mark"), choices=list(MARK_LABELS.items()))

    def marks(self) -> tuple:
        return MARKS[self.cleaned_data["mark"]]


class FeedbackForm(StyledForm):
    score = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("From the attendee's feedback sheet: 1 poor … 5 excellent."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
