"""Forms of the contractor and pass pages. They parse what was typed; the rules (who may, which
status allows what, reasons required, how long a pass may run) are the services'. A service's
refusal is shown on the form in place (`apps.common.forms.add_service_errors`)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.selectors import owner_choices
from apps.common import uploads
from apps.common.fields import LONG_TEXT_MAX_LENGTH, ModelMultipleChoiceField, RecordDateField
from apps.common.versioning import version_form_field
from apps.common.widgets import StyledForm

from . import services
from .models import AccessPass, CompanyDocument, ContractorCompany, ContractorWorker, WorkerDocument, WorkOrder

PHOTO_ACCEPT = f"image/jpeg,image/png,image/webp,{uploads.accept_attribute(uploads.PHOTOS)}"
PHOTO_MAX_BYTES = 10 * uploads.MEGABYTE
# The most passes one bulk action changes (a list page shows 25; a few pages' worth at most).
BULK_MAX = 100
DEFAULT_PASS_DAYS = 30


REASON_LABEL = _("Reason")


def _reason(label=REASON_LABEL, *, help_text=""):
    # Not required here: the service decides when a reason is needed and says so in place.
    return forms.CharField(
        label=label,
        required=False,
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


# --- Passes ----------------------------------------------------------------------------------------


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} — {obj.company.name}"


class WorkOrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number} {obj.title} ({obj.company.name})"


class PassIssueForm(StyledForm):
    holder = HolderChoiceField(label=_("Holder"), queryset=None, empty_label="—")
    work_order = WorkOrderChoiceField(
        label=_("Work order"), queryset=None, required=False, empty_label=_("No work order"),
        help_text=_("The pass cannot outlast its work order."),
    )  # fmt: skip
    zones = ModelMultipleChoiceField(
        label=_("Units and zones it opens"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every unit the holder may enter."),
    )
    valid_from = RecordDateField(label=_("Valid from"))
    valid_until = RecordDateField(label=_("Valid until"))

    def __init__(self, *args, units, work_orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = (
            ContractorWorker.objects.filter(is_active=True, company__status=ContractorCompany.Status.APPROVED)
            .select_related("company")
            .order_by("full_name", "id")
        )
        self.fields["work_order"].queryset = work_orders.exclude(
            status__in=[WorkOrder.Status.STOPPED, WorkOrder.Status.FINISHED]
        )
        self.fields["zones"].queryset = units
        today = timezone.localdate()
        self.fields["valid_from"].initial = today
        self.fields["valid_until"].initial = today + timezone.timedelta(days=DEFAULT_PASS_DAYS)


class PassExtendForm(StyledForm):
    valid_until = RecordDateField(label=_("New end date"))
    reason = _reason(_("Reason (optional)"))
    version = version_form_field()  # the pass's, as the page showed it


class PassReasonForm(StyledForm):
    """Suspend, reinstate, block, unblock, revoke: a reason (the service says when it is needed)."""

    reason = _reason()
    version = version_form_field()


class PassBulkForm(StyledForm):
    EXTEND, SUSPEND = "extend", "suspend"

    passes = ModelMultipleChoiceField(
        queryset=AccessPass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the passes to change.")},
    )
    operation = forms.ChoiceField(
        label=_("Action"),
        choices=[(EXTEND, _("Extend")), (SUSPEND, _("Suspend"))],
        initial=EXTEND,
    )
    valid_until = RecordDateField(label=_("New end date"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=services.REASON_MAX_LENGTH)

    def __init__(self, *args, passes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passes"].queryset = passes

    def clean_passes(self):
        chosen = self.cleaned_data["passes"]
        if len(chosen) > BULK_MAX:
            raise forms.ValidationError(_("Change at most %(n)d passes at a time.") % {"n": BULK_MAX})
        return chosen

    def seen_version(self, access_pass) -> int | None:
        """The version of the pass the list showed (its row's `seen-<id>`), None when not sent."""
        value = self.data.get(f"seen-{access_pass.pk}", "")
        return int(value) if value.isdigit() and len(value) < 10 else None

    def clean(self):
        data = super().clean()
        if data.get("operation") == self.EXTEND and not data.get("valid_until") and "valid_until" not in self.errors:
            self.add_error("valid_until", _("Give the new end date."))
        return data


class GateForm(forms.Form):
    number = forms.CharField(
        label=_("Pass number"),
        max_length=40,
        required=False,  # the service says what is missing
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg gate-number",
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "P-000123",
                "enterkeyhint": "go",
            }
        ),
    )
    checkpoint = forms.CharField(
        label=_("Checkpoint"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("e.g. Gate 2")}),
    )


# --- Companies and workers -------------------------------------------------------------------------


class CompanyForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    tax_number = forms.CharField(label=_("Tax number (INN)"), max_length=12, help_text=_("10 or 12 digits."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=LONG_TEXT_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompanyStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("New status"), choices=ContractorCompany.Status.choices)
    reason = _reason(help_text=_("Suspending or banning refuses the company's passes at every gate at once."))

    def __init__(self, *args, current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Offered: the statuses it may move to (a POST of the current one is the service's conflict).
            field = self.fields["status"]
            field.choices = [(value, label) for value, label in field.choices if value != current]
            field.widget.choices = field.choices


class CompanyDocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CompanyDocument.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    valid_until = RecordDateField(label=_("Valid until"))


class WorkerForm(StyledForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    job_title = forms.CharField(label=_("Job title"), max_length=200)
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("A face photo for the card and the gate; JPEG, PNG or WebP, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT, "capture": "user"}),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                uploads.checked_upload(photo, kinds=uploads.PHOTOS, max_bytes=PHOTO_MAX_BYTES, field="photo")
            except forms.ValidationError as error:
                raise forms.ValidationError(error.message_dict["photo"]) from None
        return photo or None


class WorkerDocumentForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkerDocument.Kind.choices)
    number = forms.CharField(label=_("Number"), max_length=60, required=False)
    valid_until = RecordDateField(label=_("Valid until"))


# --- Work orders -----------------------------------------------------------------------------------


class WorkOrderForm(StyledForm):
    company = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label="—")
    number = forms.CharField(label=_("Number"), max_length=30)
    title = forms.CharField(label=_("Work"), max_length=300)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label="—")
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    starts_on = RecordDateField(label=_("Starts"))
    ends_on = RecordDateField(label=_("Ends"))
    responsible = forms.ModelChoiceField(label=_("Responsible on our side"), queryset=None, empty_label="—")
    is_high_hazard = forms.BooleanField(label=_("High-hazard work"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = ContractorCompany.objects.filter(
            status=ContractorCompany.Status.APPROVED
        ).order_by("name", "id")
        self.fields["unit"].queryset = units
        self.fields["responsible"].queryset = owner_choices()
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + timezone.timedelta(days=DEFAULT_PASS_DAYS)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The work cannot end before it starts."))
        return data


class WorkOrderStepForm(StyledForm):
    reason = _reason()
