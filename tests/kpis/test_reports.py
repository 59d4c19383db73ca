"""The monthly executive report: requested (never failing with the broker down), made by the task
with its progress in steps, a PDF that contains the month's figures, stored, e-mailed once with the
PDF attached and notified in the portal, retried on failure without mailing twice, scheduled on the
2nd of the month; the pages that list, poll and serve it; and a real Celery worker over a real
Redis making one from a request."""

import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from smtplib import SMTPException
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.contractors.models import Sanction, Violation
from apps.kpis import reports
from apps.kpis.models import Escalation, KpiSnapshot, KpiTarget, MonthlyReport
from apps.kpis.report_tasks import generate_monthly_report
from apps.notifications.models import Notification
from tests.factories import ActionFactory, CompanyFactory, UserFactory

JUNE = date(2026, 6, 1)
Status = MonthlyReport.Status


@pytest.fixture(autouse=True)
def _today(request):
    if request.node.get_closest_marker("celery_worker"):
        yield  # the worker process keeps the real clock: so does this one
        return
    time_machine = request.getfixturevalue("time_machine")
    time_machine.move_to("2026-07-02 06:00:00+03:00", tick=False)
    yield


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def stored(report: MonthlyReport) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


@pytest.fixture
def figures(org, hse_head, hse_specialist, executive):
    """June's figures: feedback on the spot 78 % (71 % in May) against 80 %, 150 observations,
    an overdue action, a contractor under sanction and an escalation awaiting the decision."""
    for month, numerator in ((date(2026, 5, 1), 71), (JUNE, 78)):
        KpiSnapshot.objects.create(kpi="feedback_share", month=month, unit=org.crew, numerator=numerator,
                                   denominator=100)  # fmt: skip
    KpiSnapshot.objects.create(kpi="observations", month=JUNE, unit=org.crew, numerator=150)
    KpiSnapshot.objects.create(kpi="ltifr", month=JUNE, unit=org.crew, numerator=1, denominator=250_000)
    KpiTarget.objects.create(kpi="feedback_share", valid_from=date(2026, 1, 1), value=80, set_by=hse_head)
    owner = UserFactory(role="line_manager", first_name="Anna", last_name="Orlova")
    ActionFactory(unit=org.crew, owner=owner, due_date=date(2026, 6, 10))
    from apps.actions.models import Action

    Action.objects.update(created_at=at(date(2026, 5, 1)))
    company = CompanyFactory(name="Stroymontazh LLC")
    violation = Violation.objects.create(company=company, severity="severe", description="x", unit=org.crew,
                                         observed_at=at(JUNE), recorded_by=hse_specialist)  # fmt: skip
    Sanction.objects.create(violation=violation, company=company, kind="stop_work", reason="r",
                            decided_by=hse_specialist, decided_at=at(date(2026, 6, 3)))  # fmt: skip
    Escalation.objects.create(title="Fund the second LOTO station", why="Two near misses.", options="Buy\nWait",
                              deadline=date(2026, 7, 9), raised_by=hse_head)  # fmt: skip


def queued(actor=None, month=JUNE) -> MonthlyReport:
    return MonthlyReport.objects.create(month=month, requested_by=actor)


# --- Requesting --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_queues_a_row_and_the_task_after_commit(executive, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(generate_monthly_report, "apply_async") as queue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = reports.report_request(actor=executive, month=date(2026, 6, 17))
    assert (report.month, report.status, report.progress, report.requested_by) == (JUNE, Status.QUEUED, 0, executive)
    queue.assert_called_once_with(args=[report.pk], retry=False)
    assert AuditEntry.objects.filter(action="kpis.report.requested", target_id=str(report.pk)).exists()


@pytest.mark.django_db
def test_a_second_request_for_the_same_month_returns_the_one_on_its_way(executive, hse_head):
    first = reports.report_request(actor=executive, month=JUNE)
    assert reports.report_request(actor=hse_head, month=JUNE) == first
    MonthlyReport.objects.filter(pk=first.pk).update(status=Status.DONE)
    assert reports.report_request(actor=hse_head, month=JUNE) != first


@pytest.mark.django_db
def test_the_current_month_may_be_asked_for_but_not_the_next(executive):
    assert reports.report_request(actor=executive, month=date(2026, 7, 1)).month == date(2026, 7, 1)
    with pytest.raises(Exception) as refused:
        reports.report_request(actor=executive, month=date(2026, 8, 1))
    assert "month" in refused.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["hse_specialist", "line_manager", "pass_admin", "system_admin"])
def test_only_the_executive_and_the_head_generate(persona, request):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        reports.report_request(actor=request.getfixturevalue(persona), month=JUNE)


@pytest.mark.django_db
def test_the_request_page_succeeds_while_the_broker_is_down(client_as, executive, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(generate_monthly_report, "apply_async", side_effect=OSError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_as(executive).post(reverse("kpis:report_request"), {"month": "2026-06"})
    assert response.status_code == 302
    assert MonthlyReport.objects.get().status == Status.QUEUED


# --- Making it ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_renders_a_pdf_with_the_figures_and_mails_it_once(figures, executive, hse_head):
    deputy = UserFactory(role="executive", username="deputy", email="deputy@plant.test")
    report = queued(executive)
    seen = []
    real_progress = reports._progress

    def progress(row, percent):
        seen.append(MonthlyReport.objects.get(pk=row.pk).progress)
        real_progress(row, percent)

    with mock.patch.object(reports, "_progress", progress):
        generate_monthly_report.apply(args=[report.pk])

    report.refresh_from_db()
    assert seen == [10, 40, 70]
    assert (report.status, report.progress, report.error) == (Status.DONE, 100, "")
    assert report.finished_at is not None and report.emailed_at is not None
    data = stored(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("HSE executive summary, June 2026", "Feedback given on the spot", "78.0%", "71.0%", "80.0%",
                     "Gemba observations", "150", "LTIFR", "4.00", "Stroymontazh LLC", "Stop work", "Anna Orlova",
                     "Fund the second LOTO station"):  # fmt: skip
        assert expected in text, expected

    assert sorted(message.to[0] for message in mail.outbox) == sorted([executive.email, deputy.email])
    message = mail.outbox[0]
    assert "June 2026" in message.subject
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("hse-executive-summary-2026-06.pdf", "application/pdf")
    assert content == data
    assert reverse("kpis:report_file", args=[report.pk]) in message.body
    notes = Notification.objects.filter(kind="monthly_report")
    assert sorted(notes.values_list("recipient__username", flat=True)) == sorted([executive.username, "deputy"])
    assert not Notification.objects.filter(recipient=hse_head).exists()

    # The task again (a redelivery, a retry): nothing more is made or sent.
    assert generate_monthly_report.apply(args=[report.pk]).get() is None
    assert reports.report_email(report) == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="monthly_report").count() == 2


@pytest.mark.django_db
def test_a_mail_server_down_leaves_the_report_done_and_the_mail_owed(figures, executive):
    report = queued(executive)
    with (
        mock.patch("apps.kpis.reports.get_connection", side_effect=SMTPException("421 try later")),
        pytest.raises(SMTPException),
    ):
        reports.report_run(report.pk)
    report.refresh_from_db()
    assert report.status == Status.DONE and report.emailed_at is None
    assert not mail.outbox and not Notification.objects.exists()
    assert reports.report_run(report.pk) == report  # the retry: the PDF is kept, the mail goes now
    assert len(mail.outbox) == 1
    report.refresh_from_db()
    assert report.emailed_at is not None


@pytest.mark.django_db
def test_a_failure_is_recorded_and_the_retry_makes_the_report(figures, executive):
    report = queued(executive)
    real = reports.render_pdf
    calls = []

    def first_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("fonts missing")
        return real(*args, **kwargs)

    with mock.patch.object(reports, "render_pdf", side_effect=first_fails) as render:
        generate_monthly_report.apply(args=[report.pk])
    assert render.call_count == 2
    report.refresh_from_db()
    assert (report.status, report.error) == (Status.DONE, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_report_that_keeps_failing_says_failed_and_why(figures, executive):
    report = queued(executive)
    with mock.patch.object(reports, "render_pdf", side_effect=RuntimeError("fonts missing")) as render:
        result = generate_monthly_report.apply(args=[report.pk])
    assert render.call_count == 1 + generate_monthly_report.max_retries
    assert result.failed()
    report.refresh_from_db()
    assert report.status == Status.FAILED
    assert report.error == "RuntimeError: fonts missing"
    assert not report.file and not mail.outbox


@pytest.mark.django_db
def test_a_running_report_is_not_taken_twice_unless_its_worker_died(executive, time_machine):
    report = queued(executive)
    MonthlyReport.objects.filter(pk=report.pk).update(status=Status.RUNNING)
    assert reports.report_run(report.pk) is None
    time_machine.shift(reports.STALE_AFTER + timedelta(minutes=1))
    assert reports.report_run(report.pk).status == Status.DONE


@pytest.mark.django_db
def test_an_empty_month_still_makes_a_pdf(executive):
    report = queued(executive, month=date(2025, 1, 1))
    reports.report_run(report.pk)
    report.refresh_from_db()
    text = pdf_text(stored(report))
    assert "January 2025" in text and "No serious incident in these months." in text


@pytest.mark.django_db
def test_the_report_is_in_the_requesters_language(figures, executive):
    executive.language = "ru"
    executive.save()
    report = queued(executive)
    reports.report_run(report.pk)
    report.refresh_from_db()
    assert "2026" in pdf_text(stored(report))


# --- The schedule and the sweep --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_2nd_of_the_month_makes_the_report_of_the_month_before_once(executive):
    with mock.patch.object(generate_monthly_report, "apply_async"):
        report = reports.report_schedule(today=date(2026, 7, 2))
        assert (report.month, report.requested_by) == (JUNE, None)
        assert reports.report_schedule(today=date(2026, 7, 2)) is None
    assert MonthlyReport.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_queues_what_waited_a_minute_and_what_was_not_mailed(executive, time_machine):
    fresh = queued(executive)
    time_machine.shift(timedelta(minutes=2))
    newer = queued(executive)
    unmailed = queued(executive)
    MonthlyReport.objects.filter(pk=unmailed.pk).update(status=Status.DONE, finished_at=timezone.now())
    time_machine.shift(timedelta(seconds=30))
    with mock.patch.object(reports, "queue_report") as queue:
        assert reports.report_sweep() == 1
    queue.assert_called_once_with(fresh.pk)
    time_machine.shift(timedelta(minutes=6))
    with mock.patch.object(reports, "queue_report") as queue:
        assert reports.report_sweep() == 3
    assert {call.args[0] for call in queue.call_args_list} == {fresh.pk, newer.pk, unmailed.pk}


# --- The pages --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_polls_a_running_report_and_stops_once_done(client_as, executive, figures):
    report = queued(executive)
    MonthlyReport.objects.filter(pk=report.pk).update(status=Status.RUNNING, progress=40)
    client = client_as(executive)
    body = client.get(reverse("kpis:report_list")).content.decode()
    status_url = reverse("kpis:report_status", args=[report.pk])
    assert f'hx-get="{status_url}"' in body and "40%" in body
    MonthlyReport.objects.filter(pk=report.pk).update(status=Status.QUEUED)
    reports.report_run(report.pk)
    fragment = client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment
    assert reverse("kpis:report_file", args=[report.pk]) in fragment


@pytest.mark.django_db
def test_the_file_downloads_as_an_attachment_for_the_summary_roles(client_as, executive, hse_head, figures):
    report = queued(executive)
    file_url = reverse("kpis:report_file", args=[report.pk])
    assert client_as(executive).get(file_url).status_code == 404  # not made yet
    reports.report_run(report.pk)
    for user in (executive, hse_head):
        response = client_as(user).get(file_url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="hse-executive-summary-2026-06.pdf"'
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_a_request_for_a_month_not_offered_is_an_error_in_place(client_as, executive):
    response = client_as(executive).post(reverse("kpis:report_request"), {"month": "2030-01"})
    assert response.status_code == 400
    assert not MonthlyReport.objects.exists()


# --- A real worker ------------------------------------------------------------------------------------------


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_request_leads_to_a_done_report_through_a_real_worker(postgresql_only, tmp_path, client, executive, org):
    from tests.celery_helpers import RedisServer, WorkerProcess, publishing_to, wait_until
    from tests.celery_helpers import subprocess as helper_subprocess

    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    KpiSnapshot.objects.create(kpi="feedback_share", month=last_month, unit=org.crew, numerator=Decimal(78),
                               denominator=Decimal(100))  # fmt: skip
    redis = RedisServer(tmp_path)
    redis.start()
    real_popen = helper_subprocess.Popen

    def popen(args, **kwargs):
        # The report's tasks are in report_tasks.py; include it even before tasks.py imports it.
        return real_popen([*args, "--include=apps.kpis.report_tasks"], **kwargs)

    worker = WorkerProcess(redis.url, tmp_path / "worker.log")
    try:
        with mock.patch.object(helper_subprocess, "Popen", popen):
            worker.start()
        with publishing_to(redis.url):
            client.force_login(executive)
            response = client.post(reverse("kpis:report_request"), {"month": f"{last_month:%Y-%m}"})
            assert response.status_code == 302
            report = MonthlyReport.objects.get()
            done = wait_until(
                lambda: MonthlyReport.objects.filter(
                    pk=report.pk, status=Status.DONE, emailed_at__isnull=False
                ).first(),
                timeout=120,
                message="the report to be made by the worker\n" + worker.output(),
            )
        assert done.progress == 100
        assert "Feedback given on the spot" in pdf_text(stored(done))
        assert Notification.objects.filter(recipient=executive, kind="monthly_report").count() == 1
    finally:
        worker.stop()
        redis.stop()
