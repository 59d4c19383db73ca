"""The one Celery app: configured from Django settings (CELERY_*), tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hse_portal.settings.local")

app = Celery("hse_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A worker delivers the outbox whenever it (re)connects to the broker (issue 14, faults).
app.steps["consumer"].add("apps.notifications.worker:DeliverPendingOnConnect")
