"""Query strings under bad input: searches, filters (django-filter), pages, ids, months,
formats, the open data and the language switch. Reading never breaks and never writes."""

from urllib.parse import urlsplit

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from enti.models import Ente
from monitoraggio.models import Report
from progetti.models import Progetto
from tests.personas import client_per, costruisci_mondo
from volontari.models import Presenza, Servizio

from .conftest import esempio
from .strategie import mese_testo, numero_testo, testo_ostile
from .verifiche import RISPOSTE_AMMESSE, istantanea, prova_valori_critici

pytestmark = pytest.mark.django_db

valore = st.one_of(testo_ostile, numero_testo, mese_testo)
# Each list page, who reads it, and the parameters it reads.
PAGINE = {
    "enti:lista": ("nodo_lombardia", ["q", "page"]),
    "volontari:lista": ("referente_a", ["q", "tutti", "page"]),
    "audit:eventi": ("nodo_lombardia", ["verbo", "page"]),
    "inviti:richieste": ("nodo_lombardia", ["stato", "page"]),
    "inviti:lista": ("referente_a", ["page"]),
    "progetti:lista": ("nodo_lombardia", ["stato", "settore", "provincia", "ente", "titolo", "formato", "page"]),
    "progetti:programmi": ("nodo_lombardia", ["page"]),
    "progetti:esperti": ("nodo_lombardia", ["page"]),
    "catalogo:lista": ("anonimo", ["regione", "provincia", "comune", "settore", "tipo_posto", "page"]),
    "monitoraggio:cruscotto": (
        "nodo_lombardia",
        ["settore", "provincia", "stato", "q", "solo_problemi", "livello", "id", "mese", "formato"],
    ),
    "report:lista": ("referente_a", ["page"]),
    "pubblico:notizie": ("anonimo", ["page"]),
    "home": ("anonimo", ["page", "q"]),
    "dashboard": ("olp_a", ["mese"]),
    "registro:griglia": ("olp_a", ["mese"]),
    "registro:relazioni": ("olp_a", ["mese"]),
}
SCELTE = {
    "formato": ["csv", "json", "helios"],
    "livello": ["rete", "nodo", "ente", "progetto"],
    "stato": ["in_attesa", "bozza", "in_corso", "in_servizio"],
    "tipo_posto": ["1", "2", "3", "gmo"],
    "tutti": ["1"],
}


@st.composite
def pagina_e_parametri(draw):
    nome = draw(st.sampled_from(sorted(PAGINE)))
    persona, chiavi = PAGINE[nome]
    parametri = {}
    for chiave in draw(st.lists(st.sampled_from(chiavi), unique=True, max_size=len(chiavi))):
        scelte = SCELTE.get(chiave, ["1"])
        parametri[chiave] = draw(st.one_of(st.sampled_from(scelte), valore))
    return nome, persona, parametri


@given(richiesta=pagina_e_parametri())
def test_pagine_con_parametri(client, mondo, richiesta):
    nome, persona, parametri = richiesta
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(Ente, Progetto, Servizio, Presenza, Report)
        r = client.get(reverse(nome), parametri)
        assert r.status_code in RISPOSTE_AMMESSE
        assert istantanea(Ente, Progetto, Servizio, Presenza, Report) == prima


@pytest.fixture
def mondo():
    return costruisci_mondo()


@given(nome=st.one_of(st.sampled_from(["contatori", "storico", "enti", "progetti"]), testo_ostile), formato=valore)
def test_dati_aperti(client, mondo, nome, formato):
    client_per(client, mondo, "anonimo")
    with esempio():
        try:
            url = reverse("pubblico:dataset", kwargs={"nome": nome, "formato": formato})
        except NoReverseMatch:  # not an address of the site: nothing to ask
            return
        r = client.get(url)
        assert r.status_code in (200, 404)


@given(codice=st.one_of(st.sampled_from(["it", "en"]), testo_ostile), prossima=st.one_of(
    st.sampled_from(["/", "/rete/", "//evil.example", "https://evil.example/", "javascript:alert(1)", "/\\evil"]),
    testo_ostile,
))  # fmt: skip
def test_cambio_lingua(client, mondo, codice, prossima):
    client_per(client, mondo, "anonimo")
    with esempio():
        try:
            url = reverse("pubblico:lingua", args=[codice])
        except NoReverseMatch:
            return
        r = client.get(url, {"next": prossima})
        assert r.status_code in (302, 404)
        if r.status_code == 302:  # back to a page of the site, never elsewhere
            indirizzo = urlsplit(r.url.strip())
            assert indirizzo.scheme in ("", "http", "https") and indirizzo.netloc in ("", "testserver"), r.url
            assert not r.url.lstrip().startswith(("//", "/\\", "\\")), r.url


@given(token=testo_ostile.filter(lambda t: "/" not in t and t.strip()))
def test_indirizzi_segreti(client, mondo, token):
    """Tokens in the path (calendar feed, invitation) that are not tokens."""
    client_per(client, mondo, "anonimo")
    with esempio():
        prima = istantanea(AuditEvent)
        for nome in ("volontari:calendario", "inviti:accetta"):
            try:
                url = reverse(nome, args=[token])
            except NoReverseMatch:
                continue
            r = client.get(url)
            assert r.status_code in (404, 410, 429), (nome, r.status_code)
        assert istantanea(AuditEvent) == prima


def test_pagine_con_parametri_valori_critici(client, mondo):
    ids = {"id", "ente", "settore", "provincia", "regione"}
    n = 0
    for nome, (persona, chiavi) in PAGINE.items():
        client_per(client, mondo, persona)
        # "page" goes to Django's Paginator, which forgives anything: tried at random only.
        tipi = {k: "mese" if k == "mese" else "id" if k in ids else "testo" for k in chiavi if k != "page"}

        def prova(parametri, nome=nome):
            prima = istantanea(Ente, Progetto, Servizio, Presenza, Report)
            r = client.get(reverse(nome), parametri)
            assert r.status_code in RISPOSTE_AMMESSE, (nome, parametri, r.status_code)
            assert istantanea(Ente, Progetto, Servizio, Presenza, Report) == prima

        n += prova_valori_critici(prova, {}, tipi)
    client_per(client, mondo, "anonimo")
    for codice in ("it", "en"):
        for prossima in ("home", "0", "dashboard", "//evil.example", "https://evil.example", "\x00", "/\\evil"):
            r = client.get(reverse("pubblico:lingua", args=[codice]), {"next": prossima})
            assert r.status_code == 302
            assert urlsplit(r.url).netloc in ("", "testserver"), r.url
    assert n > 100
