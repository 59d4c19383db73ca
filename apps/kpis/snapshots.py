"""Computing the snapshot table the KPI pages read, and the debounced refresh after a change.

`snapshots_refresh` replaces the rows of a range of months (some units, some KPIs) with what the
measures compute now: delete and insert in one transaction, so a page reads either the old rows or
the new ones, and a refresh run twice, or in any order with others, leaves the same rows. On
PostgreSQL the refreshes are serialised by a transaction-level advisory lock (computing included):
a refresh that starts later also computes later, so an older computation never overwrites a newer
one, and two refreshes of the same rows never collide on the table's unique constraints.

`snapshots_refresh_all` is the nightly full run: the last 24 months in one transaction (about
20 to 30 seconds at plant scale; refreshes after changes wait for it meanwhile).

After a change of a measured record (apps.kpis.refresh), `refresh_requested(unit_id, month)` adds a
`PendingRefresh` row — one row however many changes come before it is taken: the debounce — and,
once the transaction commits, queues the refresh task with a countdown. With the broker down the
request only logs: the row stays, and the every-minute beat run (`refresh_pending`) or the nightly
run makes the figures good. A web request never fails because of it."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.common.dates import month_start, months_back

from . import definitions
from .measures import measure
from .models import KpiSnapshot, PendingRefresh

logger = logging.getLogger(__name__)

# A fixed key for pg_advisory_xact_lock: "KPIs" in ASCII.
ADVISORY_LOCK_KEY = 0x4B504953
INSERT_BATCH = 2000
# Pending unit-months taken by one run of the refresh task.
PENDING_BATCH = 200


def refresh_delay_seconds() -> int:
    """How long after a change its unit-month is recomputed (settings KPI_REFRESH_DELAY_SECONDS):
    changes within that time share one recomputation."""
    return int(getattr(settings, "KPI_REFRESH_DELAY_SECONDS", 30))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def snapshots_refresh(*, start: date, end: date, unit_ids=None, codes=None, today: date | None = None) -> int:
    """Recompute the snapshot rows of the months from start's to end's (both included), of these
    units (None: all) and KPIs (None: all): returns the rows written."""
    first, last = month_start(start), month_start(end)
    codes = list(codes) if codes is not None else [kpi.code for kpi in definitions.KPIS]
    if unit_ids is not None:
        unit_ids = sorted(set(unit_ids))
        if not unit_ids:
            return 0
    with transaction.atomic():
        _lock()
        measured = {code: measure(code, start=first, end=last, unit_ids=unit_ids, today=today) for code in codes}
        old = KpiSnapshot.objects.filter(kpi__in=codes, month__gte=first, month__lte=last)
        if unit_ids is not None:
            old = old.filter(unit_id__in=unit_ids)
        old.delete()
        written = _insert(measured, computed_at=timezone.now())
    return written


def _insert(measured: dict, *, computed_at) -> int:
    rows = [
        KpiSnapshot(
            kpi=code, month=row.month, unit_id=row.unit_id, person_id=row.person_id, numerator=row.numerator,
            denominator=row.denominator, computed_at=computed_at,
        )
        for code, found in measured.items()
        for row in found
    ]  # fmt: skip
    KpiSnapshot.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def snapshots_refresh_all(*, months: int = 24, today: date | None = None) -> int:
    """The nightly full run: every KPI of every unit for the last `months` months (today's
    included), in one transaction. Returns the rows written. (One range rather than month by month:
    each measure's grouped query reads its table once for the whole range, which at plant scale is
    several times faster than 24 narrower reads.)"""
    today = today or timezone.localdate()
    window = months_back(today, months)
    return snapshots_refresh(start=window[0], end=window[-1], today=today)


# --- The debounced refresh after a change -----------------------------------------------------------


def queue_refresh() -> bool:
    """Ask a worker to recompute the pending unit-months once the delay has passed. With the
    broker down this only logs (the beat run and the nightly run make up for it)."""
    from .tasks import refresh_pending as refresh_pending_task

    try:
        refresh_pending_task.apply_async(
            kwargs={"older_than_seconds": 0}, countdown=refresh_delay_seconds(), retry=False
        )
    except Exception as error:  # noqa: BLE001 - any broker failure must not reach the user
        logger.warning("KPI refresh not queued (broker unavailable): %s", error)
        return False
    return True


def refresh_requested(unit_id: int, month: date) -> bool:
    """Note that a unit-month's figures are to be recomputed: a PendingRefresh row (one however
    many requests), and the refresh task queued when the transaction commits. Returns whether the
    row is new (an existing one has its task queued already)."""
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        return False  # no figures for months to come
    try:
        with transaction.atomic():
            PendingRefresh.objects.create(unit_id=getattr(unit_id, "pk", unit_id), month=month)
    except IntegrityError:
        return False
    transaction.on_commit(queue_refresh)
    return True


def refresh_requested_many(pairs) -> int:
    """`refresh_requested` for several (unit id, month) pairs; returns the new rows."""
    return sum(refresh_requested(unit_id, month) for unit_id, month in sorted(set(pairs)))


def refresh_pending(*, older_than_seconds: int = 30, today: date | None = None) -> int:
    """Recompute the unit-months requested at least `older_than_seconds` ago (at most
    `PENDING_BATCH` of them): take their rows (on PostgreSQL with SKIP LOCKED, so two workers never
    take the same), recompute, delete the rows — in one transaction. Returns the unit-months
    recomputed. Running it again finds nothing to do."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    with transaction.atomic():
        pending = PendingRefresh.objects.filter(requested_at__lte=cutoff).order_by("month", "unit_id")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        taken = list(pending[:PENDING_BATCH])
        by_month: dict[date, list[int]] = {}
        for row in taken:
            by_month.setdefault(row.month, []).append(row.unit_id)
        for month, unit_ids in by_month.items():
            snapshots_refresh(start=month, end=month, unit_ids=unit_ids, today=today)
        PendingRefresh.objects.filter(pk__in=[row.pk for row in taken]).delete()
    return len(taken)
