from celery import shared_task

from . import outbox


# The name predates the move from the network app: beat's schedule and rows already in the
# outbox refer to it.
@shared_task(name="network.tasks.svuota_outbox", acks_late=True)
def svuota_outbox() -> int:
    """Every minute (Celery beat): send the tasks the web could not queue while the broker
    was down."""
    return outbox.svuota()
