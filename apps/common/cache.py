"""Short-lived figures kept in the shared cache, computed again when the cache is unreachable."""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def scope_key(scope) -> str:
    """A short key for a set of unit ids (None: every unit)."""
    if scope is None:
        return "all"
    return hashlib.sha1(",".join(map(str, sorted(scope))).encode(), usedforsecurity=False).hexdigest()[:16]


def cached(key: str, compute, *, timeout: int = 300):
    """`compute()`, kept for `timeout` seconds under `key`. A cache that is down costs the
    computation, never the request."""
    try:
        value = cache.get(key)
    except Exception as error:  # noqa: BLE001 - a broken cache must not break a page
        logger.warning("Cache unreachable (%s): computing %s", error, key)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception as error:  # noqa: BLE001
            logger.warning("Cache unreachable (%s): %s not kept", error, key)
    return value
