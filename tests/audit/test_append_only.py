"""The audit log is append-only: the database refuses to change or delete an entry, through the
ORM and through raw SQL (a trigger; PostgreSQL in CI, SQLite locally). Deleting a user, a unit
or a content type only clears the entry's link (on_delete=SET_NULL): the names stay as text."""

import pytest
from django.db import IntegrityError, connection, transaction

from apps.audit.models import AuditEntry
from apps.audit.services import log_action
from tests.factories import UnitFactory, UserFactory

REFUSED = "append-only"


@pytest.fixture
def entry(org, hse_specialist):
    return log_action(actor=hse_specialist, action="org.unit.renamed", target=org.crew, reason="why", data={"a": 1})


def refused():
    # Each attempt in its own savepoint: the refusal aborts the statement, not the test.
    return pytest.raises(IntegrityError, match=REFUSED)


def test_an_update_through_the_orm_is_refused(entry):
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing happened")
    entry.reason = "nothing happened"
    with refused(), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.reason == "why"


def test_a_delete_through_the_orm_is_refused(entry):
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with refused(), transaction.atomic():
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'org.unit.created' WHERE id = %s",
        "UPDATE audit_auditentry SET actor_name = 'someone else' WHERE id = %s",
        "UPDATE audit_auditentry SET data = '{}' WHERE id = %s",
        # Clearing a link is allowed only as the whole change: not with another column.
        "UPDATE audit_auditentry SET actor_id = NULL, reason = '' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_an_entry(entry, sql):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert (entry.action, entry.actor_name, entry.reason, entry.data) == (
        "org.unit.renamed",
        entry.actor_name,
        "why",
        {"a": 1},
    )


def test_raw_sql_cannot_point_an_entry_at_another_user(entry):
    other = UserFactory()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_id = %s WHERE id = %s", [other.pk, entry.pk])


def test_deleting_the_actor_keeps_the_entry_and_the_name(org):
    user = UserFactory(username="leaver", first_name="Lee", last_name="Aver")
    entry = log_action(actor=user, action="org.unit.renamed", target=org.crew)
    name = entry.actor_name
    user.delete()
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_name, entry.action) == (None, name, "org.unit.renamed")


def test_deleting_the_unit_keeps_the_entry(hse_head):
    unit = UnitFactory(name="Closed shop")
    entry = log_action(actor=hse_head, action="org.unit.renamed", target=unit, unit=unit)
    unit.delete()
    entry.refresh_from_db()
    assert (entry.unit_id, entry.target_repr) == (None, "Closed shop")


def test_new_entries_are_still_written(entry, hse_head):
    log_action(actor=hse_head, action="org.unit.renamed")
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_is_reversible(org, hse_specialist):
    """Unapplied, the triggers are gone (an entry can be changed); applied again, refused."""
    from django.db.migrations.executor import MigrationExecutor

    entry = log_action(actor=hse_specialist, action="org.unit.renamed", target=org.crew)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([("audit", "0001_initial")])
    try:
        AuditEntry.objects.filter(pk=entry.pk).update(reason="changed while unprotected")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="again")
