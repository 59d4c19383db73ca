"""The refresh after a change: a change of a measured record asks, once its transaction commits,
for its unit-month to be recomputed — one pending row however many changes (the debounce); the
broker being down never fails the save; taking the pending rows is idempotent."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from apps.kpis import refresh, snapshots
from apps.kpis.models import KpiSnapshot, PendingRefresh
from apps.kpis.snapshots import refresh_pending, refresh_requested
from tests.factories import (
    ActionFactory,
    HoursWorkedFactory,
    IncidentFactory,
    ObservationFactory,
    SignalFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def this_month():
    return timezone.localdate().replace(day=1)


def test_ten_saves_leave_one_pending_row_and_queue_one_task(django_capture_on_commit_callbacks):
    unit, observer = UnitFactory(), UserFactory()
    with mock.patch("apps.kpis.tasks.refresh_pending.apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            observation = ObservationFactory(unit=unit, observer=observer)
        for index in range(9):
            with django_capture_on_commit_callbacks(execute=True):
                observation.description = f"Edited {index}"
                observation.save()
    assert list(PendingRefresh.objects.values_list("unit_id", "month")) == [(unit.pk, this_month())]
    assert queued.call_count == 1
    assert queued.call_args.kwargs["countdown"] == snapshots.refresh_delay_seconds()


def test_nothing_is_asked_before_the_commit(django_capture_on_commit_callbacks):
    unit, observer = UnitFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ObservationFactory(unit=unit, observer=observer)
    assert not PendingRefresh.objects.exists()  # not yet: only after the commit
    assert callbacks


def test_a_save_succeeds_with_the_broker_down(django_capture_on_commit_callbacks, caplog):
    unit, observer = UnitFactory(), UserFactory()
    down = mock.patch("apps.kpis.tasks.refresh_pending.apply_async", side_effect=ConnectionRefusedError("down"))
    with down, django_capture_on_commit_callbacks(execute=True):
        ObservationFactory(unit=unit, observer=observer)
    assert PendingRefresh.objects.count() == 1  # the every-minute beat run takes it
    assert "not queued" in caplog.text


def test_a_failing_refresh_request_does_not_fail_the_save(django_capture_on_commit_callbacks):
    unit, observer = UnitFactory(), UserFactory()
    failing = mock.patch.object(refresh, "refresh_requested_many", side_effect=RuntimeError("boom"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        ObservationFactory(unit=unit, observer=observer)


def test_what_records_count_in():
    unit = UnitFactory()
    month = this_month()
    last_month = (month - timedelta(days=1)).replace(day=1)
    moment = timezone.make_aware(datetime.combine(last_month + timedelta(days=3), datetime.min.time()))
    assert refresh.affected(IncidentFactory(unit=unit, occurred_at=moment)) == {(unit.pk, last_month)}
    assert refresh.affected(HoursWorkedFactory(unit=unit, month=last_month)) == {(unit.pk, last_month)}
    action = ActionFactory(unit=unit, due_date=last_month)
    assert refresh.affected(action) == {(unit.pk, month), (unit.pk, last_month)}
    # A signal counts in the month its 14 days run out; months to come are left out.
    signal = SignalFactory(internship=None, unit=unit, recorded_on=timezone.localdate())
    due = (timezone.localdate() + timedelta(days=14)).replace(day=1)
    assert refresh.affected(signal) == ({(unit.pk, due)} if due <= month else set())


def test_no_refresh_for_months_to_come():
    unit = UnitFactory()
    assert refresh_requested(unit.pk, date(2999, 1, 1)) is False
    assert not PendingRefresh.objects.exists()


def test_refresh_pending_recomputes_the_unit_month_and_is_idempotent():
    unit, observer = UnitFactory(), UserFactory()
    ObservationFactory(unit=unit, observer=observer)
    refresh_requested(unit.pk, this_month())
    assert refresh_requested(unit.pk, this_month()) is False  # already pending
    assert refresh_pending(older_than_seconds=30) == 0  # too fresh for the beat run
    assert refresh_pending(older_than_seconds=0) == 1
    row = KpiSnapshot.objects.get(kpi="observations", unit=unit, person=None, month=this_month())
    assert row.numerator == 1
    assert not PendingRefresh.objects.exists()
    assert refresh_pending(older_than_seconds=0) == 0
    assert KpiSnapshot.objects.get(kpi="observations", unit=unit, person=None).pk == row.pk


def test_refresh_pending_leaves_other_units_alone():
    unit, other, observer = UnitFactory(), UnitFactory(), UserFactory()
    ObservationFactory(unit=unit, observer=observer)
    ObservationFactory(unit=other, observer=observer)
    refresh_requested(unit.pk, this_month())
    refresh_pending(older_than_seconds=0)
    assert set(KpiSnapshot.objects.filter(kpi="observations").values_list("unit_id", flat=True)) == {unit.pk}
