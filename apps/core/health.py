"""Reachability of what the portal depends on, for /healthz."""

from django.db import connection

from hse_portal.celery import app as celery_app


def database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return False, f"{type(error).__name__}"


def broker_ok(timeout: float = 2.0) -> tuple[bool, str]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            return True, conn.transport.driver_type
    except Exception as error:  # noqa: BLE001
        return False, f"{type(error).__name__}"
