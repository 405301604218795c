from dataclasses import asdict

from celery import shared_task

from . import pseudonimizzazione


@shared_task(name="network.tasks.pseudonimizza", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def pseudonimizza() -> dict:
    """Nightly: pseudonymise the volunteers whose every service ended more than
    PSEUDONIMIZZA_DOPO_ANNI years ago (idempotent, in batches)."""
    return asdict(pseudonimizzazione.pseudonimizza())
