"""A comune outside the network asks for access; its nodo decides."""

import pytest
from django.core import mail
from django.urls import reverse

from adesioni.models import Invito, RichiestaAccesso
from enti.models import Ente, Membership
from enti.roles import Ruolo
from tests.factories import ComuneFactory, ProvinciaFactory, RegioneFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    mondo.oggetti["nodi"]["lombardia"].regioni.add(RegioneFactory(codice_istat="03", nome="Lombardia"))
    return mondo


def dati(sede_comune, **extra):
    data = {
        "denominazione": "Comune di Gamma",
        "tipo": "comune",
        "codice_fiscale": "01234567897",
        "comune": sede_comune.nome,
        "pec": "protocollo@pec.gamma.example",
        "rappresentante_legale": "Giovanna Gamma",
        "nome": "Gino",
        "cognome": "Gamma",
        "email": "gino@gamma.example",
    }
    data.update(extra)
    return data


def test_request_goes_to_the_nodo_of_the_region(client, mondo, django_capture_on_commit_callbacks):
    comune = ComuneFactory(nome="Gamma", provincia=ProvinciaFactory(regione=RegioneFactory(codice_istat="03")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("inviti:richiesta"), dati(comune))
    assert response.status_code == 302
    richiesta = RichiestaAccesso.objects.get()
    assert richiesta.nodo == mondo.oggetti["nodi"]["lombardia"]
    assert mail.outbox[0].to == ["nodo.lombardia@example.org"]


def test_region_without_a_node_goes_to_the_national_node(client, mondo):
    lazio = ProvinciaFactory(
        codice_istat="058", nome="Roma", sigla="RM", regione=RegioneFactory(codice_istat="12", nome="Lazio")
    )
    roma = ComuneFactory(nome="Roma di prova", provincia=lazio)
    client.post(reverse("inviti:richiesta"), dati(roma, comune=roma.codice_istat))
    assert RichiestaAccesso.objects.get().nodo == mondo.oggetti["nodi"]["nazionale"]


def test_bad_data_is_refused_at_the_field(client, mondo):
    comune = ComuneFactory(nome="Gamma")
    response = client.post(reverse("inviti:richiesta"), dati(comune, codice_fiscale="01234567890", comune="Nessuno"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_codice_fiscale_error"' in html
    assert 'id="id_comune_error"' in html
    assert not RichiestaAccesso.objects.exists()


def test_a_body_already_in_the_network_is_told_to_ask_its_referent(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    response = client.post(
        reverse("inviti:richiesta"),
        dati(ente.comune, codice_fiscale=ente.codice_fiscale, comune=ente.comune.codice_istat),
    )
    assert response.status_code == 200
    assert 'id="id_codice_fiscale_error"' in response.content.decode()


def richiesta(mondo):
    return RichiestaAccesso.objects.create(
        denominazione="Comune di Gamma",
        codice_fiscale="01234567897",
        comune=ComuneFactory(),
        pec="p@pec.example",
        rappresentante_legale="R",
        nome="Gino",
        cognome="Gamma",
        email="gino@gamma.example",
        nodo=mondo.oggetti["nodi"]["lombardia"],
    )


def test_approval_creates_the_ente_and_invites_the_applicant_as_referente(
    client, mondo, django_capture_on_commit_callbacks
):
    r = richiesta(mondo)
    client.force_login(mondo.users["nodo_lombardia"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inviti:richiesta_decidi", args=[r.pk]), {"approva": "1"})
    r.refresh_from_db()
    assert r.stato == RichiestaAccesso.Stato.APPROVATA
    ente = Ente.objects.get(codice_fiscale="01234567897")
    assert ente.nodo == mondo.oggetti["nodi"]["lombardia"]
    assert ente.stato_adesione == Ente.StatoAdesione.RICHIESTA
    invito = Invito.objects.get(email="gino@gamma.example")
    assert invito.ruolo == Ruolo.REFERENTE and invito.ente == ente
    assert any(m.to == ["gino@gamma.example"] for m in mail.outbox)


def test_refusal_needs_a_reason(client, mondo):
    r = richiesta(mondo)
    client.force_login(mondo.users["nodo_lombardia"])
    client.post(reverse("inviti:richiesta_decidi", args=[r.pk]), {"approva": "0", "motivo": ""})
    r.refresh_from_db()
    assert r.stato == RichiestaAccesso.Stato.IN_ATTESA
    client.post(reverse("inviti:richiesta_decidi", args=[r.pk]), {"approva": "0", "motivo": "Dati incompleti"})
    r.refresh_from_db()
    assert r.stato == RichiestaAccesso.Stato.RESPINTA
    assert not Ente.objects.filter(codice_fiscale="01234567897").exists()


def test_another_nodo_cannot_decide(client, mondo):
    r = richiesta(mondo)
    client.force_login(mondo.users["nodo_veneto"])
    assert client.post(reverse("inviti:richiesta_decidi", args=[r.pk]), {"approva": "1"}).status_code == 404
    r.refresh_from_db()
    assert r.stato == RichiestaAccesso.Stato.IN_ATTESA
    assert not Membership.objects.filter(ente__codice_fiscale="01234567897").exists()
