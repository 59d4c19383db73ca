"""The trainings' daily task, called as the beat calls it: registered under its name, it plans the
digest of trainings running out and, run twice the same day, adds nothing."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.notifications.models import OutboxMessage
from apps.trainings import tasks
from hse_portal.celery import app
from tests.factories import AttendanceFactory, CourseFactory, PersonFactory, TrainingRequirementFactory

pytestmark = pytest.mark.django_db

SITE = ZoneInfo("Asia/Yekaterinburg")
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, time(6, 40), tzinfo=SITE))


def test_the_task_is_registered_under_its_name():
    assert app.tasks["trainings.plan_expiry_digest"].name == tasks.plan_expiry_digest.name


def test_the_task_plans_todays_digest_once(org, line_manager):
    course = CourseFactory(name="First aid")
    TrainingRequirementFactory(course=course, applies_to="unit", unit=org.shop, job_title="")
    AttendanceFactory(person=PersonFactory(unit=org.crew), course=course, valid_until=TODAY + timedelta(days=4))
    assert tasks.plan_expiry_digest() == {"items": 1, "recipients": 1, "messages_new": 1}
    assert tasks.plan_expiry_digest.apply().get() == {"items": 1, "recipients": 1, "messages_new": 0}
    message = OutboxMessage.objects.get()
    assert message.recipient == line_manager and message.dedupe_key.endswith(":2026-11-22")


def test_with_nothing_running_out_nothing_is_sent(org, line_manager):
    assert tasks.plan_expiry_digest() == {"items": 0, "recipients": 0, "messages_new": 0}
    assert not OutboxMessage.objects.exists()
