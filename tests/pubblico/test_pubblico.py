"""The public face: HTTP caching of the live figures, their history, the network's pages,
news, and open data that matches the pages."""

import csv
import datetime
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pubblico import counters
from pubblico.models import Istantanea, Notizia
from pubblico.tasks import refresh_counters
from tests.factories import EnteFactory, PostoSedeFactory, ProgettoFactory, ServizioFactory
from tests.personas import costruisci_mondo
from tests.pubblico.test_home import make_services

pytestmark = pytest.mark.django_db
CONTATORI = reverse("pubblico:dataset", args=["contatori", "json"])


@pytest.fixture(autouse=True)
def cache_vuota():
    cache.clear()


# Caching of the live figures ---------------------------------------------------------------


def test_counters_endpoint_hit_runs_no_sql_and_revalidates_with_304(client):
    make_services(5)
    prima = client.get(CONTATORI)
    assert (
        prima.status_code == 200
        and prima["Cache-Control"] == "public, max-age=5, s-maxage=5, stale-while-revalidate=30"
    )
    etag = prima["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        ancora = client.get(CONTATORI, headers={"if-none-match": etag})
    assert ancora.status_code == 304 and ctx.captured_queries == []
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(CONTATORI).status_code == 200
    assert ctx.captured_queries == []
    documento = json.loads(prima.content)
    assert documento["dati"][0] == {
        "livello": "rete", "nodo": "", "nome": "", "giorno": timezone.localdate().isoformat(),
        "enti": 1, "olp": 1, "volontari": 5,
    }  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_counters_etag_changes_after_a_committed_change_and_not_before(client):
    from django.db import transaction

    make_services(2)
    etag = client.get(CONTATORI)["ETag"]
    with transaction.atomic():
        ServizioFactory(posto=PostoSedeFactory())
        # Not committed yet: the figures and their ETag have not moved.
        assert client.get(CONTATORI, headers={"if-none-match": etag}).status_code == 304
    risposta = client.get(CONTATORI, headers={"if-none-match": etag})
    assert risposta.status_code == 200 and risposta["ETag"] != etag
    assert json.loads(risposta.content)["dati"][0]["volontari"] == 3


def test_home_page_is_cacheable_for_visitors_and_answers_304(client):
    make_services(3)
    prima = client.get(reverse("home"))
    assert prima["Cache-Control"] == "public, max-age=30, s-maxage=5, stale-while-revalidate=30" and prima.has_header(
        "ETag"
    )
    assert "Cookie" in prima["Vary"]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home"), headers={"if-none-match": prima["ETag"]}).status_code == 304
    assert ctx.captured_queries == []
    # Another language is another ETag.
    client.cookies["django_language"] = "en"
    assert client.get(reverse("home"))["ETag"] != prima["ETag"]


def test_home_page_for_signed_in_people_is_private(client):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    risposta = client.get(reverse("home"))
    assert "private" in risposta["Cache-Control"] and not risposta.has_header("ETag")


def test_news_published_changes_the_home_page(client):
    etag = client.get(reverse("home"))["ETag"]
    Notizia.objects.create(titolo="Bando 2027", slug="bando-2027", sommario="Uscito", testo="Testo", pubblicata=True)
    risposta = client.get(reverse("home"), headers={"if-none-match": etag})
    assert risposta.status_code == 200 and "Bando 2027" in risposta.content.decode()
    Notizia.objects.create(titolo="Bozza", slug="bozza", sommario="No", testo="No", pubblicata=False)
    assert "Bozza" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("pubblico:notizia", args=["bozza"])).status_code == 404
    html = client.get(reverse("pubblico:notizia", args=["bando-2027"])).content.decode()
    assert "Bando 2027" in html


# History -----------------------------------------------------------------------------------


def test_midnight_task_keeps_the_day_just_ended(client):
    make_services(4)
    refresh_counters.delay()
    ieri = Istantanea.objects.get()
    assert ieri.giorno == timezone.localdate() - datetime.timedelta(days=1)
    assert (ieri.enti, ieri.olp, ieri.volontari) == (1, 1, 4)  # the services started 10 days ago
    refresh_counters.delay()
    assert Istantanea.objects.count() == 1  # idempotent
    html = client.get(reverse("pubblico:numeri")).content.decode()
    assert "<svg" in html and "<polyline" in html
    assert f'datetime="{timezone.localdate():%Y-%m-%d}"' in html  # today's row in the table


def test_history_open_data_matches_the_snapshots(client):
    counters.scatta_istantanea(datetime.date(2026, 3, 1))
    Istantanea.objects.filter(giorno=datetime.date(2026, 3, 1)).update(enti=10, olp=20, volontari=30)
    righe = list(
        csv.DictReader(io.StringIO(client.get(reverse("pubblico:dataset", args=["storico", "csv"])).content.decode()))
    )
    rete = [r for r in righe if r["livello"] == "rete"]
    assert rete == [
        {"giorno": "2026-03-01", "livello": "rete", "nodo": "", "enti": "10", "olp": "20", "volontari": "30"}
    ]


# Open data matches the pages ---------------------------------------------------------------


def test_counters_open_data_match_the_home_page(client):
    mondo = costruisci_mondo()
    html = client.get(reverse("home")).content.decode()
    dati = json.loads(client.get(CONTATORI).content)["dati"]
    rete = dati[0]
    for chiave in ("enti", "olp", "volontari"):
        assert f'data-contatore="{chiave}" aria-describedby="cifra-{chiave}">{rete[chiave]}<' in html
    lombardia = next(r for r in dati if r["nodo"] == mondo.oggetti["nodi"]["lombardia"].slug)
    riga = html.split(f'data-nodo="{lombardia["nodo"]}"')[1].split("</tr>")[0]
    assert f'data-contatore="volontari">{lombardia["volontari"]}<' in riga
    csv_righe = list(
        csv.DictReader(io.StringIO(client.get(reverse("pubblico:dataset", args=["contatori", "csv"])).content.decode()))
    )
    assert csv_righe[0]["volontari"] == str(rete["volontari"])


def test_member_bodies_open_data_match_the_node_page(client):
    mondo = costruisci_mondo()
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    EnteFactory(nodo=lombardia, denominazione="=Formula pericolosa", stato_adesione="richiesta")  # not a member
    righe = list(
        csv.DictReader(io.StringIO(client.get(reverse("pubblico:dataset", args=["enti", "csv"])).content.decode()))
    )
    html = client.get(reverse("pubblico:nodo", args=[lombardia.slug])).content.decode()
    nel_nodo = [r for r in righe if r["nodo"] == lombardia.slug]
    assert nel_nodo and all(r["denominazione"] in html for r in nel_nodo)
    assert "Formula pericolosa" not in html and all("Formula" not in r["denominazione"] for r in righe)
    assert set(righe[0]) == {"codice_fiscale", "denominazione", "tipo", "comune_istat", "comune", "provincia",
                             "regione", "nodo", "aderente_dal"}  # fmt: skip


def test_projects_open_data_list_the_approved_ones_with_their_places(client):
    approvato = ProgettoFactory(stato="approvato", titolo="+Orti condivisi")
    PostoSedeFactory(progetto=approvato, sede__ente=approvato.ente, posti_senza_vitto_alloggio=3)
    ProgettoFactory(stato="bozza", titolo="Bozza segreta")
    documento = json.loads(client.get(reverse("pubblico:dataset", args=["progetti", "json"])).content)
    assert documento["licenza"] == "CC-BY-4.0" and documento["versione_schema"] == "1"
    assert [c["nome"] for c in documento["campi"]] == list(documento["dati"][0])
    (riga,) = documento["dati"]
    assert riga["titolo"] == "+Orti condivisi" and riga["posti"] == 3  # JSON keeps the text exactly
    testo = client.get(reverse("pubblico:dataset", args=["progetti", "csv"])).content.decode()
    assert "'+Orti condivisi" in testo and "Bozza segreta" not in testo  # CSV defuses formulas
    risposta = client.get(reverse("pubblico:dataset", args=["progetti", "csv"]))
    assert risposta["Access-Control-Allow-Origin"] == "*" and "creativecommons.org/licenses/by/4.0" in risposta["Link"]
    assert (
        client.get(
            reverse("pubblico:dataset", args=["progetti", "csv"]), headers={"if-none-match": risposta["ETag"]}
        ).status_code
        == 304
    )


def test_open_data_page_documents_every_field(client):
    from pubblico import opendata

    html = client.get(reverse("pubblico:dati")).content.decode()
    assert "CC BY 4.0" in html
    for d in opendata.DATASETS.values():
        assert reverse("pubblico:dataset", args=[d.nome, "csv"]) in html
        for c in d.campi:
            assert f"<code>{c.nome}</code>" in html
    assert client.get(reverse("pubblico:dataset", args=["segreti", "json"])).status_code == 404
    assert client.get(reverse("pubblico:dataset", args=["enti", "xml"])).status_code == 404


# The network's pages -----------------------------------------------------------------------


def test_network_page_lists_nodes_and_members_by_province(client):
    mondo = costruisci_mondo()
    html = client.get(reverse("pubblico:rete")).content.decode()
    assert "ANCI Lombardia" in html and "ANCI Veneto" in html
    ente = mondo.oggetti["enti"]["a"]
    assert ente.comune.provincia.nome in html
    assert client.get(reverse("pubblico:nodo", args=["non-esiste"])).status_code == 404


def test_public_pages_show_no_personal_data(client):
    mondo = costruisci_mondo()
    volontario = mondo.oggetti["servizi"]["a"].volontario
    for nome in ("home", "pubblico:rete", "pubblico:numeri", "pubblico:dati"):
        html = client.get(reverse(nome)).content.decode()
        assert volontario.codice_fiscale not in html and volontario.cognome not in html
    html = client.get(reverse("pubblico:nodo", args=[mondo.oggetti["nodi"]["lombardia"].slug])).content.decode()
    assert volontario.cognome not in html
    for d in ("contatori", "enti", "progetti", "storico"):
        testo = client.get(reverse("pubblico:dataset", args=[d, "json"])).content.decode()
        assert volontario.codice_fiscale not in testo and volontario.cognome not in testo


def test_english_pages_use_english_number_format(client):
    make_services(1240)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("pubblico:numeri")).content.decode()
    assert ">1,240<" in html and 'data-separatore=","' in html
    client.cookies["django_language"] = "it"
    html = client.get(reverse("pubblico:numeri")).content.decode()
    assert ">1.240<" in html and 'data-separatore="."' in html


def test_dates_in_each_languages_format(client):
    quando = timezone.make_aware(datetime.datetime(2026, 3, 5, 10, 0))
    Notizia.objects.create(titolo="T", slug="t", sommario="S", testo="X", pubblicata=True, pubblicata_il=quando)
    assert "05 Marzo 2026" in client.get(reverse("pubblico:notizie")).content.decode()
    client.cookies["django_language"] = "en"
    assert "March 5, 2026" in client.get(reverse("pubblico:notizie")).content.decode()


def test_node_members_are_rendered_once_for_signed_in_visitors_too(client):
    """A nodo's member list (a thousand bodies in Lombardia) is rendered once for everybody:
    a signed-in visitor's second visit reads no member, and a body that joins shows at once."""
    from tests.personas import client_per

    mondo = costruisci_mondo()
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    c = client_per(client, mondo, "referente_a")
    url = reverse("pubblico:nodo", args=[lombardia.slug])
    assert mondo.oggetti["enti"]["a"].denominazione in c.get(url).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if 'FROM "enti_ente"' in q["sql"]]
    EnteFactory(nodo=lombardia, denominazione="Comune di Nuovo Ingresso", stato_adesione="aderente")
    assert "Comune di Nuovo Ingresso" in c.get(url).content.decode()
