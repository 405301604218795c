"""Every link in an e-mail uses the configured portal address (PORTALE_URL), never the Host
of the request that caused the e-mail (issue 19)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from enti.roles import Ruolo
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db
PORTALE = "https://portale.example.org"
ESTRANEO = "attacker.example"


@pytest.fixture
def portale(settings):
    settings.PORTALE_URL = PORTALE
    settings.ALLOWED_HOSTS = ["*"]  # as a proxy that passes any Host would


def link(corpo: str) -> list[str]:
    return re.findall(r"https?://\S+", corpo)


def test_an_invitation_link_uses_the_portal_address(client, portale, django_capture_on_commit_callbacks):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(
            reverse("inviti:nuovo"),
            {"email": "nuovo@example.org", "ruolo": Ruolo.STAFF_ENTE, "ente": mondo.oggetti["enti"]["a"].pk},
            HTTP_HOST=ESTRANEO,
        )
    assert risposta.status_code == 302, risposta.content.decode()[:2000]
    (messaggio,) = mail.outbox
    collegamenti = link(messaggio.body)
    assert collegamenti and all(u.startswith(PORTALE + "/inviti/") for u in collegamenti), collegamenti
    assert ESTRANEO not in messaggio.body


def test_a_password_reset_link_uses_the_portal_address(client, portale):
    costruisci_mondo()
    risposta = client.post(reverse("account_reset_password"), {"email": "referente.a@example.org"}, HTTP_HOST=ESTRANEO)
    assert risposta.status_code == 302
    (messaggio,) = mail.outbox
    collegamenti = link(messaggio.body)
    assert any("/accounts/password/reset/key/" in u for u in collegamenti), collegamenti
    assert all(u.startswith(PORTALE + "/") for u in collegamenti), collegamenti
    assert ESTRANEO not in messaggio.body and ESTRANEO not in messaggio.subject
