from celery import shared_task

from . import allerte, reports


# Task names predate the move from the network app: beat's schedule and the rows waiting in
# the outbox refer to them.
@shared_task(name=reports.GENERA_REPORT, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def genera_report(self, report_id: int) -> str:
    """Generate one report; retried with back-off, and marked failed with the reason when the
    retries are used up (at once when it runs in-process)."""
    try:
        report = reports.genera(report_id)
    except Exception as exc:
        # In-process (no broker: the demo) there is nobody to retry later: fail now, visibly.
        if self.request.retries >= self.max_retries or self.request.is_eager:
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
