"""Benchmark of the daily reminder run (issue: action register).

Builds a throw-away database (test_<name>, created and dropped here) with 2,000 action owners,
their managers, an HSE head and 100,000 open actions of which 20,000 are overdue, then times
`action_reminders_plan` (the beat task's work) and the delivery of what it decided. Prints wall
time, SQL query count and peak Python memory; runs a smaller register too, to show the query
count does not grow with the number of actions.

  DATABASE_URL=postgres://postgres@127.0.0.1:5432/hse_portal .venv/bin/python scripts/benchmark_reminders.py
"""

import os
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hse_portal.settings.test")

import django

django.setup()

import contextlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402

from django.db import connection  # noqa: E402


class QueryCounter:
    """Counts every SQL statement, with no cap (CaptureQueriesContext keeps only 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self):
        return self.count


@contextlib.contextmanager
def counting_queries():
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


OWNERS = 2_000
MANAGERS = 100
ACTIONS = 100_000
OVERDUE = 20_000
TODAY = date(2026, 11, 23)


def build(actions: int, overdue: int) -> None:
    from apps.accounts.models import User
    from apps.actions.models import Action
    from apps.notifications.models import Notification, OutboxMessage
    from apps.org.models import Site, StructuralUnit

    Notification.objects.all().delete()
    OutboxMessage.objects.all().delete()
    Action.objects.all().delete()
    if not User.objects.exists():
        site = Site.objects.create(name="Bench site", code="bench")
        StructuralUnit.objects.bulk_create(
            StructuralUnit(site=site, name=f"Unit {i}", code=f"unit-{i}", kind="crew") for i in range(50)
        )
        User.objects.create(username="head", role="hse_head", email="head@bench.test", first_name="Head")
        managers = User.objects.bulk_create(
            User(username=f"manager{i}", role="line_manager", email=f"m{i}@bench.test", first_name=f"M{i}")
            for i in range(MANAGERS)
        )
        User.objects.bulk_create(
            User(
                username=f"owner{i}",
                role="line_manager",
                email=f"o{i}@bench.test",
                first_name=f"O{i}",
                line_manager=managers[i % MANAGERS],
            )
            for i in range(OWNERS)
        )
    owners = list(User.objects.filter(username__startswith="owner").values_list("id", flat=True))
    units = list(StructuralUnit.objects.values_list("id", flat=True))
    creator = User.objects.get(username="head").pk
    batch = []
    for i in range(actions):
        late = i < overdue
        due = TODAY - timedelta(days=1 + i % 30) if late else TODAY + timedelta(days=i % 90)
        batch.append(
            Action(
                title=f"Corrective action {i}",
                unit_id=units[i % len(units)],
                owner_id=owners[i % len(owners)],
                created_by_id=creator,
                due_date=due,
                status="open" if i % 3 else "in_progress",
                control_level="engineering",
            )
        )
        if len(batch) == 10_000:
            Action.objects.bulk_create(batch)
            batch = []
    Action.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def measure(label: str, actions: int, overdue: int) -> dict:
    from apps.actions.reminders import action_reminders_plan
    from apps.notifications.services import outbox_deliver_pending

    build(actions, overdue)
    with counting_queries() as queries:
        started = time.perf_counter()
        run = action_reminders_plan(today=TODAY)
        plan_seconds = time.perf_counter() - started
    plan_queries = len(queries)
    print(f"[{label}] {actions:,} open actions ({overdue:,} overdue), {OWNERS:,} owners")
    print(
        f"  plan:    {plan_seconds:6.2f} s wall, {len(queries):4d} SQL queries, "
        f"{run.digests:,} digests, {run.manager_escalations} manager + {run.head_escalations} head escalations, "
        f"{run.messages_new:,} outbox messages, {run.actions_seen:,} actions read"
    )
    with counting_queries() as queries:
        started = time.perf_counter()
        again = action_reminders_plan(today=TODAY)
        seconds = time.perf_counter() - started
    print(f"  rerun:   {seconds:6.2f} s wall, {len(queries):4d} SQL queries, {again.messages_new} new messages")

    tracemalloc.start()
    action_reminders_plan(today=TODAY + timedelta(days=1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  memory:  {peak / 1024 / 1024:6.1f} MiB peak Python allocations during one plan (tracemalloc)")

    with counting_queries() as queries:
        started = time.perf_counter()
        delivered = outbox_deliver_pending()
        seconds = time.perf_counter() - started
    print(
        f"  deliver: {seconds:6.2f} s wall, {len(queries):5d} SQL queries for {delivered:,} messages "
        f"({len(queries) / max(delivered, 1):.1f} per message; in-app notification + e-mail to locmem)"
    )
    return {
        "actions": actions,
        "plan_seconds": plan_seconds,
        "plan_queries": plan_queries,
        "peak_python_mib": peak / 1024 / 1024,
        "delivered": delivered,
        "deliver_seconds": seconds,
        "deliver_queries": len(queries),
    }


def main() -> None:
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEBUG = False
    print(f"database: {connection.vendor}; {os.cpu_count()} cores")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        small = measure("small", ACTIONS // 10, OVERDUE // 10)
        full = measure("full", ACTIONS, OVERDUE)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    # The whole process's peak resident memory: what a worker running the plan would need.
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process: {peak_rss_mib:6.1f} MiB peak resident memory")
    print("JSON" + json.dumps({"small": small, "full": full, "peak_rss_mib": peak_rss_mib}))


if __name__ == "__main__":
    main()
