"""The OLP's page: the referente records the requirements a project checks (a relevant degree
or two years' experience, the OLP course, at least 10 hours a week at the site)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from enti.models import Olp
from tests.factories import OlpFactory
from tests.personas import client_per, costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def orologio():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def mondo():
    return costruisci_mondo()


def dati(**extra):
    return {
        "nome": "Ornella",
        "cognome": "Operatrice",
        "email": "ornella@comune.example",
        "telefono": "",
        "requisito": "esperienza",
        "titolo_o_esperienza": "Tre anni di educativa in biblioteca",
        "corso_olp_il": "2026-02-10",
        "ore_settimanali_sede": "10",
        "attivo": "on",
        **extra,
    }


def test_the_referente_records_an_olp_with_the_requirements(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    client_per(client, mondo, "referente_a")
    pagina = client.get(reverse("olp:nuovo", args=[ente.pk])).content.decode()
    assert "Requisito" in pagina and "Ore settimanali presso la sede" in pagina and "corso OLP" in pagina
    r = client.post(reverse("olp:nuovo", args=[ente.pk]), dati())
    assert r.status_code == 302
    olp = Olp.objects.get(cognome="Operatrice")
    assert (olp.ente, olp.requisito, olp.corso_olp_il, olp.ore_settimanali_sede) == (
        ente, Olp.Requisito.ESPERIENZA, datetime.date(2026, 2, 10), 10,
    )  # fmt: skip
    assert AuditEvent.objects.filter(verb="olp.salvato", target_id=str(olp.pk)).exists()


@pytest.mark.parametrize(
    ("campo", "valore", "messaggio"),
    [
        ("ore_settimanali_sede", "9", "Un OLP è presente in sede almeno 10 ore alla settimana."),
        ("corso_olp_il", "2026-05-05", "Registra il corso OLP dopo averlo frequentato."),
        ("requisito", "", "Questo campo è obbligatorio."),
        ("corso_olp_il", "", "Questo campo è obbligatorio."),
        ("ore_settimanali_sede", "", "Questo campo è obbligatorio."),
    ],
)
def test_an_olp_without_a_requirement_is_refused_at_its_field(client, mondo, campo, valore, messaggio):
    ente = mondo.oggetti["enti"]["a"]
    client_per(client, mondo, "referente_a")
    r = client.post(reverse("olp:nuovo", args=[ente.pk]), dati(**{campo: valore}))
    assert r.status_code == 200
    assert r.context["form"].errors[campo] == [messaggio]
    assert not Olp.objects.filter(cognome="Operatrice").exists()


def test_an_olp_recorded_before_the_requirements_shows_what_is_missing(client, mondo):
    ente = mondo.oggetti["enti"]["a"]
    vecchio = OlpFactory(ente=ente, requisito="", corso_olp_il=None, ore_settimanali_sede=None)
    client_per(client, mondo, "referente_a")
    assert "requisiti da registrare" in client.get(reverse("enti:dettaglio", args=[ente.pk])).content.decode()
    pagina = client.get(reverse("olp:modifica", args=[vecchio.pk])).content.decode()
    assert "Da registrare prima che un progetto possa indicare questo OLP:" in pagina
    assert "non è registrata la data del corso OLP" in pagina
    r = client.post(reverse("olp:modifica", args=[vecchio.pk]), dati(nome=vecchio.nome, cognome=vecchio.cognome))
    assert r.status_code == 302
    vecchio.refresh_from_db()
    assert vecchio.ore_settimanali_sede == 10 and vecchio.requisito == "esperienza"


def test_another_bodys_olp_is_not_found(client, mondo):
    olp_a = mondo.oggetti["servizi"]["a"].olp
    client_per(client, mondo, "referente_b")
    assert client.post(reverse("olp:modifica", args=[olp_a.pk]), dati()).status_code == 404
    olp_a.refresh_from_db()
    assert olp_a.cognome != "Operatrice"
