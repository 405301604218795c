"""What each role sees of a volunteer: the least its job needs."""

import pytest
from django.urls import reverse

from tests.factories import PresenzaFactory
from tests.personas import costruisci_mondo
from volontari.models import Presenza, Servizio, Volontario

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    import datetime

    from django.utils import timezone

    PresenzaFactory(
        servizio=servizio,
        giorno=timezone.localdate() - datetime.timedelta(days=2),
        codice=Presenza.Codice.MAL,
        attivita="",
        ore=0,
    )
    return mondo


@pytest.mark.parametrize(
    ("persona", "vede_cf", "vede_malattia"),
    [
        ("volontario", True, True),
        ("olp_a", False, True),
        ("referente_a", True, True),
        ("nodo_lombardia", False, False),
        ("nazionale", False, False),
    ],
)
def test_tax_code_and_nature_of_absences(client, mondo, persona, vede_cf, vede_malattia):
    volontario = mondo.oggetti["servizi"]["a"].volontario
    client.force_login(mondo.users[persona])
    html = client.get(reverse("volontari:dettaglio", args=[volontario.pk])).content.decode()
    assert (volontario.codice_fiscale in html) == vede_cf
    assert (">MAL<" in html) == vede_malattia
    if not vede_malattia:
        assert "ASS" in html  # a generic absence


def test_out_of_scope_detail_is_404_without_the_row(client, mondo):
    volontario = mondo.oggetti["servizi"]["a"].volontario
    client.force_login(mondo.users["referente_b"])
    response = client.get(reverse("volontari:dettaglio", args=[volontario.pk]))
    assert response.status_code == 404
    assert volontario.cognome not in response.content.decode()


# --- Health-related absences: every place that shows a day, a note or an interruption ------

NOTA = "certificato del dott. Bianchi"
# Who may know the nature of a health-related absence (enti.policy.vede_natura_assenze):
# the volunteer, their OLP, their ente. Network staff read a generic absence.
LETTORI = [("olp_a", True), ("referente_a", True), ("nodo_lombardia", False), ("nazionale", False)]


@pytest.fixture
def giorno_di_malattia(mondo):
    p = Presenza.objects.get(servizio=mondo.oggetti["servizi"]["a"], codice="MAL")
    Presenza.objects.filter(pk=p.pk).update(nota=NOTA)
    return p.giorno


@pytest.mark.parametrize(("persona", "vede"), LETTORI)
def test_register_page_of_a_volunteer(client, mondo, giorno_di_malattia, persona, vede):
    servizio = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users[persona])
    url = reverse("registro:volontario", args=[servizio.pk]) + f"?mese={giorno_di_malattia:%Y-%m}"
    html = client.get(url).content.decode()
    # The code is read in a cell (>MAL<) or typed in its field (value="MAL" list=...).
    assert (">MAL<" in html or 'value="MAL" list=' in html) == vede
    assert (NOTA in html) == vede
    assert ("Giorni di malattia" in html) == vede  # the sickness total against the caps
    if not vede:
        assert ">ASS<" in html


@pytest.mark.parametrize(("persona", "vede"), LETTORI)
def test_monthly_sheet_pdf(client, mondo, giorno_di_malattia, persona, vede, monkeypatch):
    import weasyprint

    renderizzati = []

    class FintoHTML:
        def __init__(self, string, **kwargs):
            renderizzati.append(string)

        def write_pdf(self):
            return b"%PDF-1.4"

    monkeypatch.setattr(weasyprint, "HTML", FintoHTML)
    servizio = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users[persona])
    url = reverse("registro:foglio", args=[servizio.pk]) + f"?mese={giorno_di_malattia:%Y-%m}"
    assert client.get(url).status_code == 200
    [html] = renderizzati
    assert (">MAL<" in html) == vede
    assert (NOTA in html) == vede


@pytest.mark.parametrize(("persona", "vede"), [("referente_a", True), ("nodo_lombardia", False), ("nazionale", False)])
@pytest.mark.parametrize("formato", ["helios", "excel"])
def test_attendance_export(client, mondo, giorno_di_malattia, persona, vede, formato):
    ente = mondo.oggetti["enti"]["a"]
    Volontario.objects.filter(pk=mondo.oggetti["servizi"]["a"].volontario_id).update(codice_volontario="VOL1")
    client.force_login(mondo.users[persona])
    url = reverse("registro:esporta", args=[ente.pk]) + f"?mese={giorno_di_malattia:%Y-%m}&formato={formato}"
    risposta = client.get(url)
    if formato == "helios" and not vede:  # ASS is no Department code: no file for Helios, the reason instead
        assert risposta.status_code == 422 and not risposta["Content-Type"].startswith("text/csv")
        assert "ASS" in risposta.content.decode()
        return
    testo = risposta.content.decode("utf-8-sig")
    data = f"{giorno_di_malattia:%d/%m/%Y}"
    [riga] = [r for r in testo.splitlines() if data in r]
    assert riga.split(";")[4] == ("MAL" if vede else "ASS")
    assert ("dott" in riga) == vede


@pytest.mark.parametrize(("persona", "vede"), [("referente_a", True), ("nodo_lombardia", False), ("nazionale", False)])
def test_training_export_and_the_tax_code(client, mondo, persona, vede):
    ente = mondo.oggetti["enti"]["a"]
    volontario = mondo.oggetti["servizi"]["a"].volontario
    Volontario.objects.filter(pk=volontario.pk).update(codice_volontario="VOL1")
    client.force_login(mondo.users[persona])
    url = reverse("registro:esporta", args=[ente.pk]) + "?tipo=generale"
    # Helios needs the tax codes: a role without them gets the reason, and the file for spreadsheets.
    assert client.get(url).status_code == (200 if vede else 422)
    testo = client.get(url + "&formato=excel").content.decode("utf-8-sig")
    assert volontario.cognome in testo
    assert (volontario.codice_fiscale in testo) == vede
    assert (f"{volontario.data_nascita:%d/%m/%Y}" in testo) == vede


@pytest.mark.parametrize(("persona", "vede"), LETTORI)
def test_reason_for_an_interruption(client, mondo, persona, vede):
    servizio = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=servizio.pk).update(stato="interrotto", motivo_interruzione="ricovero ospedaliero")
    client.force_login(mondo.users[persona])
    html = client.get(reverse("volontari:dettaglio", args=[servizio.volontario_id])).content.decode()
    assert ("ricovero ospedaliero" in html) == vede


def test_the_volunteer_reads_their_own_in_their_copy(client, mondo, giorno_di_malattia):
    import io
    import json
    import zipfile

    client.force_login(mondo.users["volontario"])
    contenuto = client.get(reverse("volontari:i_miei_dati")).content
    dati = json.loads(zipfile.ZipFile(io.BytesIO(contenuto)).read("dati.json"))
    [giorno] = [p for p in dati["servizi"][0]["presenze"] if p["giorno"] == giorno_di_malattia.isoformat()]
    assert (giorno["codice"], giorno["nota"]) == ("MAL", NOTA)
