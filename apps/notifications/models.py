from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A message the portal decided to send, written in the same transaction as that decision.

    `dedupe_key` is unique: deciding the same thing twice (a task run twice, two workers) adds
    nothing. Delivery (in-app notification + e-mail) happens later, from a Celery task or the
    periodic sweep, so a web request never waits on, or fails because of, the broker.
    """

    class Kind(models.TextChoices):
        ACTION_ASSIGNED = "action_assigned", _("Action assigned")
        ACTIONS_DIGEST = "actions_digest", _("Daily actions digest")
        ESCALATION_MANAGER = "escalation_manager", _("Overdue actions of your reports")
        ESCALATION_HEAD = "escalation_head", _("Long-overdue actions")
        PASS_EXPIRING = "pass_expiring", _("Access pass about to run out")
        DOCUMENT_EXPIRING = "document_expiring", _("Contractor document about to run out")
        CRITICAL_VIOLATION = "critical_violation", _("Critical contractor violation: work stopped")
        TRAINING_EXPIRING = "training_expiring", _("Trainings about to run out")
        SIGNAL_ESCALATION = "signal_escalation", _("Signals unanswered for 14 days")
        ESCALATION_RAISED = "escalation_raised", _("A matter awaits your decision")
        ESCALATION_DECIDED = "escalation_decided", _("The executive decided on an escalation")
        MONTHLY_REPORT = "monthly_report", _("Monthly executive report")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("text"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=models.Q(sent_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}: {self.subject}"


class Notification(models.Model):
    """What the bell shows: one row per delivered message."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40, choices=OutboxMessage.Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
