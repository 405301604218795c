"""Sign-in throttling that a third party cannot turn against a user (issue 19): strict per
address and client IP, looser per address, the client IP read only from the configured
trusted proxy header."""

import pytest
from django.urls import reverse

from accounts.audit import client_ip
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db
VITTIMA = "referente.a@example.org"
GIUSTA = "password-for-tests"


def accedi(client, password: str, **meta):
    client.logout()
    client.post(reverse("account_login"), {"login": VITTIMA, "password": password}, **meta)
    return client.get(reverse("dashboard"), **meta).status_code == 200


def test_wrong_passwords_from_another_ip_do_not_lock_the_person_out(client):
    costruisci_mondo()
    for _ in range(8):
        assert not accedi(client, "sbagliata", REMOTE_ADDR="203.0.113.9")
    assert accedi(client, GIUSTA, REMOTE_ADDR="198.51.100.7")


def test_five_failures_from_one_ip_lock_that_ip_out_for_that_address(client):
    costruisci_mondo()
    for _ in range(5):
        assert not accedi(client, "sbagliata", REMOTE_ADDR="203.0.113.9")
    risposta = client.post(reverse("account_login"), {"login": VITTIMA, "password": GIUSTA}, REMOTE_ADDR="203.0.113.9")
    assert "Troppi tentativi" in risposta.content.decode() or risposta.status_code == 429
    assert client.get(reverse("dashboard")).status_code == 302
    assert accedi(client, GIUSTA, REMOTE_ADDR="198.51.100.7")  # the person, elsewhere


def test_a_successful_sign_in_gives_back_its_attempt(client):
    costruisci_mondo()
    for _ in range(4):
        assert not accedi(client, "sbagliata", REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert accedi(client, GIUSTA, REMOTE_ADDR="203.0.113.9")


def test_the_looser_limit_per_address_holds_against_many_ips(client):
    costruisci_mondo()
    for n in range(30):  # 5 from each of six addresses: none reaches the strict limit
        assert not accedi(client, "sbagliata", REMOTE_ADDR=f"203.0.113.{n // 5 + 1}")
    assert not accedi(client, GIUSTA, REMOTE_ADDR="198.51.100.7")


def test_the_client_ip_comes_from_the_trusted_header_only(client, settings, rf):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    costruisci_mondo()
    # A client that rewrites X-Forwarded-For each time is still one client to the proxy.
    for n in range(5):
        assert not accedi(
            client, "sbagliata", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )  # fmt: skip
    assert not accedi(client, GIUSTA, REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    # The person, whom the proxy sees at another address, signs in.
    assert accedi(client, GIUSTA, REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7")
    richiesta = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(richiesta) == "198.51.100.7"
    assert client_ip(rf.get("/", HTTP_X_REAL_IP="not an address")) is None


def test_without_a_proxy_header_the_connection_address_counts(rf, settings):
    settings.CLIENT_IP_HEADER = ""
    richiesta = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_REAL_IP="5.6.7.8")
    assert client_ip(richiesta) == "198.51.100.7"
