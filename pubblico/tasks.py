import datetime

from celery import shared_task

from . import counters, opendata


# Task names predate the move from the network app: beat's schedule refers to them.
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


@shared_task(
    name="network.tasks.genera_opendata", acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5
)
def genera_opendata() -> int:
    """Rebuild the open-data files (pubblico.opendata, "Files built once per change")."""
    return len(opendata.costruisci()["file"])
