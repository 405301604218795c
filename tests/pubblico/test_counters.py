"""The public counters: definitions at their date boundaries, caching and refresh."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enti.models import Ente
from pubblico import counters
from tests.factories import EnteFactory, NodoFactory, OlpFactory, PostoSedeFactory, ServizioFactory
from volontari.models import Servizio

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def rete(on=TODAY):
    return counters.calcola(on)["rete"]


def test_service_is_active_from_its_first_to_its_last_day_both_included():
    ServizioFactory(data_inizio=day(-100), data_fine_prevista=day(0), data_fine=day(0))  # ends today
    ServizioFactory(data_inizio=day(0), data_fine_prevista=day(300), data_fine=day(300))  # starts today
    assert rete()["volontari"] == 2
    assert rete(day(1))["volontari"] == 1  # the first one ended yesterday
    assert rete(day(-1))["volontari"] == 1  # the second one starts tomorrow


def test_service_starting_tomorrow_does_not_count_today():
    ServizioFactory(data_inizio=day(1), data_fine_prevista=day(300), data_fine=day(300))
    assert rete() == {"enti": 1, "olp": 0, "volontari": 0}


def test_interrupted_service_counts_until_its_last_day_of_service_only():
    ServizioFactory(
        data_inizio=day(-100),
        data_fine_prevista=day(200),
        data_fine=day(-1),
        stato=Servizio.Stato.INTERROTTO,
        motivo_interruzione="Lavoro",
    )
    assert rete()["volontari"] == 0
    assert rete()["olp"] == 0
    assert rete(day(-1))["volontari"] == 1


def test_renounced_service_never_counts():
    ServizioFactory(
        data_inizio=day(-10), data_fine_prevista=day(300), data_fine=day(300), stato=Servizio.Stato.RINUNCIA
    )
    assert rete()["volontari"] == 0


def test_olp_counts_once_however_many_volunteers_and_only_with_one_in_service():
    posto = PostoSedeFactory()
    olp_attivo = OlpFactory(ente=posto.sede.ente)
    olp_passato = OlpFactory(ente=posto.sede.ente)
    OlpFactory(ente=posto.sede.ente)  # no volunteer at all
    for _ in range(3):
        ServizioFactory(
            posto=posto, olp=olp_attivo, data_inizio=day(-10), data_fine_prevista=day(300), data_fine=day(300)
        )
    ServizioFactory(
        posto=posto, olp=olp_passato, data_inizio=day(-400), data_fine_prevista=day(-36), data_fine=day(-36)
    )
    assert rete()["olp"] == 1
    assert rete()["volontari"] == 3


@pytest.mark.parametrize(
    ("stato", "data_adesione_offset", "counts"),
    [
        (Ente.StatoAdesione.ADERENTE, -1, True),
        (Ente.StatoAdesione.ADERENTE, 0, True),
        (Ente.StatoAdesione.ADERENTE, 1, False),  # adhesion starts tomorrow
        (Ente.StatoAdesione.RICHIESTA, None, False),
        (Ente.StatoAdesione.IN_ISTRUTTORIA, None, False),
        (Ente.StatoAdesione.DA_INTEGRARE, None, False),
        (Ente.StatoAdesione.SOSPESO, -30, False),
    ],
)
def test_enti_count_only_active_adhesions(stato, data_adesione_offset, counts):
    EnteFactory(
        stato_adesione=stato,
        data_richiesta=day(-60),
        data_adesione=day(data_adesione_offset) if data_adesione_offset is not None else None,
    )
    assert rete()["enti"] == (1 if counts else 0)


def test_ceased_ente_does_not_count():
    EnteFactory(stato_adesione=Ente.StatoAdesione.CESSATO, data_adesione=day(-300), data_cessazione=day(-3))
    assert rete()["enti"] == 0


def test_figures_per_nodo_add_up_to_the_network():
    veneto = NodoFactory(slug="veneto")
    ServizioFactory(data_inizio=day(-5), data_fine_prevista=day(300), data_fine=day(300))
    ServizioFactory(
        posto=PostoSedeFactory(progetto__ente__nodo=veneto),
        data_inizio=day(-5),
        data_fine_prevista=day(300),
        data_fine=day(300),
    )
    result = counters.calcola(TODAY)
    per_nodo = {n["slug"]: n for n in result["nodi"]}
    assert per_nodo["veneto"]["volontari"] == 1
    assert per_nodo["veneto"]["olp"] == 1
    assert per_nodo["veneto"]["enti"] == 1
    assert per_nodo["lombardia"]["volontari"] == 1
    assert result["rete"] == {"enti": 2, "olp": 2, "volontari": 2}


def test_get_serves_from_cache_without_sql():
    ServizioFactory()
    first = counters.get()
    with CaptureQueriesContext(connection) as ctx:
        second = counters.get()
    assert len(ctx.captured_queries) == 0
    assert second == first


def test_cache_key_carries_the_day_so_midnight_recomputes():
    ServizioFactory(
        data_inizio=timezone.localdate(), data_fine_prevista=timezone.localdate(), data_fine=timezone.localdate()
    )
    today = timezone.localdate()
    assert counters.get(today)["rete"]["volontari"] == 1
    # The next day's first read is a miss and sees the service ended.
    assert cache.get(counters.cache_key(today + datetime.timedelta(days=1))) is None
    assert counters.get(today + datetime.timedelta(days=1))["rete"]["volontari"] == 0


@pytest.mark.django_db(transaction=True)
def test_cache_refreshed_after_commit_and_not_before():
    posto = PostoSedeFactory()
    assert counters.get()["rete"]["volontari"] == 0
    with transaction.atomic():
        ServizioFactory(posto=posto, olp=OlpFactory(ente=posto.sede.ente))
        # Inside the transaction the cached figures are still the committed ones.
        assert cache.get(counters.cache_key(timezone.localdate()))["rete"]["volontari"] == 0
    assert cache.get(counters.cache_key(timezone.localdate()))["rete"]["volontari"] == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_the_cache_alone():
    posto = PostoSedeFactory()
    counters.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        ServizioFactory(posto=posto, olp=OlpFactory(ente=posto.sede.ente))
        raise RuntimeError("abort")
    assert cache.get(counters.cache_key(timezone.localdate()))["rete"]["volontari"] == 0


def test_many_changes_in_one_transaction_refresh_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        posto = PostoSedeFactory()
        olp = OlpFactory(ente=posto.sede.ente)
        for _ in range(5):
            ServizioFactory(posto=posto, olp=olp)
    # One refresh of the counters, one new generation of the public pages (pubblico.pagine) and
    # one rebuild of the open-data files queued (pubblico.opendata; in-process tasks are sent
    # from a lambda on commit, and `_accodato` marks the transaction that queued it).
    assert sorted(cb.__name__ for cb in callbacks) == [
        "<lambda>", "_accodato", "_nuova_generazione", "_refresh_after_commit"
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_an_ente_joining_moves_the_counter():
    ente = EnteFactory(stato_adesione=Ente.StatoAdesione.IN_ISTRUTTORIA, data_adesione=None)
    assert counters.get()["rete"]["enti"] == 0
    ente.stato_adesione = Ente.StatoAdesione.ADERENTE
    ente.data_adesione = timezone.localdate()
    ente.save()
    with CaptureQueriesContext(connection) as ctx:
        assert counters.get()["rete"]["enti"] == 1
    assert ctx.captured_queries == []  # refreshed on commit, read from the cache
