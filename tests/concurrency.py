"""Run the same step from many threads at once, each on its own database connection.

Used by the concurrency tests (`@pytest.mark.django_db(transaction=True)`, PostgreSQL only: SQLite
serialises writers by locking the whole file, so it proves nothing about row locks):

    outcomes = race(20, lambda i: services.action_complete(actor=owner, action=Action.objects.get(pk=pk), ...))
    assert outcomes.succeeded == 1 and all(isinstance(e, StateConflict) for e in outcomes.failed)

Every thread waits at a barrier, so the calls really overlap; each closes its connection after.
"""

import threading
from dataclasses import dataclass, field

import pytest
from django.db import connection, connections


@dataclass
class Outcomes:
    results: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # the exceptions raised

    @property
    def succeeded(self) -> int:
        return len(self.results)


def requires_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (DATABASE_URL)")


def race(count: int, step, *, timeout: float = 60.0) -> Outcomes:
    """Call `step(i)` for i in range(count) from `count` threads released together."""
    requires_postgresql()
    barrier = threading.Barrier(count)
    outcomes = Outcomes()
    lock = threading.Lock()

    def run(index):
        try:
            barrier.wait(timeout=timeout)
            result = step(index)
        except Exception as error:  # noqa: BLE001 - every refusal is collected and asserted on
            with lock:
                outcomes.failed.append(error)
        else:
            with lock:
                outcomes.results.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing call never finished (deadlock?)"
    return outcomes
