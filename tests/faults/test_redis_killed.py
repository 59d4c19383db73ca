"""Redis killed (SIGKILL) in the middle of 100 form submissions: every submission succeeds without
waiting on the broker, and once Redis is back every message goes out once, within a minute, with
nobody queueing the delivery by hand: the worker delivers the outbox when it reconnects
(apps/notifications/worker.py)."""

import math
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse

from apps.actions.models import Action
from apps.notifications.models import Notification, OutboxMessage
from tests.celery_helpers import WorkerProcess, publishing_to, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SUBMISSIONS = 100
KILLED_AFTER = 50
# p95 with Redis dead within 2x the p95 with Redis up, plus 50 ms: on a 2-core machine shared by the
# worker, PostgreSQL and this process, a ~30 ms request wobbles by tens of ms from run to run, which
# a ratio alone cannot absorb. (Before issue 14 each submission waited ~6 s on the broker.)
ALLOWANCE = 0.050
BACK_WITHIN = 60.0


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


@pytest.fixture
def redis_everywhere(redis_server, settings, tmp_path):
    """The broker and the cache (sessions, cached figures) on the private Redis, as production has
    both on REDIS_URL, and a worker connected to it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    worker = WorkerProcess(redis_server.url, tmp_path / "worker.log")
    worker.start()
    with publishing_to(redis_server.url):
        yield worker
    worker.stop()


def form(number: int, owner) -> dict:
    return {
        "title": f"Guard conveyor {number:03}",
        "unit": owner.units.first().pk,
        "owner": owner.pk,
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "priority": "high",
        "control_level": "engineering",
    }


def test_redis_killed_during_100_submissions(
    hse_specialist, line_manager, redis_server, redis_everywhere, client, report
):
    worker = redis_everywhere
    client.force_login(hse_specialist)
    assert client.get(reverse("actions:create")).status_code == 200  # templates compiled, pools open
    timings = {"up": [], "down": []}
    for number in range(SUBMISSIONS):
        if number == KILLED_AFTER:
            redis_server.kill()
        started = time.perf_counter()
        response = client.post(reverse("actions:create"), form(number, line_manager))
        timings["up" if number < KILLED_AFTER else "down"].append(time.perf_counter() - started)
        assert response.status_code == 302, (number, response.status_code)

    assert Action.objects.count() == SUBMISSIONS
    outbox = OutboxMessage.objects.filter(kind="action_assigned", recipient=line_manager)
    assert outbox.count() == SUBMISSIONS
    normal, down = p95(timings["up"]), p95(timings["down"])
    assert down <= 2 * normal + ALLOWANCE, (normal, down)
    # What the worker could not hear of: delivered only if the return of Redis is handled.
    pending = outbox.filter(sent_at__isnull=True).count()
    assert pending >= SUBMISSIONS - KILLED_AFTER - 5, pending

    redis_server.start()
    back = time.monotonic()
    wait_until(
        lambda: not outbox.filter(sent_at__isnull=True).exists(),
        timeout=BACK_WITHIN,
        message="every message after Redis came back\n" + worker.output()[-3000:],
    )
    delivered_after = time.monotonic() - back

    notes = Counter(
        Notification.objects.filter(recipient=line_manager, kind="action_assigned").values_list("title", flat=True)
    )
    assert notes == Counter(outbox.values_list("subject", flat=True))  # one per message: none lost, none twice
    assert sum(notes.values()) == SUBMISSIONS and set(notes.values()) == {1}

    report(f"Redis killed (SIGKILL) after {KILLED_AFTER} of {SUBMISSIONS} form submissions (action create)")
    report(f"submissions answered 302: {SUBMISSIONS} of {SUBMISSIONS}; rows written: {Action.objects.count()}")
    report(
        f"latency p95 with Redis up {normal * 1000:.0f} ms, killed {down * 1000:.0f} ms "
        f"(bound {(2 * normal + ALLOWANCE) * 1000:.0f} ms); max {max(timings['down']) * 1000:.0f} ms"
    )
    report(
        f"pending when Redis returned: {pending}; delivered {delivered_after:.1f} s later (bound {BACK_WITHIN:.0f} s)"
    )
    report(f"notifications: {sum(notes.values())} for {SUBMISSIONS} messages, duplicates 0")
