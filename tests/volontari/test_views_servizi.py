"""The ente's forms for the life of a service: errors at the field, nothing half-written."""

import datetime

import pytest
from codicefiscale import codicefiscale
from django.urls import reverse
from django.utils import timezone

from progetti.models import Progetto
from tests.personas import costruisci_mondo
from volontari.models import Servizio

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    Progetto.objects.filter(pk=mondo.oggetti["servizi"]["a"].posto.progetto_id).update(
        stato="approvato", data_avvio=OGGI
    )
    return mondo


def dati(cf, olp, **extra):
    data = {
        "codice_fiscale": cf, "nome": "Nina", "cognome": "Nuovi", "email": "", "codice_volontario": "",
        "data_domanda": f"{OGGI - datetime.timedelta(days=30):%Y-%m-%d}", "data_inizio": f"{OGGI:%Y-%m-%d}",
        "olp": olp.pk, "tipo_posto": 3,
    }  # fmt: skip
    data.update(extra)
    return data


def test_start_form(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["referente_a"])
    url = reverse("servizi:avvia", args=[a.posto_id])
    response = client.post(url, dati("RSSMRA01D03A794A", a.olp))
    assert 'id="id_codice_fiscale_error"' in response.content.decode()
    cf = codicefiscale.encode(lastname="Nuovi", firstname="Nina", gender="F", birthdate="01/05/2003", birthplace="A794")
    assert client.post(url, dati(cf, a.olp)).status_code == 302
    assert Servizio.objects.filter(volontario__codice_fiscale=cf, posto=a.posto).exists()


def test_interruption_form(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["referente_a"])
    url = reverse("servizi:interrompi", args=[a.pk])
    response = client.post(url, {"ultimo_giorno": f"{OGGI + datetime.timedelta(days=3):%Y-%m-%d}", "motivo": "Lavoro"})
    assert 'id="id_ultimo_giorno_error"' in response.content.decode()
    assert client.post(url, {"ultimo_giorno": f"{OGGI:%Y-%m-%d}", "motivo": "Lavoro"}).status_code == 302
    a.refresh_from_db()
    assert a.stato == "interrotto"
    html = client.get(reverse("volontari:dettaglio", args=[a.volontario_id])).content.decode()
    assert reverse("servizi:subentro", args=[a.pk]) in html
