"""The monthly executive report: the summary of one month as a PDF, made by a Celery worker, kept,
listed by month and e-mailed to the executive.

As with large exports (apps.exports): a request only writes a queued row and asks a worker once the
transaction commits — with the broker down the row waits for the sweep, the request never fails;
the worker claims the row once (a redelivered task finds it taken), reports its progress in steps
while it computes the summary, draws the charts and renders the PDF, and attaches the file only
when it is complete. A failure marks the report failed with the reason, and the task retries it.

Once the file is stored, each executive (capability `kpis.receive_monthly_report`) gets it by
e-mail as an attachment, after the commit that made it ready, and a notification in the portal.
`emailed_at` is set in the same transaction as the notifications, under a lock, so a retry or a
second worker never mails twice."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.access import require
from apps.accounts.models import User
from apps.accounts.roles import roles_with
from apps.audit.services import log_action
from apps.common.dates import month_start, records_begin
from apps.common.pdf import render_pdf
from apps.notifications.models import Notification, OutboxMessage

from . import summary as summaries
from .models import MonthlyReport

logger = logging.getLogger(__name__)

Status = MonthlyReport.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
# A report still "running" this long after it was requested died with its worker: it is run again.
# (Counted from the request: the model keeps no start time. A run takes seconds; the task's hard
# time limit is minutes.)
STALE_AFTER = timedelta(minutes=30)
# The progress shown at each step of the run.
STEP_CLAIMED, STEP_SUMMARY, STEP_CHARTS, STEP_PDF, STEP_DONE = 10, 40, 70, 90, 100
TEMPLATE = "kpis/report_pdf.html"


def report_filename(month: date) -> str:
    return f"hse-executive-summary-{month:%Y-%m}.pdf"


def receivers():
    """Who gets the monthly report: active users of a role with `kpis.receive_monthly_report`."""
    return User.objects.filter(role__in=roles_with("kpis.receive_monthly_report"), is_active=True).order_by("pk")


def _validate_month(month: date, today: date) -> date:
    if month is None:
        raise ValidationError({"month": [_("Choose a month.")]})
    month = month_start(month)
    if month > month_start(today):
        raise ValidationError({"month": [_("A month that has not begun has no figures yet.")]})
    if month < month_start(records_begin()):
        raise ValidationError({"month": [_("This is before the enterprise's records begin.")]})
    return month


@transaction.atomic
def report_request(*, actor, month: date) -> MonthlyReport:
    """Queue the report of `month` (the current month at the latest). A report of that month already
    waiting or being made is returned as it is: pressing "Generate now" twice makes one report.
    `actor` None is the scheduled run (the beat)."""
    if actor is not None:
        require(actor, "kpis.generate_monthly_report")
    month = _validate_month(month, timezone.localdate())
    waiting = MonthlyReport.objects.select_for_update().filter(month=month, status__in=ACTIVE).first()
    if waiting is not None:
        return waiting
    report = MonthlyReport.objects.create(month=month, requested_by=actor, requested_at=timezone.now())
    log_action(actor=actor, action="kpis.report.requested", target=report, data={"month": month.isoformat()})
    transaction.on_commit(lambda: queue_report(report.pk))
    return report


def queue_report(report_id: int) -> bool:
    """Ask a worker to make the report; with the broker down it stays queued for the sweep."""
    from .report_tasks import generate_monthly_report

    try:
        generate_monthly_report.apply_async(args=[report_id], retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure must not reach the user
        logger.warning("Monthly report %s not queued (broker unavailable): %s", report_id, error)
        return False
    return True


def _progress(report: MonthlyReport, percent: int) -> None:
    """Visible at once to the page polling it (outside any transaction of the run)."""
    report.progress = percent
    MonthlyReport.objects.filter(pk=report.pk).update(progress=percent)


def _claim(report_id) -> MonthlyReport | None:
    """Take the report to make it: a queued one, a failed one being retried, or one left running by
    a dead worker. A report done already is returned for its e-mail (which may still be owed).
    Anyone else holding it, or nothing to do: None."""
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update(skip_locked=True).filter(pk=report_id).first()
        if report is None:
            return None
        if report.status == Status.DONE:
            return report if report.emailed_at is None else None
        stale = report.status == Status.RUNNING and report.requested_at < timezone.now() - STALE_AFTER
        if report.status == Status.RUNNING and not stale:
            return None
        report.status = Status.RUNNING
        report.progress = STEP_CLAIMED
        report.error = ""
        report.save(update_fields=["status", "progress", "error"])
        return report


def _language(report: MonthlyReport) -> str:
    requester = report.requested_by
    return (requester.language if requester is not None else "") or settings.LANGUAGE_CODE


def report_context(summary, *, generated_at) -> dict:
    """What the PDF template shows: the summary and the same charts as the page."""
    return {
        "summary": summary,
        "cards": summaries.card_views(summary.cards, chart_kind="line"),
        "lagging": summaries.card_views(summary.lagging, chart_kind="columns"),
        "overdue_chart": summaries.overdue_chart(summary),
        "escalation_sentence": summaries.escalation_sentence(summary),
        "overdue_sentence": summaries.overdue_sentence(summary),
        "month_label": summaries.month_label(summary.month),
        "generated_at": generated_at,
    }


def render_report_pdf(report: MonthlyReport, *, today: date | None = None) -> bytes:
    """Compute the month's summary and render it, reporting progress as it goes."""
    today = today or timezone.localdate()
    with translation.override(_language(report)):
        summary = summaries.executive_summary(month=report.month, today=today, at_month_end=True)
        _progress(report, STEP_SUMMARY)
        context = report_context(summary, generated_at=timezone.now())
        _progress(report, STEP_CHARTS)
        return render_pdf(TEMPLATE, context)


def _generate(report: MonthlyReport) -> None:
    try:
        pdf = render_report_pdf(report)
        _progress(report, STEP_PDF)
        with transaction.atomic():
            report.file.save(report_filename(report.month), ContentFile(pdf), save=False)
            report.status = Status.DONE
            report.progress = STEP_DONE
            report.finished_at = timezone.now()
            report.error = ""
            report.save(update_fields=["file", "status", "progress", "finished_at", "error"])
    except Exception as error:
        logger.exception("Monthly report %s failed", report.pk)
        MonthlyReport.objects.filter(pk=report.pk).update(
            status=Status.FAILED, error=f"{type(error).__name__}: {error}"[:500], finished_at=timezone.now()
        )
        report.refresh_from_db()
        raise


def report_run(report_id) -> MonthlyReport | None:
    """Make the report's PDF (unless it is made already), then mail it. Raises when a step failed
    (the report then says failed and why; the task retries); None when there was nothing to do."""
    report = _claim(report_id)
    if report is None:
        return None
    if report.status != Status.DONE:
        _generate(report)
    report_email(report)
    return report


def _mail_text(report: MonthlyReport) -> tuple[str, str]:
    label = summaries.month_label(report.month)
    subject = _("HSE executive summary, %(month)s") % {"month": label}
    body = _(
        "The HSE executive summary of %(month)s is attached: the headline KPIs against their targets, "
        "what changed since the month before, the lagging rates, the serious incidents, the overdue "
        "actions, the contractors under sanction and the escalations awaiting your decision."
    ) % {"month": label}
    return subject, body


def report_email(report: MonthlyReport) -> int:
    """Send the done report to each receiver as an attachment, with a notification in the portal;
    once: the report row is locked and `emailed_at` set in the same transaction, and a report
    already mailed is skipped. Returns how many e-mails went out. A mail server that fails raises
    and rolls back, so the retry sends them (nothing was marked)."""
    with transaction.atomic():
        locked = MonthlyReport.objects.select_for_update().filter(
            pk=report.pk, status=Status.DONE, emailed_at__isnull=True
        )
        current = locked.first()
        if current is None:
            return 0
        with current.file.open("rb") as handle:
            pdf = handle.read()
        filename = report_filename(current.month)
        url = reverse("kpis:report_file", args=[current.pk])
        people = list(receivers().only("id", "username", "first_name", "last_name", "email", "language", "role"))
        messages, notifications = [], []
        for person in people:
            with translation.override(person.language or settings.LANGUAGE_CODE):
                subject, body = _mail_text(current)
            notifications.append(
                Notification(
                    recipient=person, kind=OutboxMessage.Kind.MONTHLY_REPORT, title=subject[:250], body=body, url=url
                )
            )
            if person.email:
                link = f"\n\n{settings.PORTAL_BASE_URL.rstrip('/')}{url}"
                message = EmailMessage(subject, body + link, None, [person.email])
                message.attach(filename, pdf, "application/pdf")
                messages.append(message)
        if messages:
            with get_connection() as connection:
                connection.send_messages(messages)
        Notification.objects.bulk_create(notifications)
        current.emailed_at = timezone.now()
        current.save(update_fields=["emailed_at"])
    report.emailed_at = current.emailed_at
    return len(messages)


def report_sweep() -> int:
    """Queue what a broker outage or a dead worker left behind — reports queued for more than a
    minute, running for too long, or done and not mailed yet; returns how many were queued."""
    now = timezone.now()
    waiting = MonthlyReport.objects.filter(status=Status.QUEUED, requested_at__lt=now - timedelta(minutes=1))
    stale = MonthlyReport.objects.filter(status=Status.RUNNING, requested_at__lt=now - STALE_AFTER)
    unmailed = MonthlyReport.objects.filter(
        status=Status.DONE, emailed_at__isnull=True, finished_at__lt=now - timedelta(minutes=5)
    )
    ids = [pk for rows in (waiting, stale, unmailed) for pk in rows.values_list("pk", flat=True)]
    for report_id in ids:
        queue_report(report_id)
    return len(ids)


def report_schedule(*, today: date) -> MonthlyReport | None:
    """The scheduled run (the 2nd of each month): the report of the month before, made once — a
    second run the same month finds the scheduled report and adds nothing."""
    month = month_start(month_start(today) - timedelta(days=1))
    if MonthlyReport.objects.filter(month=month, requested_by__isnull=True).exclude(status=Status.FAILED).exists():
        return None
    return report_request(actor=None, month=month)
