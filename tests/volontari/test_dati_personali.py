"""The volunteer's copy of their data: complete for the owner, nobody else's, nobody else may
download it, audited, and a fixed number of queries whatever the days of service."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from progetti.models import AssegnoMensile
from tests.factories import PresenzaFactory
from tests.personas import PERSONE, client_per, costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile

pytestmark = pytest.mark.django_db

URL = reverse("volontari:i_miei_dati")


def _giorni(servizio, n: int, *, da: int = 0) -> list[Presenza]:
    return [
        PresenzaFactory(servizio=servizio, giorno=servizio.data_inizio + datetime.timedelta(days=da + i))
        for i in range(n)
    ]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    v = a.volontario
    v.email = "giulia@example.org"
    v.telefono = "+39 333 0000000"
    v.luogo_nascita = "Bergamo"
    v.codice_volontario = "VOL0000001"
    v.save()
    # The reference loader may have put it there already.
    AssegnoMensile.objects.get_or_create(valido_dal=datetime.date(2025, 5, 1), defaults={"importo": "519.47"})
    _giorni(a, 2)
    Presenza.objects.create(
        servizio=a, giorno=a.data_inizio + datetime.timedelta(days=2), codice="MAL", nota='=HYPERLINK("x")'
    )
    mese = a.data_inizio.replace(day=1)
    ChiusuraMensile.objects.create(
        servizio=a, mese=mese, stato="confermata", conferma_preliminare_il=timezone.now(), confermata_il=timezone.now()
    )
    Questionario.objects.create(
        servizio=a, tipo="inizio", inviato_il=a.data_inizio, scadenza=a.data_inizio, compilato_il=timezone.now(),
        attivita=4, olp=5, formazione=3, accoglienza=4, soddisfazione=5, commento="Tutto bene",
    )  # fmt: skip
    RelazioneMensile.objects.create(servizio=a, mese=mese, andamento=4, obiettivi=3, note="Puntuale")
    # Another volunteer's day, with a note that must never appear.
    b = mondo.oggetti["servizi"]["b"]
    Presenza.objects.create(servizio=b, giorno=b.data_inizio, codice="MAL", nota="nota-di-un-altro")
    return mondo


def _scarica(client, mondo):
    response = client_per(client, mondo, "volontario").get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    z = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(z.namelist()) == ["dati.json", "presenze.csv"]
    return json.loads(z.read("dati.json")), z.read("presenze.csv").decode("utf-8-sig"), response.content


def test_the_copy_holds_everything_about_the_volunteer(client, mondo):
    dati, testo_csv, _ = _scarica(client, mondo)
    a = mondo.oggetti["servizi"]["a"]
    v = a.volontario
    assert dati["account"]["email"] == "volontaria.a@example.org"
    assert dati["account"]["indirizzi_email"] == [
        {"email": "volontaria.a@example.org", "verificato": True, "principale": True}
    ]
    for campo, valore in {
        "codice_fiscale": v.codice_fiscale,
        "codice_volontario": "VOL0000001",
        "nome": v.nome,
        "cognome": v.cognome,
        "data_nascita": v.data_nascita.isoformat(),
        "sesso": "F",
        "luogo_nascita": "Bergamo",
        "email": "giulia@example.org",
        "telefono": "+39 333 0000000",
    }.items():
        assert dati["volontario"][campo] == valore, campo
    [servizio] = dati["servizi"]
    assert servizio["id"] == a.pk
    assert servizio["progetto"] == a.posto.progetto.titolo
    assert servizio["sede"] == a.posto.sede.denominazione
    assert servizio["ente"] == "Comune di Alfa"
    assert servizio["data_inizio"] == a.data_inizio.isoformat()
    assert servizio["stato"] == "in_servizio"
    assert servizio["assegno_mensile"] == [{"importo_mensile_eur": "519.47", "dal": "2025-05-01", "al": None}]
    # The volunteer sees the nature of their own absences and their own notes.
    assert [(p["codice"], p["ore"]) for p in servizio["presenze"]] == [("P", "5"), ("P", "5"), ("MAL", "0")]
    assert servizio["presenze"][2]["nota"] == '=HYPERLINK("x")'
    assert [c["stato"] for c in servizio["chiusure_mensili"]] == ["confermata"]
    [q] = servizio["questionari"]
    assert q["risposte"] == {"attivita": 4, "olp": 5, "formazione": 3, "accoglienza": 4, "soddisfazione": 5}
    assert q["commento"] == "Tutto bene"
    assert servizio["relazioni_olp"][0]["note"] == "Puntuale"
    # The CSV: one line per day, formula-safe.
    righe = list(csv.reader(io.StringIO(testo_csv), delimiter=";"))
    assert righe[0] == ["servizio", "progetto", "giorno", "codice", "descrizione_codice", "attivita", "ore", "nota"]
    assert len(righe) == 4
    assert righe[3][3] == "MAL"
    assert righe[3][7] == '\'=HYPERLINK("x")'


def test_audit_events_about_the_volunteer_and_of_the_download(client, mondo):
    dati, _, contenuto = _scarica(client, mondo)
    evento = AuditEvent.objects.get(verb="dati_personali.scaricati")
    volontario = mondo.oggetti["servizi"]["a"].volontario
    assert evento.actor == mondo.users["volontario"]
    assert (evento.target_type, evento.target_id) == ("volontari.volontario", str(volontario.pk))
    assert evento.data == {"formato": "1", "byte": len(contenuto)}
    # The second copy lists the first download among the volunteer's events.
    dati, _, _ = _scarica(client, mondo)
    verbi = [e["evento"] for e in dati["eventi"]]
    assert "dati_personali.scaricati" in verbi
    assert all(e["autore"] in ("te", "altra_persona", "sistema") for e in dati["eventi"])


def test_events_by_other_people_do_not_say_who_nor_from_where(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    AuditEvent.objects.create(
        actor=mondo.users["olp_a"], verb="presenze.salvate", target_type="volontari.servizio", target_id=str(a.pk),
        target_repr="x", data={"giorni": 3}, ip_address="10.1.2.3",
    )  # fmt: skip
    dati, _, _ = _scarica(client, mondo)
    [e] = [e for e in dati["eventi"] if e["evento"] == "presenze.salvate"]
    assert e["autore"] == "altra_persona"
    assert e["indirizzo_ip"] is None
    assert "olp.a@example.org" not in json.dumps(dati)


def test_no_other_volunteer_is_in_the_copy(client, mondo):
    dati, testo_csv, _ = _scarica(client, mondo)
    tutto = json.dumps(dati, ensure_ascii=False) + testo_csv
    for chiave in ("b", "v"):
        altro = mondo.oggetti["servizi"][chiave].volontario
        assert altro.codice_fiscale not in tutto
        assert altro.cognome not in tutto
    assert "nota-di-un-altro" not in tutto


@pytest.mark.parametrize("persona", [p for p in PERSONE if p != "volontario"])
def test_nobody_else_downloads_it(client, mondo, persona):
    response = client_per(client, mondo, persona).get(URL)
    assert response.status_code in (302, 403)
    assert response.get("Content-Type") != "application/zip"
    assert not AuditEvent.objects.filter(verb="dati_personali.scaricati").exists()


def test_a_post_is_refused(client, mondo):
    assert client_per(client, mondo, "volontario").post(URL).status_code == 405


def test_the_query_count_does_not_grow_with_the_days(client, mondo):
    c = client_per(client, mondo, "volontario")
    a = mondo.oggetti["servizi"]["a"]
    c.get(URL)
    with CaptureQueriesContext(connection) as prima:
        c.get(URL)
    _giorni(a, 25, da=3)
    mese = (a.data_inizio.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    ChiusuraMensile.objects.create(servizio=a, mese=mese)
    RelazioneMensile.objects.create(servizio=a, mese=mese, andamento=3, obiettivi=3)
    Questionario.objects.create(servizio=a, tipo="meta", inviato_il=a.data_inizio, scadenza=a.data_inizio)
    with CaptureQueriesContext(connection) as dopo:
        c.get(URL)
    assert len(dopo.captured_queries) == len(prima.captured_queries)


def test_the_volunteer_page_offers_the_download(client, mondo):
    html = client_per(client, mondo, "volontario").get(reverse("volontari:mio")).content.decode()
    assert URL in html
    assert reverse("pubblico:privacy") in html
