"""Safety audits: versioned checklist templates, the audit plan, and conducted audits.

An audit points at one published template version; editing a template publishes a new version,
so a past audit always shows the checklist it was conducted against."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.actions.sources import source_actions_relation
from apps.common import uploads
from apps.common.dates import DATABASE_FLOOR, DATABASE_FLOOR_DATE, validate_event_time, validate_record_date
from apps.common.fields import LONG_TEXT_MAX_LENGTH

# An item's weight says how much it counts in the score, relative to the other items: 1 (the
# default) to 100. A wider range adds nothing a checklist author needs and lets one typo
# (a weight of 32000) drown every other item.
WEIGHT_MIN = 1
WEIGHT_MAX = 100
ITEM_TEXT_MAX_LENGTH = 500
SECTION_MAX_LENGTH = 120

_long_text = [MaxLengthValidator(LONG_TEXT_MAX_LENGTH)]


class ChecklistTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True, validators=_long_text)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Only active templates can be planned."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("audits:template_detail", args=[self.pk])

    def current_version(self):
        """The latest published version (what a new audit is conducted against)."""
        return self.versions.order_by("-number").first()


class ChecklistTemplateVersion(models.Model):
    """One published state of a template. Never changed once published: audits point at it."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="versions", verbose_name=_("template")
    )
    number = models.PositiveIntegerField(_("version"))
    notes = models.TextField(_("what changed"), blank=True, validators=_long_text)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by")
    )

    class Meta:
        ordering = ["template__name", "-number"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="audits_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.template.name} v{self.number}"


class ChecklistItem(models.Model):
    version = models.ForeignKey(
        ChecklistTemplateVersion, on_delete=models.PROTECT, related_name="items", verbose_name=_("version")
    )
    order = models.PositiveIntegerField(_("order"))
    section = models.CharField(_("section"), max_length=SECTION_MAX_LENGTH, blank=True)
    text = models.CharField(_("what to check"), max_length=ITEM_TEXT_MAX_LENGTH)
    guidance = models.TextField(_("guidance"), blank=True, validators=_long_text)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=WEIGHT_MIN, validators=[MinValueValidator(WEIGHT_MIN), MaxValueValidator(WEIGHT_MAX)]
    )

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="audits_item_unique_order"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=WEIGHT_MIN, weight__lte=WEIGHT_MAX), name="audits_item_weight_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.text}"


class AuditPlanEntry(models.Model):
    """One audit planned: who audits which unit, in which month, with which checklist."""

    unit = models.ForeignKey(
        "org.StructuralUnit", on_delete=models.PROTECT, related_name="planned_audits", verbose_name=_("unit")
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="planned_audits", verbose_name=_("auditor")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."), validators=[validate_record_date])
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="plan_entries", verbose_name=_("checklist")
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["month", "unit__name", "id"]
        verbose_name = _("planned audit")
        verbose_name_plural = _("audit plan")
        constraints = [
            models.UniqueConstraint(fields=["unit", "auditor", "month", "template"], name="audits_plan_entry_unique"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="audits_plan_month_first_day"),
            models.CheckConstraint(
                condition=models.Q(month__gte=DATABASE_FLOOR_DATE), name="audits_plan_month_after_floor"
            ),
        ]
        indexes = [models.Index(fields=["month", "auditor"])]

    def __str__(self):
        return f"{self.template.name}: {self.unit} ({self.month:%m.%Y})"

    def get_absolute_url(self):
        return f"{reverse('audits:plan')}?month={self.month:%Y-%m}"


class Audit(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    plan_entry = models.OneToOneField(
        AuditPlanEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit",
        verbose_name=_("planned audit"),
    )
    unit = models.ForeignKey(
        "org.StructuralUnit", on_delete=models.PROTECT, related_name="audits", verbose_name=_("unit")
    )
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits", verbose_name=_("auditor")
    )
    template_version = models.ForeignKey(
        ChecklistTemplateVersion, on_delete=models.PROTECT, related_name="audits", verbose_name=_("checklist")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"), validators=[validate_event_time])
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, validators=[validate_event_time])
    score = models.DecimalField(
        _("score, %"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Weighted share of compliant items among the applicable ones."),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("safety audit")
        verbose_name_plural = _("safety audits")
        indexes = [
            models.Index(fields=["unit", "status", "started_at"]),
            models.Index(fields=["auditor", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
                name="audits_completed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(status="completed") | models.Q(completed_at__isnull=True),
                name="audits_date_only_when_completed",
            ),
            models.CheckConstraint(
                condition=models.Q(started_at__gte=DATABASE_FLOOR), name="audits_started_after_floor"
            ),
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True) | models.Q(completed_at__gte=models.F("started_at")),
                name="audits_completed_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="audits_score_a_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.template_version.template.name}: {self.unit}"

    def get_absolute_url(self):
        return reverse("audits:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"SA-{self.pk}" if self.pk else "SA-new"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def score_badge(self) -> str:
        if self.score is None:
            return "text-bg-secondary"
        if self.score >= 90:
            return "text-bg-success"
        if self.score >= 75:
            return "text-bg-warning"
        return "text-bg-danger"


def compute_score(answers) -> Decimal | None:
    """Weighted percentage of compliant items among the applicable ones (N/A left out), to one
    decimal; None when nothing applied."""
    compliant = applicable = 0
    for answer in answers:
        weight = answer.item.weight
        if answer.result == AuditAnswer.Result.COMPLIANT:
            compliant += weight
            applicable += weight
        elif answer.result == AuditAnswer.Result.NON_COMPLIANT:
            applicable += weight
    if not applicable:
        return None
    return (Decimal(compliant) * 100 / Decimal(applicable)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def photo_upload_to(instance, filename):
    return uploads.random_name(f"audits/{instance.audit_id}", filename)


class AuditAnswer(models.Model):
    class Result(models.TextChoices):
        COMPLIANT = "compliant", _("Compliant")
        NON_COMPLIANT = "non_compliant", _("Non-compliant")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers", verbose_name=_("audit"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, validators=_long_text)
    photo = models.ImageField(_("photo"), upload_to=photo_upload_to, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, validators=[validate_event_time])
    actions = source_actions_relation("audit_answer")

    class Meta:
        ordering = ["audit", "item__order", "id"]
        verbose_name = _("audit answer")
        verbose_name_plural = _("audit answers")
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="audits_answer_one_per_item"),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(answered_at__gte=DATABASE_FLOOR),
                name="audits_answered_after_floor",
            ),
        ]

    def __str__(self):
        return f"{self.audit.reference} #{self.item.order}: {self.item.text}"[:300]

    def get_absolute_url(self):
        return f"{self.audit.get_absolute_url()}#item-{self.item_id}"

    def clean(self):
        if self.result == self.Result.NON_COMPLIANT and not self.comment.strip():
            raise ValidationError({"comment": _("Describe what is not compliant.")})

    @property
    def is_non_compliant(self) -> bool:
        return self.result == self.Result.NON_COMPLIANT
