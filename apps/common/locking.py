"""Row locks for status changes.

Two people pressing "verify" and "cancel" at the same moment must not both succeed: a service
that changes a status first locks the row and reloads it, then checks the status it found. The
second request waits for the first to commit, reloads the new status and is refused."""

from django.db import transaction


def lock_and_reload(instance):
    """Lock `instance`'s row until the end of the current transaction and reload its fields, so the
    checks that follow see what is committed now, not what the caller read earlier."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_and_reload() must run inside the service's transaction")
    model = instance._meta.model  # not type(): request.user is a lazy proxy of the user
    model._default_manager.select_for_update().filter(pk=instance.pk).values_list("pk", flat=True).get()
    instance.refresh_from_db()
    return instance
