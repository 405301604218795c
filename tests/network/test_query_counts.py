"""The signed-in pages run the same number of queries at 3 and at 30 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PresenzaFactory, ServizioFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "enti:lista", "volontari:lista", "inviti:lista", "audit:eventi", "inviti:richieste"]


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow(mondo, n):
    for key in ("a", "b"):
        servizio = mondo.oggetti["servizi"][key]
        for _ in range(n):
            s = ServizioFactory(posto=servizio.posto, olp=servizio.olp)
            PresenzaFactory(servizio=s)


@pytest.mark.parametrize("persona", ["nazionale", "nodo_lombardia", "referente_a", "olp_a"])
def test_list_pages_bounded(client, persona):
    mondo = costruisci_mondo()
    client.force_login(mondo.users[persona])
    from enti import policy

    pages = [p for p in PAGES if policy.consentito(mondo.users[persona], p)]
    client.get(reverse("dashboard"))  # the first request of a session records it (usersessions)
    small = {p: count(client, reverse(p)) for p in pages}
    grow(mondo, 15)
    large = {p: count(client, reverse(p)) for p in pages}
    assert small == large


def test_volunteer_detail_bounded(client):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    volontario = mondo.oggetti["servizi"]["a"].volontario
    url = reverse("volontari:dettaglio", args=[volontario.pk])
    client.get(url)
    small = count(client, url)
    for day in range(1, 25):
        import datetime

        PresenzaFactory(
            servizio=mondo.oggetti["servizi"]["a"],
            giorno=mondo.oggetti["servizi"]["a"].data_inizio + datetime.timedelta(days=day),
        )
    assert count(client, url) == small
