"""Gemba observations: what an HSE specialist or a manager saw on the shop floor.

An observation is about behaviour and conditions, never about a named worker: it carries no
worker's name, and the form refuses one."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.sources import source_actions_relation
from apps.common import uploads
from apps.common.dates import DATABASE_FLOOR, validate_event_time
from apps.common.fields import long_text_field


class ObservationCategory(models.Model):
    """Editable reference list: PPE, energy isolation (LOTO), work at height, lifting, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    icon = models.CharField(_("icon"), max_length=40, default="tag", help_text=_("A Bootstrap Icons name."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("observation category")
        verbose_name_plural = _("observation categories")

    def __str__(self):
        from django.utils.translation import get_language

        return self.name_ru if (get_language() or "").startswith("ru") else self.name_en


class Observation(models.Model):
    class Kind(models.TextChoices):
        SAFE_ACT = "safe_act", _("Safe act")
        UNSAFE_ACT = "unsafe_act", _("Unsafe act")
        UNSAFE_CONDITION = "unsafe_condition", _("Unsafe condition")
        GOOD_PRACTICE = "good_practice", _("Good practice")
        NEAR_MISS = "near_miss", _("Near miss seen")

    class FeedbackTo(models.TextChoices):
        WORKER = "worker", _("The worker")
        CREW = "crew", _("The crew")
        MANAGER = "manager", _("The manager")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    POSITIVE_KINDS = (Kind.SAFE_ACT, Kind.GOOD_PRACTICE)
    NEGATIVE_KINDS = (Kind.UNSAFE_ACT, Kind.UNSAFE_CONDITION, Kind.NEAR_MISS)

    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations", verbose_name=_("observer")
    )
    observed_at = models.DateTimeField(_("when"), default=timezone.now, validators=[validate_event_time])
    unit = models.ForeignKey(
        "org.StructuralUnit", on_delete=models.PROTECT, related_name="observations", verbose_name=_("unit")
    )
    area = models.CharField(_("area"), max_length=200, blank=True, help_text=_("Where exactly: bay, line, floor."))
    kind = models.CharField(_("what kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        ObservationCategory, on_delete=models.PROTECT, related_name="observations", verbose_name=_("category")
    )
    description = long_text_field(_("what was seen"))
    feedback_given = models.BooleanField(_("feedback given on the spot"), default=False)
    feedback_to = models.CharField(_("feedback to"), max_length=10, choices=FeedbackTo.choices, blank=True)
    feedback_text = long_text_field(_("what was said"), blank=True)
    work_stopped = models.BooleanField(_("work stopped"), default=False)
    risk = models.CharField(_("risk"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the form: a second submit of the same form (slow connection, double tap) is not a
    # second observation.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    actions = source_actions_relation("observation")

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [
            models.Index(fields=["unit", "-observed_at"]),
            models.Index(fields=["observer", "-observed_at"]),
            # The list's order for enterprise-wide roles, and month bounds over every unit.
            models.Index(fields=["-observed_at", "-id"], name="observations_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(feedback_given=False) | ~models.Q(feedback_to=""),
                name="observations_feedback_has_recipient",
            ),
            # The last line behind the form's and the API's window: no row a page cannot render.
            models.CheckConstraint(
                condition=models.Q(observed_at__gte=DATABASE_FLOOR), name="observations_observed_after_floor"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()}: {self.category}"

    def get_absolute_url(self):
        return reverse("observations:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"O-{self.pk}"

    @property
    def is_positive(self) -> bool:
        return self.kind in self.POSITIVE_KINDS

    @property
    def kind_badge(self) -> str:
        return "text-bg-success" if self.is_positive else "text-bg-danger"


class ObservationMonthlyCount(models.Model):
    """How many observations of one kind a unit logged in one month (site time): the headline
    figures and the trend read these few thousand rows, not a million observations. Kept in step
    by `observation_log` in the same transaction; `observation_counts_rebuild` recounts them."""

    unit = models.ForeignKey("org.StructuralUnit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    kind = models.CharField(max_length=20, choices=Observation.Kind.choices)
    total = models.PositiveIntegerField(default=0)
    with_feedback = models.PositiveIntegerField(default=0)
    work_stopped = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("observations per month")
        verbose_name_plural = _("observations per month")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "kind"], name="observations_one_count_per_unit_month_kind")
        ]
        indexes = [models.Index(fields=["month", "unit"])]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m} {self.kind}: {self.total}"


def photo_upload_to(instance, filename):
    return uploads.random_name(f"observations/{instance.observation_id}", filename)


class ObservationPhoto(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=photo_upload_to)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("observation photo")
        verbose_name_plural = _("observation photos")

    def __str__(self):
        return self.image.name
