"""A Celery worker delivers the outbox each time it connects to the broker.

What a web process could not queue while the broker was down, and what a worker killed in the
middle of a batch left pending (its task unacknowledged until the broker's visibility timeout),
goes out as soon as a worker is connected again: at its start and after every reconnection,
not at the next periodic sweep. Registered on the Celery app in hse_portal/celery.py."""

import logging

from celery import bootsteps

logger = logging.getLogger(__name__)

# The broker has just answered the worker: a stale pooled connection to it is replaced at once.
RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


class DeliverPendingOnConnect(bootsteps.StartStopStep):
    """Consumer step: started after the task consumer, again on each reconnection."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, consumer):
        from .tasks import deliver_pending

        try:
            deliver_pending.apply_async(retry=True, retry_policy=RETRY_POLICY)
        except Exception as error:  # noqa: BLE001 - the sweep delivers it later; the worker must start
            logger.warning("Outbox delivery not queued on connecting: %s", error)
