from celery import shared_task

from . import ciclo, questionari


@shared_task(
    name="volontari.tasks.concludi_servizi_terminati", acks_late=True, autoretry_for=(Exception,), max_retries=5
)
def concludi_servizi_terminati() -> int:
    """Daily: services past their last day become concluded."""
    return ciclo.concludi_servizi_terminati()


@shared_task(name="volontari.tasks.invia_questionari", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def invia_questionari() -> dict:
    """Daily: send the questionnaires due; on the 1st, remind the OLP of the monthly reports."""
    return {"questionari": questionari.invia(), "promemoria_relazioni": questionari.ricorda_relazioni()}
