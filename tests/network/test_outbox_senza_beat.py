"""The outbox drains without beat (issue 19): Redis killed, a report ordered (its task waits in
the outbox), Redis restarted, no beat, no command, no worker restart: the worker that was
running reconnects to the broker, sends what waits, and completes the report within the
threshold /salute/ uses (OUTBOX_ATTESA_MAX_SECONDI).

The Redis here is this test's own (port 6390), started and killed by it; the shared one is
never touched."""

import datetime
import shutil
import signal
import subprocess
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from infra.models import Outbox
from monitoraggio.models import Report
from network.celery import app
from tests.conftest import need
from tests.network.test_worker import _start_worker, _stop_worker
from tests.personas import costruisci_mondo

PORTA = 6390
URL = f"redis://127.0.0.1:{PORTA}/0"
MESE_SCORSO = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def avvia_redis(cartella) -> subprocess.Popen:
    processo = subprocess.Popen(
        ["redis-server", "--port", str(PORTA), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(cartella)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis.from_url(URL)
    limite = time.monotonic() + 20
    while time.monotonic() < limite:
        try:
            if client.ping():
                return processo
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    processo.kill()
    pytest.fail("redis-server on port 6390 did not start")


def uccidi(processo: subprocess.Popen) -> None:
    processo.send_signal(signal.SIGKILL)
    processo.wait(10)


def aspetta(condizione, secondi: float, worker) -> bool:
    limite = time.monotonic() + secondi
    while time.monotonic() < limite and worker.poll() is None:
        if condizione():
            return True
        time.sleep(0.3)
    return condizione()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_killed_report_ordered_redis_restarted_no_beat_the_report_completes(
    client, tmp_path, settings, monkeypatch
):
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    need(shutil.which("redis-server") is not None, "redis-server is not installed")
    import redis

    settings.MEDIA_ROOT = tmp_path
    settings.OUTBOX_ATTESA_MAX_SECONDI = 120
    mondo = costruisci_mondo()
    coda = f"test-senza-beat-{time.monotonic_ns()}"
    prima = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue
    redis_proc = avvia_redis(tmp_path)
    worker = None
    output = ""
    try:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = URL, False, coda
        # The periodic retry far beyond the test: only the reconnection may send the task.
        worker, _q = _start_worker(
            coda, media=tmp_path, redis_url=URL, settings_module="tests.network.worker_settings",
            extra_env={"CELERY_DEFAULT_QUEUE": coda, "OUTBOX_RIPROVA_SECONDI": "3600"},
        )  # fmt: skip
        sonda = redis.Redis.from_url(URL)
        in_ascolto = lambda: any(c.get("cmd") == "brpop" for c in sonda.client_list())  # noqa: E731
        assert aspetta(in_ascolto, 120, worker), "the worker never listened on the broker"

        # Redis dies; a referente orders a report: saved, its task waits in the outbox.
        uccidi(redis_proc)
        client.force_login(mondo.users["referente_a"])
        risposta = client.post(
            reverse("report:nuovo"),
            {"tipo": "mensile_ente", "mese": f"{MESE_SCORSO:%Y-%m}", "ente": mondo.oggetti["enti"]["a"].pk},
        )
        assert risposta.status_code == 302
        report = Report.objects.get()
        riga = Outbox.objects.get()
        assert riga.inviato_il is None and riga.ultimo_errore == "OperationalError"
        stato = client.get(reverse("salute")).json()
        assert stato["outbox"] == "ok" and stato["outbox_in_attesa"] == 1
        time.sleep(3)  # the worker notices the outage and starts reconnecting

        # Redis comes back. Nothing else happens: no beat, no command, no worker restart.
        redis_proc = avvia_redis(tmp_path)
        fatto = lambda: Report.objects.get(pk=report.pk).stato in (Report.Stato.COMPLETATO, Report.Stato.FALLITO)  # noqa: E731
        riga.refresh_from_db()
        resto = settings.OUTBOX_ATTESA_MAX_SECONDI - (timezone.now() - riga.creato_il).total_seconds()
        aspetta(fatto, resto, worker)
        report.refresh_from_db()
        riga.refresh_from_db()
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = prima
        if worker is not None:
            output = _stop_worker(worker)
        uccidi(redis_proc)
    assert report.stato == Report.Stato.COMPLETATO, (report.stato, report.errore, output)
    assert riga.inviato_il is not None
    attesa = (riga.inviato_il - riga.creato_il).total_seconds()
    assert attesa < settings.OUTBOX_ATTESA_MAX_SECONDI, attesa
    print(f"outbox row sent {attesa:.1f} s after it was written")
    stato = client.get(reverse("salute")).json()
    assert stato["outbox"] == "ok" and stato["outbox_in_attesa"] == 0
    assert "Traceback" not in output, output
