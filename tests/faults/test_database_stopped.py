"""PostgreSQL "stopped" under a stream of reads and writes: the portal (gunicorn, a process of its
own) reaches the database through a TCP proxy that cuts every connection and refuses new ones
(tests/faults/tcp_proxy.py; the shared PostgreSQL itself is never stopped). While it is down every
request gets the 503 page with Retry-After, never the 500 page; once it is back requests succeed
again within seconds; and no write is half-done: every action has its audit entry and its outbox
message, and every action the portal confirmed (302) exists."""

import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from apps.actions.models import Action
from apps.audit.models import AuditEntry
from apps.notifications.models import OutboxMessage
from tests.faults.app_server import AppServer, Browser
from tests.faults.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

CLIENTS = 3  # threads, each alternating a write (action create) and a read (the action list)
UP_BEFORE, DOWN_FOR, UP_AFTER = 3.0, 5.0, 7.0  # seconds
RECOVERY = 5.0  # after the database returns, every request succeeds
DOWN_PAGE = "The portal cannot reach its database"


@pytest.fixture
def portal(postgresql_only, tmp_path):
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.start()
    server = AppServer(db_host="127.0.0.1", db_port=proxy.port, log_path=tmp_path / "gunicorn.log")
    server.start()
    yield server, proxy
    server.stop()
    if proxy.listener is not None:
        proxy.stop()


def test_database_stopped_under_load_503_then_recovery_and_no_partial_writes(
    portal, client, hse_specialist, line_manager, org, report
):
    server, proxy = portal
    client.force_login(hse_specialist)
    browser = Browser(server, client.session.session_key)
    assert browser.get(reverse("actions:list")).status == 200, server.output()[-3000:]
    log, lock, done = [], threading.Lock(), threading.Event()

    def load(worker: int):
        number = 0
        while not done.is_set():
            number += 1
            title = f"Fence the pit {worker}-{number:04}"
            for kind in ("write", "read"):
                started = time.monotonic()
                if kind == "write":
                    answer = browser.post(
                        reverse("actions:create"),
                        {
                            "title": title,
                            "unit": org.crew.pk,
                            "owner": line_manager.pk,
                            "due_date": (date.today() + timedelta(days=30)).isoformat(),
                            "priority": "high",
                            "control_level": "engineering",
                        },
                    )
                else:
                    answer = browser.get(reverse("actions:list"))
                with lock:
                    log.append((kind, title, started, time.monotonic(), answer))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(UP_BEFORE)
    stopped = time.monotonic()
    proxy.stop()
    cut = proxy.cut
    time.sleep(DOWN_FOR)
    proxy.start()
    back = time.monotonic()
    time.sleep(UP_AFTER)
    done.set()
    for thread in threads:
        thread.join(timeout=60)

    statuses = Counter(answer.status for *_, answer in log)
    assert set(statuses) <= {200, 302, 503}, (statuses, server.output()[-3000:])
    refused = [answer for *_, answer in log if answer.status == 503]
    assert refused and all(DOWN_PAGE in a.text and a.headers.get("Retry-After") == "60" for a in refused)
    # Every request made while the database was away got the 503 page.
    while_down = [answer for _, _, start, end, answer in log if stopped + 0.2 < start and end < back]
    assert while_down and all(answer.status == 503 for answer in while_down)
    # Back: the first success soon, and then nothing but successes.
    after = [(start, end, answer) for _, _, start, end, answer in log if start >= back]
    recovered_after = min(end for _, end, answer in after if answer.status != 503) - back
    assert recovered_after <= RECOVERY
    late = [answer for start, _, answer in after if start > back + RECOVERY]
    assert late and all(answer.status in (200, 302) for answer in late)

    # No partial writes: each action with its audit entry and its outbox message; each confirmed one there.
    actions = dict(Action.objects.filter(title__startswith="Fence the pit").values_list("title", "pk"))
    audited = set(AuditEntry.objects.filter(action="actions.action.created").values_list("target_id", flat=True))
    notified = {
        int(key.split(":")[1])
        for key in OutboxMessage.objects.filter(kind="action_assigned").values_list("dedupe_key", flat=True)
    }
    assert {str(pk) for pk in actions.values()} <= audited and set(actions.values()) <= notified
    writes = [(title, answer.status) for kind, title, *_, answer in log if kind == "write"]
    confirmed = {title for title, status in writes if status == 302}
    assert confirmed <= set(actions)
    assert len(actions) == len(set(actions))
    committed_but_503 = {title for title, status in writes if status == 503} & set(actions)

    report(
        f"PostgreSQL stopped for {DOWN_FOR:.0f} s under load (gunicorn, 2 workers, {CLIENTS} clients; "
        f"TCP proxy cut {cut} connections)"
    )
    report(
        f"requests {len(log)}: {statuses[200]} pages, {statuses[302]} writes confirmed, {statuses[503]} answered 503 "
        f"(the 503 page with Retry-After), 500s {statuses[500]}"
    )
    report(f"while down: {len(while_down)} requests, all 503; first success {recovered_after:.2f} s after it returned")
    report(
        f"writes {len(writes)}: actions stored {len(actions)}, each with its audit entry and outbox message; "
        f"confirmed and missing 0; answered 503 yet committed {len(committed_but_503)}"
    )
