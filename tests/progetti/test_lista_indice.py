"""The projects list, latest changed first, reads its page along progetto_aggiornato_il_idx
and groups nothing (at national scale the page took 460 ms grouping every project with its
places for a figure nobody showed; 15 ms now: docs/benchmarks.md)."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import need
from tests.personas import client_per, costruisci_mondo
from tests.volontari.test_explain_indici import Cattura

pytestmark = pytest.mark.django_db


def pagina_dei_progetti(client, persona) -> list[tuple[str, tuple]]:
    mondo = costruisci_mondo()
    client_per(client, mondo, persona)
    cattura = Cattura()
    with connection.execute_wrapper(cattura):
        assert client.get(reverse("progetti:lista")).status_code == 200
    pagine = [(sql, p) for sql, p in cattura.query if "LIMIT" in sql and 'FROM "progetti_progetto"' in sql]
    assert pagine, "the list reads no page of projects: the capture is broken"
    return pagine


@pytest.mark.parametrize("persona", ["nazionale", "nodo_lombardia", "referente_a"])
def test_the_page_of_projects_groups_nothing(client, persona):
    for sql, _params in pagina_dei_progetti(client, persona):
        assert "GROUP BY" not in sql, sql


def test_the_page_of_projects_walks_the_update_index(client):
    need(connection.vendor == "postgresql", "EXPLAIN plans are PostgreSQL's")
    pagine = pagina_dei_progetti(client, "nazionale")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_sort = off")
        try:
            for sql, params in pagine:
                cursor.execute("EXPLAIN " + sql, params)
                piano = "\n".join(r[0] for r in cursor.fetchall())
                assert "progetto_aggiornato_il_idx" in piano, f"{sql}\n{piano}"
        finally:
            cursor.execute("SET enable_seqscan = on; SET enable_sort = on")
