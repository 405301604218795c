from celery import shared_task

from . import ciclo


@shared_task(
    name="volontari.tasks.concludi_servizi_terminati", acks_late=True, autoretry_for=(Exception,), max_retries=5
)
def concludi_servizi_terminati() -> int:
    """Daily: services past their last day become concluded."""
    return ciclo.concludi_servizi_terminati()
