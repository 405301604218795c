"""Projects under bad input: the new-project form, each step of the wizard (numbers out of
range, ids that do not exist, hostile text), the places formset (all rows or none), state
changes and comments, programmes and the experts pool."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import AuditEvent
from enti.models import Esperto, Sede
from progetti.actions import PROGETTO
from progetti.models import AmbitoAzione, EventoProgetto, IncaricoEsperto, PostoSede, Progetto, Programma
from tests.factories import AreaFactory, BandoFactory, OlpFactory, ProgettoFactory
from tests.personas import client_per, costruisci_mondo

from .conftest import esempio
from .strategie import email_ostile, modulo, numero_testo, testo_ostile
from .verifiche import (
    istantanea,
    prova_modulo,
    prova_valori_critici,
    successo,
    verifica_rifiuto,
    verifica_righe_pulite,
)

pytestmark = pytest.mark.django_db
STATI = [s for s, _l in Progetto.Stato.choices]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["enti"]["a"]
    bozza = ProgettoFactory(ente=a, stato=Progetto.Stato.BOZZA, titolo="Bozza")
    mondo.oggetti["bozza"] = bozza
    mondo.oggetti["olp_libero"] = OlpFactory(ente=a)  # named on no project yet: free to follow places
    mondo.oggetti["esperto"] = Esperto.objects.create(
        nodo=mondo.oggetti["nodi"]["lombardia"], nome="Eva", cognome="Esperta", email="eva@example.org", formatore=True
    )
    mondo.oggetti["incarico"] = IncaricoEsperto.objects.create(progetto=bozza, ruolo="formatore")
    return mondo


def pk_ostile(*altrui):
    """An id from a select that is not a choice: someone else's, one that does not exist, or
    not an id at all."""
    return st.one_of(st.sampled_from([str(v) for v in altrui] or ["0"]), numero_testo, testo_ostile)


def _nuovo_validi(mondo) -> dict:
    area = AreaFactory()
    return {"ente": str(mondo.oggetti["enti"]["a"].pk), "titolo": "Biblioteche aperte", "bando": str(BandoFactory().pk),
            "settore": str(area.settore_id), "area": str(area.pk)}  # fmt: skip


@given(data=st.data())
def test_nuovo_progetto(client, mondo, data):
    dati = data.draw(
        modulo(
            {k: st.just(v) for k, v in _nuovo_validi(mondo).items()},
            {
                "ente": pk_ostile(mondo.oggetti["enti"]["b"].pk),
                "titolo": testo_ostile,
                "bando": pk_ostile(),
                "settore": pk_ostile(),
                "area": pk_ostile(),
            },
        )
    )
    client_per(client, mondo, "referente_a")
    with esempio():
        prova_modulo(client, reverse("progetti:nuovo"), dati, Progetto)


def test_nuovo_progetto_valori_critici(client, mondo):
    client_per(client, mondo, "referente_a")
    tipi = {"ente": "id", "titolo": "testo", "bando": "id", "settore": "id", "area": "id"}
    url = reverse("progetti:nuovo")
    prova = lambda d: prova_modulo(client, url, d, Progetto)  # noqa: E731
    assert prova_valori_critici(prova, _nuovo_validi(mondo), tipi, accettati=successo) > 30


def _passo(mondo, passo: str):
    p = mondo.oggetti["bozza"]
    intero = st.one_of(st.integers(min_value=-5, max_value=2000).map(str), numero_testo)

    def numeri(**validi):
        return modulo({k: st.just(str(v)) for k, v in validi.items()}, dict.fromkeys(validi, intero))

    return {
        "generale": modulo(
            {
                "titolo": st.just(p.titolo),
                "descrizione": st.just("Obiettivi"),
                "settore": st.just(str(p.settore_id)),
                "area": st.just(str(p.area_id)),
                "rete": st.just(""),
                "enti_coprogettanti": st.just([]),
            },
            {
                "titolo": testo_ostile,
                "descrizione": testo_ostile,
                "settore": pk_ostile(),
                "area": pk_ostile(),
                "rete": numero_testo,
                "enti_coprogettanti": st.lists(pk_ostile(mondo.oggetti["enti"]["b"].pk), min_size=1, max_size=3),
            },
        ),
        "orario": modulo(
            {
                "durata_mesi": st.just("12"),
                "modello_orario": st.just("settimanale"),
                "ore_settimanali": st.just("25"),
                "monte_ore": st.just(""),
                "giorni_settimana": st.just("5"),
            },
            {
                "durata_mesi": intero,
                "modello_orario": st.one_of(st.just("monte_ore"), testo_ostile),
                "ore_settimanali": intero,
                "monte_ore": intero,
                "giorni_settimana": intero,
            },
        ),
        "formazione": numeri(formazione_generale_ore=30, formazione_specifica_ore=50),
        "misure": numeri(mesi_estero=0, mesi_tutoraggio=0, ore_tutoraggio=0, ore_tutoraggio_individuali=0),
        "esperti": st.fixed_dictionaries(
            {"ruoli": st.lists(st.one_of(st.sampled_from(["formatore", "selettore", "tutor"]), testo_ostile))}
        ),
    }[passo]


@given(data=st.data(), passo=st.sampled_from(["generale", "orario", "formazione", "misure", "esperti"]))
def test_passi_del_progetto(client, mondo, data, passo):
    p = mondo.oggetti["bozza"]
    # A browser always sends the CSRF token: a form with every box unticked is not an empty POST.
    dati = {"csrfmiddlewaretoken": "x", **data.draw(_passo(mondo, passo))}
    client_per(client, mondo, "referente_a")
    with esempio():
        prova_modulo(client, reverse("progetti:modifica", args=[p.pk, passo]), dati, Progetto, IncaricoEsperto)


PASSI_VALIDI = {
    "orario": {"durata_mesi": "12", "modello_orario": "settimanale", "ore_settimanali": "25", "monte_ore": "",
               "giorni_settimana": "5"},
    "formazione": {"formazione_generale_ore": "30", "formazione_specifica_ore": "50"},
    "misure": {"mesi_estero": "0", "mesi_tutoraggio": "0", "ore_tutoraggio": "0", "ore_tutoraggio_individuali": "0"},
}  # fmt: skip


def test_passi_del_progetto_valori_critici(client, mondo):
    p = mondo.oggetti["bozza"]
    client_per(client, mondo, "referente_a")
    for passo, validi in PASSI_VALIDI.items():
        url = reverse("progetti:modifica", args=[p.pk, passo])
        tipi = {k: "testo" if k == "modello_orario" else "numero" for k in validi}
        prova = lambda d, url=url: prova_modulo(client, url, d, Progetto)  # noqa: E731
        prova_valori_critici(prova, validi, tipi, accettati=successo)
    generale = {"titolo": p.titolo, "descrizione": "Obiettivi", "settore": str(p.settore_id), "area": str(p.area_id),
                "rete": "", "enti_coprogettanti": str(mondo.oggetti["enti"]["b"].pk)}  # fmt: skip
    tipi = {"titolo": "testo", "descrizione": "testo", "settore": "id", "area": "id", "rete": "id",
            "enti_coprogettanti": "id"}  # fmt: skip
    url = reverse("progetti:modifica", args=[p.pk, "generale"])
    prova = lambda d: prova_modulo(client, url, d, Progetto)  # noqa: E731
    prova_valori_critici(prova, generale, tipi, accettati=successo)


posto = st.fixed_dictionaries(
    {
        "posti_vitto_alloggio": st.one_of(st.sampled_from(["0", "1"]), numero_testo),
        "posti_solo_vitto": st.one_of(st.sampled_from(["0", "2"]), numero_testo),
        "posti_senza_vitto_alloggio": st.one_of(st.sampled_from(["0", "4"]), numero_testo),
        "posti_gmo": st.one_of(st.sampled_from(["0", "1"]), numero_testo),
        "DELETE": st.sampled_from(["", "", "on"]),
    }
)


@given(
    righe=st.lists(posto, min_size=1, max_size=3),
    # Not a huge TOTAL_FORMS: Django caps it at 2,000 forms, valid but slow to render.
    totale=st.one_of(st.none(), st.sampled_from(["0", "-1", "", "abc", "\x00", "4", "1e3", "٣", "2.5"])),
    sede=st.one_of(st.none(), numero_testo),
    olp=st.one_of(st.none(), numero_testo),
)
def test_sedi_e_posti(client, mondo, righe, totale, sede, olp):
    """The places formset: all rows are saved or none, any TOTAL_FORMS."""
    p = mondo.oggetti["bozza"]
    sede_a = Sede.objects.filter(ente=p.ente).first()
    olp_a = mondo.oggetti["olp_libero"]
    dati = {
        "posti-TOTAL_FORMS": str(len(righe)) if totale is None else totale,
        "posti-INITIAL_FORMS": "0",
        "posti-MIN_NUM_FORMS": "0",
        "posti-MAX_NUM_FORMS": "1000",
    }
    for i, riga in enumerate(righe):
        dati |= {f"posti-{i}-{k}": v for k, v in riga.items()}
        dati[f"posti-{i}-sede"] = str(sede_a.pk) if sede is None else sede
        dati[f"posti-{i}-olp"] = str(olp_a.pk) if olp is None else olp
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(PostoSede, PostoSede.olp.through)
        r = client.post(reverse("progetti:modifica", args=[p.pk, "sedi"]), dati)
        assert r.status_code in (200, 302, 400)
        if not successo(r):
            assert istantanea(PostoSede, PostoSede.olp.through) == prima
            if r.status_code == 200:
                verifica_rifiuto(r)


def test_sedi_e_posti_valori_critici(client, mondo):
    p = mondo.oggetti["bozza"]
    sede_a = Sede.objects.filter(ente=p.ente).first()
    olp_a = mondo.oggetti["olp_libero"]
    validi = {
        "posti-TOTAL_FORMS": "1", "posti-INITIAL_FORMS": "0", "posti-MIN_NUM_FORMS": "0", "posti-MAX_NUM_FORMS": "1000",
        "posti-0-sede": str(sede_a.pk), "posti-0-olp": str(olp_a.pk), "posti-0-posti_vitto_alloggio": "0",
        "posti-0-posti_solo_vitto": "0", "posti-0-posti_senza_vitto_alloggio": "4", "posti-0-posti_gmo": "1",
    }  # fmt: skip
    tipi = {k: "id" if k.endswith(("sede", "olp")) else "numero" for k in validi if k.startswith("posti-0-")}
    client_per(client, mondo, "referente_a")
    url = reverse("progetti:modifica", args=[p.pk, "sedi"])

    def prova(dati):
        prima = istantanea(PostoSede, PostoSede.olp.through)
        r = client.post(url, dati)
        assert r.status_code in (200, 302)
        if r.status_code == 200:
            assert istantanea(PostoSede, PostoSede.olp.through) == prima
            verifica_rifiuto(r)
        return r

    assert prova_valori_critici(prova, validi, tipi, accettati=successo) > 40


_MOSSE = [(t.da, t.a) for t in PROGETTO.transizioni.values()]


@given(
    mossa=st.one_of(st.sampled_from(_MOSSE), st.tuples(st.sampled_from(STATI), testo_ostile)),
    motivo=st.one_of(testo_ostile, st.just("Manca il piano di formazione")),
    persona=st.sampled_from(["nodo_lombardia", "referente_a"]),
)
def test_stato_del_progetto(client, mondo, mossa, motivo, persona):
    da, a = mossa
    p = mondo.oggetti["bozza"]
    Progetto.objects.filter(pk=p.pk).update(stato=da)
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(Progetto, EventoProgetto)
        r = client.post(reverse("progetti:transizione", args=[p.pk]), {"a": a, "motivo": motivo})
        assert r.status_code in (302, 403, 404)
        if successo(r):
            verifica_righe_pulite(EventoProgetto, AuditEvent)
        else:
            assert istantanea(Progetto, EventoProgetto) == prima
            if r.status_code == 302:
                verifica_rifiuto(r)


@given(commento=testo_ostile, persona=st.sampled_from(["nodo_lombardia", "referente_a"]))
def test_commento(client, mondo, commento, persona):
    p = mondo.oggetti["bozza"]
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(EventoProgetto)
        r = client.post(reverse("progetti:commento", args=[p.pk]), {"commento": commento})
        assert r.status_code == 302
        verifica_righe_pulite(EventoProgetto)
        if istantanea(EventoProgetto) == prima:
            verifica_rifiuto(r)


def test_commento_valori_critici(client, mondo):
    p = mondo.oggetti["bozza"]
    client_per(client, mondo, "nodo_lombardia")

    def prova(dati):
        prima = istantanea(EventoProgetto)
        r = client.post(reverse("progetti:commento", args=[p.pk]), dati)
        assert r.status_code == 302
        verifica_righe_pulite(EventoProgetto)
        if istantanea(EventoProgetto) == prima:
            verifica_rifiuto(r)
        return r

    assert prova_valori_critici(prova, {"commento": "Va bene"}, {"commento": "testo"}, accettati=successo) == 6


@given(esperto=st.one_of(st.none(), numero_testo, testo_ostile))
def test_assegna_esperto(client, mondo, esperto):
    incarico = mondo.oggetti["incarico"]
    client_per(client, mondo, "nodo_lombardia")
    with esempio():
        prima = istantanea(IncaricoEsperto)
        valore = str(mondo.oggetti["esperto"].pk) if esperto is None else esperto
        r = client.post(reverse("progetti:assegna_esperto", args=[incarico.pk]), {f"i{incarico.pk}-esperto": valore})
        assert r.status_code == 302
        if istantanea(IncaricoEsperto) == prima:
            verifica_rifiuto(r)


def _programma_validi(mondo) -> dict:
    ambito = AmbitoAzione.objects.get_or_create(codice="Z1", nome="Ambito di prova")[0]
    return {"titolo": "Comuni in rete", "nodo": str(mondo.oggetti["nodi"]["lombardia"].pk),
            "bando": str(BandoFactory().pk), "obiettivo_2030": "4", "ambito": str(ambito.pk), "rete": "",
            "progetti": str(mondo.oggetti["bozza"].pk)}  # fmt: skip


@given(data=st.data())
def test_programma(client, mondo, data):
    dati = data.draw(
        modulo(
            {k: st.just(v) for k, v in _programma_validi(mondo).items()},
            {
                "titolo": testo_ostile,
                "nodo": pk_ostile(mondo.oggetti["nodi"]["veneto"].pk),
                "bando": pk_ostile(),
                "obiettivo_2030": st.one_of(st.sampled_from(["0", "18"]), numero_testo),
                "ambito": pk_ostile(),
                "rete": numero_testo,
                "progetti": st.lists(pk_ostile(mondo.oggetti["servizi"]["v"].posto.progetto_id), max_size=3),
            },
        )
    )
    client_per(client, mondo, "nodo_lombardia")
    with esempio():
        prova_modulo(client, reverse("progetti:programma_nuovo"), dati, Programma, Progetto)


def test_programma_valori_critici(client, mondo):
    client_per(client, mondo, "nodo_lombardia")
    tipi = {"titolo": "testo", "nodo": "id", "bando": "id", "obiettivo_2030": "numero", "ambito": "id", "rete": "id",
            "progetti": "id"}  # fmt: skip
    url = reverse("progetti:programma_nuovo")
    prova = lambda d: prova_modulo(client, url, d, Programma, Progetto)  # noqa: E731
    assert prova_valori_critici(prova, _programma_validi(mondo), tipi, accettati=successo) > 40


ESPERTO_VALIDO = {"nome": "Eva", "cognome": "Rossi", "email": "eva.rossi@example.org", "telefono": "+39 02 1234567",
                  "formatore": "on", "competenze": "Formazione generale", "disponibilita_ore_mese": "20",
                  "attivo": "on"}  # fmt: skip


@given(data=st.data())
def test_esperto(client, mondo, data):
    nodo = mondo.oggetti["nodi"]["lombardia"]
    dati = data.draw(
        modulo(
            {"nodo": st.just(str(nodo.pk)), **{k: st.just(v) for k, v in ESPERTO_VALIDO.items()}},
            {
                "nodo": pk_ostile(mondo.oggetti["nodi"]["veneto"].pk),
                "nome": testo_ostile,
                "cognome": testo_ostile,
                "email": email_ostile,
                "telefono": testo_ostile,
                "formatore": st.sampled_from(["", "\x00"]),
                "competenze": testo_ostile,
                "disponibilita_ore_mese": numero_testo,
                "attivo": st.sampled_from(["", "x"]),
            },
        )
    )
    client_per(client, mondo, "nodo_lombardia")
    with esempio():
        prova_modulo(client, reverse("progetti:esperto_nuovo"), dati, Esperto)


def test_esperto_valori_critici(client, mondo):
    client_per(client, mondo, "nodo_lombardia")
    validi = {"nodo": str(mondo.oggetti["nodi"]["lombardia"].pk), **ESPERTO_VALIDO}
    tipi = {"nodo": "id", "nome": "testo", "cognome": "testo", "email": "email", "telefono": "testo",
            "competenze": "testo", "disponibilita_ore_mese": "numero"}  # fmt: skip
    url = reverse("progetti:esperto_nuovo")
    prova = lambda d: prova_modulo(client, url, d, Esperto)  # noqa: E731
    assert prova_valori_critici(prova, validi, tipi, accettati=successo) > 40
