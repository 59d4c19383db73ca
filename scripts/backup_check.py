#!/usr/bin/env python3
"""The backup manifest: what a backup holds, and the check that a restore holds the same (issue 14).

Used by scripts/backup.sh and scripts/restore.sh; needs only psycopg2 and the client tools
(pg_dump), not Django, so it runs on a machine that has only the backup.

    backup_check.py dump BACKUP_DIR MEDIA_ROOT     # DATABASE_URL: the database to back up
    backup_check.py verify BACKUP_DIR MEDIA_ROOT   # DATABASE_URL: the database restored into

`dump` opens one REPEATABLE READ transaction, exports its snapshot and runs
`pg_dump --format=custom --snapshot=...` on it, then counts and checksums every table in the same
transaction: the dump and the manifest describe exactly the same rows, even while the portal keeps
writing. The tables come from the catalogue (every ordinary table outside the system schemas), never
from a list kept by hand. Per table: the row count and md5 over the md5 of each row's text, ordered
by the primary key (by the whole row where a table has none). Also recorded: each sequence's
position (a restore that resets one would hand out ids already used), the triggers (the audit
log's append-only trigger must come back), and the sha256 of every file under MEDIA_ROOT.

`verify` recomputes all of it on the restored database and media directory, prints what differs and
the figures (tables, rows, sequences, triggers, files compared) and exits 1 on any difference.
"""

import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
from psycopg2 import extensions, sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")

# A row's text depends on these session settings: fix them, so that both sides print rows alike.
SESSION_SETTINGS = (
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET extra_float_digits = 3",
    "SET bytea_output = 'hex'",
)


def connect(url: str):
    conn = psycopg2.connect(url)
    conn.set_session(isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
    with conn.cursor() as cur:
        for statement in SESSION_SETTINGS:
            cur.execute(statement)
    return conn


def tables(cur) -> list[tuple[str, str, list[str]]]:
    """(schema, table, primary key columns in key order) of every ordinary table."""
    cur.execute(
        """
        SELECT n.nspname, c.relname,
               COALESCE((SELECT array_agg(a.attname ORDER BY k.ord)
                           FROM pg_index i
                           CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                          WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%'
         ORDER BY 1, 2
        """,
        (list(SYSTEM_SCHEMAS),),
    )
    return [(schema, name, list(pk)) for schema, name, pk in cur.fetchall()]


def table_figures(cur, schema: str, name: str, pk: list[str]) -> dict:
    table = sql.Identifier(schema, name)
    order = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(col)) for col in pk) if pk else sql.SQL("t::text")
    # md5 of each row first: the aggregate grows by 32 bytes a row, not by the row's size.
    cur.execute(
        sql.SQL("SELECT count(*), md5(COALESCE(string_agg(md5(t::text), '' ORDER BY {}), '')) FROM {} AS t").format(
            order, table
        )
    )
    rows, checksum = cur.fetchone()
    return {"rows": rows, "md5": checksum, "ordered_by": pk or ["<whole row>"]}


def sequences(cur) -> dict[str, list]:
    cur.execute(
        """
        SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences
         WHERE schemaname <> ALL(%s) ORDER BY 1
        """,
        (list(SYSTEM_SCHEMAS),),
    )
    return dict(cur.fetchall())


def triggers(cur) -> list[str]:
    cur.execute(
        """
        SELECT n.nspname || '.' || c.relname || ':' || t.tgname
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY 1
        """
    )
    return [row[0] for row in cur.fetchall()]


def database_manifest(cur) -> dict:
    return {
        "tables": {f"{schema}.{name}": table_figures(cur, schema, name, pk) for schema, name, pk in tables(cur)},
        "sequences": sequences(cur),
        "triggers": triggers(cur),
    }


def media_manifest(media_root: Path) -> dict[str, str]:
    """sha256 of every file under media_root, by path relative to it."""
    files = {}
    if media_root.is_dir():
        for path in sorted(media_root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(media_root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def dump(backup_dir: Path, media_root: Path, url: str) -> dict:
    backup_dir.mkdir(parents=True, exist_ok=True)
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            # pg_dump reads the snapshot this transaction holds open until the manifest is done.
            subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={backup_dir / DUMP}",
                    f"--dbname={url}",
                ],
                check=True,
            )
            database = database_manifest(cur)
    finally:
        conn.rollback()
        conn.close()
    manifest = {
        "format": 1,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": database,
        "media": media_manifest(media_root),
    }
    (backup_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def differences(expected: dict, actual: dict) -> list[str]:
    """Every way the restored database and media differ from the manifest, one line each."""
    found = []
    want_db, got_db = expected["database"], actual["database"]
    for kind in ("tables", "sequences"):
        for name in sorted(set(want_db[kind]) | set(got_db[kind])):
            want, got = want_db[kind].get(name), got_db[kind].get(name)  # a sequence never used: None
            if name not in want_db[kind]:
                found.append(f"{kind[:-1]} {name}: not in the backup")
            elif name not in got_db[kind]:
                found.append(f"{kind[:-1]} {name}: missing after restore")
            elif kind == "tables" and want["rows"] != got["rows"]:
                found.append(f"table {name}: {got['rows']} rows, the backup has {want['rows']}")
            elif kind == "tables" and want["md5"] != got["md5"]:
                found.append(f"table {name}: checksum {got['md5']}, the backup has {want['md5']}")
            elif kind == "sequences" and want != got:
                found.append(f"sequence {name}: at {got}, the backup has {want}")
    for trigger in sorted(set(want_db["triggers"]) - set(got_db["triggers"])):
        found.append(f"trigger {trigger}: missing after restore")
    for trigger in sorted(set(got_db["triggers"]) - set(want_db["triggers"])):
        found.append(f"trigger {trigger}: not in the backup")
    for path in sorted(set(expected["media"]) | set(actual["media"])):
        want, got = expected["media"].get(path), actual["media"].get(path)
        if want is None:
            found.append(f"media {path}: not in the backup")
        elif got is None:
            found.append(f"media {path}: missing after restore")
        elif want != got:
            found.append(f"media {path}: sha256 differs")
    return found


def figures(manifest: dict) -> dict:
    db = manifest["database"]
    return {
        "tables": len(db["tables"]),
        "rows": sum(t["rows"] for t in db["tables"].values()),
        "sequences": len(db["sequences"]),
        "triggers": len(db["triggers"]),
        "media_files": len(manifest["media"]),
    }


def verify(backup_dir: Path, media_root: Path, url: str) -> tuple[dict, list[str]]:
    expected = json.loads((backup_dir / MANIFEST).read_text())
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            database = database_manifest(cur)
    finally:
        conn.rollback()
        conn.close()
    actual = {"database": database, "media": media_manifest(media_root)}
    return figures(expected), differences(expected, actual)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["dump", "verify"])
    parser.add_argument("backup_dir", type=Path)
    parser.add_argument("media_root", type=Path)
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is not set", file=sys.stderr)
        return 2
    if args.command == "dump":
        counts = figures(dump(args.backup_dir, args.media_root, url))
        print(
            "backup: {tables} tables, {rows} rows, {sequences} sequences, {triggers} triggers, "
            "{media_files} media files".format(**counts)
        )
        return 0
    counts, found = verify(args.backup_dir, args.media_root, url)
    for line in found:
        print(f"DIFFERS {line}", file=sys.stderr)
    verdict = "FAILED" if found else "OK"
    print(
        "restore check {verdict}: {tables} tables, {rows} rows, {sequences} sequences, {triggers} triggers, "
        "{media_files} media files compared; {n} differences".format(verdict=verdict, n=len(found), **counts)
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
