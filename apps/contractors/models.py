"""Contractor companies, their workers and work orders, and the access passes the pass office
issues to those workers.

Whether a pass lets its holder in is never stored: it is decided at the moment of each gate check
from the pass, its company, its work order and its holder's documents as they are then
(`apps.contractors.gate`). The pass's own status is what the pass office set; every change of it
is in the audit trail (who, when, why, before and after)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.actions.sources import source_actions_relation
from apps.common import uploads
from apps.common.fields import long_text_field
from apps.common.versioning import version_field
from apps.org.models import StructuralUnit

# A pass number as printed on the card and held by its QR code: letters, digits and dashes.
PASS_NUMBER_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,19}$"
pass_number_validator = RegexValidator(
    PASS_NUMBER_PATTERN, _("A pass number is 3 to 20 capital letters, digits and dashes, like P-000123.")
)


class ContractorCompany(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")
        BANNED = "banned", _("Banned")

    name = models.CharField(_("name"), max_length=200)
    tax_number = models.CharField(
        _("tax number"), max_length=12, unique=True,
        validators=[RegexValidator(r"^\d{10}(\d{2})?$", _("A tax number (INN) is 10 or 12 digits."))],
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.APPROVED)
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    notes = long_text_field(_("notes"), blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contractor company")
        verbose_name_plural = _("contractor companies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="approved") | ~models.Q(status_reason=""),
                name="contractors_company_status_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("contractors:company_detail", args=[self.pk])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class CompanyDocument(models.Model):
    class Kind(models.TextChoices):
        INSURANCE = "insurance", _("Liability insurance")
        LICENCE = "licence", _("Licence")
        PERMIT = "permit", _("Permit (SRO)")
        OTHER = "other", _("Other")

    company = models.ForeignKey(
        ContractorCompany, on_delete=models.CASCADE, related_name="documents", verbose_name=_("company")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = _("company document")
        verbose_name_plural = _("company documents")

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day) -> bool:
        return self.valid_until >= day


def worker_photo_upload_to(instance, filename):
    # A random name; only the extension found in the checked photo's content is kept.
    return uploads.random_name("contractors/workers", filename)


def violation_evidence_upload_to(instance, filename):
    return uploads.random_name("contractors/violations", filename)


class ContractorWorker(models.Model):
    """A person of a contractor company who may hold an access pass (a people record, not a user)."""

    company = models.ForeignKey(
        ContractorCompany, on_delete=models.PROTECT, related_name="workers", verbose_name=_("company")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200)
    photo = models.ImageField(_("photo"), upload_to=worker_photo_upload_to, blank=True)
    is_active = models.BooleanField(_("works for the company"), default=True)

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("contractor worker")
        verbose_name_plural = _("contractor workers")
        indexes = [models.Index(fields=["company", "full_name"])]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("contractors:worker_detail", args=[self.pk])


class WorkerDocument(models.Model):
    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical clearance")
        INDUCTION = "induction", _("Site induction")
        HEIGHTS = "heights", _("Work at height admission")
        QUALIFICATION = "qualification", _("Qualification certificate")

    worker = models.ForeignKey(
        ContractorWorker, on_delete=models.CASCADE, related_name="documents", verbose_name=_("worker")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["valid_until", "id"]
        verbose_name = _("worker document")
        verbose_name_plural = _("worker documents")
        indexes = [models.Index(fields=["worker", "kind", "valid_until"])]

    def __str__(self):
        return self.get_kind_display()


# A worker may enter only with these documents in force.
REQUIRED_WORKER_DOCUMENTS = (WorkerDocument.Kind.MEDICAL, WorkerDocument.Kind.INDUCTION)


class WorkOrder(models.Model):
    """A job a contractor does in a unit: what, where, when, and who answers for it on our side."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        STOPPED = "stopped", _("Stopped")
        FINISHED = "finished", _("Finished")

    company = models.ForeignKey(
        ContractorCompany, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("company")
    )
    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("work"), max_length=300)
    unit = models.ForeignKey(
        StructuralUnit, on_delete=models.PROTECT, related_name="work_orders", verbose_name=_("unit")
    )
    location = models.CharField(_("where"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contractor_work_orders",
        verbose_name=_("responsible person"),
    )  # fmt: skip
    is_high_hazard = models.BooleanField(_("high-hazard work"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    stop_reason = models.CharField(_("why the work is stopped"), max_length=500, blank=True)
    hours_on_site = models.PositiveIntegerField(_("hours on site"), default=0)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["company", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="contractors_wo_dates"),
            models.CheckConstraint(
                condition=~models.Q(status="stopped") | ~models.Q(stop_reason=""), name="contractors_wo_stop_reason"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("contractors:work_order_detail", args=[self.pk])


class AccessPass(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        BLOCKED = "blocked", _("Blocked")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    number = models.CharField(_("pass number"), max_length=20, unique=True, validators=[pass_number_validator])
    holder = models.ForeignKey(
        ContractorWorker, on_delete=models.PROTECT, related_name="passes", verbose_name=_("holder")
    )
    company = models.ForeignKey(
        ContractorCompany, on_delete=models.PROTECT, related_name="passes", verbose_name=_("company")
    )
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="passes", verbose_name=_("work order")
    )
    zones = models.ManyToManyField(StructuralUnit, related_name="access_passes", verbose_name=_("units and zones"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="issued_passes", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    # Raised by every change of the pass (apps.common.versioning).
    version = version_field()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("access pass")
        verbose_name_plural = _("access passes")
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["company", "status"]),
            # The pass list's order, newest first: read from the index, not a sort of every pass.
            models.Index(fields=["-issued_at", "-id"], name="contractors_pass_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="contractors_pass_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "expired"]) | ~models.Q(status_reason=""),
                name="contractors_pass_status_has_reason",
            ),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("contractors:pass_detail", args=[self.pk])

    def is_expired_on(self, day) -> bool:
        return self.valid_until < day


class GateCheck(models.Model):
    """One check at a gate or turnstile: what was presented, who checked, where, and the answer
    with every reason found at that moment."""

    access_pass = models.ForeignKey(
        AccessPass, on_delete=models.PROTECT, null=True, blank=True, related_name="checks", verbose_name=_("pass")
    )
    number_presented = models.CharField(_("number presented"), max_length=40)
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gate_checks", verbose_name=_("checked by")
    )
    checkpoint = models.CharField(_("checkpoint"), max_length=100, blank=True)
    allowed = models.BooleanField(_("allowed"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("gate check")
        verbose_name_plural = _("gate checks")
        indexes = [
            models.Index(fields=["access_pass", "-checked_at"]),
            models.Index(fields=["-checked_at"], name="contractors_check_recent", condition=models.Q(allowed=False)),
        ]

    def __str__(self):
        return f"{self.number_presented} {self.checked_at:%Y-%m-%d %H:%M}"


class Violation(models.Model):
    """A contractor's breach of the site's HSE rules, as an HSE specialist found it."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        SERIOUS = "serious", _("Serious")
        SEVERE = "severe", _("Severe")
        CRITICAL = "critical", _("Critical")

    company = models.ForeignKey(
        ContractorCompany, on_delete=models.PROTECT, related_name="violations", verbose_name=_("company")
    )
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="violations",
        verbose_name=_("work order"),
    )  # fmt: skip
    workers = models.ManyToManyField(
        ContractorWorker, blank=True, related_name="violations", verbose_name=_("workers involved")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = long_text_field(_("what was found"))
    unit = models.ForeignKey(StructuralUnit, on_delete=models.PROTECT, related_name="contractor_violations",
                             verbose_name=_("unit"))  # fmt: skip
    location = models.CharField(_("where"), max_length=200, blank=True)
    observed_at = models.DateTimeField(_("found"))
    evidence = models.FileField(_("evidence"), upload_to=violation_evidence_upload_to, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_violations",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    actions = source_actions_relation("contractor_violation")

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name = _("contractor violation")
        verbose_name_plural = _("contractor violations")
        indexes = [models.Index(fields=["company", "-observed_at"]), models.Index(fields=["unit", "-observed_at"])]

    def __str__(self):
        return _("%(severity)s violation, %(company)s") % {
            "severity": self.get_severity_display(),
            "company": self.company,
        }

    def get_absolute_url(self):
        return reverse("contractors:violation_detail", args=[self.pk])


SEVERITY_ORDER = [choice for choice, _label in Violation.Severity.choices]


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        STOP_WORK = "stop_work", _("Stop work")
        BLOCK_PASSES = "block_passes", _("Block passes")
        FINE = "fine", _("Fine")
        REMOVAL = "removal", _("Removal from site")
        TERMINATION = "termination", _("Contract termination")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        LIFTED = "lifted", _("Lifted")

    violation = models.ForeignKey(Violation, on_delete=models.PROTECT, related_name="sanctions",
                                  verbose_name=_("violation"))  # fmt: skip
    company = models.ForeignKey(ContractorCompany, on_delete=models.PROTECT, related_name="sanctions",
                                verbose_name=_("company"))  # fmt: skip
    kind = models.CharField(_("sanction"), max_length=12, choices=Kind.choices)
    proposed_kind = models.CharField(_("proposed by the policy"), max_length=12, choices=Kind.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_FORCE)
    reason = models.CharField(_("why"), max_length=500)
    fine_amount = models.DecimalField(_("fine, roubles"), max_digits=12, decimal_places=2, null=True, blank=True)
    passes = models.ManyToManyField(AccessPass, blank=True, related_name="sanctions", verbose_name=_("passes"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decided_sanctions",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="lifted_sanctions",
        verbose_name=_("lifted by"),
    )  # fmt: skip
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.CharField(_("why lifted"), max_length=500, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["company", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="in_force") | (~models.Q(lift_reason="") & models.Q(lifted_by__isnull=False)),
                name="contractors_sanction_lift_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.company}"

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.IN_FORCE


class SanctionRule(models.Model):
    """One cell of the sanction policy: a violation of this severity, the n-th of the company
    within 12 months, proposes this sanction. The HSE specialist decides."""

    severity = models.CharField(_("severity"), max_length=10, choices=Violation.Severity.choices)
    repetition = models.PositiveSmallIntegerField(
        _("occurrence within 12 months"), help_text=_("1 for the first, 2 for the second, 3 for the third or later.")
    )
    proposed_kind = models.CharField(_("proposed sanction"), max_length=12, choices=Sanction.Kind.choices)

    class Meta:
        ordering = ["severity", "repetition"]
        verbose_name = _("sanction policy rule")
        verbose_name_plural = _("sanction policy")
        constraints = [
            models.UniqueConstraint(fields=["severity", "repetition"], name="contractors_policy_cell"),
            models.CheckConstraint(
                condition=models.Q(repetition__gte=1, repetition__lte=3), name="contractors_policy_rep"
            ),
        ]

    def __str__(self):
        return f"{self.get_severity_display()} ×{self.repetition} → {self.get_proposed_kind_display()}"


class ContractorAudit(models.Model):
    """A safety audit of a contractor's work: an audit of the audits app (its checklist, answers,
    score and findings → actions), tied to the company and, where there is one, the work order."""

    audit = models.OneToOneField(
        "audits.Audit", on_delete=models.PROTECT, related_name="contractor_audit", verbose_name=_("audit")
    )
    company = models.ForeignKey(
        ContractorCompany, on_delete=models.PROTECT, related_name="audits", verbose_name=_("company")
    )
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="audits",
        verbose_name=_("work order"),
    )  # fmt: skip

    class Meta:
        ordering = ["-audit__started_at", "-id"]
        verbose_name = _("contractor audit")
        verbose_name_plural = _("contractor audits")

    def __str__(self):
        return f"{self.company} — {self.audit}"
