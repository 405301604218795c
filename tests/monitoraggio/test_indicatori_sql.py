"""The benchmark's hand-written SQL (bench/indicatori_sql.py) and the portal's indicators
agree on the hand-computed fixture and on the personas' world: each checks the other."""

import pytest
from django.db import connection

from bench.indicatori_sql import calcola_sql, come_calcola
from monitoraggio import indicatori
from tests.conftest import need
from tests.monitoraggio.test_indicatori import DA, OGGI, A, ente  # noqa: F401 (the fixture)
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
