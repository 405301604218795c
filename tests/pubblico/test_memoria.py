"""The per-process layer over the shared cache (infra.memoria), switched on as in
production: a hit asks nothing of the shared cache, a change made in this process is seen at
once, one made elsewhere within the TTL, and never later."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from infra import memoria
from pubblico import counters
from tests.factories import ServizioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def acceso(settings):
    settings.CACHE_LOCALE_SECONDI = 1
    memoria.svuota()
    cache.clear()
    yield
    memoria.svuota()


@pytest.fixture
def orologio(monkeypatch):
    """memoria's clock, moved by hand."""
    adesso = [1000.0]
    monkeypatch.setattr(memoria.time, "monotonic", lambda: adesso[0])
    return adesso


def letture_condivise():
    return mock.patch.object(cache, "get", wraps=cache.get)


def test_a_hit_reads_neither_the_database_nor_the_shared_cache(orologio):
    ServizioFactory()
    prima = counters.get()
    with letture_condivise() as get, CaptureQueriesContext(connection) as ctx:
        assert counters.get() == prima
    assert get.call_count == 0 and len(ctx.captured_queries) == 0


def test_a_change_in_another_process_is_seen_after_the_ttl_and_not_before(orologio):
    ServizioFactory()
    vecchie = counters.get()
    # Another worker refreshed the shared entry: this process does not know yet.
    nuove = {**vecchie, "rete": {**vecchie["rete"], "volontari": vecchie["rete"]["volontari"] + 5}}
    cache.set(counters.cache_key(counters.timezone.localdate()), nuove)
    orologio[0] += 0.5
    assert counters.get()["rete"] == vecchie["rete"]
    orologio[0] += 0.6  # past the second
    assert counters.get()["rete"] == nuove["rete"]


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_in_this_process_is_seen_at_once(orologio):
    ServizioFactory()  # real commits: the refresh runs after each
    assert counters.get()["rete"]["volontari"] == 1
    ServizioFactory()
    assert counters.get()["rete"]["volontari"] == 2  # no time has passed


def test_the_anonymous_home_page_is_served_from_the_process_on_a_hit(client, orologio):
    ServizioFactory()
    primo = client.get(reverse("home"))
    with letture_condivise() as get, CaptureQueriesContext(connection) as ctx:
        secondo = client.get(reverse("home"))
    assert secondo.status_code == 200 and secondo.content == primo.content
    assert secondo["ETag"] == primo["ETag"]
    assert get.call_args_list == [] and len(ctx.captured_queries) == 0


def test_the_counters_endpoint_is_served_from_the_process_on_a_hit(client, orologio):
    ServizioFactory()
    url = reverse("pubblico:dataset", args=["contatori", "json"])
    primo = client.get(url)
    with letture_condivise() as get:
        secondo = client.get(url)
    assert secondo.content == primo.content and get.call_args_list == []


def test_switched_off_every_read_goes_to_the_shared_cache(settings):
    settings.CACHE_LOCALE_SECONDI = 0
    ServizioFactory()
    counters.get()
    with letture_condivise() as get:
        counters.get()
    assert get.call_count == 1


def test_the_layer_stays_bounded(orologio):
    for i in range(memoria.MAX_VOCI * 3):
        memoria.scrivi(f"k{i}", i)
    assert len(memoria._voci) <= memoria.MAX_VOCI
