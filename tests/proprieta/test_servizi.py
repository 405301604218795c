"""Starting, interrupting, renouncing and replacing a volunteer under bad input: tax codes
that nearly pass, dates at the ends of the calendar, codes already taken."""

import datetime
import random

import pytest
from codicefiscale import codicefiscale
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from tests.personas import client_per, costruisci_mondo
from volontari.models import Servizio, Volontario

from .conftest import esempio
from .strategie import codice_fiscale_ostile, data_testo, email_ostile, modulo, testo_ostile
from .verifiche import istantanea, prova_valori_critici, successo, verifica_rifiuto, verifica_righe_pulite

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    Volontario.objects.filter(pk=mondo.oggetti["servizi"]["b"].volontario_id).update(codice_volontario="VOL00000002")
    return mondo


def _cf_di_eta(anni: int, seme: int) -> str:
    nascita = OGGI - datetime.timedelta(days=int(anni * 365.25) + random.Random(seme).randrange(300))
    return codicefiscale.encode(
        lastname="Rossi", firstname="Anna", gender="F", birthdate=nascita.strftime("%d/%m/%Y"), birthplace="A794"
    )


codice_fiscale = st.one_of(
    st.builds(_cf_di_eta, st.integers(min_value=17, max_value=30), st.integers(0, 1000)), codice_fiscale_ostile
)
data_ostile = st.one_of(
    st.sampled_from(["9999-12-31", "31/12/9999", "0001-01-01", "01/01/0001", "2100-12-31", "1999-12-31"]),
    st.integers(min_value=-400, max_value=400).map(lambda n: (OGGI + datetime.timedelta(days=n)).isoformat()),
    data_testo,
)
volontario_valido = {
    "codice_fiscale": st.builds(_cf_di_eta, st.integers(min_value=19, max_value=27), st.integers(0, 1000)),
    "nome": st.just("Anna"),
    "cognome": st.just("Rossi"),
    "email": st.just(""),
    "codice_volontario": st.just(""),
    "data_domanda": st.integers(min_value=1, max_value=20).map(lambda n: f"{OGGI - datetime.timedelta(days=n)}"),
    "data_inizio": st.integers(min_value=0, max_value=20).map(lambda n: f"{OGGI + datetime.timedelta(days=n)}"),
}
volontario_ostile = {
    "codice_fiscale": codice_fiscale,
    "nome": testo_ostile,
    "cognome": testo_ostile,
    "email": email_ostile,
    "codice_volontario": st.one_of(st.just("VOL00000002"), st.just("VOL00000099"), testo_ostile),
    "data_domanda": data_ostile,
    "data_inizio": data_ostile,
}


def _verifica(r, prima):
    if successo(r):
        verifica_righe_pulite(Volontario, Servizio)
        for s in Servizio.objects.all():
            assert s.data_inizio <= s.data_fine
    else:
        assert istantanea(Volontario, Servizio) == prima
        verifica_rifiuto(r)


@given(
    dati=modulo(
        {**volontario_valido, "olp": st.just("olp"), "tipo_posto": st.just("3"), "gmo": st.just("")},
        {
            **volontario_ostile,
            "olp": st.sampled_from(["", "0", "abc", "99999999999999999999"]),
            "tipo_posto": st.one_of(st.sampled_from(["1", "2", "3"]), testo_ostile),
            "gmo": st.sampled_from(["on", "\x00"]),
        },
    )
)
def test_avvia(client, mondo, dati):
    a = mondo.oggetti["servizi"]["a"]
    if dati["olp"] == "olp":
        dati = {**dati, "olp": str(a.olp_id)}
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Volontario, Servizio)
        r = client.post(reverse("servizi:avvia", args=[a.posto_id]), dati)
        _verifica(r, prima)


@given(dati=modulo(volontario_valido, volontario_ostile))
def test_subentro(client, mondo, dati):
    a = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=a.pk).update(
        stato=Servizio.Stato.INTERROTTO, data_fine=OGGI - datetime.timedelta(days=5), motivo_interruzione="Lavoro"
    )
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Volontario, Servizio)
        r = client.post(reverse("servizi:subentro", args=[a.pk]), dati)
        _verifica(r, prima)


@given(
    dati=modulo(
        {
            "ultimo_giorno": st.integers(min_value=0, max_value=20).map(lambda n: f"{OGGI - datetime.timedelta(n)}"),
            "motivo": st.just("Lavoro"),
            "documentata": st.just(""),
        },
        {"ultimo_giorno": data_ostile, "motivo": testo_ostile, "documentata": st.sampled_from(["on", "x", "\x00"])},
    )
)
def test_interrompi(client, mondo, dati):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Volontario, Servizio)
        r = client.post(reverse("servizi:interrompi", args=[a.pk]), dati)
        _verifica(r, prima)


@given(motivo=testo_ostile)
def test_rinuncia(client, mondo, motivo):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Volontario, Servizio)
        r = client.post(reverse("servizi:rinuncia", args=[a.pk]), {"motivo": motivo})
        assert r.status_code == 302
        if istantanea(Volontario, Servizio) == prima:
            verifica_rifiuto(r)
        else:
            verifica_righe_pulite(Servizio, AuditEvent)


def _volontario_valido() -> dict:
    return {
        "codice_fiscale": _cf_di_eta(20, 1),
        "nome": "Anna",
        "cognome": "Rossi",
        "email": "",
        "codice_volontario": "",
        "data_domanda": f"{OGGI - datetime.timedelta(days=3)}",
        "data_inizio": f"{OGGI + datetime.timedelta(days=3)}",
    }


TIPI_VOLONTARIO = {"codice_fiscale": "testo", "nome": "testo", "cognome": "testo", "email": "email",
                   "codice_volontario": "testo", "data_domanda": "data", "data_inizio": "data"}  # fmt: skip


def test_valori_critici(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")

    def prova(url):
        def _prova(dati):
            prima = istantanea(Volontario, Servizio)
            r = client.post(url, dati)
            _verifica(r, prima)
            return r

        return _prova

    avvio = {**_volontario_valido(), "olp": str(a.olp_id), "tipo_posto": "3"}
    url = reverse("servizi:avvia", args=[a.posto_id])
    tipi = {**TIPI_VOLONTARIO, "olp": "id", "tipo_posto": "numero"}
    assert prova_valori_critici(prova(url), avvio, tipi, accettati=successo) > 50
    interruzione = {"ultimo_giorno": f"{OGGI - datetime.timedelta(days=2)}", "motivo": "Lavoro"}
    url = reverse("servizi:interrompi", args=[a.pk])
    prova_valori_critici(prova(url), interruzione, {"ultimo_giorno": "data", "motivo": "testo"}, accettati=successo)

    def rinuncia(dati):
        prima = istantanea(Volontario, Servizio)
        r = client.post(reverse("servizi:rinuncia", args=[a.pk]), dati)
        assert r.status_code == 302
        if istantanea(Volontario, Servizio) == prima:
            verifica_rifiuto(r)
        else:
            verifica_righe_pulite(Servizio, AuditEvent)
        return r

    prova_valori_critici(rinuncia, {"motivo": "Ha trovato lavoro"}, {"motivo": "testo"}, accettati=successo)
    Servizio.objects.filter(pk=a.pk).update(
        stato=Servizio.Stato.INTERROTTO, data_fine=OGGI - datetime.timedelta(days=5), motivo_interruzione="Lavoro"
    )
    url = reverse("servizi:subentro", args=[a.pk])
    prova_valori_critici(prova(url), _volontario_valido(), TIPI_VOLONTARIO, accettati=successo)


def test_codice_volontario_gia_usato(client, mondo):
    """Found by test_avvia: a Helios code already someone else's broke the unique constraint (500)."""
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")
    dati = {**_volontario_valido(), "olp": str(a.olp_id), "tipo_posto": "3", "codice_volontario": "VOL00000002"}
    prima = istantanea(Volontario, Servizio)
    r = client.post(reverse("servizi:avvia", args=[a.posto_id]), dati)
    assert r.status_code == 200
    assert list(r.context["form"].errors) == ["codice_volontario"]
    assert istantanea(Volontario, Servizio) == prima
    verifica_rifiuto(r)
