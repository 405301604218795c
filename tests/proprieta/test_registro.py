"""The register under bad input: the month grid, the per-volunteer month, filling, the
monthly reports and every `mese` of a query string."""

import datetime
from decimal import Decimal, InvalidOperation

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.personas import client_per, costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza, RelazioneMensile

from .conftest import esempio
from .strategie import data_testo, mese_testo, modulo, numero_testo, testo_ostile
from .verifiche import RISPOSTE_AMMESSE, istantanea, prova_valori_critici, verifica_rifiuto

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
GIORNI = [MESE + datetime.timedelta(days=n) for n in range(28)]
CODICI = [c for c, _l in Presenza.Codice.choices]
ATTIVITA = [a for a, _l in Presenza.Attivita.choices]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=200)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    return mondo


cella = st.fixed_dictionaries(
    {
        "c": st.one_of(st.sampled_from([*CODICI, "", "p", " nl "]), testo_ostile),
        "o": st.one_of(st.sampled_from(["", "5", "4,5", "8"]), numero_testo),
        "a": st.one_of(st.sampled_from([*ATTIVITA, ""]), testo_ostile),
    },
    optional={"n": testo_ostile},
)
celle = st.dictionaries(st.sampled_from(GIORNI), cella, min_size=1, max_size=6)


def _ore_valide(testo: str) -> bool:
    try:
        ore = Decimal(testo.strip().replace(",", ".") or "0")
    except InvalidOperation:
        return False
    return ore.is_finite() and ore == ore.quantize(Decimal("0.01"))


def _ostile(c: dict) -> bool:
    """Values no register may keep, whatever the rules of the month say (an empty code
    clears the day: the rest of the cell is then ignored; hours and activity belong to P
    days only and are dropped on any other code)."""
    codice = c["c"].strip().upper()
    if not codice:
        return False
    letti = [c["c"], c.get("n", "")] + ([c["o"], c["a"]] if codice == "P" else [])
    return (
        codice not in CODICI
        or (codice == "P" and not _ore_valide(c["o"]))
        or any("\x00" in v for v in letti)
        or len(c.get("n", "").strip()) > 300
    )


def _post(servizio, giorni: dict) -> dict:
    data = {"mese": f"{MESE:%Y-%m}", f"ver-{servizio.pk}": "0"}
    for g, c in giorni.items():
        chiave = f"{servizio.pk}-{g:%Y%m%d}"
        data |= {f"{k}-{chiave}": v for k, v in c.items()}
    return data


def _errori_celle(response) -> list[str]:
    if response.context is None or "colonne" not in response.context:
        return []
    return [m for col in response.context["colonne"] for c in col["celle"].values() for m in c["errori"]]


def _verifica_righe_scritte(servizio):
    for p in Presenza.objects.filter(servizio=servizio):
        assert p.codice in CODICI
        assert 0 <= p.ore <= 24 and p.ore == p.ore.quantize(Decimal("0.01"))
        assert "\x00" not in p.nota and len(p.nota) <= 300
        assert (p.codice == "P") == bool(p.attivita)


def _prova_griglia(client, servizio, giorni: dict):
    prima = istantanea(Presenza, ChiusuraMensile)
    r = client.post(reverse("registro:griglia"), _post(servizio, giorni))
    assert r.status_code in (200, 422)
    if r.status_code == 422:
        assert istantanea(Presenza, ChiusuraMensile) == prima
        verifica_rifiuto(r, *_errori_celle(r))
    else:
        assert not any(_ostile(c) for c in giorni.values()), "a hostile value was accepted"
        _verifica_righe_scritte(servizio)
    return r


@given(giorni=celle)
def test_griglia(client, mondo, giorni):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "olp_a")
    with esempio():
        _prova_griglia(client, a, giorni)


def test_griglia_valori_critici(client, mondo):
    """A day of presence, then each part of its cell in turn with the critical values."""
    a = mondo.oggetti["servizi"]["a"]
    giorno = next(g for g in GIORNI if g.weekday() < 5)
    client_per(client, mondo, "olp_a")
    valida = {"c": "P", "o": "5", "a": "servizio", "n": "Biblioteca"}
    tipi = {"c": "testo", "o": "numero", "a": "testo", "n": "testo"}
    prova = lambda cella: _prova_griglia(client, a, {giorno: cella})  # noqa: E731
    assert prova_valori_critici(prova, valida, tipi, accettati=lambda r: r.status_code == 200) > 20
    for codice in ("PR", "MAL", "NL"):  # hours of another code are dropped, never written
        prova_valori_critici(
            lambda cella: _prova_griglia(client, a, {giorno: cella}), {**valida, "c": codice}, {"o": "numero"}
        )
        assert not Presenza.objects.filter(servizio=a).exclude(codice="P").exclude(ore=0).exists()


@given(giorni=celle)
def test_mese_del_volontario(client, mondo, giorni):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Presenza, ChiusuraMensile)
        r = client.post(f"{reverse('registro:volontario', args=[a.pk])}?mese={MESE:%Y-%m}", _post(a, giorni))
        assert r.status_code in (200, 302)
        if r.status_code == 200:
            assert istantanea(Presenza, ChiusuraMensile) == prima
            verifica_rifiuto(r, *_errori_celle(r))
        else:
            assert not any(_ostile(c) for c in giorni.values()), "a hostile value was accepted"
            _verifica_righe_scritte(a)


_PAGINE_CON_MESE = [
    ("olp_a", "get", "registro:griglia", None),
    ("olp_a", "post", "registro:riempi", None),
    ("olp_a", "get", "registro:volontario", "servizio"),
    ("olp_a", "get", "registro:relazioni", None),
    ("olp_a", "post", "registro:relazioni", None),
    ("referente_a", "get", "registro:chiusura_ente", "ente"),
    ("referente_a", "post", "registro:chiusura_ente", "ente"),
    ("referente_a", "post", "registro:conferma", "servizio"),
    ("referente_a", "get", "registro:esporta", "ente"),
    ("nodo_lombardia", "get", "monitoraggio:cruscotto", None),
]


@given(
    pagina=st.sampled_from(_PAGINE_CON_MESE),
    mese=mese_testo,
    extra=st.fixed_dictionaries(
        {},
        optional={
            "settimana": st.one_of(data_testo, testo_ostile),
            "tipo": st.one_of(st.sampled_from(["presenze", "generale", "specifica"]), testo_ostile),
            "formato": st.one_of(st.sampled_from(["helios", "excel", "csv"]), testo_ostile),
            "livello": st.one_of(st.sampled_from(["rete", "nodo", "ente", "progetto"]), testo_ostile),
            "id": numero_testo,
            "chiusura": numero_testo,
            "azione": st.one_of(st.just("riapri"), testo_ostile),
            "motivo": testo_ostile,
            "certificato_continuo": st.one_of(st.sampled_from(["si", "no"]), testo_ostile),
        },
    ),
)
def test_mese_e_parametri_di_ogni_pagina(client, mondo, pagina, mese, extra):
    """A month like 0001-01 or 9999-12, and any other parameter, never breaks a page."""
    persona, metodo, nome, arg = pagina
    args = {"servizio": [mondo.oggetti["servizi"]["a"].pk], "ente": [mondo.oggetti["enti"]["a"].pk], None: []}[arg]
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(Presenza, ChiusuraMensile, RelazioneMensile)
        url = reverse(nome, args=args)
        dati = {"mese": mese, **extra}
        r = client.get(url, dati) if metodo == "get" else client.post(url, dati)
        assert r.status_code in RISPOSTE_AMMESSE
        if metodo == "get":
            assert istantanea(Presenza, ChiusuraMensile, RelazioneMensile) == prima


def _prova_relazione(client, servizio, riga: dict):
    prima = istantanea(RelazioneMensile)
    data = {"mese": f"{MESE:%Y-%m}", **{f"s{servizio.pk}-{k}": v for k, v in riga.items()}}
    r = client.post(reverse("registro:relazioni") + f"?mese={MESE:%Y-%m}", data)
    assert r.status_code in (200, 302)
    if r.status_code == 200:
        assert istantanea(RelazioneMensile) == prima
        errori = [m for riga in r.context["righe"] for m in riga["errori"]]
        verifica_rifiuto(r, *errori)
    else:
        for rel in RelazioneMensile.objects.all():
            assert "\x00" not in rel.note and len(rel.note) <= 2000
            assert 1 <= rel.andamento <= 5 and 1 <= rel.obiettivi <= 5
    return r


def test_mese_e_parametri_valori_critici(client, mondo):
    """Each page that reads a month or an id, with the critical values of each parameter."""
    a, ente = mondo.oggetti["servizi"]["a"], mondo.oggetti["enti"]["a"]
    chiusura = ChiusuraMensile.objects.create(servizio=a, mese=MESE)
    m = f"{MESE:%Y-%m}"
    lunedi = f"{MESE + datetime.timedelta(days=7 - MESE.weekday()):%Y-%m-%d}"
    pagine = [
        ("olp_a", "get", "registro:griglia", [], {"mese": m}, {"mese": "mese"}),
        ("olp_a", "post", "registro:riempi", [], {"mese": m, "settimana": lunedi},
         {"mese": "mese", "settimana": "data"}),
        ("olp_a", "get", "registro:volontario", [a.pk], {"mese": m}, {"mese": "mese"}),
        ("olp_a", "get", "registro:relazioni", [], {"mese": m}, {"mese": "mese"}),
        ("olp_a", "get", "dashboard", [], {"mese": m}, {"mese": "mese"}),
        ("referente_a", "get", "registro:chiusura_ente", [ente.pk], {"mese": m}, {"mese": "mese"}),
        ("nodo_lombardia", "post", "registro:chiusura_ente", [ente.pk],
         {"mese": m, "azione": "riapri", "chiusura": str(chiusura.pk), "motivo": "Errore"},
         {"mese": "mese", "chiusura": "id", "motivo": "testo"}),
        ("referente_a", "post", "registro:conferma", [a.pk], {"mese": m, "certificato_continuo": "si"},
         {"mese": "mese", "certificato_continuo": "testo"}),
        ("referente_a", "get", "registro:esporta", [ente.pk], {"mese": m, "tipo": "presenze", "formato": "excel"},
         {"mese": "mese", "tipo": "testo", "formato": "testo"}),
        ("nodo_lombardia", "get", "monitoraggio:cruscotto", [], {"mese": m, "livello": "nodo", "id": str(ente.nodo_id)},
         {"mese": "mese", "livello": "testo", "id": "id"}),
    ]  # fmt: skip
    for persona, metodo, nome, args, validi, tipi in pagine:
        client_per(client, mondo, persona)
        url = reverse(nome, args=args)

        def prova(dati, url=url, metodo=metodo):
            prima = istantanea(Presenza, RelazioneMensile)
            r = client.get(url, dati) if metodo == "get" else client.post(url, dati)
            assert r.status_code in RISPOSTE_AMMESSE, (url, dati, r.status_code)
            if metodo == "get":
                assert istantanea(Presenza, RelazioneMensile) == prima

        prova_valori_critici(prova, validi, tipi)


@given(
    riga=modulo(
        {"andamento": st.just("3"), "obiettivi": st.just("4"), "criticita": st.just(""), "note": st.just("Bene")},
        {
            "andamento": st.one_of(st.sampled_from(["", "0", "6"]), numero_testo),
            "obiettivi": st.one_of(st.sampled_from(["", "0", "6"]), numero_testo),
            "criticita": st.sampled_from(["on", "off", "\x00"]),
            "note": testo_ostile,
        },
    )
)
def test_relazioni_mensili(client, mondo, riga):
    client_per(client, mondo, "olp_a")
    with esempio():
        _prova_relazione(client, mondo.oggetti["servizi"]["a"], riga)


def test_relazioni_mensili_valori_critici(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "olp_a")
    valida = {"andamento": "3", "obiettivi": "4", "criticita": "on", "note": "Poca formazione"}
    tipi = {"andamento": "numero", "obiettivi": "numero", "note": "testo"}
    prova = lambda riga: _prova_relazione(client, a, riga)  # noqa: E731
    assert prova_valori_critici(prova, valida, tipi, accettati=lambda r: r.status_code == 302) > 20


@given(
    contenuto=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda b: b"%PDF-1.7\n" + b),
        st.just(b""),
        st.just("Foglio firmato".encode("utf-16")),
    ),
    nome=st.one_of(
        st.sampled_from(["foglio.pdf", "../../etc/passwd", "foglio.pdf.exe", ".pdf", "a" * 300 + ".pdf", "x"]),
        testo_ostile.filter(lambda t: t.strip() and "\x00" not in t),
    ),
)
def test_foglio_firmato(client, mondo, settings, tmp_path, contenuto, nome):
    """The signed sheet: anything but a PDF is refused at the field, and nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    a = mondo.oggetti["servizi"]["a"]
    ChiusuraMensile.objects.update_or_create(
        servizio=a, mese=MESE, defaults={"stato": ChiusuraMensile.Stato.CONFERMA_PRELIMINARE,
                                         "conferma_preliminare_il": timezone.now()},
    )  # fmt: skip
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(ChiusuraMensile)
        url = reverse("registro:carica_foglio", args=[a.pk]) + f"?mese={MESE:%Y-%m}"
        r = client.post(url, {"file": SimpleUploadedFile(nome, contenuto, content_type="application/pdf")})
        # 400: Django refuses a multipart body it cannot parse (a 10,000-character file name).
        assert r.status_code in (302, 400, 422)
        if r.status_code == 400 or not contenuto.startswith(b"%PDF-"):
            assert istantanea(ChiusuraMensile) == prima
        if r.status_code != 400 and not contenuto.startswith(b"%PDF-"):
            assert r.status_code == 422
            verifica_rifiuto(r)


def test_la_griglia_di_molti_volontari_si_salva(client, mondo):
    """Found by sending the whole grid of an ente: Django's limit of 1,000 fields refused the
    month of a dozen volunteers with a bare 400 (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    import re

    from tests.factories import ServizioFactory

    a = mondo.oggetti["servizi"]["a"]
    for _ in range(15):
        ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=a.data_inizio, data_fine=a.data_fine,
                        data_fine_prevista=a.data_fine_prevista)  # fmt: skip
    client_per(client, mondo, "referente_a")
    pagina = client.get(reverse("registro:griglia"), {"mese": f"{MESE:%Y-%m}"}).content.decode()
    campi = dict.fromkeys(set(re.findall(r'name="([^"]+)"', pagina)), "")
    assert len(campi) > 1000
    r = client.post(reverse("registro:griglia"), {**campi, "mese": f"{MESE:%Y-%m}"})
    assert r.status_code in (200, 422)  # read and checked (blank tokens: "changed meanwhile"), not refused unread
    assert "colonne" in r.context
