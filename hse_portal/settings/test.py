"""Tests: PostgreSQL when DATABASE_URL is set (CI), fast hashing, mail kept in memory."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test starts with an empty cache (tests/conftest.py clears it); never the shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests never publish to a real broker (neither the development one under var/ nor the Redis named
# by REDIS_URL): tasks queued by requests go to memory and vanish. The real-worker tests point
# the Celery app at their own private Redis (tests/celery_helpers.py).
# (The worker process those tests start sets TEST_WORKER_USES_REDIS_URL and keeps REDIS_URL.)
if os.environ.get("TEST_WORKER_USES_REDIS_URL") != "1":
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # ... and may send real mail: the fault tests point it at an SMTP sink of their own
    # (tests/faults/test_worker_killed.py). Nothing else in the test run reads these variables.
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", EMAIL_BACKEND)
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
