"""Internships in production: an HSE specialist works for 3 to 7 days inside a unit, assigned to
a host foreman, keeps a daily log and collects signals.

A signal is confidential and anonymous by construction. It keeps the unit, the internship it was
heard in (or none, when a worker sent it from the unit's QR form), what was said and the date, and
nothing else: no worker, no user, no time of day, no IP or session. Nothing in the schema points
from a violation, a sanction or an observation to a signal (tests/internships/test_confidentiality.py
walks the foreign keys). Who may read the raw text is decided in `apps.internships.rules`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.actions.sources import source_actions_relation
from apps.common.fields import long_text_field
from apps.org.models import Person, StructuralUnit

INTERNSHIP_MIN_DAYS = 3
INTERNSHIP_MAX_DAYS = 7
# A signal without a response after this many days is escalated to the HSE head.
SIGNAL_ANSWER_DAYS = 14


class Internship(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("internship", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("internship", "In progress")
        FINISHED = "finished", pgettext_lazy("internship", "Finished")
        CANCELLED = "cancelled", pgettext_lazy("internship", "Cancelled")

    class HostView(models.TextChoices):
        CREW_MEMBER = "crew_member", _("Worked as a member of the crew")
        VISITOR = "visitor", _("Stayed a visitor")

    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="internships",
        verbose_name=_("HSE specialist"),
    )  # fmt: skip
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, related_name="internships", verbose_name=_("unit")
    )
    host_foreman = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="hosted_internships", verbose_name=_("host foreman")
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    proposed_days = models.PositiveSmallIntegerField(_("proposed length (days)"))
    proposal_reason = models.CharField(_("why this length"), max_length=500)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    summary = long_text_field(_("closing summary"), blank=True)
    instruction_changes = long_text_field(_("what to change in instructions and rules"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    host_view = models.CharField(_("host foreman's view"), max_length=12, choices=HostView.choices, blank=True)
    host_comment = models.CharField(_("host foreman's comment"), max_length=1000, blank=True)
    host_reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(_("planned at"), default=timezone.now)

    actions = source_actions_relation("internship")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("internship")
        verbose_name_plural = _("internships")
        indexes = [models.Index(fields=["unit", "-starts_on"]), models.Index(fields=["specialist", "-starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="internships_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(proposed_days__gte=INTERNSHIP_MIN_DAYS, proposed_days__lte=INTERNSHIP_MAX_DAYS),
                name="internships_proposed_length_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.unit} — {self.specialist} ({self.starts_on})"

    def get_absolute_url(self):
        return reverse("internships:detail", args=[self.pk])

    @property
    def length_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def clean(self):
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": _("The last day cannot be before the first.")})
            if not INTERNSHIP_MIN_DAYS <= self.length_days <= INTERNSHIP_MAX_DAYS:
                raise ValidationError(
                    {"ends_on": _("An internship lasts %(min)s to %(max)s days.")
                     % {"min": INTERNSHIP_MIN_DAYS, "max": INTERNSHIP_MAX_DAYS}}
                )  # fmt: skip
        if self.host_foreman_id and self.unit_id and self.host_foreman.unit_id != self.unit_id:
            raise ValidationError({"host_foreman": _("The host foreman must be on this unit's roll.")})
        if self.host_foreman_id and not self.host_foreman.is_foreman:
            raise ValidationError({"host_foreman": _("The host must be a foreman.")})


class InternshipDay(models.Model):
    """One day's log, from the morning work order to the shift handover."""

    internship = models.ForeignKey(
        Internship, on_delete=models.CASCADE, related_name="days", verbose_name=_("internship")
    )
    day = models.DateField(_("day"))
    morning_work_order = long_text_field(_("morning work order"), help_text=_("What the crew was given to do."))
    crew_roles = models.CharField(
        _("worked alongside"), max_length=300, help_text=_("Crew roles, e.g. operator, fitter, electrician.")
    )
    work_done = long_text_field(_("work done"))
    risks_seen = long_text_field(_("risks seen"), blank=True)
    surprises = long_text_field(_("what surprised"), blank=True)
    shift_handover = long_text_field(_("shift handover"), blank=True)

    class Meta:
        ordering = ["internship", "day"]
        verbose_name = _("internship day")
        verbose_name_plural = _("internship days")
        constraints = [models.UniqueConstraint(fields=["internship", "day"], name="internships_one_log_per_day")]

    def __str__(self):
        return f"{self.internship} — {self.day}"


class InternshipContact(models.Model):
    """Someone met during the internship who agreed to be contacted later, or a safety ambassador."""

    internship = models.ForeignKey(
        Internship, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("internship")
    )
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    how_to_reach = models.CharField(_("how to reach"), max_length=200, blank=True)
    is_safety_ambassador = models.BooleanField(_("safety ambassador"), default=False)

    class Meta:
        ordering = ["internship", "name"]
        verbose_name = _("informal contact")
        verbose_name_plural = _("informal contacts")

    def __str__(self):
        return self.name


class Signal(models.Model):
    """A concern heard on the floor. No worker, user, time of day, IP or session: see the module
    docstring. `raw_text` is what was said; `paraphrase` is what the unit's board shows."""

    class Source(models.TextChoices):
        INTERNSHIP = "internship", _("Heard during an internship")
        WORKER_FORM = "worker_form", _("Sent from the unit's QR form")

    class Kind(models.TextChoices):
        CONCERN = "concern", _("Real concern")
        TOOL = "tool", _("Uncomfortable tool")
        RULE = "rule", _("Impractical rule")
        PPE = "ppe", _("Missing PPE")
        RULE_BROKEN = "rule_broken", _("Why a rule gets broken")
        HAZARD = "hazard", _("Hazard")
        IDEA = "idea", _("Idea or feedback")

    class Status(models.TextChoices):
        NEW = "new", _("Awaiting a response")
        IN_PROGRESS = "in_progress", _("Being worked on")
        ANSWERED = "answered", _("Answered")

    class Response(models.TextChoices):
        RULE_CHANGED = "rule_changed", _("Rule changed")
        PROCEDURE_SIMPLIFIED = "procedure_simplified", _("Procedure simplified")
        TOOL_REPLACED = "tool_replaced", _("Tool replaced")
        PPE_PROVIDED = "ppe_provided", _("PPE provided")
        EXPLAINED = "explained", _("Explained")

    unit = models.ForeignKey(StructuralUnit, on_delete=models.PROTECT, related_name="signals", verbose_name=_("unit"))
    internship = models.ForeignKey(
        Internship, on_delete=models.PROTECT, null=True, blank=True, related_name="signals",
        verbose_name=_("internship"),
    )  # fmt: skip
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    raw_text = long_text_field(_("what was said"))
    recorded_on = models.DateField(_("date"))  # the date only: a time of day could tell who it was
    paraphrase = models.CharField(
        _("as shown on the board"), max_length=500, blank=True,
        help_text=_("Reworded so that no one can be recognised."),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    response = models.CharField(_("response"), max_length=24, choices=Response.choices, blank=True)
    response_text = long_text_field(_("what was done"), blank=True)
    responded_on = models.DateField(_("answered on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated to the HSE head on"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        indexes = [
            models.Index(fields=["unit", "-recorded_on"]),
            models.Index(
                fields=["recorded_on"], name="internships_signal_open_idx", condition=~models.Q(status="answered")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source="internship", internship__isnull=False)
                    | models.Q(source="worker_form", internship__isnull=True)
                ),
                name="internships_signal_source_matches",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | (~models.Q(response="") & models.Q(responded_on__isnull=False)),
                name="internships_answered_signal_has_response",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.unit} ({self.recorded_on})"

    def get_absolute_url(self):
        return reverse("internships:signal_detail", args=[self.pk])

    def is_overdue(self, today) -> bool:
        """Unanswered for longer than the 14 days a response may take."""
        return self.status != self.Status.ANSWERED and (today - self.recorded_on).days > SIGNAL_ANSWER_DAYS
