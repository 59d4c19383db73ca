"""Courses, the internal trainers qualified to teach them, training sessions and who attended,
and which courses are required of whom.

A person's training in a course is valid until the date that follows from the session they
passed (`Attendance.valid_until`, set when attendance is marked): the competence matrix, the gate
check and the certificate's verification page all read it from there."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.common.fields import long_text_field
from apps.contractors.models import ContractorWorker
from apps.org.models import Person, StructuralUnit

# A training that runs out within this many days shows as "expiring soon" and enters the digest.
EXPIRING_SOON_DAYS = 30
VALIDITY_MONTHS_MAX = 120
SESSION_HOURS_MAX = 80


def new_certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Course(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = long_text_field(_("what it teaches"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        validators=[MinValueValidator(1), MaxValueValidator(VALIDITY_MONTHS_MAX)],
        help_text=_("How long a passed training stays valid, counted from the session date."),
    )
    default_hours = models.DecimalField(
        _("usual length (hours)"), max_digits=4, decimal_places=1, default=4,
        validators=[MinValueValidator(0.5), MaxValueValidator(SESSION_HOURS_MAX)],
    )  # fmt: skip
    is_active = models.BooleanField(_("taught"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validity_months__gte=1, validity_months__lte=VALIDITY_MONTHS_MAX),
                name="trainings_course_validity_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trainings:course_detail", args=[self.pk])


class TrainingRequirement(models.Model):
    """A course required of everyone with a job title (anywhere, or in one unit and the units
    under it), of everyone in a unit, or of contractor workers whose pass opens a zone."""

    class AppliesTo(models.TextChoices):
        JOB_TITLE = "job_title", _("Job title")
        UNIT = "unit", _("Everyone in a unit")
        CONTRACTOR_ZONE = "contractor_zone", _("Contractor workers entering a zone")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="requirements", verbose_name=_("course"))
    applies_to = models.CharField(_("required of"), max_length=20, choices=AppliesTo.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="training_requirements",
        verbose_name=_("unit or zone"), help_text=_("For a job title: only in this unit and the units under it."),
    )  # fmt: skip
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["course__name", "applies_to", "job_title", "id"]
        verbose_name = _("required training")
        verbose_name_plural = _("required trainings")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(applies_to="job_title") | ~models.Q(job_title=""),
                name="trainings_requirement_job_title_named",
            ),
            models.CheckConstraint(
                condition=models.Q(applies_to="job_title") | models.Q(unit__isnull=False),
                name="trainings_requirement_unit_named",
            ),
        ]

    def __str__(self):
        if self.applies_to == self.AppliesTo.JOB_TITLE:
            where = f" ({self.unit})" if self.unit_id else ""
            return f"{self.course}: {self.job_title}{where}"
        return f"{self.course}: {self.get_applies_to_display()} — {self.unit}"

    def clean(self):
        if self.applies_to == self.AppliesTo.JOB_TITLE and not self.job_title.strip():
            raise ValidationError({"job_title": _("Name the job title this course is required of.")})
        if self.applies_to != self.AppliesTo.JOB_TITLE and self.unit_id is None:
            raise ValidationError({"unit": _("Choose the unit or zone this course is required in.")})
        if self.applies_to != self.AppliesTo.JOB_TITLE:
            self.job_title = ""


class Trainer(models.Model):
    """An internal trainer's qualification to teach one course: an HSE specialist or a line
    manager who has learnt the course well enough to teach it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainer_qualifications",
        verbose_name=_("trainer"),
    )  # fmt: skip
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="trainers", verbose_name=_("course"))
    qualified_on = models.DateField(_("teaches it since"))
    qualification = models.CharField(
        _("how they qualified"), max_length=300, help_text=_("E.g. train-the-trainer course, certificate number.")
    )
    is_active = models.BooleanField(_("may teach"), default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "course__name"]
        verbose_name = _("internal trainer")
        verbose_name_plural = _("internal trainers")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="trainings_trainer_once_per_course"),
        ]

    def __str__(self):
        return f"{self.user} — {self.course}"


class TrainingSession(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("training session", "Planned")
        DELIVERED = "delivered", pgettext_lazy("training session", "Delivered")
        CANCELLED = "cancelled", pgettext_lazy("training session", "Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("trainer")
    )
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("for unit")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(SESSION_HOURS_MAX)],
    )  # fmt: skip
    preparation_hours = models.DecimalField(
        _("hours spent preparing"), max_digits=4, decimal_places=1, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(SESSION_HOURS_MAX)],
    )  # fmt: skip
    place = models.CharField(_("place"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    result = long_text_field(_("result"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("marked delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [
            models.Index(fields=["unit", "-date"]),
            models.Index(fields=["trainer", "-date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="trainings_session_hours_positive"),
        ]

    def __str__(self):
        return f"{self.course} — {self.date}"

    def get_absolute_url(self):
        return reverse("trainings:session_detail", args=[self.pk])


class Attendance(models.Model):
    """One attendee of a session: an employee on a unit's roll or a contractor worker."""

    class Presence(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("attendance", "Registered")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="trainings", verbose_name=_("employee")
    )
    contractor_worker = models.ForeignKey(
        ContractorWorker, on_delete=models.PROTECT, null=True, blank=True, related_name="trainings",
        verbose_name=_("contractor worker"),
    )  # fmt: skip
    presence = models.CharField(_("attendance"), max_length=12, choices=Presence.choices, default=Presence.REGISTERED)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # Set when the attendee is marked present and passed: session date + the course's validity.
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    certificate_code = models.CharField(_("certificate code"), max_length=24, unique=True, null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("marked by"),
    )  # fmt: skip
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    feedback_score = models.PositiveSmallIntegerField(
        _("attendee's rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback_comment = models.CharField(_("attendee's comment"), max_length=500, blank=True)
    revoked_at = models.DateTimeField(_("certificate revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("revoked by"),
    )  # fmt: skip
    revoke_reason = models.CharField(_("why revoked"), max_length=500, blank=True)

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(person__isnull=False, contractor_worker__isnull=True)
                    | models.Q(person__isnull=True, contractor_worker__isnull=False)
                ),
                name="trainings_attendee_is_one_person",
            ),
            models.UniqueConstraint(fields=["session", "person"], name="trainings_person_once_per_session"),
            models.UniqueConstraint(fields=["session", "contractor_worker"], name="trainings_worker_once_per_session"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(presence="present", passed=True),
                name="trainings_valid_only_when_passed",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="trainings_revocation_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "valid_until"], name="trainings_person_valid_idx"),
            models.Index(fields=["contractor_worker", "valid_until"], name="trainings_worker_valid_idx"),
        ]

    def __str__(self):
        return f"{self.attendee_name} — {self.session}"

    @property
    def attendee_name(self) -> str:
        holder = self.person if self.person_id else self.contractor_worker
        return holder.full_name if holder else ""

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def certificate_state(self, today) -> str:
        """What the certificate's verification page says: valid, expired, revoked (or none)."""
        if self.valid_until is None or not self.certificate_code:
            return "none"
        if self.is_revoked:
            return "revoked"
        return "valid" if today <= self.valid_until else "expired"
