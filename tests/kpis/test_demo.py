"""The demo's KPIs: targets, a year of snapshots, and the escalations the executive sees."""

from datetime import date

import pytest

from apps.audit.models import AuditEntry
from apps.kpis.demo import DEMO_ESCALATIONS, DEMO_TARGETS
from apps.kpis.models import Escalation, KpiSnapshot, KpiTarget
from apps.notifications.models import OutboxMessage
from tests.core.test_demo_history import _today, demo  # noqa: F401 - the demo and its day

pytestmark = pytest.mark.django_db


def test_targets_snapshots_and_one_escalation_awaiting_the_executive(demo):  # noqa: F811
    assert KpiTarget.objects.count() == len(DEMO_TARGETS)
    assert KpiSnapshot.objects.filter(month__lt=date(2026, 1, 1)).exists()  # the history is counted
    waiting = Escalation.objects.get(status=Escalation.Status.OPEN)
    assert waiting.title == DEMO_ESCALATIONS[0]["title"] and waiting.raised_by.username == "head"
    assert OutboxMessage.objects.filter(kind="escalation_raised", recipient__username="executive").count() == 2
    decided = Escalation.objects.get(status=Escalation.Status.DECIDED)
    assert decided.decided_by.username == "executive" and decided.decision.startswith("Option A")
    assert AuditEntry.objects.filter(action="kpis.escalation.decided").count() == 1


def test_loading_twice_adds_no_escalation(demo):  # noqa: F811
    from apps.core.demo import load_demo_data
    from tests.core.test_demo_history import TODAY

    load_demo_data(today=TODAY)
    assert Escalation.objects.count() == len(DEMO_ESCALATIONS)
    assert OutboxMessage.objects.filter(kind="escalation_raised").count() == 2
