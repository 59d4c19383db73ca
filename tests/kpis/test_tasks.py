"""The refresh after a change, done by a real Celery worker process over a real Redis broker: an
observation changed ten times leads to one recomputation of its unit-month, shortly after."""

import time

import pytest
from django.utils import timezone

from apps.kpis.models import KpiSnapshot, PendingRefresh
from apps.kpis.tasks import refresh_all
from tests.celery_helpers import wait_until
from tests.factories import ObservationFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_changed_observation_is_recomputed_once_shortly_after(task_worker, settings):
    settings.KPI_REFRESH_DELAY_SECONDS = 2
    unit, observer = UnitFactory(), UserFactory()
    month = timezone.localdate().replace(day=1)
    observation = ObservationFactory(unit=unit, observer=observer)
    for index in range(9):
        observation.description = f"Edited {index}"
        observation.save()
    assert PendingRefresh.objects.filter(unit=unit, month=month).count() == 1

    row = wait_until(
        lambda: KpiSnapshot.objects.filter(kpi="observations", unit=unit, month=month, person=None).first(),
        timeout=60,
        message="the unit-month's snapshot\n" + task_worker.output(),
    )
    assert row.numerator == 1
    assert KpiSnapshot.objects.get(kpi="observations", unit=unit, month=month, person=observer).numerator == 1
    assert not PendingRefresh.objects.exists()
    time.sleep(4)  # longer than the delay: nothing else comes
    again = KpiSnapshot.objects.get(kpi="observations", unit=unit, month=month, person=None)
    assert again.pk == row.pk and again.computed_at == row.computed_at
    log = task_worker.output()
    assert log.count("kpis.refresh_pending") >= 1
    assert sum(1 for line in log.splitlines() if "Task kpis.refresh_pending[" in line and "received" in line) == 1


def test_the_nightly_task_runs_in_the_worker(task_worker):
    unit, observer = UnitFactory(), UserFactory()
    ObservationFactory(unit=unit, observer=observer)
    PendingRefresh.objects.all().delete()
    refresh_all.delay(months=2)
    wait_until(
        lambda: KpiSnapshot.objects.filter(kpi="observations", unit=unit, person=None).exists(),
        timeout=60,
        message="the nightly run's rows\n" + task_worker.output(),
    )
