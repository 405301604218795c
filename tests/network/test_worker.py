"""A real Celery worker, in its own process, on the Redis broker and the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from network.celery import app
from pubblico import counters
from tests.conftest import need
from tests.factories import ServizioFactory

ROOT = Path(__file__).resolve().parents[2]


def _start_worker(
    queue: str | None = None, *, lento: bool = False, visibilita: int | None = None, media=None,
    redis_url: str | None = None, settings_module: str = "network.settings.test", extra_env: dict | None = None,
):  # fmt: skip
    """A real worker process on the Redis broker and the test database, on its own queue.
    `lento`: its PDF step hangs (to be killed there); `visibilita`: seconds after which it takes
    back a task a dead worker never acknowledged; `redis_url`: another Redis than the suite's."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=redis_url or settings.REDIS_URL,
        **(extra_env or {}),
    )
    if visibilita is not None:
        env["CELERY_VISIBILITY_TIMEOUT"] = str(visibilita)
    if media is not None:
        env["DJANGO_MEDIA_ROOT"] = str(media)
    queue = queue or f"test-{os.getpid()}-{time.monotonic_ns()}"
    comando = (
        [sys.executable, str(ROOT / "tests/network/worker_lento.py")] if lento else [sys.executable, "-m", "celery"]
    )
    worker = subprocess.Popen(
        [*comando, "-A", "network", "worker", "--pool=solo", "--concurrency=1", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    return worker, queue


def _stop_worker(worker) -> str:
    worker.send_signal(signal.SIGTERM)
    try:
        output, _ = worker.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    return output


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_refreshes_counters_from_a_queued_task():
    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    ServizioFactory()
    ServizioFactory()
    cache.clear()

    worker, queue = _start_worker()
    eager = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False
        from pubblico.tasks import refresh_counters

        refresh_counters.apply_async(queue=queue)
        key = counters.cache_key(timezone.localdate())
        deadline = time.monotonic() + 120  # worker start-up included: generous on a loaded machine
        while cache.get(key) is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        cached = cache.get(key)
        assert cached is not None, "the worker did not run the task"
        assert cached["rete"] == {"enti": 2, "olp": 2, "volontari": 2}
    finally:
        app.conf.task_always_eager = eager
        output = _stop_worker(worker)
    assert "Traceback" not in output, output


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_produces_a_real_report_pdf_with_the_figures():
    import datetime
    import io

    from pypdf import PdfReader

    from monitoraggio import reports
    from monitoraggio.models import Report
    from monitoraggio.tasks import genera_report
    from tests.personas import costruisci_mondo
    from volontari.models import Presenza

    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    mondo = costruisci_mondo()
    da, a = reports.periodo_del_mese(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = da - datetime.timedelta(days=10)
    servizio.save()
    for i in range(7):
        Presenza.objects.create(
            servizio=servizio, giorno=da + datetime.timedelta(days=i), codice="P", attivita="servizio", ore=6
        )
    report = Report.objects.create(
        tipo="mensile_ente", ente=mondo.oggetti["enti"]["a"], periodo_inizio=da, periodo_fine=a
    )

    worker, queue = _start_worker()
    eager = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False
        genera_report.apply_async(args=[report.pk], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            report.refresh_from_db()
            if report.stato in (Report.Stato.COMPLETATO, Report.Stato.FALLITO):
                break
            time.sleep(0.3)
    finally:
        app.conf.task_always_eager = eager
        output = _stop_worker(worker)
    assert report.stato == Report.Stato.COMPLETATO, (report.errore, output)
    with report.file.open("rb") as fh:
        testo = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    report.file.delete(save=False)
    assert "Comune di Alfa" in testo
    assert "42 /" in testo  # 7 days x 6 hours in the month, against the plan


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_report_leaves_a_job_another_worker_completes_once(tmp_path, settings):
    """acks_late: the killed worker never acknowledged the task, so the broker hands it to the
    next worker, which starts the job again and finishes it; one file, two attempts."""
    import datetime
    import io

    from pypdf import PdfReader

    from monitoraggio import reports
    from monitoraggio.models import Report
    from monitoraggio.tasks import genera_report
    from tests.personas import costruisci_mondo

    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    settings.MEDIA_ROOT = tmp_path  # the workers write there too
    mondo = costruisci_mondo()
    da, a = reports.periodo_del_mese(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    report = Report.objects.create(
        tipo="mensile_ente", ente=mondo.oggetti["enti"]["a"], periodo_inizio=da, periodo_fine=a
    )

    def aspetta(condizione, secondi, worker):
        deadline = time.monotonic() + secondi
        while time.monotonic() < deadline and worker.poll() is None:
            report.refresh_from_db()
            if condizione(report):
                return True
            time.sleep(0.2)
        return False

    lento, queue = _start_worker(lento=True, media=tmp_path)
    eager = app.conf.task_always_eager
    secondo = None
    try:
        app.conf.task_always_eager = False
        genera_report.apply_async(args=[report.pk], queue=queue)
        # Killed while writing the PDF: after the figures, before the file.
        assert aspetta(lambda r: r.stato == Report.Stato.IN_CORSO and r.progresso >= 75, 60, lento), report.stato
        lento.kill()
        lento.wait(timeout=10)
        report.refresh_from_db()
        assert report.stato == Report.Stato.IN_CORSO and report.tentativi == 1 and not report.file
        secondo, _q = _start_worker(queue, visibilita=2, media=tmp_path)
        completato = aspetta(lambda r: r.stato in (Report.Stato.COMPLETATO, Report.Stato.FALLITO), 90, secondo)
    finally:
        app.conf.task_always_eager = eager
        output = _stop_worker(secondo) if secondo is not None else ""
        if lento.poll() is None:
            lento.kill()
    assert completato and report.stato == Report.Stato.COMPLETATO, (report.stato, report.errore, output)
    assert report.tentativi == 2 and report.progresso == 100
    with report.file.open("rb") as fh:
        testo = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert [f.relative_to(tmp_path).as_posix() for f in tmp_path.rglob("*.pdf")] == [report.file.name]
    assert "Comune di Alfa" in testo
