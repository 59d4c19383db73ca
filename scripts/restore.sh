#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a FRESH database and an empty media directory,
# then check it against the backup's manifest: every table's row count and checksum, sequences,
# triggers and every media file's sha256. Exits non-zero on any difference.
#
#   createdb -h HOST -U USER hse_portal_restored
#   DATABASE_URL=postgres://.../hse_portal_restored MEDIA_ROOT=/srv/hse/media-restored \
#     scripts/restore.sh backups/hse-portal-20260101T020000Z
#
# It refuses a database that already has tables or a media directory that is not empty: a restore
# never overwrites live data. pg_restore runs in one transaction (all or nothing); the schema comes
# first, then the data, then indexes, constraints and triggers (the audit log's append-only trigger
# included), so loading the rows fires no trigger.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-$here/../.venv/bin/python}"
[ -x "$PY" ] || PY=python3

: "${DATABASE_URL:?DATABASE_URL must name the fresh database to restore into}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the (empty) directory to restore the uploaded files into}"
backup="${1:?usage: restore.sh BACKUP_DIR}"
for file in database.dump media.tar.gz manifest.json; do
  [ -f "$backup/$file" ] || { echo "$backup/$file is missing" >&2; exit 1; }
done

existing=$(psql --dbname="$DATABASE_URL" -tAX -v ON_ERROR_STOP=1 -c \
  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'")
if [ "$existing" != "0" ]; then
  echo "The target database is not empty ($existing relations): restore into a fresh one" >&2
  exit 1
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "$MEDIA_ROOT is not empty: restore the media into an empty directory" >&2
  exit 1
fi

pg_restore --exit-on-error --single-transaction --no-owner --no-privileges \
  --dbname="$DATABASE_URL" "$backup/database.dump"
mkdir -p "$MEDIA_ROOT"
tar -xzf "$backup/media.tar.gz" -C "$MEDIA_ROOT"

"$PY" "$here/backup_check.py" verify "$backup" "$MEDIA_ROOT"
