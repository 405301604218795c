"""Formula injection: text a user may type (names, titles, addresses, notes) starting with
= + - @ or a tab or CR reaches every CSV the portal exports, and no cell of any of them is
one a spreadsheet would run (OWASP: such cells start with a single quote)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from enti.models import Comune, Ente, Nodo, Sede
from progetti.models import Progetto
from tests.factories import PresenzaFactory
from tests.personas import client_per, costruisci_mondo
from volontari import helios
from volontari.models import Presenza, Volontario

from .conftest import esempio
from .strategie import FORMULE, testo_qualsiasi
from .verifiche import verifica_csv_sicuro

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)

formula = st.one_of(
    st.sampled_from(FORMULE),
    # Without NUL: these texts are written straight to the tables, and the forms refuse it anyway.
    st.tuples(st.sampled_from(["=", "+", "-", "@", "\t", "\r", " =", "\n="]), testo_qualsiasi)
    .map("".join)
    .map(lambda t: t.replace("\x00", "")),
)


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=150)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    PresenzaFactory(servizio=a, giorno=MESE, codice="P", attivita="formazione_generale", ore=5)
    PresenzaFactory(servizio=a, giorno=MESE + datetime.timedelta(days=1), codice="NL", attivita="", ore=0)
    return mondo


def _scrivi(mondo, testi: dict) -> None:
    """What users type into the forms of these fields (none of them forbids these characters)."""
    a = mondo.oggetti["servizi"]["a"]
    ente = mondo.oggetti["enti"]["a"]
    # A file for Helios is made only with a volunteer code and notes that fit its Note column
    # (test_helios_completo): here both are there, so that every file is downloaded.
    codice = testi["codice"][:15] if testi["codice"][:15].strip() else "=" + testi["codice"][:14]
    nota = testi["nota"][:300]
    while len(helios.testo_helios(nota)) > helios.NOTA_MAX:
        nota = nota[:-1]
    Volontario.objects.filter(pk=a.volontario_id).update(
        nome=testi["nome"][:100], cognome=testi["cognome"][:100], codice_volontario=codice
    )
    Ente.objects.filter(pk=ente.pk).update(denominazione=testi["ente"][:200], codice_helios=testi["codice"][:12])
    Progetto.objects.filter(pk=a.posto.progetto_id).update(titolo=testi["titolo"][:300])
    Sede.objects.filter(pk=a.posto.sede_id).update(
        indirizzo=testi["indirizzo"][:200], civico=testi["civico"][:20], cap=testi["cap"][:5]
    )
    Comune.objects.filter(pk=ente.comune_id).update(nome=testi["comune"][:120])
    Nodo.objects.filter(pk=ente.nodo_id).update(nome=testi["nodo"][:120])
    Presenza.objects.filter(servizio=a).update(nota=nota)


def _esportazioni(mondo):
    """Every CSV the portal serves, with the persona that may download it."""
    ente = mondo.oggetti["enti"]["a"]
    a = mondo.oggetti["servizi"]["a"]
    esporta = reverse("registro:esporta", args=[ente.pk])
    for tipo in ("presenze", "generale", "specifica"):
        for formato in ("helios", "excel"):
            yield "referente_a", esporta, {"tipo": tipo, "formato": formato, "mese": f"{MESE:%Y-%m}"}
    yield "nodo_lombardia", reverse("progetti:lista"), {"formato": "csv"}
    monitoraggio = reverse("monitoraggio:cruscotto")
    yield "nazionale", monitoraggio, {"formato": "csv", "livello": "rete", "mese": f"{MESE:%Y-%m}"}
    yield "nodo_lombardia", monitoraggio, {"formato": "csv", "livello": "nodo", "id": ente.nodo_id}
    yield "nodo_lombardia", monitoraggio, {"formato": "csv", "livello": "ente", "id": ente.pk}
    yield "referente_a", monitoraggio, {"formato": "csv", "livello": "progetto", "id": a.posto.progetto_id}
    for nome in ("contatori", "storico", "enti", "progetti"):
        yield "anonimo", reverse("pubblico:dataset", kwargs={"nome": nome, "formato": "csv"}), {}


@settings(max_examples=15)  # fourteen downloads an example
@given(
    testi=st.fixed_dictionaries(
        dict.fromkeys(
            ["nome", "cognome", "codice", "ente", "titolo", "indirizzo", "civico", "cap", "comune", "nodo", "nota"],
            formula,
        )
    )
)
def test_nessuna_cella_diventa_una_formula(client, mondo, testi):
    with esempio():
        _scrivi(mondo, testi)
        for persona, url, parametri in _esportazioni(mondo):
            client_per(client, mondo, persona)
            r = client.get(url, parametri)
            assert r.status_code == 200, (url, parametri)
            assert r["Content-Type"].startswith("text/csv")
            righe = verifica_csv_sicuro(r.content, dove=f"{url} {parametri}")
            assert len(righe) >= 1


def test_le_esportazioni_portano_davvero_i_testi(client, mondo):
    """The property above means something only if the texts reach the files."""
    testi = dict.fromkeys(
        ["nome", "cognome", "codice", "ente", "titolo", "indirizzo", "civico", "cap", "comune", "nodo", "nota"],
        "=1+1",
    )
    with esempio():
        _scrivi(mondo, testi)
        contenuti = {}
        for persona, url, parametri in _esportazioni(mondo):
            client_per(client, mondo, persona)
            contenuti[(url, tuple(sorted(parametri.items())))] = client.get(url, parametri).content
        con_formula = [k for k, v in contenuti.items() if b"'=1+1" in v]
        senza_testi = [k for k, v in contenuti.items() if b"'=1+1" not in v]
        assert len(con_formula) >= 10, senza_testi
