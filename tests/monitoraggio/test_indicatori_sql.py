"""The benchmark's hand-written SQL (bench/indicatori_sql.py) and the portal's indicators
agree on the hand-computed fixture and on the personas' world: each checks the other."""

import pytest
from django.db import connection

from bench.indicatori_sql import calcola_sql, come_calcola
from monitoraggio import indicatori
from tests.conftest import need
from tests.monitoraggio.test_indicatori import DA, OGGI, A, ente, ente_tranche  # noqa: F401 (the fixtures)
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


def test_same_figures_on_the_hand_computed_fixture(ente):  # noqa: F811
    need(connection.vendor == "postgresql", "the baseline is PostgreSQL SQL")
    orm = come_calcola(indicatori.calcola(indicatori.servizi_ambito(nodo=ente.nodo), DA, A, OGGI))
    sql, tempi = calcola_sql(ente.nodo_id, DA, A, OGGI)
    assert sql == orm and set(tempi) and all(t >= 0 for t in tempi.values())
    assert sql["volontari"] > 0 and sql["ore"][0] > 0  # not a comparison of empty results


def test_same_figures_for_the_network_and_a_node():
    need(connection.vendor == "postgresql", "the baseline is PostgreSQL SQL")
    import datetime

    from django.utils import timezone

    mondo = costruisci_mondo()
    oggi = timezone.localdate()
    a = oggi.replace(day=1) - datetime.timedelta(days=1)
    da = a.replace(day=1)
    for nodo in (None, mondo.oggetti["nodi"]["lombardia"]):
        servizi = indicatori.servizi_ambito(nodo=nodo) if nodo else indicatori.servizi_ambito()
        orm = come_calcola(indicatori.calcola(servizi, da, a, oggi))
        assert calcola_sql(nodo.pk if nodo else None, da, a, oggi)[0] == orm


def test_same_figures_with_specific_training_in_two_tranches(ente_tranche):  # noqa: F811
    need(connection.vendor == "postgresql", "the baseline is PostgreSQL SQL")
    orm = come_calcola(indicatori.calcola(indicatori.servizi_ambito(nodo=ente_tranche.nodo), DA, A, OGGI))
    sql, _tempi = calcola_sql(ente_tranche.nodo_id, DA, A, OGGI)
    assert sql == orm and sql["formazione_specifica"] == 2


def test_same_olp_over_the_maximum_with_shared_places_and_sector_limits(ente):  # noqa: F811
    """The OLP's load (progetti.carico_olp) in SQL: whole shares rounded up, volunteers assigned
    beyond a share, the strictest call and its sector limit."""
    need(connection.vendor == "postgresql", "the baseline is PostgreSQL SQL")
    import datetime

    from progetti.models import LimiteOlpSettore
    from tests.factories import BandoFactory, OlpFactory, PostoSedeFactory, ServizioFactory

    bando = BandoFactory(nome="Bando SQL OLP", max_volontari_per_olp=3)
    x, y, z = (OlpFactory(ente=ente) for _ in range(3))
    # One place shared by three OLP (one each), taken by a volunteer of Y's.
    condiviso = PostoSedeFactory(
        progetto__ente=ente, progetto__bando=bando, progetto__stato="approvato", posti_senza_vitto_alloggio=1
    )
    condiviso.olp.set([x, y, z])
    ServizioFactory(
        posto=condiviso, olp=y, data_inizio=A - datetime.timedelta(days=30),
        data_fine_prevista=A + datetime.timedelta(days=300), data_fine=A + datetime.timedelta(days=300),
    )  # fmt: skip
    # X alone at three more places: 4 against 3.
    PostoSedeFactory(
        progetto__ente=ente, progetto__bando=bando, progetto__stato="in_corso", posti_senza_vitto_alloggio=3
    ).olp.set([x])
    # Y and Z share two places of a call that allows one volunteer per OLP in that sector: 2 against 1.
    stretto = BandoFactory(nome="Bando SQL stretto", max_volontari_per_olp=4)
    posto = PostoSedeFactory(
        progetto__ente=ente, progetto__bando=stretto, progetto__stato="finanziato", posti_senza_vitto_alloggio=2
    )
    posto.olp.set([y, z])
    LimiteOlpSettore.objects.create(bando=stretto, settore=posto.progetto.settore, max_volontari_per_olp=1)
    orm = indicatori.calcola(indicatori.servizi_ambito(nodo=ente.nodo), DA, A, OGGI)["olp_oltre"].valore
    sql, _tempi = calcola_sql(ente.nodo_id, DA, A, OGGI)
    assert sql["olp_oltre"] == orm
    assert orm == 3  # X, Y and Z (the fixture has no OLP over the maximum of its own)
