"""The ente's pages: its data, its adhesion steps, its experts pool form."""

import pytest
from django.urls import reverse

from enti.models import Ente, Esperto
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    Ente.objects.filter(pk=mondo.oggetti["enti"]["a"].pk).update(stato_adesione="richiesta", data_adesione=None)
    return mondo


def test_referente_fixes_data_and_error_at_the_field(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    client.force_login(mondo.users["referente_a"])
    url = reverse("enti:modifica", args=[ente.pk])
    data = {
        "denominazione": "Comune di Alfa",
        "tipo": "comune",
        "codice_fiscale": "01234567890",
        "comune": ente.comune.codice_istat,
        "pec": "pec@pec.alfa.example",
        "rappresentante_legale": "Sindaca",
    }
    response = client.post(url, data)
    assert 'id="id_codice_fiscale_error"' in response.content.decode()
    data["codice_fiscale"] = "01234567897"
    assert client.post(url, data).status_code == 302
    ente.refresh_from_db()
    assert ente.codice_fiscale == "01234567897" and ente.pec == "pec@pec.alfa.example"


def test_adhesion_steps_from_the_page(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(reverse("enti:dettaglio", args=[ente.pk])).content.decode()
    assert "Avvia l" in html  # the action the nodo can take now
    client.post(reverse("enti:adesione", args=[ente.pk]), {"a": "in_istruttoria"})
    client.post(reverse("enti:adesione", args=[ente.pk]), {"a": "da_integrare", "motivo": ""})
    ente.refresh_from_db()
    assert ente.stato_adesione == "in_istruttoria"  # a return needs its reason
    client.post(reverse("enti:adesione", args=[ente.pk]), {"a": "aderente"})
    ente.refresh_from_db()
    assert ente.stato_adesione == "aderente"
    # The referente sees the history the nodo wrote.
    client.force_login(mondo.users["referente_a"])
    html = client.get(reverse("enti:dettaglio", args=[ente.pk])).content.decode()
    assert html.count('<li class="mb-2">') == 2


def test_expert_needs_a_role(client, mondo):
    client.force_login(mondo.users["nodo_lombardia"])
    data = {
        "nodo": mondo.oggetti["nodi"]["lombardia"].pk,
        "nome": "Anna",
        "cognome": "Esperta",
        "email": "a@x.it",
        "disponibilita_ore_mese": 10,
        "attivo": "on",
    }
    response = client.post(reverse("progetti:esperto_nuovo"), data)
    assert 'id="id_formatore_error"' in response.content.decode()
    assert client.post(reverse("progetti:esperto_nuovo"), {**data, "tutor": "on"}).status_code == 302
    assert Esperto.objects.get().tutor
    # Nodo staff cannot put an expert in another node's pool.
    response = client.post(
        reverse("progetti:esperto_nuovo"), {**data, "nodo": mondo.oggetti["nodi"]["veneto"].pk, "tutor": "on"}
    )
    assert 'id="id_nodo_error"' in response.content.decode()
