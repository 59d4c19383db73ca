"""One register of corrective and preventive actions, whatever found the need for them."""

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.common import uploads
from apps.common.dates import DATABASE_FLOOR_DATE, validate_record_date
from apps.common.fields import LONG_TEXT_MAX_LENGTH

from .sources import kind_for_content_type

# Free text is capped for forms, the API and full_clean() alike (the column itself is text).
TEXT_CAP = {"max_length": LONG_TEXT_MAX_LENGTH, "validators": [MaxLengthValidator(LONG_TEXT_MAX_LENGTH)]}


class Action(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")
        CANCELLED = "cancelled", _("Cancelled")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class ControlLevel(models.TextChoices):
        # Strongest first: the hierarchy of controls.
        ELIMINATION = "elimination", _("Elimination")
        SUBSTITUTION = "substitution", _("Substitution")
        ENGINEERING = "engineering", _("Engineering controls")
        ADMINISTRATIVE = "administrative", _("Administrative controls")
        PPE = "ppe", _("Personal protective equipment")

    class Escalation(models.IntegerChoices):
        NONE = 0, _("Not escalated")
        MANAGER = 1, _("Escalated to the owner's manager")
        HSE_HEAD = 2, _("Escalated to the HSE head")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(_("what to do"), max_length=300)
    description = models.TextField(_("details"), blank=True, **TEXT_CAP)
    unit = models.ForeignKey(
        "org.StructuralUnit", on_delete=models.PROTECT, related_name="actions", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), validators=[validate_record_date])
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    # The list's order follows the work left: 0 open or in progress, 1 waiting for verification,
    # 2 closed. Stored by the database (and indexed), so a list of 100,000 actions is read in
    # order instead of sorted on every request.
    stage = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=OPEN_STATUSES, then=models.Value(0)),
            models.When(status=Status.DONE, then=models.Value(1)),
            default=models.Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    control_level = models.CharField(_("hierarchy-of-controls level"), max_length=20, choices=ControlLevel.choices)
    # Why: the record that found the need for the action, in whichever app it lives (see
    # sources.py: each app registers its source models; none means the action was opened by hand).
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_record = GenericForeignKey("source_type", "source_id")
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    evidence = models.TextField(_("evidence"), blank=True, **TEXT_CAP)
    completed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_effective = models.BooleanField(_("effective"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True, **TEXT_CAP)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, **TEXT_CAP)

    escalation = models.PositiveSmallIntegerField(_("escalation"), choices=Escalation.choices, default=Escalation.NONE)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["unit", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["stage", "due_date", "id"], name="actions_by_stage"),
            models.Index(fields=["unit", "stage", "due_date"], name="actions_unit_by_stage"),
            models.Index(fields=["owner", "stage", "due_date"], name="actions_owner_by_stage"),
            # The headline counts, read from the index alone (PostgreSQL).
            models.Index(fields=["stage", "due_date"], include=["owner", "unit"], name="actions_counts_covering"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="actions_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="verified") | models.Q(verified_by__isnull=False),
                name="actions_verified_has_verifier",
            ),
            # The last line behind the due date's window (validate_record_date in forms and the API).
            models.CheckConstraint(
                condition=models.Q(due_date__gte=DATABASE_FLOOR_DATE), name="actions_due_date_after_floor"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("actions:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"A-{self.pk}" if self.pk else "A-new"

    @property
    def source_kind(self):
        """The registered kind of the source record (observation, safety audit, ...), or None.
        Lists load `source_type` with the row (select_related), so no query per row."""
        if self.source_type_id is not None and Action.source_type.is_cached(self):
            return kind_for_content_type(self.source_type)
        return kind_for_content_type(self.source_type_id)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def days_overdue(self, today: date) -> int:
        """Whole days past the due date while the action is still open; 0 otherwise."""
        if not self.is_open or self.due_date >= today:
            return 0
        return (today - self.due_date).days

    def is_overdue(self, today: date) -> bool:
        return self.days_overdue(today) > 0

    @property
    def is_weak_control(self) -> bool:
        return self.control_level in (self.ControlLevel.ADMINISTRATIVE, self.ControlLevel.PPE)


def evidence_upload_to(instance, filename):
    # The stored name is ours (any length or characters the user's file had stay in
    # original_name); only the extension found in the content is kept.
    return uploads.random_name(f"actions/evidence/{instance.action_id}", filename)


class ActionEvidence(models.Model):
    """A file that shows an action was done: a photo, a signed instruction, a purchase order."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence_files")
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name
