"""Files in the Department's layouts: exports Helios accepts, imports that are all or nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.personas import costruisci_mondo
from volontari import helios
from volontari.models import ChiusuraMensile, Presenza, Volontario

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


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


# Days counted from the month's first Monday: paid leave and P104 are refused on the project's
# days off, so a test that puts them on day 1 or 2 must not meet a weekend whatever the month.
PRIMO_LUNEDI = MESE + datetime.timedelta(days=(7 - MESE.weekday()) % 7)


def giorno(n):
    return PRIMO_LUNEDI + datetime.timedelta(days=n)


def file(*righe, intestazione="CodiceVolontario;Cognome;Nome;Giorno;Causale;Note"):
    return ("\r\n".join([intestazione, *righe]) + "\r\n").encode("utf-8")


def riga(n, causale="P", nota="", cognome="D'Angelò", nome="Nicolò", codice="VOL00000001"):
    return f"{codice};{cognome};{nome};{giorno(n):%d/%m/%Y};{causale};{nota}"


def importa(mondo, dati, chi="referente_a"):
    return helios.importa_presenze(acting_user=mondo.users[chi], ente=mondo.oggetti["enti"]["a"], dati=dati)


def test_ascii_for_helios():
    assert helios.ascii_helios("Nicolò Perù à è ì") == "Nicolo' Peru' a' e' i'"
    assert helios.ascii_helios("Ñandú Straße") == "Nandu' Strae"


def test_import_writes_the_days_with_the_project_hours(mondo):
    assert importa(mondo, file(riga(0), riga(1, "POR"), riga(2, "MAL", "certificato"))) == 3
    a = mondo.oggetti["servizi"]["a"]
    giorni = {p.giorno: p for p in Presenza.objects.filter(servizio=a)}
    assert giorni[giorno(0)].codice == "P" and giorni[giorno(0)].ore == 5
    assert giorni[giorno(1)].codice == "PR"  # POR accepted as paid leave
    assert giorni[giorno(2)].nota == "certificato"


def test_accents_written_as_apostrophes_match_the_register(mondo):
    assert importa(mondo, file(riga(0, cognome="D'Angelo'", nome="Nicolo'"))) == 1


def test_every_wrong_line_is_reported_and_nothing_is_written(mondo):
    dati = file(
        riga(0),
        riga(1, "XX"),
        "VOL00000001;D'Angelò;Nicolò;31/02/2026;P;",
        riga(2, codice="NESSUNO"),
        riga(3, cognome="Rossi"),
        "solo;tre;campi",
        riga(0),
    )
    with pytest.raises(helios.ErroriImportazione) as exc:
        importa(mondo, dati)
    linee = [n for n, _m in exc.value.righe]
    assert linee == [3, 4, 5, 6, 7, 8]
    assert not Presenza.objects.exists()


def test_rules_of_the_register_refuse_the_file_naming_the_line(mondo):
    lavorativi = [n for n in range(10) if giorno(n).weekday() < 5][:4]  # P104 is refused on a weekend
    dati = file(*(riga(n, "P104") for n in lavorativi))  # the fourth exceeds 3 days a month
    with pytest.raises(helios.ErroriImportazione) as exc:
        importa(mondo, dati)
    assert [n for n, _m in exc.value.righe] == [5]
    assert not Presenza.objects.exists()


def test_a_future_day_and_a_confirmed_month_are_refused(mondo):
    domani = OGGI + datetime.timedelta(days=1)
    futuro = f"VOL00000001;D'Angelò;Nicolò;{domani:%d/%m/%Y};P;"
    with pytest.raises(helios.ErroriImportazione):
        importa(mondo, file(futuro))
    adesso = timezone.now()
    ChiusuraMensile.objects.create(
        servizio=mondo.oggetti["servizi"]["a"],
        mese=MESE,
        stato="confermata",
        conferma_preliminare_il=adesso,
        confermata_il=adesso,
    )
    with pytest.raises(helios.ErroriImportazione) as exc:
        importa(mondo, file(riga(0)))
    assert exc.value.righe[0][0] == 2


def test_a_bad_header_or_empty_line_is_refused(mondo):
    with pytest.raises(helios.ErroriImportazione):
        importa(mondo, file(riga(0), intestazione="Codice;Cognome"))
    with pytest.raises(helios.ErroriImportazione):
        importa(mondo, file(riga(0), "", riga(1)))


def test_only_the_ente_imports(client, mondo):
    client.force_login(mondo.users["olp_a"])
    assert client.get(reverse("registro:importa", args=[mondo.oggetti["enti"]["a"].pk])).status_code == 403


def test_import_page_reports_lines(client, mondo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(mondo.users["referente_a"])
    response = client.post(
        reverse("registro:importa", args=[mondo.oggetti["enti"]["a"].pk]),
        {"file": SimpleUploadedFile("presenze.csv", file(riga(0), riga(1, "XX")))},
    )
    assert response.status_code == 422
    assert "Riga 3" in response.content.decode()


def test_attendance_export_in_the_department_layout(mondo):
    importa(mondo, file(riga(0), riga(1, "PR", '"visita; medica"')))
    testo = helios.esporta_presenze(mondo.oggetti["enti"]["a"], MESE).decode("ascii")
    righe = testo.split("\r\n")
    assert righe[0] == "CodiceVolontario;Cognome;Nome;Giorno;Causale;Note"
    assert righe[1] == f"VOL00000001;D'Angelo';Nicolo';{giorno(0):%d/%m/%Y};P;"
    assert righe[2] == f"VOL00000001;D'Angelo';Nicolo';{giorno(1):%d/%m/%Y};PR;\"visita; medica\""
    assert righe[-1] == ""  # the file ends with the last record, no empty line before


def test_training_export_counts_whole_hours(mondo):
    a = mondo.oggetti["servizi"]["a"]
    for n, ore in ((0, "4.5"), (1, "4")):
        Presenza.objects.create(servizio=a, giorno=giorno(n), codice="P", attivita="formazione_generale", ore=ore)
    testo = helios.esporta_formazione(mondo.oggetti["enti"]["a"], tipo="generale").decode("ascii")
    intestazione, prima = testo.split("\r\n")[:2]
    assert intestazione.endswith(";CAP;OreFormazione")
    assert prima.startswith("VOL00000001;D'Angelo';Nicolo';F;") and prima.endswith(";8")
    specifica = helios.esporta_formazione(mondo.oggetti["enti"]["a"], tipo="specifica").decode("ascii")
    assert specifica.split("\r\n")[0].endswith(";OreFormazioneSpecifica")


def test_spreadsheet_export_is_utf8_and_formula_safe(mondo):
    Volontario.objects.filter(codice_volontario="VOL00000001").update(nome="=HYPERLINK(1)")
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=giorno(0), codice="P", attivita="servizio", ore=5, nota="@SUM(A1)")
    dati = helios.esporta_presenze(mondo.oggetti["enti"]["a"], MESE, helios=False)
    assert dati.startswith("\ufeff".encode())
    testo = dati.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in testo and "'@SUM(A1)" in testo and "D'Angelò" in testo
