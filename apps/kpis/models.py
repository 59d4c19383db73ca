"""KPI targets, the monthly snapshots pages read, the escalations the HSE head raises to the top
executive, and the monthly executive reports.

What each KPI counts, why it matters and how it is computed is code (`apps.kpis.definitions`), in
both languages; the database keeps targets (editable by the HSE head) and computed values. A
snapshot row holds a numerator and a denominator, not only the value, so that the figure of a shop
is the sum over its units' rows, and that of the enterprise the sum over all: a ratio of sums,
never an average of ratios."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role
from apps.common.fields import long_text_field
from apps.org.models import StructuralUnit


def validate_first_of_month(value) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(_("A month is given by its first day."), code="not_month_start")


class KpiTarget(models.Model):
    """The target of one KPI from a month on: for the whole enterprise, for a role (the per-person
    KPIs of HSE specialists or line managers) or for a unit and the units under it. The most
    specific target in force applies (unit over role over enterprise-wide)."""

    kpi = models.CharField(_("KPI"), max_length=40)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="kpi_targets",
        verbose_name=_("unit"),
    )  # fmt: skip
    valid_from = models.DateField(_("from month"), validators=[validate_first_of_month])
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    reason = models.CharField(_("why this target"), max_length=500, blank=True)

    class Meta:
        ordering = ["kpi", "-valid_from", "id"]
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "role", "valid_from"], condition=models.Q(unit__isnull=True),
                name="kpis_one_target_per_role_and_month",
            ),
            models.UniqueConstraint(
                fields=["kpi", "unit", "valid_from"], condition=models.Q(unit__isnull=False),
                name="kpis_one_target_per_unit_and_month",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) | models.Q(role=""), name="kpis_target_unit_or_role"
            ),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.kpi}: {self.value}"


class KpiSnapshot(models.Model):
    """One KPI's numerator and denominator for one unit's own records in one month, and, for the
    per-person KPIs, for one person's records in that unit (`person` set)."""

    kpi = models.CharField(_("KPI"), max_length=40)
    month = models.DateField(_("month"), validators=[validate_first_of_month])
    unit = models.ForeignKey(StructuralUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("person"),
    )  # fmt: skip
    numerator = models.DecimalField(max_digits=18, decimal_places=4)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month", "unit"], condition=models.Q(person__isnull=True), name="kpis_snapshot_unit_once"
            ),
            models.UniqueConstraint(
                fields=["kpi", "month", "unit", "person"], condition=models.Q(person__isnull=False),
                name="kpis_snapshot_person_once",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["kpi", "month"], name="kpis_snapshot_kpi_month_idx"),
            models.Index(fields=["unit", "month"], name="kpis_snapshot_unit_month_idx"),
            models.Index(
                fields=["person", "month"], name="kpis_snapshot_person_idx", condition=models.Q(person__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.kpi} {self.month:%Y-%m} unit {self.unit_id}"


class PendingRefresh(models.Model):
    """A unit and month whose snapshots are to be recomputed soon after a change: one row however
    many changes (the debounce), taken by the refresh task; the nightly run recomputes everything
    anyway, so a refresh lost with a broker outage is made good by morning."""

    unit = models.ForeignKey(StructuralUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="kpis_pending_refresh_once")]

    def __str__(self):
        return f"unit {self.unit_id}, {self.month:%Y-%m}"


class Escalation(models.Model):
    """A matter the HSE head puts to the top executive for a decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the decision")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("what needs a decision"), max_length=200)
    why = long_text_field(_("why it matters"))
    options = long_text_field(_("options"), help_text=_("The options, one per line, with what each would cost."))
    deadline = models.DateField(_("decision needed by"))
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=500, blank=True)
    comment = long_text_field(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="decided") | (~models.Q(decision="") & models.Q(decided_at__isnull=False)),
                name="kpis_decided_escalation_has_decision",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kpis:escalation_detail", args=[self.pk])

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.deadline < today


class MonthlyReport(models.Model):
    """The executive summary of one month as a PDF, generated by Celery (progress shown while it
    runs), stored and e-mailed to the executive."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being generated")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    month = models.DateField(_("month"), validators=[validate_first_of_month])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="kpis/reports/%Y/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-month", "-requested_at"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        indexes = [models.Index(fields=["month", "-requested_at"], name="kpis_report_month_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} ({self.status})"
