"""The attendance import under bad files: wrong encodings, delimiters and columns, garbage,
huge files and hostile cells. A file is imported whole or not at all, and every refusal
names its line in Italian."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.personas import client_per, costruisci_mondo
from volontari import helios
from volontari.models import ChiusuraMensile, Presenza, Volontario

from .conftest import esempio
from .strategie import data_testo, testo_ostile
from .verifiche import istantanea, prova_valori_critici, verifica_rifiuto, verifica_righe_pulite

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
INTESTAZIONE = ";".join(helios.INTESTAZIONE_PRESENZE)
CODICI = [c for c, _l in Presenza.Codice.choices]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=150)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    Volontario.objects.filter(pk=a.volontario_id).update(
        codice_volontario="VOL00000001", nome="Nicolò", cognome="D'Angelò"
    )
    return mondo


giorno_buono = st.integers(min_value=0, max_value=27).map(lambda n: f"{MESE + datetime.timedelta(days=n):%d/%m/%Y}")
riga = st.fixed_dictionaries(
    {
        "codice": st.one_of(st.just("VOL00000001"), st.just("vol00000001"), testo_ostile),
        "cognome": st.one_of(st.just("D'Angelò"), st.just("D'Angelo'"), testo_ostile),
        "nome": st.one_of(st.just("Nicolò"), st.just("NICOLO"), testo_ostile),
        "giorno": st.one_of(giorno_buono, data_testo),
        "causale": st.one_of(st.sampled_from([*CODICI, "POR", "p", ""]), testo_ostile),
        "nota": testo_ostile,
    }
)
intestazione = st.one_of(
    st.just(INTESTAZIONE),
    st.just(INTESTAZIONE.lower()),
    st.just(INTESTAZIONE.replace(";", ",")),
    st.just(INTESTAZIONE + ";Extra"),
    st.just(INTESTAZIONE.rsplit(";", 1)[0]),
    testo_ostile,
)


def _codifica(testo: str, codifica: str) -> bytes:
    if codifica == "utf-16":
        return testo.encode("utf-16")  # with its BOM
    return testo.encode(codifica, errors="replace")


def _file(testa, righe, sep, fine, codifica, colonne) -> bytes:
    linee = [sep.join([*r.values(), "in piu"][:colonne]) for r in righe]
    return _codifica(fine.join([testa, *linee]) + fine, codifica)


file_csv = st.builds(
    _file,
    intestazione,
    st.lists(riga, min_size=0, max_size=6),
    st.sampled_from([";", ";", ";", ",", "\t", "|"]),
    st.sampled_from(["\r\n", "\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "ascii"]),
    st.sampled_from([6, 6, 6, 5, 7]),
)
file_qualsiasi = st.one_of(file_csv, st.binary(max_size=2000), st.just(b""), st.just(b"\x00" * 100))


def _importa(client, mondo, contenuto: bytes, nome="presenze.csv"):
    url = reverse("registro:importa", args=[mondo.oggetti["enti"]["a"].pk])
    return client.post(url, {"file": SimpleUploadedFile(nome, contenuto, content_type="text/csv")})


@given(contenuto=file_qualsiasi)
def test_importa_presenze(client, mondo, contenuto):
    client_per(client, mondo, "referente_a")
    with esempio():
        prima = istantanea(Presenza, ChiusuraMensile)
        r = _importa(client, mondo, contenuto)
        assert r.status_code in (302, 422)
        if r.status_code == 422:
            assert istantanea(Presenza, ChiusuraMensile) == prima
            verifica_rifiuto(r)
            assert r.context["errori"], "no line named"
        else:
            for p in Presenza.objects.all():
                assert "\x00" not in p.nota and len(p.nota) <= 300


@given(
    buone=st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=5, unique=True),
    cattiva=riga,
    posizione=st.integers(min_value=0, max_value=5),
)
def test_una_riga_sbagliata_non_scrive_nulla(client, mondo, buone, cattiva, posizione):
    """Good lines around one bad line: nothing is written, the bad line is named."""
    client_per(client, mondo, "referente_a")
    righe = [f"VOL00000001;D'Angelò;Nicolò;{MESE + datetime.timedelta(days=n):%d/%m/%Y};NL;" for n in buone]
    cattiva = {**cattiva, "causale": "XX" + cattiva["causale"]}  # never a day code
    righe.insert(min(posizione, len(righe)), ";".join(str(v).replace(";", ",") for v in cattiva.values()))
    with esempio():
        prima = istantanea(Presenza, ChiusuraMensile)
        r = _importa(client, mondo, ("\r\n".join([INTESTAZIONE, *righe]) + "\r\n").encode())
        assert r.status_code == 422
        assert istantanea(Presenza, ChiusuraMensile) == prima
        verifica_rifiuto(r)


def test_un_file_enorme_e_rifiutato_con_un_messaggio(client, mondo):
    client_per(client, mondo, "referente_a")
    riga = f"VOL00000001;D'Angelò;Nicolò;{MESE:%d/%m/%Y};NL;" + "x" * 200 + "\r\n"
    contenuto = (INTESTAZIONE + "\r\n" + riga * (10 * 1024 * 1024 // len(riga))).encode()
    r = _importa(client, mondo, contenuto)
    assert r.status_code == 422
    assert not Presenza.objects.exists()
    (messaggio,) = [m for _n, m in r.context["errori"]]
    assert "MB" in messaggio
    verifica_rifiuto(r)


def test_un_campo_enorme_e_rifiutato_con_un_messaggio(client, mondo):
    """One field longer than the csv module's limit (128 KiB) in a file under the size limit."""
    client_per(client, mondo, "referente_a")
    contenuto = f"{INTESTAZIONE}\r\nVOL00000001;D'Angelò;Nicolò;{MESE:%d/%m/%Y};NL;{'x' * 200_000}\r\n".encode()
    r = _importa(client, mondo, contenuto)
    assert r.status_code == 422
    assert not Presenza.objects.exists()
    verifica_rifiuto(r)


def test_senza_file(client, mondo):
    client_per(client, mondo, "referente_a")
    r = client.post(reverse("registro:importa", args=[mondo.oggetti["enti"]["a"].pk]), {})
    assert r.status_code in (200, 422)
    verifica_rifiuto(r)


def _prova_file(client, mondo, contenuto: bytes):
    prima = istantanea(Presenza, ChiusuraMensile)
    r = _importa(client, mondo, contenuto)
    assert r.status_code in (302, 422)
    if r.status_code == 422:
        assert istantanea(Presenza, ChiusuraMensile) == prima
        verifica_rifiuto(r)
        assert r.context["errori"], "no line named"
    else:
        verifica_righe_pulite(Presenza)
    return r


def test_valori_critici_di_una_riga(client, mondo):
    """A good line next to another good one, then each field in turn with the critical values:
    written whole, or refused whole with the line named."""
    client_per(client, mondo, "referente_a")
    buona = f"VOL00000001;D'Angelò;Nicolò;{MESE + datetime.timedelta(days=1):%d/%m/%Y};NL;"
    valida = {"codice": "VOL00000001", "cognome": "D'Angelò", "nome": "Nicolò", "giorno": f"{MESE:%d/%m/%Y}",
              "causale": "P", "nota": "Biblioteca"}  # fmt: skip
    tipi = {
        "codice": "testo",
        "cognome": "testo",
        "nome": "testo",
        "giorno": "data",
        "causale": "testo",
        "nota": "testo",
    }

    def prova(riga):
        campi = [v.replace(";", ",").replace("\r", " ").replace("\n", " ") for v in riga.values()]
        return _prova_file(client, mondo, "\r\n".join([INTESTAZIONE, buona, ";".join(campi), ""]).encode())

    assert prova_valori_critici(prova, valida, tipi, accettati=lambda r: r.status_code == 302) > 35


@given(
    giorni=st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=8, unique=True),
    fine=st.sampled_from(["\r\n", "\n", "\r"]),
    codifica=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252"]),
)
def test_fine_riga_e_codifica_indifferenti(client, mondo, giorni, fine, codifica):
    """The same good file with any line ending and in any accepted encoding writes every day."""
    client_per(client, mondo, "referente_a")
    righe = [f"VOL00000001;D'Angelò;Nicolò;{MESE + datetime.timedelta(days=n):%d/%m/%Y};NL;" for n in giorni]
    with esempio():
        r = _prova_file(client, mondo, fine.join([INTESTAZIONE, *righe, ""]).encode(codifica))
        assert r.status_code == 302, r.context and r.context["errori"]
        assert Presenza.objects.count() == len(giorni)
