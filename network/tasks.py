import datetime
from dataclasses import asdict

from celery import shared_task

from . import allerte, counters, outbox, pseudonimizzazione, reports


@shared_task(
    name="network.tasks.refresh_counters", acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def refresh_counters() -> dict:
    """Run at midnight by beat (dates move the counters) and on demand; at midnight it also
    keeps the day just ended in the history, complete with all of that day's changes."""
    contatori = counters.refresh()
    ieri = datetime.date.fromisoformat(contatori["giorno"]) - datetime.timedelta(days=1)
    counters.scatta_istantanea(ieri)
    return contatori["rete"]


@shared_task(name="network.tasks.genera_report", bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def genera_report(self, report_id: int) -> str:
    """Generate one report; retried with back-off, and marked failed with the reason when the
    retries are used up."""
    try:
        report = reports.genera(report_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            reports.segna_fallito(report_id, f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return report.stato if report else ""


@shared_task(name="network.tasks.ordina_report_mensili", acks_late=True)
def ordina_report_mensili() -> int:
    return reports.ordina_mensili()


@shared_task(name="network.tasks.pulisci_report", acks_late=True)
def pulisci_report() -> int:
    return reports.pulisci()


@shared_task(name="network.tasks.controlla_allerte", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def controlla_allerte() -> dict:
    """Daily: find what needs action, then send each responsible person one digest."""
    esito = allerte.controlla()
    esito["email"] = allerte.invia_riepiloghi()
    return esito


@shared_task(name="network.tasks.pseudonimizza", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def pseudonimizza() -> dict:
    """Nightly: pseudonymise the volunteers whose every service ended more than
    PSEUDONIMIZZA_DOPO_ANNI years ago (idempotent, in batches)."""
    return asdict(pseudonimizzazione.pseudonimizza())


@shared_task(name="network.tasks.svuota_outbox", acks_late=True)
def svuota_outbox() -> int:
    """Every minute (Celery beat): send the tasks the web could not queue while the broker
    was down."""
    return outbox.svuota()
