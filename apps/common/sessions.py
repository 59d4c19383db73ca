"""Sessions read from the shared cache and written through to the database (`SESSION_ENGINE`).

Django's cached-database store already survives a cache that fails on save and on read, but not
one that fails while it refills the cache after a database read, or on sign-out: with Redis down,
every signed-in request would fail. Here a cache failure costs the database query, never the
request; the database row stays the record."""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - an unreachable cache: read the database
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception as error:  # noqa: BLE001
            logger.warning("Cache unreachable (%s): session read from the database", error)
        return data

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception as error:  # noqa: BLE001
            logger.warning("Cache unreachable (%s): session deleted from the database only", error)
        super(cached_db.SessionStore, self).delete(session_key)

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            pass
        return super(cached_db.SessionStore, self).exists(session_key)
