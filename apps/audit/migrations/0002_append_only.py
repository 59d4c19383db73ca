"""The audit log is append-only: the database itself refuses to change or delete an entry.

One exception, so that deleting a user, a unit or a content type still works: the links of an
entry to them are `on_delete=SET_NULL`, and an UPDATE that only sets those links to NULL (and
changes nothing else) is let through — the entry keeps the actor's name and the record's name as
text (`actor_name`, `target_repr`), so the trail survives. Every other UPDATE, and every DELETE, is
refused with "The audit log is append-only".

PostgreSQL: a row trigger calling a PL/pgSQL function (SQLSTATE 23001 restrict_violation, which
Django raises as IntegrityError). SQLite: two triggers with RAISE(ABORT) (also IntegrityError).
A TRUNCATE (how the tests empty PostgreSQL between transactional tests) fires no row trigger.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       -- the links on_delete=SET_NULL may clear ...
       AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.target_type_id IS NULL OR NEW.target_type_id = OLD.target_type_id)
       AND (NEW.unit_id IS NULL OR NEW.unit_id = OLD.unit_id)
       -- ... and everything else unchanged
       AND (NEW.id, NEW.created_at, NEW.actor_name, NEW.action, NEW.target_id, NEW.target_repr, NEW.reason, NEW.data)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.created_at, OLD.actor_name, OLD.action, OLD.target_id, OLD.target_repr, OLD.reason, OLD.data)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: % of audit entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
POSTGRESQL_REVERSE = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""

SQLITE_FORWARD = [
    """
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
WHEN NOT (
    (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
    AND (NEW.target_type_id IS NULL OR NEW.target_type_id IS OLD.target_type_id)
    AND (NEW.unit_id IS NULL OR NEW.unit_id IS OLD.unit_id)
    AND NEW.id IS OLD.id AND NEW.created_at IS OLD.created_at AND NEW.actor_name IS OLD.actor_name
    AND NEW.action IS OLD.action AND NEW.target_id IS OLD.target_id AND NEW.target_repr IS OLD.target_repr
    AND NEW.reason IS OLD.reason AND NEW.data IS OLD.data
)
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: UPDATE of an audit entry refused');
END;
""",
    """
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
BEGIN
    SELECT RAISE(ABORT, 'The audit log is append-only: DELETE of an audit entry refused');
END;
""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
]

SQL = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_REVERSE),
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
}


def _execute(statements, schema_editor):
    for statement in [statements] if isinstance(statements, str) else statements:
        schema_editor.execute(statement, params=None)


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in SQL:
        _execute(SQL[schema_editor.connection.vendor][0], schema_editor)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor in SQL:
        _execute(SQL[schema_editor.connection.vendor][1], schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(add_triggers, remove_triggers, elidable=False)]
