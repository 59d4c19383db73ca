"""The test run leaves nothing behind in a developer's broker."""

from datetime import date, timedelta

from django.conf import settings

from apps.actions import services
from hse_portal.celery import app


def test_tasks_queued_by_tests_go_to_memory_not_to_var(
    django_capture_on_commit_callbacks, org, hse_specialist, line_manager
):
    broker_dir = settings.VAR_DIR / "celery-broker"
    before = sorted(broker_dir.iterdir()) if broker_dir.exists() else []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.action_create(
            actor=hse_specialist, title="Fence the pit", unit=org.crew, owner=line_manager,
            due_date=date.today() + timedelta(days=30), control_level="engineering",
        )  # fmt: skip
    assert callbacks, "creating an action queues its notification after commit"
    assert app.conf.broker_url == "memory://"
    after = sorted(broker_dir.iterdir()) if broker_dir.exists() else []
    assert after == before
