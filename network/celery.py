"""The Celery app. Tasks live in each app's tasks.py and are thin: they take ids and call
a function that does the work."""

import logging
import os
import threading

from celery import Celery, bootsteps
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings.production")

logger = logging.getLogger(__name__)

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
    # The tasks left in the outbox while the broker was down (infra.outbox). Workers send them
    # too, on every (re)connection and every OUTBOX_RIPROVA_SECONDI (SvuotaOutbox below): this
    # is only one more sender.
    "flush-outbox": {
        "task": "network.tasks.svuota_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}


class _Svuotatore(threading.Thread):
    """The worker's sender of the outbox: wakes when the consumer (re)connects to the broker,
    and every OUTBOX_RIPROVA_SECONDI in between, and sends what waits (infra.outbox.svuota).
    A thread of its own, so that a slow database or broker never holds the consumer."""

    def __init__(self, intervallo: float):
        super().__init__(name="svuota-outbox", daemon=True)
        self.intervallo = intervallo
        self.sveglia = threading.Event()
        self.fine = threading.Event()

    def run(self) -> None:
        from django.db import connections

        from infra import outbox

        while not self.fine.is_set():
            self.sveglia.wait(self.intervallo)
            self.sveglia.clear()
            if self.fine.is_set():
                break
            try:
                if outbox.in_attesa():
                    inviati = outbox.svuota()
                    if inviati:
                        logger.info("Outbox: %s waiting tasks sent", inviati)
            except Exception as exc:  # the next wake-up tries again
                logger.warning("Outbox not flushed by the worker (%s)", type(exc).__name__)
            finally:
                connections.close_all()


class SvuotaOutbox(bootsteps.StartStopStep):
    """A step of the worker's consumer. Celery starts the consumer's steps after it has
    connected to the broker, and again after every reconnection (Redis restarted after an
    outage): each start wakes the sender, so what waited in the outbox leaves as soon as the
    broker is back, with no beat and no restart of the worker."""

    requires = {"celery.worker.consumer.connection:Connection"}

    def __init__(self, c, **kwargs):
        super().__init__(c, **kwargs)
        self.svuotatore = None

    def start(self, c) -> None:
        from django.conf import settings

        if self.svuotatore is None or not self.svuotatore.is_alive():
            self.svuotatore = _Svuotatore(settings.OUTBOX_RIPROVA_SECONDI)
            self.svuotatore.start()
        self.svuotatore.sveglia.set()

    def shutdown(self, c) -> None:
        if self.svuotatore is not None:
            self.svuotatore.fine.set()
            self.svuotatore.sveglia.set()


app.steps["consumer"].add(SvuotaOutbox)
