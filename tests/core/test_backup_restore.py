"""Backup and restore (issue 14): scripts/backup.sh dumps the database and the media, and
scripts/restore.sh restores them into a fresh database and an empty directory and then compares row
counts and checksums for every table, the sequences, the triggers and every media file.

PostgreSQL only (the scripts are pg_dump/pg_restore). The data is committed (transactional test):
pg_dump runs in another process and must see it.
"""

import importlib.util
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from apps.audit.models import AuditEntry
from apps.org.models import Person

SCRIPTS = Path(settings.BASE_DIR) / "scripts"
_spec = importlib.util.spec_from_file_location("backup_check", SCRIPTS / "backup_check.py")
backup_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(backup_check)

# Bytes no text conversion survives unchanged (NUL, CR LF, high bytes).
EVIDENCE = bytes(range(256)) * 40 + b"\r\n\x00end"


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("backup and restore use pg_dump/pg_restore: PostgreSQL only (DATABASE_URL)")


def database_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def admin(statement: str) -> None:
    conn = psycopg2.connect(database_url("postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def fresh_database(postgresql):
    """An empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{name}"')
    yield database_url(name)
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    """The portal's media directory, private to this test, with one stored evidence file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = default_storage.save("evidence/2026/11/crane-hook.jpg", ContentFile(EVIDENCE))
    default_storage.save("signals/empty.txt", ContentFile(b""))
    return stored


def run(script: str, *args, database: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database, "MEDIA_ROOT": str(media_root)}
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *map(str, args)], env=env, capture_output=True, text=True, timeout=120
    )


def query(url: str, statement: str):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            result = cur.fetchall() if cur.description else None
        conn.commit()
        return result
    finally:
        conn.close()


def test_backup_restores_every_table_row_and_file_and_a_tampered_restore_is_caught(
    postgresql, fresh_database, media, tmp_path
):
    from apps.core.demo import load_demo_data

    load_demo_data(today=date(2026, 11, 22))
    source = database_url(connection.settings_dict["NAME"])

    made = run("backup.sh", tmp_path / "backups", database=source, media_root=settings.MEDIA_ROOT)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    manifest = backup_check.json.loads((backup / "manifest.json").read_text())

    # The manifest's tables are the catalogue's: every table Django knows is in it, with its rows.
    tables = manifest["database"]["tables"]
    assert {f"public.{name}" for name in connection.introspection.table_names()} <= set(tables)
    assert tables["public.org_person"]["rows"] == Person.objects.count() > 0
    assert tables["public.audit_auditentry"]["rows"] == AuditEntry.objects.count() > 0
    assert "public.audit_auditentry:audit_entry_append_only" in manifest["database"]["triggers"]
    assert {media, "signals/empty.txt"} <= set(manifest["media"])  # the demo stores photos too

    restored_media = tmp_path / "restored-media"
    restored = run("restore.sh", backup, database=fresh_database, media_root=restored_media)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    counts = backup_check.figures(manifest)
    assert "restore check OK" in restored.stdout and "0 differences" in restored.stdout
    assert counts["tables"] == len(tables) >= 50 and counts["rows"] > 1000
    print(f"\nbackup/restore: {restored.stdout.strip()}")

    # Files come back byte for byte; the append-only trigger came back and still refuses.
    assert (restored_media / media).read_bytes() == EVIDENCE
    assert (restored_media / "signals/empty.txt").read_bytes() == b""
    with pytest.raises(psycopg2.Error, match="append-only"):
        query(fresh_database, "UPDATE audit_auditentry SET reason = 'rewritten'")
    # The sequences carry on past the restored rows: the next person gets a new id.
    next_id = query(fresh_database, "SELECT nextval(pg_get_serial_sequence('org_person', 'id'))")[0][0]
    assert next_id > Person.objects.order_by("-pk").values_list("pk", flat=True).first()

    def check() -> list[str]:
        return backup_check.verify(backup, restored_media, fresh_database)[1]

    # The nextval above moved a sequence: the check tells (a restore nobody touched would not).
    assert check() == [f"sequence public.org_person_id_seq: at {next_id}, the backup has {next_id - 1}"]
    query(fresh_database, f"SELECT setval('org_person_id_seq', {next_id - 1})")
    assert check() == []

    # A deleted row, a changed value with the count unchanged, a lost or altered file: each caught.
    query(fresh_database, "DELETE FROM org_person WHERE id = (SELECT max(id) FROM org_person)")
    assert check() == [
        f"table public.org_person: {tables['public.org_person']['rows'] - 1} rows, the backup has "
        f"{tables['public.org_person']['rows']}"
    ]
    failed = subprocess.run(
        [sys.executable, str(SCRIPTS / "backup_check.py"), "verify", backup, restored_media],
        env={**os.environ, "DATABASE_URL": fresh_database},
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1 and "DIFFERS table public.org_person" in failed.stderr
    assert "restore check FAILED" in failed.stdout

    query(fresh_database, "UPDATE org_site SET name = name || '.' WHERE id = (SELECT min(id) FROM org_site)")
    (restored_media / media).write_bytes(EVIDENCE[:-1] + b"?")
    (restored_media / "signals/empty.txt").unlink()
    found = check()
    assert any(line.startswith("table public.org_site: checksum") for line in found)
    assert f"media {media}: sha256 differs" in found
    assert "media signals/empty.txt: missing after restore" in found

    # A restore never lands on a database that has tables.
    again = run("restore.sh", backup, database=fresh_database, media_root=tmp_path / "other-media")
    assert again.returncode == 1 and "not empty" in again.stderr
