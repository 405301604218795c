"""The Celery app. Tasks live in each app's tasks.py and are thin: they take ids and call
a function that does the work."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings.production")

app = Celery("network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Dates move the counters (a service starts or ends at midnight): recompute them.
    # The open-data files follow their data through the outbox; this is the safety net for
    # changes that send no signal and for the day turning (pubblico.opendata).
    "open-data-files": {
        "task": "network.tasks.genera_opendata",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    "refresh-counters-at-midnight": {
        "task": "network.tasks.refresh_counters",
        "schedule": crontab(hour=0, minute=0),
    },
    # The previous month's monitoring reports, for every nodo and ente, on the 11th (the
    # month's general confirmations are due by the 10th).
    "monthly-reports": {
        "task": "network.tasks.ordina_report_mensili",
        "schedule": crontab(day_of_month=11, hour=6, minute=0),
    },
    "clean-old-reports": {
        "task": "network.tasks.pulisci_report",
        "schedule": crontab(hour=3, minute=30),
    },
    "daily-alerts": {
        "task": "network.tasks.controlla_allerte",
        "schedule": crontab(hour=7, minute=0),
    },
    "questionnaires-and-olp-reports": {
        "task": "volontari.tasks.invia_questionari",
        "schedule": crontab(hour=8, minute=0),
    },
    # Personal data: records of services ended more than PSEUDONIMIZZA_DOPO_ANNI years ago.
    "pseudonymise-old-records": {
        "task": "network.tasks.pseudonimizza",
        "schedule": crontab(hour=3, minute=45),
    },
    "conclude-ended-services": {
        "task": "volontari.tasks.concludi_servizi_terminati",
        "schedule": crontab(hour=0, minute=5),
    },
    # The tasks left in the outbox while the broker was down (infra.outbox).
    "flush-outbox": {
        "task": "network.tasks.svuota_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


@worker_ready.connect
def svuota_outbox_all_avvio(sender, **kwargs) -> None:
    """Beat needs the broker too: a worker starting (as it does when Redis comes back after an
    outage that stopped it) first sends what is waiting in the outbox."""
    from django.db import connections

    from infra import outbox

    try:
        outbox.svuota()
    finally:
        connections.close_all()
