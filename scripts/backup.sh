#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the uploaded files (MEDIA_ROOT),
# with a manifest of row counts and checksums per table, sequences, triggers and media files.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/hse/media scripts/backup.sh [BACKUP_ROOT]
#
# Writes BACKUP_ROOT/hse-portal-<UTC timestamp>/ (BACKUP_ROOT defaults to ./backups) holding
# database.dump, media.tar.gz and manifest.json, and prints that directory's path last.
# The dump and the manifest come from one database snapshot (scripts/backup_check.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PY="${PYTHON:-$here/../.venv/bin/python}"
[ -x "$PY" ] || PY=python3

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the uploaded-files directory}"
backup_root="${1:-backups}"
target="$backup_root/hse-portal-$(date -u +%Y%m%dT%H%M%SZ)"
if [ -e "$target" ]; then
  echo "$target already exists" >&2
  exit 1
fi
umask 077  # the backup holds medical data and confidential signals
mkdir -p "$target"

"$PY" "$here/backup_check.py" dump "$target" "$MEDIA_ROOT"
if [ -d "$MEDIA_ROOT" ]; then
  tar -czf "$target/media.tar.gz" -C "$MEDIA_ROOT" .
else
  tar -czf "$target/media.tar.gz" --files-from /dev/null
fi
echo "$target"
