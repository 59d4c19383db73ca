"""The pass office's daily runs, called as the beat calls them: the expiry of passes past their
last day, and the warnings of passes and documents running out within a week (one message per
person, item and day; a second run adds nothing)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from apps.accounts.roles import Role
from apps.audit.models import AuditEntry
from apps.contractors import services, tasks
from apps.contractors.models import AccessPass
from apps.contractors.warnings import expiry_warnings_plan
from apps.notifications.models import Notification, OutboxMessage
from apps.notifications.services import outbox_deliver_pending
from hse_portal.celery import app
from tests.contractors import rows
from tests.contractors.rows import TODAY, day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(rows.at(TODAY, 6, 30))


@pytest.fixture
def second_office(org):
    return UserFactory(username="passoffice2", role=Role.PASS_ADMIN, language="ru")


def test_both_runs_are_on_the_beat_schedule_and_registered():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"contractors.expire_passes", "contractors.plan_expiry_warnings"} <= set(schedule)
    assert schedule["contractors.expire_passes"].hour == {0}
    assert schedule["contractors.plan_expiry_warnings"].hour == {6}
    assert app.tasks["contractors.expire_passes"].name == tasks.expire_passes.name
    assert app.tasks["contractors.plan_expiry_warnings"].name == tasks.plan_expiry_warnings.name


# --- Expiry --------------------------------------------------------------------------------------


def test_the_expiry_task_expires_yesterdays_passes_once(org, pass_admin):
    holder = rows.worker(rows.company())
    late = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(-1))
    last_day = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=TODAY)
    assert tasks.expire_passes() == 1
    assert tasks.expire_passes() == 0
    assert dict(AccessPass.objects.values_list("pk", "status")) == {late.pk: "expired", last_day.pk: "active"}
    assert AuditEntry.objects.filter(action="contractors.pass.expired").count() == 1


def test_the_expiry_task_reads_todays_date_in_the_site_time_zone(org, pass_admin, time_machine):
    holder = rows.worker(rows.company())
    rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=TODAY)
    # 00:05 at the site is still the previous evening in UTC.
    time_machine.move_to(rows.at(day(1), 0, 5))
    assert timezone.now().date() == TODAY
    assert tasks.expire_passes() == 1


# --- Warnings ------------------------------------------------------------------------------------


@pytest.fixture
def expiring(org, pass_admin, line_manager, hse_specialist):
    """A pass ending in a week on the line manager's work order, one ending in eight days, one
    ending today without a work order, a suspended one ending tomorrow; a worker of the specialist's
    work order whose medical clearance runs out in three days (and whose induction was renewed)."""
    firm = rows.company()
    order = rows.work_order(firm, org.crew, line_manager, number="WO-7", ends=90)
    other_order = rows.work_order(firm, org.crew, hse_specialist, number="WO-8", ends=90)
    week = rows.access_pass(rows.worker(firm, "Week W."), zones=[org.crew], issued_by=pass_admin, order=order,
                            valid_until=day(7))  # fmt: skip
    rows.access_pass(rows.worker(firm, "Later L."), zones=[org.crew], issued_by=pass_admin, order=order,
                     valid_until=day(8))  # fmt: skip
    today = rows.access_pass(rows.worker(firm, "Today T."), zones=[org.crew], issued_by=pass_admin,
                             valid_until=TODAY)  # fmt: skip
    rows.access_pass(rows.worker(firm, "Held H."), zones=[org.crew], issued_by=pass_admin, status="suspended",
                     valid_until=day(1))  # fmt: skip
    medic = rows.worker(firm, "Medic M.", documents=())
    medic.documents.create(kind="medical", valid_until=day(3))
    medic.documents.create(kind="induction", valid_until=day(2))
    medic.documents.create(kind="induction", valid_until=day(300))  # renewed: no warning
    rows.access_pass(medic, zones=[org.crew], issued_by=pass_admin, order=other_order, valid_until=day(60))
    # A document running out for a worker without a live pass is nobody's concern at the gate.
    idle = rows.worker(rows.company("Idle LLC"), "Idle I.", documents=())
    idle.documents.create(kind="medical", valid_until=day(2))
    rows.access_pass(idle, zones=[org.crew], issued_by=pass_admin, status="expired", valid_until=day(-1))
    return {"week": week, "today": today, "medic": medic, "order": order, "other_order": other_order}


def _messages(**filters):
    return list(OutboxMessage.objects.filter(**filters).order_by("kind", "recipient_id", "dedupe_key"))


def test_the_pass_office_and_the_responsible_person_hear_once_per_item(expiring, pass_admin, line_manager,
                                                                       hse_specialist):  # fmt: skip
    result = tasks.plan_expiry_warnings()
    assert result == {"passes": 2, "documents": 1, "messages_new": 5}
    week, today = expiring["week"], expiring["today"]
    by_item = {}
    for message in _messages():
        by_item.setdefault(message.dedupe_key.rsplit(":", 2)[0], set()).add(message.recipient.username)
    assert by_item == {
        f"pass_expiring:{week.pk}": {"passoffice", "manager"},  # the work order's responsible person
        f"pass_expiring:{today.pk}": {"passoffice"},  # no work order
        f"document_expiring:{expiring['medic'].pk}:medical": {"passoffice", "specialist"},
    }
    to_manager = OutboxMessage.objects.get(recipient=line_manager)
    assert to_manager.subject == f"Pass {week.number} of Week W. runs out in 7 days, on 11/29/2026"
    assert "Work order: WO-7." in to_manager.body and "Stroymontazh LLC" in to_manager.body
    to_office = OutboxMessage.objects.get(
        recipient=pass_admin, kind="pass_expiring", dedupe_key__contains=f":{today.pk}:"
    )
    assert to_office.subject == f"Pass {today.number} of Today T. runs out today, 11/22/2026"
    medical = OutboxMessage.objects.get(recipient=hse_specialist)
    assert medical.kind == "document_expiring"
    assert medical.subject == "Medical clearance of Medic M. runs out in 3 days, on 11/25/2026"
    assert "Work orders: WO-8." in medical.body


def test_a_second_run_the_same_day_adds_nothing_and_the_next_day_warns_again(expiring, time_machine):
    first = expiry_warnings_plan(today=TODAY)
    again = expiry_warnings_plan(today=TODAY)
    assert (first.messages_new, again.messages_new) == (5, 0)
    assert OutboxMessage.objects.count() == 5
    time_machine.move_to(rows.at(day(1), 6, 30))
    services.passes_expire(today=day(1))  # the pass that ended yesterday is now expired: no more warnings
    next_day = tasks.plan_expiry_warnings()
    # The pass ending on day 8 is now 7 days ahead (office and manager); the one that ended today
    # has expired; the week's pass and the medical clearance are told again, a day nearer.
    assert next_day == {"passes": 2, "documents": 1, "messages_new": 6}
    assert OutboxMessage.objects.count() == 5 + 6


def test_an_extended_pass_and_a_renewed_document_stop_the_warnings(expiring, pass_admin):
    services.pass_extend(actor=pass_admin, access_pass=expiring["week"], valid_until=day(60))
    services.pass_extend(actor=pass_admin, access_pass=expiring["today"], valid_until=day(30))
    services.worker_document_add(actor=pass_admin, worker=expiring["medic"], kind="medical", valid_until=day(365))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 0, "messages_new": 0}
    assert not OutboxMessage.objects.exists()


def test_every_active_pass_office_user_hears(expiring, pass_admin, second_office):
    UserFactory(username="formeroffice", role=Role.PASS_ADMIN, is_active=False)
    expiry_warnings_plan(today=TODAY)
    office = {m.recipient.username for m in _messages(kind="pass_expiring")} - {"manager"}
    assert office == {"passoffice", "passoffice2"}


def test_a_responsible_person_in_the_pass_office_hears_once(org, pass_admin):
    firm = rows.company()
    order = rows.work_order(firm, org.crew, pass_admin)
    rows.access_pass(rows.worker(firm), zones=[org.crew], issued_by=pass_admin, order=order, valid_until=day(2))
    assert expiry_warnings_plan(today=TODAY).messages_new == 1


def test_nothing_to_warn_about_sends_nothing(org, pass_admin):
    rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin, valid_until=day(30))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 0, "messages_new": 0}


def test_the_warnings_are_delivered_to_the_bell(expiring, line_manager):
    expiry_warnings_plan(today=TODAY)
    assert outbox_deliver_pending() == 5
    assert Notification.objects.filter(recipient=line_manager, kind="pass_expiring").count() == 1


def test_the_queries_do_not_grow_with_the_items(org, pass_admin, line_manager, django_assert_max_num_queries):
    def add(count):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, UserFactory(role=Role.LINE_MANAGER, units=[org.crew]))
        for index in range(count):
            holder = rows.worker(firm, f"Worker {index}", documents=("induction",))
            holder.documents.create(kind="medical", valid_until=day(index % 7))
            rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, order=order, valid_until=day(index % 8))

    add(2)
    with django_assert_max_num_queries(20) as few:
        expiry_warnings_plan(today=TODAY)
    OutboxMessage.objects.all().delete()
    add(60)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        run = expiry_warnings_plan(today=TODAY)
    assert run.passes > 50 and run.documents > 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_warning_run_ignores_blocked_and_revoked_passes(org, pass_admin):
    holder = rows.worker(rows.company(), valid_until=day(2))
    for status in ("blocked", "revoked", "suspended"):
        rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, status=status, valid_until=day(1))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 0, "messages_new": 0}


def test_the_window_is_the_selectors_one():
    from apps.contractors import selectors, warnings

    assert warnings.EXPIRY_WARNING_DAYS is selectors.EXPIRY_WARNING_DAYS
    assert TODAY + timedelta(days=selectors.EXPIRY_WARNING_DAYS) == day(7)
