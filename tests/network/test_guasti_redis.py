"""Faults: Redis stopped. Public pages answer with the figures from the database, people sign
in and the register saves, and the tasks that could not be queued wait in the outbox and are
sent once when Redis is back.

Redis "stopped" is a closed port (connection refused, as when the server is down) for the
cache and the Celery broker; the shared Redis is never touched."""

import datetime
import io
import json
import threading
import time
import types

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from infra import cache as cache_tollerante
from infra import outbox
from infra.models import Outbox
from monitoraggio import reports
from monitoraggio.models import Report
from network.celery import app
from pubblico import counters
from tests.conftest import need
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo, current_code
from tests.volontari.test_griglia import dati_mese
from volontari import actions
from volontari.models import Presenza

pytestmark = pytest.mark.django_db
CHIUSO = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused, as with Redis stopped
OGGI = timezone.localdate()
MESE_SCORSO = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def cache_su(location: str, **opzioni) -> dict:
    return {"default": {"BACKEND": "infra.cache.RedisTollerante", "LOCATION": location, "OPTIONS": opzioni}}


@pytest.fixture
def broker_giu():
    """The Celery broker at the closed port, tasks no longer in-process."""
    prima = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = CHIUSO, False
    yield
    app.conf.broker_url, app.conf.task_always_eager = prima


@pytest.fixture
def redis_giu(settings, broker_giu):
    """Cache and broker both unreachable."""
    settings.CACHES = cache_su(CHIUSO)
    cache_tollerante._giu_fino.clear()
    yield
    cache_tollerante._giu_fino.clear()


@pytest.fixture
def orologio_cache(monkeypatch):
    """The outage pause's clock, moved by hand (network.cache only): a loaded machine cannot
    make the pause end between two calls, nor a sleep fall short of it."""
    adesso = [1000.0]
    monkeypatch.setattr(cache_tollerante, "time", types.SimpleNamespace(monotonic=lambda: adesso[0]))
    cache_tollerante._giu_fino.clear()  # times of the real clock mean nothing to this one
    yield adesso
    cache_tollerante._giu_fino.clear()


def test_the_cache_misses_and_skips_writes_while_redis_is_down(redis_giu, orologio_cache, caplog):
    t = time.monotonic()
    assert cache.get("k", "ripiego") == "ripiego"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is True  # as if stored: see infra/cache.py (allauth's locks)
    assert cache.get_or_set("k", 7) == 7
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert time.monotonic() - t < 3
    assert caches["default"].raggiungibile() is False
    # One warning for the outage, not one per call; no key in it (keys may carry personal data).
    avvisi = [r for r in caplog.records if r.name == "infra.cache"]
    assert len(avvisi) == 1 and "ConnectionError" in avvisi[0].getMessage()
    assert "k" not in avvisi[0].args


def test_after_the_pause_the_cache_tries_redis_again(monkeypatch, orologio_cache):
    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    from redis.exceptions import ConnectionError as RedisConnectionError

    c = cache_tollerante.RedisTollerante(
        settings.REDIS_URL, {"KEY_PREFIX": "scu-test", "OPTIONS": {"PAUSA_DOPO_ERRORE": 0.3}}
    )
    c.set("guasti:prova", "valore")
    vero = c._cache.get_client
    chiamate = []

    def rotto(*args, **kwargs):
        chiamate.append(1)
        raise RedisConnectionError("down")

    monkeypatch.setattr(c._cache, "get_client", rotto)
    assert c.get("guasti:prova") is None
    assert c.get("guasti:prova") is None
    assert len(chiamate) == 1  # during the pause Redis is left alone
    monkeypatch.setattr(c._cache, "get_client", vero)
    orologio_cache[0] += 0.29
    assert c.get("guasti:prova") is None  # still paused, though Redis is back
    orologio_cache[0] += 0.02
    assert c.get("guasti:prova") == "valore"
    assert c.raggiungibile() is True
    c.delete("guasti:prova")


def test_public_pages_answer_with_the_figures_from_the_database(client, redis_giu):
    for _ in range(3):
        ServizioFactory()
    attese = counters.calcola(OGGI)["rete"]
    assert attese["volontari"] == 3
    for nome in ("home", "pubblico:rete", "pubblico:numeri", "pubblico:dati"):
        assert client.get(reverse(nome)).status_code == 200, nome
    risposta = client.get(reverse("pubblico:dataset", args=["contatori", "json"]))
    assert risposta.status_code == 200
    rete = json.loads(risposta.content)["dati"][0]
    assert {k: rete[k] for k in ("enti", "olp", "volontari")} == attese
    # A change is counted at once: nothing stale is kept anywhere.
    ServizioFactory()
    rete = json.loads(client.get(reverse("pubblico:dataset", args=["contatori", "json"])).content)["dati"][0]
    assert rete["volontari"] == 4


def test_people_sign_in_with_redis_down_rate_limits_fail_open(client, redis_giu):
    """Sessions are in the database; allauth's rate limits and used-code marks are in the
    cache, and are not enforced while it is down (documented)."""
    mondo = costruisci_mondo()
    risposta = client.post(
        reverse("account_login"), {"login": "referente.a@example.org", "password": "password-for-tests"}
    )
    assert risposta.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    client.logout()
    client.post(reverse("account_login"), {"login": "nodo.lombardia@example.org", "password": "password-for-tests"})
    risposta = client.post(reverse("mfa_authenticate"), {"code": current_code(mondo.users["nodo_lombardia"])})
    assert risposta.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_olp_saves_the_month_grid_with_redis_down(client, redis_giu):
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=200)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    client.force_login(mondo.users["olp_a"])
    risposta = client.post(reverse("registro:griglia"), dati_mese([a], MESE_SCORSO), headers={"HX-Request": "true"})
    assert risposta.status_code == 200
    giorni = actions.rules.giorni_di_servizio(a, MESE_SCORSO)
    assert Presenza.objects.filter(servizio=a).count() == len(giorni)


def ordina_report(client, mondo):
    client.force_login(mondo.users["referente_a"])
    return client.post(
        reverse("report:nuovo"),
        {"tipo": "mensile_ente", "mese": f"{MESE_SCORSO:%Y-%m}", "ente": mondo.oggetti["enti"]["a"].pk},
    )


def test_a_report_ordered_while_the_broker_is_down_waits_in_the_outbox(
    client, redis_giu, django_capture_on_commit_callbacks, settings
):
    # Building the world would queue the open-data files' rebuild in the test's one transaction
    # (pubblico.opendata): this test follows the report's task alone.
    settings.OPENDATA_SU_MODIFICA = False
    mondo = costruisci_mondo()
    with django_capture_on_commit_callbacks(execute=True):
        risposta = ordina_report(client, mondo)
    report = Report.objects.get()
    assert risposta.status_code == 302 and risposta["Location"] == reverse("report:dettaglio", args=[report.pk])
    assert report.stato == Report.Stato.IN_CODA
    riga = Outbox.objects.get()
    assert (riga.task, riga.args, riga.inviato_il) == ("network.tasks.genera_report", [report.pk], None)
    assert (riga.tentativi, riga.ultimo_errore) == (1, "OperationalError")
    # Still down: the flush keeps it, and says how many wait.
    out = _comando()
    assert "0 tasks sent, 1 still waiting" in out
    riga.refresh_from_db()
    assert riga.inviato_il is None and riga.tentativi == 2


def _comando() -> str:
    out = io.StringIO()
    call_command("svuota_outbox", stdout=out)
    return out.getvalue()


def test_in_process_tasks_skip_the_outbox(django_capture_on_commit_callbacks):
    """Without a broker (development, the tests) the task runs after commit, as before."""
    assert app.conf.task_always_eager
    mondo = costruisci_mondo()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reports.ordina(
            acting_user=mondo.users["referente_a"], tipo=Report.Tipo.MENSILE_ENTE, ente=mondo.oggetti["enti"]["a"],
            periodo_inizio=MESE_SCORSO, periodo_fine=MESE_SCORSO.replace(day=28),
        )  # fmt: skip
    assert len(callbacks) == 1 and not Outbox.objects.exists()


@pytest.fixture
def coda(settings):
    """A queue of this test's own on the real Redis, emptied afterwards."""
    import redis

    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    nome = f"test-outbox-{time.monotonic_ns()}"
    prima = app.conf.task_default_queue, app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_default_queue, app.conf.task_always_eager = nome, False
    app.conf.broker_url = settings.REDIS_URL
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield nome, client
    app.conf.task_default_queue, app.conf.task_always_eager, app.conf.broker_url = prima
    client.delete(nome)


def test_the_flush_sends_each_waiting_task_once_in_order(coda):
    nome, redis_client = coda
    righe = [Outbox.objects.create(task="network.tasks.refresh_counters") for _ in range(3)]
    assert outbox.svuota() == 3
    assert outbox.svuota() == 0
    assert redis_client.llen(nome) == 3
    inviate = list(Outbox.objects.order_by("pk").values_list("inviato_il", flat=True))
    assert all(inviate) and inviate == sorted(inviate) and len(righe) == 3


@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_send_each_task_once(monkeypatch):
    """Beat's flush, a worker starting and the command may run together: the row locks (SKIP
    LOCKED) give each row to one of them."""
    need(connection.vendor == "postgresql", "row locks need PostgreSQL")
    Outbox.objects.bulk_create([Outbox(task="network.tasks.refresh_counters", args=[i]) for i in range(30)])
    pubblicate = []
    blocco = threading.Lock()
    # Each flush holds its first row until the other holds one too: both take part whatever
    # the scheduler does (a sleep per row left it to timing: a late thread found none left).
    incontro, primi = threading.Barrier(2, timeout=20), set()

    def pubblica(riga, conn):
        with blocco:
            primo = threading.get_ident() not in primi
            primi.add(threading.get_ident())
        if primo:
            incontro.wait()
        with blocco:
            pubblicate.append(riga.args[0])

    monkeypatch.setattr(outbox, "_pubblica", pubblica)
    barriera = threading.Barrier(2)
    inviati = []

    def svuota():
        try:
            barriera.wait()
            inviati.append(outbox.svuota())
        finally:
            connection.close()

    fili = [threading.Thread(target=svuota) for _ in range(2)]
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        for f in fili:
            f.start()
        for f in fili:
            f.join(30)
    finally:
        app.conf.task_always_eager = eager
    assert sorted(pubblicate) == list(range(30))
    assert sum(inviati) == 30 and all(inviati)  # both took part
    assert not Outbox.objects.filter(inviato_il__isnull=True).exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_back_the_waiting_report_is_sent_once_and_a_real_worker_completes_it(
    client, tmp_path, settings, monkeypatch
):
    from tests.network.test_worker import _start_worker, _stop_worker

    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    import redis

    settings.MEDIA_ROOT = tmp_path  # the worker writes there too
    mondo = costruisci_mondo()
    cache_reale = settings.CACHES
    prima = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue
    coda = f"test-outbox-{time.monotonic_ns()}"
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    worker = None
    try:
        # Redis down: the report is saved, its task waits.
        settings.CACHES = cache_su(CHIUSO)
        app.conf.broker_url, app.conf.task_always_eager = CHIUSO, False
        assert ordina_report(client, mondo).status_code == 302
        report = Report.objects.get()
        assert Outbox.objects.get().inviato_il is None
        # Redis back: a worker starts (and flushes the outbox first) while the command runs too.
        settings.CACHES = cache_reale
        app.conf.broker_url, app.conf.task_default_queue = settings.REDIS_URL, coda
        monkeypatch.setenv("CELERY_DEFAULT_QUEUE", coda)
        worker, _q = _start_worker(coda, media=tmp_path)
        _comando()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and worker.poll() is None:
            report.refresh_from_db()
            if report.stato in (Report.Stato.COMPLETATO, Report.Stato.FALLITO):
                break
            time.sleep(0.3)
        time.sleep(1)  # a second copy of the task, if any, would run now
        report.refresh_from_db()
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = prima
        output = _stop_worker(worker) if worker is not None else ""
        redis_client.delete(coda)
    assert report.stato == Report.Stato.COMPLETATO, (report.stato, report.errore, output)
    assert report.tentativi == 1  # published once, run once
    riga = Outbox.objects.get()
    assert riga.inviato_il is not None and riga.tentativi == 2  # refused while down, then sent
    assert "Traceback" not in output, output


def test_one_flush_per_transaction_however_many_tasks(broker_giu, django_capture_on_commit_callbacks):
    from monitoraggio.tasks import genera_report
    from pubblico.tasks import refresh_counters

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox.accoda(refresh_counters)
        outbox.accoda(genera_report, 1)
    assert len(callbacks) == 1
    # The broker is down: both wait, in order, each tried once by that one flush (it stops at
    # the first failure, so the second is still untried).
    assert list(Outbox.objects.values_list("task", "tentativi")) == [
        ("network.tasks.refresh_counters", 1),
        ("network.tasks.genera_report", 0),
    ]
