"""Incidents, their investigation (commission, Five Whys, INRS cause tree) and the actions that
remove the causes found."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.sources import source_actions_relation
from apps.common import uploads
from apps.common.dates import DATABASE_FLOOR, DATABASE_FLOOR_DATE, validate_event_time
from apps.common.fields import LONG_TEXT_MAX_LENGTH
from apps.common.versioning import version_field


class Severity(models.IntegerChoices):
    NEGLIGIBLE = 1, _("1 — negligible (no injury, minor damage)")
    MINOR = 2, _("2 — minor (first aid)")
    MODERATE = 3, _("3 — moderate (medical treatment, restricted work)")
    MAJOR = 4, _("4 — major (lost time, serious damage)")
    CATASTROPHIC = 5, _("5 — catastrophic (fatality, disablement)")


SEVERITY_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]

# Days away from work counted for one case: at most a year. (OSHA stops counting at 180; a case
# still open after a year is a disablement, recorded as severity 5, not as more days.)
DAYS_LOST_MAX = 366
# Days of sick leave of one person recorded on the incident: the same cap.
SICK_LEAVE_DAYS_MAX = 366
# The approval note of the HSE head: a few sentences.
APPROVAL_NOTE_MAX_LENGTH = 2000


def long_text(verbose_name, *, max_length=LONG_TEXT_MAX_LENGTH, **kwargs):
    """Free text, capped in forms, serializers and `full_clean()` alike."""
    return models.TextField(verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs)


class Incident(models.Model):
    class Type(models.TextChoices):
        INJURY = "injury", _("Injury")
        NEAR_MISS = "near_miss", _("Near miss")
        ILLNESS = "illness", _("Occupational illness")
        PROPERTY = "property", _("Property damage")
        ROAD = "road", _("Road traffic")
        ENVIRONMENTAL = "environmental", _("Environmental")
        FIRE = "fire", _("Fire")

    class Classification(models.TextChoices):
        NONE = "none", _("No injury")
        FIRST_AID = "first_aid", _("First aid")
        MEDICAL = "medical", _("Medical treatment")
        RESTRICTED = "restricted", _("Restricted work")
        LOST_TIME = "lost_time", _("Lost time")
        FATALITY = "fatality", _("Fatality")

    # Recordable cases (the TRIR numerator): beyond first aid.
    RECORDABLE = (Classification.MEDICAL, Classification.RESTRICTED, Classification.LOST_TIME, Classification.FATALITY)
    # Lost-time injuries (the LTIFR numerator); a fatality counts as one.
    LOST_TIME = (Classification.LOST_TIME, Classification.FATALITY)

    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    actual_severity = models.PositiveSmallIntegerField(
        _("actual severity"), choices=Severity.choices, validators=SEVERITY_VALIDATORS
    )
    potential_severity = models.PositiveSmallIntegerField(
        _("potential severity"),
        choices=Severity.choices,
        validators=SEVERITY_VALIDATORS,
        help_text=_("The worst that could reasonably have happened."),
    )
    occurred_at = models.DateTimeField(_("occurred at"), validators=[validate_event_time])
    unit = models.ForeignKey(
        "org.StructuralUnit", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("unit")
    )
    location = models.CharField(_("location"), max_length=300)
    description = long_text(_("what happened"))
    immediate_actions = long_text(_("immediate actions"), blank=True)
    classification = models.CharField(
        _("classification"), max_length=20, choices=Classification.choices, default=Classification.NONE
    )
    days_lost = models.PositiveIntegerField(_("days lost"), default=0, validators=[MaxValueValidator(DAYS_LOST_MAX)])
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["unit", "occurred_at"]), models.Index(fields=["type", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actual_severity__gte=1, actual_severity__lte=5), name="incidents_actual_severity_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(potential_severity__gte=1, potential_severity__lte=5),
                name="incidents_potential_severity_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(classification="lost_time") | models.Q(days_lost=0),
                name="incidents_days_lost_only_for_lost_time",
            ),
            # The last line behind the form and API checks: no date a page cannot render.
            models.CheckConstraint(
                condition=models.Q(occurred_at__gte=DATABASE_FLOOR), name="incidents_occurred_after_floor"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_type_display()}, {self.location}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}" if self.pk else "INC-new"

    @property
    def is_recordable(self) -> bool:
        return self.classification in self.RECORDABLE

    @property
    def is_lost_time(self) -> bool:
        return self.classification in self.LOST_TIME

    def clean(self):
        if self.classification != self.Classification.LOST_TIME and self.days_lost:
            raise ValidationError({"days_lost": _("Days lost are recorded only for lost-time cases.")})
        if self.classification == self.Classification.LOST_TIME and not self.days_lost:
            raise ValidationError({"days_lost": _("A lost-time case has at least one day lost.")})


class InvolvedPerson(models.Model):
    """Someone involved. The injury and medical fields are confidential: only HSE roles of the unit
    and the investigation commission see them (pages, API and reports drop them for others)."""

    class Role(models.TextChoices):
        INJURED = "injured", _("Injured")
        WITNESS = "witness", _("Witness")
        INVOLVED = "involved", _("Involved")

    MEDICAL_FIELDS = ("injury_description", "body_part", "diagnosis", "sick_leave_days")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=200, blank=True, help_text=_("When not on the unit's roll."))
    injury_description = long_text(_("injury"), blank=True)
    body_part = models.CharField(_("body part"), max_length=100, blank=True)
    diagnosis = long_text(_("medical treatment and diagnosis"), blank=True)
    sick_leave_days = models.PositiveIntegerField(
        _("sick leave days"), null=True, blank=True,
        validators=[MaxValueValidator(SICK_LEAVE_DAYS_MAX)],
    )  # fmt: skip

    class Meta:
        ordering = ["role", "id"]
        verbose_name = _("person involved")
        verbose_name_plural = _("people involved")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(name=""), name="incidents_person_named"
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person_id else self.name


def attachment_upload_to(instance, filename):
    return uploads.random_name(f"incidents/{instance.incident_id}", filename)


class IncidentAttachment(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name


class TimelineEvent(models.Model):
    """What happened before and after the incident: the precursors (a guard removed during last
    week's maintenance), the event, first aid, return to work. Within a year of the incident."""

    # How far from the incident an event of its timeline may lie, before or after it.
    SPAN = timedelta(days=365)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("when"), validators=[validate_event_time])
    description = models.CharField(_("what happened"), max_length=500)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        constraints = [
            models.CheckConstraint(condition=models.Q(at__gte=DATABASE_FLOOR), name="incidents_timeline_after_floor")
        ]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.description}"

    def clean(self):
        if self.at is None or self.incident_id is None:
            return
        if abs(self.at - self.incident.occurred_at) > self.SPAN:
            raise ValidationError(
                {"at": _("A timeline event lies within %(days)d days of the incident (before or after it).")
                 % {"days": self.SPAN.days}}
            )  # fmt: skip


class Investigation(models.Model):
    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        ANALYSIS = "analysis", _("Analysis")
        ACTIONS_PLANNED = "actions_planned", _("Actions planned")
        APPROVED = "approved", _("Approved")
        CLOSED = "closed", _("Closed")

    # The commission edits its analysis until the HSE head approves it.
    EDITABLE = (Status.OPENED, Status.ANALYSIS, Status.ACTIONS_PLANNED)
    # Days to complete the investigation, by the higher of actual and potential severity.
    DEADLINE_DAYS = {5: 10, 4: 10, 3: 15, 2: 30, 1: 30}

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="investigation")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coordinated_investigations",
        verbose_name=_("coordinator"),
    )  # fmt: skip
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="investigations", verbose_name=_("commission members")
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPENED)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = long_text(_("approval note"), blank=True, max_length=APPROVAL_NOTE_MAX_LENGTH)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Raised by every change of the investigation or its analysis (apps.common.versioning).
    version = version_field()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "closed"]) | models.Q(approved_by__isnull=False),
                name="incidents_investigation_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=DATABASE_FLOOR_DATE), name="incidents_deadline_after_floor"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_at__isnull=True) | models.Q(approved_at__gte=DATABASE_FLOOR),
                name="incidents_approved_after_floor",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=DATABASE_FLOOR),
                name="incidents_closed_after_floor",
            ),
        ]
        # The lists' order, newest first: a page is read from the index, not sorted from all rows.
        indexes = [models.Index(fields=["-opened_at", "-id"], name="incidents_investigation_newest")]

    def __str__(self):
        return _("Investigation of %(ref)s") % {"ref": self.incident.reference}

    def get_absolute_url(self):
        return reverse("incidents:investigation", args=[self.pk])

    @property
    def unit(self):
        return self.incident.unit

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @classmethod
    def deadline_for(cls, incident: Incident):
        """Counted from the day of the incident at the site (not in UTC)."""
        severity = max(incident.actual_severity, incident.potential_severity)
        return timezone.localdate(incident.occurred_at) + timedelta(days=cls.DEADLINE_DAYS[severity])


class WhyChain(models.Model):
    """One Five Whys chain: from the problem statement, each answer is the cause of the previous."""

    # Five whys usually reach the root cause; a chain that needs more than this is several chains.
    MAX_STEPS = 20

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="why_chains")
    problem_statement = models.CharField(_("problem statement"), max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name = _("why-chain")
        verbose_name_plural = _("why-chains")

    def __str__(self):
        return self.problem_statement

    def get_absolute_url(self):
        return f"{self.investigation.get_absolute_url()}#chain-{self.pk}"


class WhyStep(models.Model):
    chain = models.ForeignKey(WhyChain, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    answer = models.CharField(_("because…"), max_length=500)
    is_root_cause = models.BooleanField(_("root cause"), default=False)
    actions = source_actions_relation("why_step")

    class Meta:
        ordering = ["chain", "order"]
        verbose_name = _("why")
        verbose_name_plural = _("whys")
        constraints = [models.UniqueConstraint(fields=["chain", "order"], name="incidents_whystep_order_unique")]

    def __str__(self):
        return self.answer

    def get_absolute_url(self):
        return f"{self.chain.investigation.get_absolute_url()}#chain-{self.chain_id}"


class CauseTreeFact(models.Model):
    """One fact of the INRS cause tree: an observed fact, not an opinion; usual or unusual."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="facts")
    text = models.CharField(_("fact"), max_length=300)
    is_unusual = models.BooleanField(_("unusual"), default=False, help_text=_("Out of the ordinary way of working."))
    is_final_event = models.BooleanField(_("final event"), default=False)
    version = version_field()  # a fact is edited in place: its own version
    actions = source_actions_relation("cause_tree_fact")

    class Meta:
        ordering = ["id"]
        verbose_name = _("cause-tree fact")
        verbose_name_plural = _("cause-tree facts")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation"], condition=models.Q(is_final_event=True), name="incidents_one_final_event"
            )
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return f"{self.investigation.get_absolute_url()}#fact-{self.pk}"


class CauseTreeLink(models.Model):
    """`antecedent` was necessary for `consequent`. Kinds follow from the shape: a fact with several
    antecedents is a conjunction, a fact leading to several facts a disjunction, else a chain."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="links")
    antecedent = models.ForeignKey(CauseTreeFact, on_delete=models.CASCADE, related_name="consequent_links")
    consequent = models.ForeignKey(CauseTreeFact, on_delete=models.CASCADE, related_name="antecedent_links")

    class Meta:
        ordering = ["id"]
        verbose_name = _("cause-tree link")
        verbose_name_plural = _("cause-tree links")
        constraints = [
            models.UniqueConstraint(fields=["antecedent", "consequent"], name="incidents_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(antecedent=models.F("consequent")), name="incidents_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.antecedent} → {self.consequent}"
