"""The migration that adds the 1970 floor first repairs the impossible dates stored before it (a
form posted 0001-01-01), so it can be applied to a database that has them, and says what it did."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from apps.audit.models import AuditEntry
from apps.incidents.models import Incident, TimelineEvent

from .helpers import make_incident

BEFORE = ("incidents", "0002_cause_actions_through_the_source_link")


@pytest.mark.django_db(transaction=True)
def test_impossible_dates_are_repaired_before_the_floor_is_enforced(org, hse_specialist):
    if connection.vendor != "postgresql":
        pytest.skip("year-1 times in a site's zone are PostgreSQL's (BC in UTC)")
    sound = make_incident(org.crew, hse_specialist, location="Sound")
    broken = make_incident(org.crew, hse_specialist, location="Broken")
    event = TimelineEvent.objects.create(incident=sound, at=sound.occurred_at)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("incidents")
    executor.migrate([BEFORE])
    try:
        with connection.cursor() as cursor:
            # What the old form stored for 0001-01-01T00:00 at the site: a time BC in UTC.
            cursor.execute(
                "UPDATE incidents_incident SET occurred_at = '0001-01-01 00:00:00+04:02:33' WHERE id = %s",
                [broken.pk],
            )
            cursor.execute("UPDATE incidents_timelineevent SET at = '0001-01-01 00:00:00+00' WHERE id = %s", [event.pk])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    broken.refresh_from_db()
    assert broken.occurred_at == broken.created_at  # the latest it can have happened
    event.refresh_from_db()
    assert event.at == sound.occurred_at
    assert Incident.objects.get(pk=sound.pk).occurred_at == sound.occurred_at  # untouched
    entries = AuditEntry.objects.filter(action="incidents.incident.date_repaired").order_by("id")
    assert [(e.target_id, e.data["field"]) for e in entries] == [(str(broken.pk), "occurred_at"),
                                                                 (str(sound.pk), "timeline.at")]  # fmt: skip
    assert "BC" in entries[0].data["found"] and "0001-01-01" in entries[1].data["found"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=sound.pk).update(occurred_at=datetime(1969, 12, 31, tzinfo=UTC))
