from celery import shared_task

from . import services


@shared_task(name="notifications.deliver_pending", acks_late=True)
def deliver_pending() -> int:
    """Deliver everything in the outbox. Safe to run any number of times, concurrently too."""
    return services.outbox_deliver_pending()
