from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices

from .models import AuditAnswer, ChecklistTemplate

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class MonthField(forms.DateField):
    """A calendar month, typed as YYYY-MM (or any date in it); cleaned to its first day."""

    widget = MonthInput

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput | forms.FileInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class AuditFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    auditor = forms.TypedChoiceField(label=_("Auditor"), required=False, coerce=int, empty_value=None)
    month_from = MonthField(label=_("From month"), required=False)
    month_to = MonthField(label=_("To month"), required=False)

    def __init__(self, *args, units=(), auditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
        self.fields["auditor"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in auditors]
        _style(self)


class PlanFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    auditor = forms.TypedChoiceField(label=_("Auditor"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, units=(), auditors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, str(u)) for u in units]
        self.fields["auditor"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in auditors]
        _style(self)


class PlanEntryForm(forms.Form):
    month = MonthField(label=_("Month"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    auditor = forms.ModelChoiceField(label=_("Auditor"), queryset=None)
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=ChecklistTemplate.objects.none())

    def __init__(self, *args, units=None, auditors=None, month: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["auditor"].queryset = auditors
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_active=True).order_by("name")
        self.fields["month"].initial = month or timezone.localdate().replace(day=1)
        _style(self)


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=AuditAnswer.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose compliant, non-compliant or not applicable.")},
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": PHOTO_ACCEPT, "capture": "environment", "class": "form-control"}
        ),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)


class CompleteForm(forms.Form):
    """Owner, due date and control level of the action each non-compliant item opens."""

    def __init__(self, *args, answers=(), default_owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = [answer for answer in answers if answer.is_non_compliant]
        owners = owner_choices()
        due = timezone.localdate() + timezone.timedelta(days=14)
        for answer in self.answers:
            self.fields[f"owner_{answer.pk}"] = forms.ModelChoiceField(
                label=_("Owner"), queryset=owners, initial=getattr(default_owner, "pk", None)
            )
            self.fields[f"due_{answer.pk}"] = forms.DateField(label=_("Due date"), initial=due, widget=DateInput())
            self.fields[f"level_{answer.pk}"] = forms.ChoiceField(
                label=_("Control level"),
                choices=Action.ControlLevel.choices,
                initial=Action.ControlLevel.ADMINISTRATIVE,
            )
        _style(self)

    def rows(self):
        """(answer, owner field, due field, level field) per non-compliant item, for the template."""
        return [
            (answer, self[f"owner_{answer.pk}"], self[f"due_{answer.pk}"], self[f"level_{answer.pk}"])
            for answer in self.answers
        ]

    def nc_actions(self) -> dict:
        data = self.cleaned_data
        return {
            answer.pk: {
                "owner": data[f"owner_{answer.pk}"],
                "due_date": data[f"due_{answer.pk}"],
                "control_level": data[f"level_{answer.pk}"],
            }
            for answer in self.answers
        }


class TemplateVersionForm(forms.Form):
    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        help_text=_("One item a line: section | what to check | weight (section and weight may be left out)."),
    )
    notes = forms.CharField(
        label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    def clean_items(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 1:
                parts = ["", parts[0], "1"]
            elif len(parts) == 2:
                parts = [*parts, "1"]
            section, text, weight = parts[0], parts[1], parts[2]
            if not weight.isdigit() or int(weight) < 1:
                raise forms.ValidationError(
                    _("Line %(number)s: the weight must be a whole number, 1 or more.") % {"number": number}
                )
            rows.append({"section": section, "text": text, "weight": int(weight)})
        return rows

    @staticmethod
    def as_text(items) -> str:
        return "\n".join(f"{item.section} | {item.text} | {item.weight}" for item in items)
