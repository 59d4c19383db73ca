"""The pass office's daily runs, called as the beat calls them: the expiry of passes past their
last day, and the digest of passes and documents running out within a week (one message per
person and day, listing their items soonest first; a second run adds nothing)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
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


# --- Warnings: one digest per person and day -----------------------------------------------------


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
    later = rows.access_pass(rows.worker(firm, "Later L."), zones=[org.crew], issued_by=pass_admin, order=order,
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
    return {"week": week, "later": later, "today": today, "medic": medic, "order": order}


def _digests() -> dict[str, OutboxMessage]:
    """Today's messages by recipient; there is one per person."""
    messages = list(OutboxMessage.objects.select_related("recipient").order_by("recipient__username"))
    by_person = {message.recipient.username: message for message in messages}
    assert len(by_person) == len(messages), "more than one message to someone"
    return by_person


def _lines(message: OutboxMessage) -> list[str]:
    """The item lines of a digest (and its "more" line), before the closing advice."""
    return message.body.split("\n\n")[0].splitlines()


PASS_LIST = "/contractors/passes/?status=expiring"


def test_one_digest_per_person_the_pass_office_hearing_of_every_item(expiring, pass_admin, line_manager,
                                                                       hse_specialist):  # fmt: skip
    assert reverse("contractors:pass_list") + "?status=expiring" == PASS_LIST
    result = tasks.plan_expiry_warnings()
    assert result == {"passes": 2, "documents": 1, "messages_new": 3}
    digests = _digests()
    assert set(digests) == {"passoffice", "manager", "specialist"}
    assert {m.kind for m in digests.values()} == {"pass_expiring"}
    assert {m.dedupe_key for m in digests.values()} == {
        f"pass_expiring:{user.pk}:2026-11-22" for user in (pass_admin, line_manager, hse_specialist)
    }
    office = digests["passoffice"]
    assert office.subject == "2 passes and 1 document run out within a week"
    week, today = expiring["week"], expiring["today"]
    assert _lines(office) == [  # soonest first
        f"22 Nov 2026 (today): pass {today.number}, Today T., Stroymontazh LLC",
        "25 Nov 2026 (in 3 days): Medical clearance, Medic M., Stroymontazh LLC",
        f"29 Nov 2026 (in 7 days): pass {week.number}, Week W., Stroymontazh LLC",
    ]
    assert "Extend the passes" in office.body
    assert office.url == PASS_LIST


def test_a_responsible_person_hears_only_of_the_items_of_their_work_orders(expiring, line_manager):
    expiry_warnings_plan(today=TODAY)
    digests = _digests()
    manager = digests["manager"]
    assert manager.subject == "1 pass runs out within a week"
    assert _lines(manager) == [f"29 Nov 2026 (in 7 days): pass {expiring['week'].number}, Week W., Stroymontazh LLC"]
    # A line manager may not read the pass list: the link goes to the work orders instead.
    assert manager.url == reverse("contractors:work_order_list")
    specialist = digests["specialist"]
    assert specialist.subject == "1 document runs out within a week"
    assert _lines(specialist) == ["25 Nov 2026 (in 3 days): Medical clearance, Medic M., Stroymontazh LLC"]
    assert specialist.url == PASS_LIST


def test_a_document_is_told_to_everyone_answering_for_a_work_order_of_its_holder(org, pass_admin, line_manager,
                                                                                 hse_specialist):  # fmt: skip
    firm = rows.company()
    welder = rows.worker(firm, "Twice T.", documents=("medical",))
    welder.documents.create(kind="induction", valid_until=day(4))
    for responsible in (line_manager, hse_specialist):
        order = rows.work_order(firm, org.crew, responsible)
        rows.access_pass(welder, zones=[org.crew], issued_by=pass_admin, order=order, valid_until=day(60))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 1, "messages_new": 3}
    for message in _digests().values():
        assert _lines(message) == ["26 Nov 2026 (in 4 days): Site induction, Twice T., Stroymontazh LLC"]


def test_a_second_run_the_same_day_adds_nothing_and_the_next_day_brings_a_new_digest(expiring, time_machine):
    first = expiry_warnings_plan(today=TODAY)
    again = expiry_warnings_plan(today=TODAY)
    assert (first.messages_new, again.messages_new) == (3, 0)
    assert OutboxMessage.objects.count() == 3
    time_machine.move_to(rows.at(day(1), 6, 30))
    services.passes_expire(today=day(1))  # the pass that ended yesterday is now expired: no more warnings
    next_day = tasks.plan_expiry_warnings()
    # The pass ending on day 8 is now 7 days ahead; the one that ended today has expired; the
    # week's pass and the medical clearance are told again, a day nearer.
    assert next_day == {"passes": 2, "documents": 1, "messages_new": 3}
    assert OutboxMessage.objects.count() == 6
    manager = OutboxMessage.objects.get(recipient__username="manager", dedupe_key__endswith=":2026-11-23")
    assert manager.subject == "2 passes run out within a week"
    assert _lines(manager) == [
        f"29 Nov 2026 (in 6 days): pass {expiring['week'].number}, Week W., Stroymontazh LLC",
        f"30 Nov 2026 (in 7 days): pass {expiring['later'].number}, Later L., Stroymontazh LLC",
    ]
    office = OutboxMessage.objects.get(recipient__username="passoffice", dedupe_key__endswith=":2026-11-23")
    assert expiring["today"].number not in office.body


def test_the_window_holds_the_seventh_day_not_the_eighth_and_a_renewed_document_supersedes(org, pass_admin):
    firm = rows.company()
    for offset in (-1, 0, 1, 7, 8):
        holder = rows.worker(firm, f"Pass {offset}")
        rows.access_pass(
            holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(offset), number=f"B-{offset + 10}"
        )
    for offset in (-1, 7, 8):
        holder = rows.worker(firm, f"Document {offset}", documents=("induction",))
        holder.documents.create(kind="medical", valid_until=day(offset))
        rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(60))
    renewed = rows.worker(firm, "Renewed R.", documents=("induction",))
    renewed.documents.create(kind="medical", valid_until=day(2))
    renewed.documents.create(kind="medical", valid_until=day(200))
    rows.access_pass(renewed, zones=[org.crew], issued_by=pass_admin, valid_until=day(60))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 3, "documents": 1, "messages_new": 1}
    assert _lines(OutboxMessage.objects.get()) == [
        "22 Nov 2026 (today): pass B-10, Pass 0, Stroymontazh LLC",
        "23 Nov 2026 (tomorrow): pass B-11, Pass 1, Stroymontazh LLC",
        "29 Nov 2026 (in 7 days): pass B-17, Pass 7, Stroymontazh LLC",
        "29 Nov 2026 (in 7 days): Medical clearance, Document 7, Stroymontazh LLC",
    ]


def test_a_long_digest_lists_the_30_soonest_items_then_how_many_more(org, pass_admin):
    firm = rows.company()
    expected = []
    for index in range(40):
        offset = (index * 3) % 8  # the days in no particular order
        holder = rows.worker(firm, f"Holder {index:02d}")
        made = rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, valid_until=day(offset))
        expected.append((made.valid_until, holder.full_name, made.number))
    expected.sort()
    assert expiry_warnings_plan(today=TODAY).passes == 40
    message = OutboxMessage.objects.get()
    assert message.subject == "40 passes run out within a week"
    lines = _lines(message)
    assert len(lines) == 31 and lines[-1] == "…and 10 more"
    shown = [(line.split(" (", 1)[0], line.rsplit(": pass ", 1)[1].split(", ")[:2]) for line in lines[:30]]
    assert shown == [(f"{until.day} {until:%b %Y}", [number, name]) for until, name, number in expected[:30]]


def test_extended_passes_and_renewed_documents_stop_the_warnings(expiring, pass_admin):
    services.pass_extend(actor=pass_admin, access_pass=expiring["week"], valid_until=day(60))
    services.pass_extend(actor=pass_admin, access_pass=expiring["today"], valid_until=day(30))
    services.worker_document_add(actor=pass_admin, worker=expiring["medic"], kind="medical", valid_until=day(365))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 0, "messages_new": 0}
    assert not OutboxMessage.objects.exists()


def test_every_active_pass_office_user_hears_in_their_language(expiring, pass_admin, second_office):
    UserFactory(username="formeroffice", role=Role.PASS_ADMIN, is_active=False)
    expiry_warnings_plan(today=TODAY)
    digests = _digests()
    assert set(digests) == {"passoffice", "passoffice2", "manager", "specialist"}
    english, russian = digests["passoffice"], digests["passoffice2"]
    # Russian dates (day.month.year); the numbers and the names as they are. (The Russian wording
    # is the catalogue's business: checked here only through what does not depend on it.)
    assert [line.split(" ", 1)[0] for line in _lines(russian)] == ["22.11.2026", "25.11.2026", "29.11.2026"]
    for number in (expiring["today"].number, expiring["week"].number):
        assert number in russian.body
    assert all(name in russian.body for name in ("Today T.", "Medic M.", "Week W.", "Stroymontazh LLC"))
    assert "2" in russian.subject and "1" in russian.subject
    assert "22 Nov 2026" not in russian.body
    assert russian.url == english.url == PASS_LIST


def test_a_responsible_person_in_the_pass_office_hears_once(org, pass_admin):
    firm = rows.company()
    order = rows.work_order(firm, org.crew, pass_admin)
    rows.access_pass(rows.worker(firm), zones=[org.crew], issued_by=pass_admin, order=order, valid_until=day(2))
    assert expiry_warnings_plan(today=TODAY).messages_new == 1


def test_nothing_to_warn_about_sends_nothing(org, pass_admin):
    rows.access_pass(rows.worker(rows.company()), zones=[org.crew], issued_by=pass_admin, valid_until=day(30))
    assert expiry_warnings_plan(today=TODAY).__dict__ == {"passes": 0, "documents": 0, "messages_new": 0}


def test_the_digests_are_delivered_to_the_bell(expiring, line_manager):
    expiry_warnings_plan(today=TODAY)
    assert outbox_deliver_pending() == 3
    assert Notification.objects.filter(recipient=line_manager, kind="pass_expiring").count() == 1


def test_the_queries_and_the_messages_do_not_grow_with_the_items(org, pass_admin, django_assert_max_num_queries):
    manager = UserFactory(role=Role.LINE_MANAGER, units=[org.crew])

    def add(count):
        firm = rows.company()
        order = rows.work_order(firm, org.crew, manager)
        for index in range(count):
            holder = rows.worker(firm, f"Worker {index}", documents=("induction",))
            holder.documents.create(kind="medical", valid_until=day(index % 7))
            rows.access_pass(holder, zones=[org.crew], issued_by=pass_admin, order=order, valid_until=day(index % 8))

    add(2)
    with django_assert_max_num_queries(20) as few:
        assert expiry_warnings_plan(today=TODAY).messages_new == 2  # the pass office and the manager
    OutboxMessage.objects.all().delete()
    add(60)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        run = expiry_warnings_plan(today=TODAY)
    assert run.passes > 50 and run.documents > 50 and run.messages_new == 2
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
