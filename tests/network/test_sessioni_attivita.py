"""The signed-in devices' "last seen" (network.middleware.UserSessionsMiddleware): recorded at
once for a new session, address or browser, then at most once a minute per worker."""

import datetime

import pytest
from allauth.usersessions.models import UserSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network import middleware
from tests.personas import utente

pytestmark = pytest.mark.django_db


class Orologio:
    """time.monotonic as the middleware reads it, moved by hand."""

    def __init__(self, monkeypatch):
        self.adesso = 1000.0
        monkeypatch.setattr(middleware.time, "monotonic", lambda: self.adesso)


def sessione(user):
    return UserSession.objects.get(user=user)


def test_a_new_session_is_recorded_at_its_first_request(client):
    user = utente("olp.sessioni@example.org")
    client.force_login(user)
    client.get(reverse("dashboard"), REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Firefox")
    s = sessione(user)
    assert (s.ip, s.user_agent, s.session_key) == ("10.0.0.1", "Firefox", client.session.session_key)


def test_last_seen_is_written_at_most_once_a_minute(client, monkeypatch):
    orologio = Orologio(monkeypatch)
    user = utente("olp.sessioni@example.org")
    client.force_login(user)
    client.get(reverse("dashboard"))
    prima = sessione(user).last_seen_at
    UserSession.objects.filter(user=user).update(last_seen_at=prima - datetime.timedelta(minutes=5))

    orologio.adesso += 59
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("dashboard"))
    assert not [q for q in ctx.captured_queries if "usersessions_usersession" in q["sql"]]
    assert sessione(user).last_seen_at == prima - datetime.timedelta(minutes=5)

    orologio.adesso += 2  # 61 s after the last write
    client.get(reverse("dashboard"))
    assert sessione(user).last_seen_at > prima - datetime.timedelta(minutes=1)


def test_a_new_address_or_browser_is_recorded_at_once(client, monkeypatch):
    Orologio(monkeypatch)  # the clock stands still: only the change of client can write
    user = utente("olp.sessioni@example.org")
    client.force_login(user)
    client.get(reverse("dashboard"), REMOTE_ADDR="10.0.0.1", HTTP_USER_AGENT="Firefox")
    client.get(reverse("dashboard"), REMOTE_ADDR="10.0.0.2", HTTP_USER_AGENT="Firefox")
    assert sessione(user).ip == "10.0.0.2"
    client.get(reverse("dashboard"), REMOTE_ADDR="10.0.0.2", HTTP_USER_AGENT="Chromium")
    assert sessione(user).user_agent == "Chromium"


def test_zero_seconds_writes_on_every_request(client, monkeypatch, settings):
    Orologio(monkeypatch)
    settings.USERSESSIONS_ATTIVITA_SECONDI = 0
    user = utente("olp.sessioni@example.org")
    client.force_login(user)
    client.get(reverse("dashboard"))
    vecchio = sessione(user).last_seen_at - datetime.timedelta(minutes=5)
    UserSession.objects.filter(user=user).update(last_seen_at=vecchio)
    client.get(reverse("dashboard"))
    assert sessione(user).last_seen_at > vecchio
