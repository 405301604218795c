from celery import shared_task

from . import counters


@shared_task(
    name="network.tasks.refresh_counters", acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def refresh_counters() -> dict:
    """Run at midnight by beat (dates move the counters) and on demand."""
    contatori = counters.refresh()
    return contatori["rete"]
