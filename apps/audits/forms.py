from datetime import date

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.actions.models import Action
from apps.actions.selectors import owner_choices
from apps.common import uploads
from apps.common.dates import plan_horizon, records_begin, validate_record_date
from apps.common.fields import INTEGER_MAX, LONG_TEXT_MAX_LENGTH, RecordDateField

from . import rules
from .models import (
    ITEM_TEXT_MAX_LENGTH,
    SECTION_MAX_LENGTH,
    WEIGHT_MAX,
    WEIGHT_MIN,
    AuditAnswer,
    ChecklistTemplate,
)

PHOTO_ACCEPT = uploads.accept_attribute(uploads.PHOTOS)


class MonthInput(forms.DateInput):
    """`<input type="month">` limited to the records' window (or to `min_month`..)."""

    input_type = "month"

    def __init__(self, *, min_month: date | None = None, **kwargs):
        self.min_month = min_month
        super().__init__(format="%Y-%m", **kwargs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs.setdefault("min", f"{self.min_month or records_begin():%Y-%m}")
        widget_attrs.setdefault("max", f"{plan_horizon():%Y-%m}")
        return context


class MonthField(forms.DateField):
    """A calendar month, typed as YYYY-MM (or any date in it), inside the records' window (from
    PORTAL_RECORDS_BEGIN to the plan horizon); cleaned to its first day."""

    widget = MonthInput
    default_validators = [validate_record_date]
    default_error_messages = {"invalid": _("Give the month as YYYY-MM.")}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


def _style(form):
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect | forms.CheckboxInput | forms.FileInput | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class PlanEntryForm(forms.Form):
    month = MonthField(label=_("Month"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    auditor = forms.ModelChoiceField(label=_("Auditor"), queryset=None)
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=ChecklistTemplate.objects.none())

    def __init__(self, *args, units=None, auditors=None, month: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        this_month = timezone.localdate().replace(day=1)
        self.fields["unit"].queryset = units
        self.fields["auditor"].queryset = auditors
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_active=True).order_by("name")
        self.fields["month"].initial = month or this_month
        self.fields["month"].widget.min_month = this_month  # a past month is refused anyway
        _style(self)


class PlanDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=LONG_TEXT_MAX_LENGTH)


class AnswerForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=AuditAnswer.Result.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose compliant, non-compliant or not applicable.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
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

    def __init__(self, *args, answers=(), default_owner=None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.answers = [answer for answer in answers if answer.is_non_compliant]
        owners = owner_choices()
        due = rules.default_due_date(self.today)
        for answer in self.answers:
            self.fields[f"owner_{answer.pk}"] = forms.ModelChoiceField(
                label=_("Owner"), queryset=owners, initial=getattr(default_owner, "pk", None)
            )
            self.fields[f"due_{answer.pk}"] = RecordDateField(label=_("Due date"), initial=due)
            self.fields[f"level_{answer.pk}"] = forms.ChoiceField(
                label=_("Control level"),
                choices=Action.ControlLevel.choices,
                initial=Action.ControlLevel.ADMINISTRATIVE,
            )
        _style(self)

    def clean(self):
        data = super().clean()
        for answer in self.answers:
            due = data.get(f"due_{answer.pk}")
            if due is not None and due < self.today:
                self.add_error(f"due_{answer.pk}", _("The due date cannot be in the past."))
        return data

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


def _items_help() -> str:
    return gettext(
        "One item a line: section | what to check | weight (section and weight may be left out; "
        "the weight is a whole number from %(min)s to %(max)s, 1 when left out)."
    ) % {"min": WEIGHT_MIN, "max": WEIGHT_MAX}


ITEMS_HELP = lazy(_items_help, str)()


def parse_item_lines(text: str) -> tuple[list[dict], list[str]]:
    """The items typed one a line ("section | what to check | weight"), and one error per bad
    line naming it. Blank lines are skipped; line numbers are those the author sees."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 1:
            parts = ["", parts[0], str(WEIGHT_MIN)]
        elif len(parts) == 2:
            parts = [*parts, str(WEIGHT_MIN)]
        problems = []
        if len(parts) > 3:
            problems.append(gettext("use at most two | separators"))
        section, text_, weight = parts[0], parts[1], parts[2]
        if not text_:
            problems.append(gettext("say what to check"))
        elif len(text_) > ITEM_TEXT_MAX_LENGTH:
            problems.append(
                gettext("what to check has %(count)s characters, at most %(max)s")
                % {"count": len(text_), "max": ITEM_TEXT_MAX_LENGTH}
            )
        if len(section) > SECTION_MAX_LENGTH:
            problems.append(
                gettext("the section has %(count)s characters, at most %(max)s")
                % {"count": len(section), "max": SECTION_MAX_LENGTH}
            )
        if (error := rules.weight_error(weight or str(WEIGHT_MIN))) is not None:
            problems.append(error)
        if problems:
            errors.append(
                gettext("Line %(number)s: %(problems)s.") % {"number": number, "problems": "; ".join(problems)}
            )
            continue
        rows.append({"section": section, "text": text_, "weight": rules.parse_weight(weight or str(WEIGHT_MIN))})
    if not errors and len(rows) > rules.ITEMS_MAX:
        errors.append(
            gettext("A checklist has at most %(max)s items (this one has %(count)s).")
            % {"max": rules.ITEMS_MAX, "count": len(rows)}
        )
    return rows, errors


class ItemLinesField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"})

    def __init__(self, **kwargs):
        # Room for ITEMS_MAX full lines; a longer text is not a checklist.
        kwargs.setdefault("max_length", rules.ITEMS_MAX * (ITEM_TEXT_MAX_LENGTH + SECTION_MAX_LENGTH + 16))
        super().__init__(label=_("Items"), help_text=ITEMS_HELP, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        rows, errors = parse_item_lines(value)
        if errors:
            raise forms.ValidationError(errors)
        return rows


class TemplateVersionForm(forms.Form):
    items = ItemLinesField()
    notes = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    # The version the author started from: publishing over a newer one is refused.
    based_on = forms.IntegerField(required=False, min_value=0, max_value=INTEGER_MAX, widget=forms.HiddenInput)

    @staticmethod
    def as_text(items) -> str:
        return "\n".join(f"{item.section} | {item.text} | {item.weight}" for item in items)


class TemplateCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=ChecklistTemplate._meta.get_field("name").max_length)
    code = forms.SlugField(
        label=_("Code"),
        max_length=ChecklistTemplate._meta.get_field("code").max_length,
        help_text=_("Short and unique: letters, digits and hyphens (e.g. lifting-ops)."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    items = ItemLinesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
