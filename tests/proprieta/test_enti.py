"""The ente's data, its sedi and its adhesion under bad input: wrong tax codes, unknown or
ambiguous comuni, hostile text. A refused form writes nothing and says why, in Italian."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from enti.actions import ADESIONE
from enti.models import Ente, EventoAdesione, Sede
from tests.factories import ComuneFactory, SedeFactory, codice_fiscale_ente
from tests.personas import client_per, costruisci_mondo

from .conftest import esempio
from .strategie import email_ostile, modulo, numero_testo, testo_ostile
from .verifiche import istantanea, prova_valori_critici, successo, verifica_rifiuto, verifica_righe_pulite

pytestmark = pytest.mark.django_db
STATI = [s for s, _l in Ente.StatoAdesione.choices]
TIPI = [t for t, _l in Ente.Tipo.choices]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    Ente.objects.filter(pk=mondo.oggetti["enti"]["a"].pk).update(stato_adesione=Ente.StatoAdesione.DA_INTEGRARE)
    # Two comuni with the same name, to be told apart by the province.
    ComuneFactory(nome="Calliano", provincia__codice_istat="022", provincia__sigla="TN", provincia__nome="Trento")
    ComuneFactory(nome="Calliano", provincia__codice_istat="005", provincia__sigla="AT", provincia__nome="Asti")
    SedeFactory(ente=mondo.oggetti["enti"]["b"], codice_helios="SEDE0001")
    return mondo


def comune(mondo):
    c = mondo.oggetti["enti"]["a"].comune
    nomi = [c.nome, c.nome.upper(), c.codice_istat, c.codice_istat.lstrip("0"), c.codice_catastale.lower()]
    strani = ["Calliano", "Calliano (TN)", "Calliano (XX)", "Calliano (", "(", "000000", "Z999", "١٢٣", "²"]
    return st.one_of(st.sampled_from(nomi + strani), testo_ostile)


codice_fiscale_ente_ostile = st.one_of(
    st.builds(codice_fiscale_ente),
    st.builds(lambda: codice_fiscale_ente()[:10] + "X"),
    st.builds(lambda: str((int(codice_fiscale_ente()) + 1) % 10**11).zfill(11)),  # wrong check digit
    st.text(alphabet="0123456789", min_size=0, max_size=14),
    numero_testo,
    testo_ostile,
)


def dati_ente_validi(ente) -> dict:
    return {
        "denominazione": "Comune di Alfa",
        "tipo": "comune",
        "codice_fiscale": ente.codice_fiscale,
        "comune": ente.comune.nome,
        "pec": "pec@comune.example.it",
        "rappresentante_legale": "Maria Rossi",
    }


def _prova_ente(client, ente, dati):
    prima = istantanea(Ente)
    r = client.post(reverse("enti:modifica", args=[ente.pk]), dati)
    if successo(r):
        verifica_righe_pulite(Ente)
    else:
        assert istantanea(Ente) == prima
        verifica_rifiuto(r)
    return r


@given(data=st.data())
def test_dati_ente(client, mondo, data):
    ente = mondo.oggetti["enti"]["a"]
    ostili = {
        "denominazione": testo_ostile,
        "tipo": testo_ostile,
        "codice_fiscale": codice_fiscale_ente_ostile,
        "comune": comune(mondo),
        "pec": email_ostile,
        "rappresentante_legale": testo_ostile,
    }
    dati = data.draw(modulo({k: st.just(v) for k, v in dati_ente_validi(ente).items()}, ostili))
    client_per(client, mondo, "referente_a")
    with esempio():
        _prova_ente(client, ente, dati)


def test_dati_ente_valori_critici(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    client_per(client, mondo, "referente_a")
    tipi = {"denominazione": "testo", "tipo": "testo", "codice_fiscale": "numero", "comune": "testo",
            "pec": "email", "rappresentante_legale": "testo"}  # fmt: skip
    prova = lambda d: _prova_ente(client, ente, d)  # noqa: E731
    assert prova_valori_critici(prova, dati_ente_validi(ente), tipi, accettati=successo) > 30


def _prova_sede(client, url, dati):
    prima = istantanea(Sede)
    r = client.post(url, dati)
    if successo(r):
        verifica_righe_pulite(Sede)
    else:
        assert istantanea(Sede) == prima
        verifica_rifiuto(r)
    return r


def dati_sede_validi(ente) -> dict:
    return {
        "denominazione": "Biblioteca",
        "comune": ente.comune.nome,
        "indirizzo": "Via Nuova",
        "civico": "3/b",
        "cap": "24100",
        "codice_helios": "",
    }


@given(data=st.data(), nuova=st.booleans())
def test_sede(client, mondo, data, nuova):
    ente = mondo.oggetti["enti"]["a"]
    sede = Sede.objects.filter(ente=ente).first()
    ostili = {
        "denominazione": testo_ostile,
        "comune": comune(mondo),
        "indirizzo": st.one_of(st.just(sede.indirizzo), st.just(sede.indirizzo.upper()), testo_ostile),
        "civico": st.one_of(st.just(sede.civico), numero_testo, testo_ostile),
        "cap": st.one_of(numero_testo, testo_ostile),
        "codice_helios": st.one_of(st.just("SEDE0001"), testo_ostile),
    }
    dati = data.draw(modulo({k: st.just(v) for k, v in dati_sede_validi(ente).items()}, ostili))
    url = reverse("sedi:nuova", args=[ente.pk]) if nuova else reverse("sedi:modifica", args=[sede.pk])
    client_per(client, mondo, "referente_a")
    with esempio():
        _prova_sede(client, url, dati)


def test_sede_valori_critici(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    client_per(client, mondo, "referente_a")
    url = reverse("sedi:nuova", args=[ente.pk])
    tipi = dict.fromkeys(dati_sede_validi(ente), "testo")
    prova = lambda d: _prova_sede(client, url, d)  # noqa: E731
    assert prova_valori_critici(prova, dati_sede_validi(ente), tipi, accettati=successo) > 30


_MOSSE = [(t.da, t.a) for t in ADESIONE.transizioni.values()]


@given(
    mossa=st.one_of(
        st.sampled_from(_MOSSE),
        st.tuples(st.sampled_from([s for s in STATI if s != Ente.StatoAdesione.CESSATO]), testo_ostile),
    ),
    motivo=st.one_of(testo_ostile, st.just("Documenti mancanti")),
    persona=st.sampled_from(["nodo_lombardia", "referente_a", "nodo_veneto"]),
)
def test_adesione(client, mondo, mossa, motivo, persona):
    """Every move of the adhesion with any reason: the allowed ones keep a clean reason,
    the others say why not."""
    da, a = mossa
    ente = mondo.oggetti["enti"]["a"]
    if da == Ente.StatoAdesione.DA_INTEGRARE and persona == "nodo_lombardia":
        persona = "referente_a"  # the only move of the referente
    Ente.objects.filter(pk=ente.pk).update(stato_adesione=da)
    client_per(client, mondo, persona)
    with esempio():
        _prova_adesione(client, ente, {"a": a, "motivo": motivo})


def _prova_adesione(client, ente, dati):
    prima = istantanea(Ente, EventoAdesione)
    r = client.post(reverse("enti:adesione", args=[ente.pk]), dati)
    assert r.status_code in (302, 403, 404)
    if successo(r):
        verifica_righe_pulite(EventoAdesione, AuditEvent)
    else:
        assert istantanea(Ente, EventoAdesione) == prima
        if r.status_code == 302:
            verifica_rifiuto(r)
    return r


def test_adesione_valori_critici(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    for da, a in _MOSSE:
        Ente.objects.filter(pk=ente.pk).update(stato_adesione=da)
        client_per(client, mondo, "referente_a" if da == Ente.StatoAdesione.DA_INTEGRARE else "nodo_lombardia")
        validi = {"a": a, "motivo": "Documenti mancanti"}
        prova = lambda d: _prova_adesione(client, ente, d)  # noqa: E731
        prova_valori_critici(prova, validi, {"motivo": "testo", "a": "testo"}, accettati=successo)


def test_codice_helios_doppio_detto_al_suo_campo(client, mondo):
    """Found by test_sede: a Helios code already used was reported as a duplicate address."""
    ente = mondo.oggetti["enti"]["a"]
    client_per(client, mondo, "referente_a")
    r = client.post(reverse("sedi:nuova", args=[ente.pk]), {**dati_sede_validi(ente), "codice_helios": "SEDE0001"})
    assert r.status_code == 200
    assert list(r.context["form"].errors) == ["codice_helios"]
    verifica_rifiuto(r)
