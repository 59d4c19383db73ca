"""Where a page's time goes: every SQL statement it runs, with its time, slowest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hse_bench .venv/bin/python scripts/page_queries.py \\
        /observations/ head [--explain]

Runs the request in this process through Django's test client, signed in as the user; with
--explain prints PostgreSQL's plan (EXPLAIN ANALYZE, BUFFERS) of the three slowest statements.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hse_portal.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main(path: str, username: str, explain: bool) -> None:
    from apps.accounts.models import User

    statements = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, sql, params))

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(path)  # warm caches (templates, content types)
    statements.clear()
    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT="application/json" if path.startswith("/api/") else "text/html")
        total = time.perf_counter() - started
    sql_time = sum(seconds for seconds, _, _ in statements)
    print(f"{path} as {username}: {response.status_code}, {total * 1000:.0f} ms, "
          f"{len(statements)} queries, {sql_time * 1000:.0f} ms in SQL")  # fmt: skip
    slowest = sorted(statements, key=lambda row: -row[0])
    for seconds, sql, _params in slowest[:12]:
        print(f"  {seconds * 1000:8.1f} ms  {sql[:220]}")
    if explain:
        with connection.cursor() as cursor:
            for _seconds, sql, params in slowest[:3]:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--explain" in sys.argv)
