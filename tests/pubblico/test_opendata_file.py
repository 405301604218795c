"""Open-data files are built once per change (pubblico.opendata), not per request: a change
queues one rebuild with its transaction; requests are answered from the files, the previous
ones until the new ones exist."""

import csv
import io
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enti.models import Ente
from pubblico import opendata
from tests.factories import EnteFactory

pytestmark = pytest.mark.django_db


def righe_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_first_request_of_a_deployment_builds_the_files(client):
    ente = EnteFactory()
    assert opendata.indice() is None
    response = client.get(reverse("pubblico:dataset", args=["enti", "csv"]))
    assert response.status_code == 200
    assert [r["codice_fiscale"] for r in righe_csv(response)] == [ente.codice_fiscale]
    assert opendata.indice() is not None


def test_requests_are_answered_from_the_files_with_no_sql_and_no_build(client):
    EnteFactory()
    url = reverse("pubblico:dataset", args=["progetti", "json"])
    client.get(url)
    vietato = mock.patch.object(opendata, "costruisci", side_effect=AssertionError("built on a request"))
    with vietato, CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_a_change_queues_one_rebuild_and_until_it_runs_the_previous_file_is_served(client):
    EnteFactory(denominazione="Comune di Prima")
    url = reverse("pubblico:dataset", args=["enti", "csv"])
    prima = client.get(url)
    # A transaction that writes several rows queues one rebuild, run (in-process here) when it
    # commits; held back, so the page must answer from the previous file meanwhile.
    with mock.patch.object(opendata, "costruisci") as costruisci, transaction.atomic():
        Ente.objects.update(denominazione="x")  # no signal: a bulk change waits for beat
        for i in range(3):
            EnteFactory(denominazione=f"Comune nuovo {i}")
        assert costruisci.call_count == 0  # nothing before the commit
    assert costruisci.call_count == 1
    stale = client.get(url)
    assert stale.content == prima.content and stale["ETag"] == prima["ETag"]
    # The rebuild: the new file and a new ETag; the old ETag no longer answers 304.
    opendata.costruisci()
    dopo = client.get(url)
    assert dopo["ETag"] != prima["ETag"]
    assert {r["denominazione"] for r in righe_csv(dopo)} >= {"Comune nuovo 0", "Comune nuovo 1", "Comune nuovo 2"}
    assert client.get(url, HTTP_IF_NONE_MATCH=prima["ETag"]).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=dopo["ETag"]).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_rebuilds_the_files_through_the_outbox(client):
    url = reverse("pubblico:dataset", args=["enti", "csv"])
    assert righe_csv(client.get(url)) == []
    EnteFactory(denominazione="Comune di Dopo")  # committed: the task runs in-process
    assert [r["denominazione"] for r in righe_csv(client.get(url))] == ["Comune di Dopo"]


def test_a_rebuild_without_changes_keeps_every_etag():
    EnteFactory()
    primo = opendata.costruisci()["file"]
    secondo = opendata.costruisci()["file"]
    assert {k: v["etag"] for k, v in primo.items()} == {k: v["etag"] for k, v in secondo.items()}


def test_each_language_gets_its_own_json_and_the_csv_downloads_with_its_name(client):
    EnteFactory()
    it = client.get(reverse("pubblico:dataset", args=["enti", "json"])).json()
    client.cookies["django_language"] = "en"
    en = client.get(reverse("pubblico:dataset", args=["enti", "json"])).json()
    assert it["titolo"] == "Enti aderenti" and en["titolo"] == "Member bodies"
    assert it["dati"] == en["dati"]
    response = client.get(reverse("pubblico:dataset", args=["enti", "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="enti.csv"'


def test_old_builds_are_cleaned_up_but_the_previous_one_stays():
    EnteFactory()
    opendata.costruisci()
    EnteFactory()
    opendata.costruisci()
    EnteFactory()
    opendata.costruisci()
    csv_enti = sorted(p.name for p in opendata.cartella().glob("enti-*.csv"))
    assert len(csv_enti) == 2  # the current build's and the previous one's (requests in flight)


def test_builds_running_at_once_in_one_process_do_not_trip_over_each_other():
    """Threads of one process (a threaded server's first requests) may build together: each
    write has its own temporary file, and every build ends with a complete index."""
    from concurrent.futures import ThreadPoolExecutor

    EnteFactory()
    with ThreadPoolExecutor(max_workers=8) as pool:
        indici = list(pool.map(lambda _i: opendata.costruisci(), range(16)))
    assert all(i["file"] for i in indici)
    assert not list(opendata.cartella().glob(".*.tmp"))
    assert opendata.file_corrente("enti", "csv", "it") is not None
