"""Forms of the violation and sanction pages (parsing only: the rules are in sanctions.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.common import uploads
from apps.common.fields import LONG_TEXT_MAX_LENGTH, EventDateTimeField, ModelMultipleChoiceField
from apps.common.widgets import StyledForm

from . import services
from .models import ContractorWorker, Sanction, Violation, WorkOrder

EVIDENCE_ACCEPT = f"image/jpeg,image/png,image/webp,application/pdf,{uploads.accept_attribute(uploads.PHOTOS)}"


class ViolationForm(StyledForm):
    severity = forms.ChoiceField(label=_("Severity"), choices=Violation.Severity.choices)
    company = forms.ModelChoiceField(label=_("Company"), queryset=None, empty_label="—")
    work_order = forms.ModelChoiceField(
        label=_("Work order"), queryset=None, required=False, empty_label=_("No work order"),
        help_text=_("A critical violation stops this work order and blocks its passes at once."),
    )  # fmt: skip
    workers = ModelMultipleChoiceField(
        label=_("Workers involved"), queryset=ContractorWorker.objects.none(), required=False,
        help_text=_("Their passes are blocked by a critical violation; with none named, every pass on the work order."),
    )  # fmt: skip
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label="—")
    location = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    observed_at = EventDateTimeField(label=_("Found at"))
    description = forms.CharField(
        label=_("What was found"), max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args, companies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["unit"].queryset = units
        self.fields["work_order"].queryset = WorkOrder.objects.filter(company__in=companies).select_related("company")
        self.fields["work_order"].label_from_instance = lambda order: f"{order.number} {order.title} ({order.company})"
        self.fields["workers"].queryset = ContractorWorker.objects.filter(company__in=companies, is_active=True)
        self.fields["workers"].label_from_instance = lambda worker: f"{worker.full_name} — {worker.company}"


class SanctionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    reason = forms.CharField(
        label=_("Why"), max_length=services.REASON_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fine_amount = forms.DecimalField(
        label=_("Fine, roubles"), required=False, min_value=0, max_digits=12, decimal_places=2,
        help_text=_("Only for a fine."),
    )  # fmt: skip


class LiftForm(StyledForm):
    reason = forms.CharField(
        label=_("Why it is lifted"), max_length=services.REASON_MAX_LENGTH, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ContractorAuditForm(StyledForm):
    template = forms.ModelChoiceField(label=_("Checklist"), queryset=None, empty_label="—")
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, empty_label="—")
    work_order = forms.ModelChoiceField(label=_("Work order"), queryset=None, required=False,
                                        empty_label=_("No work order"))  # fmt: skip

    def __init__(self, *args, company, units, **kwargs):
        from apps.audits.models import ChecklistTemplate

        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(is_active=True).order_by("name")
        self.fields["unit"].queryset = units
        self.fields["work_order"].queryset = company.work_orders.exclude(status="finished").order_by("-starts_on")
