"""Project pages: errors at the field, rows of places, the nodo's queue and its CSV."""

import csv
import io

import pytest
from django.urls import reverse

from progetti.models import Progetto
from tests.factories import AreaFactory, BandoFactory, OlpFactory, ProgettoFactory, SedeFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    return costruisci_mondo()


@pytest.fixture
def bozza(mondo):
    return ProgettoFactory(ente=mondo.oggetti["enti"]["a"], stato="bozza", titolo="Bozza di Alfa")


def test_new_project_form_creates_a_draft(client, mondo):
    area = AreaFactory()
    client.force_login(mondo.users["referente_a"])
    response = client.post(
        reverse("progetti:nuovo"),
        {
            "ente": mondo.oggetti["enti"]["a"].pk,
            "titolo": "Nuovo",
            "bando": BandoFactory().pk,
            "settore": area.settore.pk,
            "area": area.pk,
        },
    )
    progetto = Progetto.objects.get(titolo="Nuovo")
    assert response["Location"] == reverse("progetti:modifica", args=[progetto.pk, "generale"])
    assert progetto.stato == "bozza"


def test_a_broken_rule_is_shown_at_its_field_and_nothing_is_saved(client, mondo, bozza):
    client.force_login(mondo.users["referente_a"])
    url = reverse("progetti:modifica", args=[bozza.pk, "orario"])
    response = client.post(
        url, {"durata_mesi": 13, "modello_orario": "settimanale", "ore_settimanali": 25, "giorni_settimana": 5}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_durata_mesi_error"' in html and 'aria-invalid="true"' in html
    bozza.refresh_from_db()
    assert bozza.durata_mesi == 12


def test_monte_ore_message_names_the_pro_rata_quota(client, mondo, bozza):
    client.force_login(mondo.users["referente_a"])
    response = client.post(
        reverse("progetti:modifica", args=[bozza.pk, "orario"]),
        {"durata_mesi": 10, "modello_orario": "monte_ore", "monte_ore": 1000, "giorni_settimana": 5},
    )
    assert "955" in response.content.decode()


def test_places_rows_show_their_own_errors(client, mondo, bozza):
    client.force_login(mondo.users["referente_a"])
    sede_1, sede_2 = SedeFactory(ente=bozza.ente), SedeFactory(ente=bozza.ente)
    olp = OlpFactory(ente=bozza.ente)
    data = {
        "posti-TOTAL_FORMS": 2,
        "posti-INITIAL_FORMS": 0,
        "posti-0-sede": sede_1.pk,
        "posti-0-posti_vitto_alloggio": 0,
        "posti-0-posti_solo_vitto": 0,
        "posti-0-posti_senza_vitto_alloggio": 2,
        "posti-0-posti_gmo": 0,
        "posti-0-olp": [olp.pk],
        "posti-1-sede": sede_2.pk,
        "posti-1-posti_vitto_alloggio": 0,
        "posti-1-posti_solo_vitto": 0,
        "posti-1-posti_senza_vitto_alloggio": 9,
        "posti-1-posti_gmo": 0,
        "posti-1-olp": [olp.pk],
    }
    response = client.post(reverse("progetti:modifica", args=[bozza.pk, "sedi"]), data)
    html = response.content.decode()
    assert 'id="id_posti-1-olp_error"' in html
    assert 'id="id_posti-0-olp_error"' not in html or "11" in html
    assert not bozza.posti.exists()


def test_another_ente_cannot_act_on_the_project(client, mondo, bozza):
    client.force_login(mondo.users["referente_b"])
    assert client.post(reverse("progetti:transizione", args=[bozza.pk]), {"a": "presentato"}).status_code == 404
    assert client.post(reverse("progetti:commento", args=[bozza.pk]), {"commento": "x"}).status_code == 404
    assert client.get(reverse("progetti:modifica", args=[bozza.pk, "orario"])).status_code == 404
    bozza.refresh_from_db()
    assert bozza.stato == "bozza" and not bozza.eventi.exists()


def test_queue_filters_by_state_and_exports_csv(client, mondo):
    a, b = mondo.oggetti["enti"]["a"], mondo.oggetti["enti"]["b"]
    ProgettoFactory(ente=a, stato="presentato", titolo="=HYPERLINK(1)")
    ProgettoFactory(ente=b, stato="in_valutazione", titolo="Secondo")
    ProgettoFactory(ente=mondo.oggetti["enti"]["v"], stato="presentato", titolo="Progetto del Veneto")
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(reverse("progetti:lista"), {"stato": ["presentato", "in_valutazione"]}).content.decode()
    # (The region filter lists Veneto: the Veneto's project is what must not appear.)
    assert "Secondo" in html and "Progetto del Veneto" not in html and "Bozza" not in html
    response = client.get(reverse("progetti:lista"), {"stato": "presentato", "formato": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert rows[0][:2] == ["id", "titolo"]
    assert [r[1] for r in rows[1:]] == ["'=HYPERLINK(1)"]


def test_closing_a_site_of_a_running_project_is_refused_with_a_message(client, mondo):
    client.force_login(mondo.users["referente_a"])
    sede = mondo.oggetti["servizi"]["a"].posto.sede
    response = client.post(reverse("sedi:chiudi", args=[sede.pk]), follow=True)
    sede.refresh_from_db()
    assert sede.data_chiusura is None
    assert sede.posti.get().progetto.titolo in response.content.decode()


def test_duplicate_site_address_error_at_the_field(client, mondo):
    client.force_login(mondo.users["referente_a"])
    sede = mondo.oggetti["servizi"]["a"].posto.sede
    response = client.post(
        reverse("sedi:nuova", args=[sede.ente_id]),
        {
            "denominazione": "Doppia",
            "comune": sede.comune.codice_istat,
            "indirizzo": sede.indirizzo.upper(),
            "civico": sede.civico,
        },
    )
    assert 'id="id_indirizzo_error"' in response.content.decode()
