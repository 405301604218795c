"""The hot queries can use their indexes (PostgreSQL's EXPLAIN).

The queries are the ones the code really sends: they are captured while an OLP opens and
saves the month grid and while the public counters are computed, then explained with
sequential scans priced out (`enable_seqscan = off`). A hot table read by a sequential scan
all the same has no index the query can use; the plan must name the index it relies on.
On the test database the tables are small, so without that setting PostgreSQL would rightly
scan them; at national scale the benchmark shows the same plans (docs/benchmarks.md)."""

import datetime
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pubblico import counters
from tests.conftest import need
from tests.personas import client_per, costruisci_mondo
from tests.volontari.test_griglia import dati_mese

pytestmark = pytest.mark.django_db

TABELLE_CALDE = ("volontari_presenza", "volontari_servizio", "volontari_chiusuramensile")


class Cattura:
    def __init__(self):
        self.query: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            self.query.append((sql, params))
        return execute(sql, params, many, context)


def piani(cattura: Cattura, tabella: str) -> list[tuple[str, str]]:
    """(sql, plan) of every captured query reading `tabella`, explained with seq scans off."""
    risultato = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for sql, params in cattura.query:
                if not re.search(rf'FROM "{tabella}"|JOIN "{tabella}"', sql):
                    continue
                cursor.execute("EXPLAIN " + sql, params)
                risultato.append((sql, "\n".join(r[0] for r in cursor.fetchall())))
        finally:
            cursor.execute("SET enable_seqscan = on")
    return risultato


@pytest.fixture
def mondo():
    need(connection.vendor == "postgresql", "EXPLAIN plans are PostgreSQL's")
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]  # in service over last month, whatever today's date
    a.data_inizio = timezone.localdate() - datetime.timedelta(days=200)
    a.data_fine = a.data_fine_prevista = timezone.localdate() + datetime.timedelta(days=100)
    a.save()
    return mondo


def griglia_aperta_e_salvata(client, mondo) -> Cattura:
    servizio = mondo.oggetti["servizi"]["a"]
    mese = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    client_per(client, mondo, "olp_a")
    cattura = Cattura()
    with connection.execute_wrapper(cattura):
        assert client.get(reverse("registro:griglia"), {"mese": f"{mese:%Y-%m}"}).status_code == 200
        salvata = client.post(
            reverse("registro:griglia"), dati_mese([servizio], mese, fino_a=mese + datetime.timedelta(days=6))
        )
        assert salvata.status_code == 200, salvata.content.decode()[:2000]
    return cattura


def test_month_grid_reads_attendance_by_its_unique_index(client, mondo):
    cattura = griglia_aperta_e_salvata(client, mondo)
    trovati = piani(cattura, "volontari_presenza")
    assert trovati, "the grid reads no attendance: the capture is broken"
    for sql, piano in trovati:
        assert "Seq Scan on volontari_presenza" not in piano, f"{sql}\n{piano}"
    assert any("presenza_una_per_servizio_e_giorno" in piano for _, piano in trovati), trovati


def test_month_grid_reads_services_and_closes_by_index(client, mondo):
    cattura = griglia_aperta_e_salvata(client, mondo)
    for tabella in ("volontari_servizio", "volontari_chiusuramensile"):
        trovati = piani(cattura, tabella)
        assert trovati, tabella
        for sql, piano in trovati:
            assert f"Seq Scan on {tabella}" not in piano, f"{sql}\n{piano}"
    # Which index PostgreSQL picks for the OLP's services on these few rows depends on their
    # statistics; at national scale it ORs the OLP's and the volunteer's indexes (bench/piani.py,
    # docs/benchmarks.md). Here: no full walk of the table, checked above.
    chiusure = piani(cattura, "volontari_chiusuramensile")
    assert any("chiusura_una_per_servizio_e_mese" in piano for _, piano in chiusure), chiusure


def test_counters_find_services_in_progress_by_their_period_index(mondo):
    cattura = Cattura()
    with connection.execute_wrapper(cattura):
        counters.calcola(timezone.localdate() - datetime.timedelta(days=1))
    trovati = piani(cattura, "volontari_servizio")
    assert len(trovati) >= 2
    for sql, piano in trovati:
        assert "Seq Scan on volontari_servizio" not in piano, f"{sql}\n{piano}"
    assert all("servizio_periodo_idx" in piano for _, piano in trovati), trovati


def test_volunteers_list_walks_the_name_index(client, mondo):
    """The list is sorted by surname and name: its page can be read along
    volontario_cognome_nome_idx, stopping after 50 rows, instead of sorting every volunteer in
    service of the scope (at national scale 980 ms without the index, 26 ms with it:
    docs/benchmarks.md). On these few rows PostgreSQL would rightly sort, so full sorts are
    priced out as well as sequential scans: without an index in that order the plan still
    sorts, and does not name it."""
    client_per(client, mondo, "nazionale")
    cattura = Cattura()
    with connection.execute_wrapper(cattura):
        assert client.get(reverse("volontari:lista")).status_code == 200
    pagine = [(sql, params) for sql, params in cattura.query if "LIMIT" in sql and 'FROM "volontari_servizio"' in sql]
    assert pagine, "the list reads no page of services: the capture is broken"
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off")
        try:
            for sql, params in pagine:
                cursor.execute("EXPLAIN " + sql, params)
                piano = "\n".join(r[0] for r in cursor.fetchall())
                assert "volontario_cognome_nome_idx" in piano, f"{sql}\n{piano}"
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_sort = on")
