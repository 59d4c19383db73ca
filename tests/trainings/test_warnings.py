"""The daily digest of trainings running out: who hears (the person's own account, the line
managers covering the unit), which items (within 30 days, or run out within the last 7; the
boundaries one day each side), once a day, in a bounded number of queries."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.roles import Role
from apps.notifications.models import OutboxMessage
from apps.trainings.warnings import expiry_digest_plan
from tests.factories import AttendanceFactory, CourseFactory, PersonFactory, TrainingRequirementFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(6, 40), tzinfo=SITE))


@pytest.fixture
def first_aid(org):
    course = CourseFactory(name="First aid")
    TrainingRequirementFactory(course=course, applies_to="unit", unit=org.shop, job_title="")
    return course


def trained(person, course, days):
    return AttendanceFactory(person=person, course=course, valid_until=TODAY + timedelta(days=days))


def messages():
    return list(OutboxMessage.objects.order_by("recipient__username").select_related("recipient"))


def test_the_manager_of_the_unit_above_hears_of_a_training_running_out(org, line_manager, first_aid):
    person = PersonFactory(unit=org.crew, full_name="Kozlov K. K.")
    trained(person, first_aid, 10)
    run = expiry_digest_plan(today=TODAY)
    assert (run.items, run.recipients, run.messages_new) == (1, 1, 1)
    [message] = messages()
    assert message.recipient == line_manager and message.kind == "training_expiring"
    assert message.dedupe_key == f"training_expiring:{line_manager.pk}:2026-11-22"
    assert message.subject == "1 training runs out within 30 days"
    assert "First aid — Kozlov K. K., Flotation crew" in message.body and "runs out in 10 days" in message.body
    assert message.url == "/trainings/matrix/?state=attention"


@pytest.mark.parametrize(("days", "listed"), [(31, False), (30, True), (0, True), (-1, True), (-7, True), (-8, False)])
def test_the_window_is_thirty_days_ahead_and_seven_back(org, line_manager, first_aid, days, listed):
    trained(PersonFactory(unit=org.crew), first_aid, days)
    assert expiry_digest_plan(today=TODAY).items == (1 if listed else 0)
    assert OutboxMessage.objects.exists() is listed


def test_a_renewed_training_or_one_no_longer_required_is_not_listed(org, line_manager, first_aid):
    renewed = PersonFactory(unit=org.crew)
    trained(renewed, first_aid, 5)
    trained(renewed, first_aid, 300)
    elsewhere = PersonFactory(unit=org.other_shop)  # first aid is not required there
    trained(elsewhere, first_aid, 5)
    gone = PersonFactory(unit=org.crew, is_active=False)
    trained(gone, first_aid, 5)
    assert expiry_digest_plan(today=TODAY).items == 0


def test_the_person_hears_on_their_own_account_and_managers_elsewhere_do_not(org, line_manager, first_aid):
    own = UserFactory(username="kozlov", role=Role.LINE_MANAGER, units=[org.other_shop])
    person = PersonFactory(unit=org.crew, user=own)
    trained(person, first_aid, -3)
    UserFactory(username="manager-elsewhere", role=Role.LINE_MANAGER, units=[org.other_shop])
    UserFactory(username="inactive-manager", role=Role.LINE_MANAGER, units=[org.shop], is_active=False)
    UserFactory(username="specialist-of-shop", role=Role.HSE_SPECIALIST, units=[org.shop])
    expiry_digest_plan(today=TODAY)
    assert [m.recipient.username for m in messages()] == ["kozlov", "manager"]
    assert messages()[0].subject == "1 training ran out this week"
    assert "ran out 3 days ago" in messages()[0].body


def test_one_message_per_recipient_and_day_soonest_first(org, line_manager, first_aid):
    loto = CourseFactory(name="LOTO")
    TrainingRequirementFactory(course=loto, job_title="Electrician")
    one, two = PersonFactory(unit=org.crew, job_title="Electrician", full_name="A"), PersonFactory(unit=org.shop)
    trained(one, first_aid, 20)
    trained(one, loto, -1)
    trained(two, first_aid, 0)
    expiry_digest_plan(today=TODAY)
    [message] = messages()
    lines = message.body.splitlines()
    assert ["LOTO" in lines[0], "last day today" in lines[1], "runs out in 20 days" in lines[2]] == [True] * 3
    assert message.subject == "2 trainings run out within 30 days; 1 ran out this week"
    again = expiry_digest_plan(today=TODAY)
    assert again.messages_new == 0 and OutboxMessage.objects.count() == 1
    tomorrow = expiry_digest_plan(today=TODAY + timedelta(days=1))
    assert tomorrow.messages_new == 1


def test_the_queries_do_not_grow_with_people_or_recipients(org, first_aid):
    def run(count):
        OutboxMessage.objects.all().delete()
        for index in range(count):
            account = UserFactory(role=Role.HSE_SPECIALIST)
            trained(PersonFactory(unit=org.crew, user=account), first_aid, index % 30)
            UserFactory(role=Role.LINE_MANAGER, units=[org.shop if index % 2 else org.crew])
        with CaptureQueriesContext(connection) as queries:
            result = expiry_digest_plan(today=TODAY)
        assert result.messages_new == result.recipients > 0
        return len(queries)

    few = run(2)
    many = run(12)
    # the items, their people, the requirements, the unit tree, the managers and their units, the
    # people's own accounts; then the outbox: a savepoint, count, insert, count, release
    assert few == many == 12
