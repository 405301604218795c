"""The volunteer's own pages, calendar feed and certificate."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from tests.personas import costruisci_mondo
from volontari.models import Presenza, Servizio, Volontario

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=a.data_inizio, codice="P", attivita="formazione_generale", ore=5)
    Presenza.objects.create(servizio=a, giorno=a.data_inizio + datetime.timedelta(days=1), codice="MAL")
    Presenza.objects.create(servizio=a, giorno=a.data_inizio + datetime.timedelta(days=2), codice="PR")
    return mondo


def test_my_service_shows_hours_leave_and_training(client, mondo):
    client.force_login(mondo.users["volontario"])
    html = client.get(reverse("volontari:mio")).content.decode()
    assert mondo.oggetti["servizi"]["a"].posto.progetto.titolo in html
    assert '<dd class="col-4 text-end" data-campo="permessi">19 / 20</dd>' in html
    assert reverse("volontari:nuovo_calendario") in html


def test_calendar_feed_masks_health_related_days(client, mondo):
    client.force_login(mondo.users["volontario"])
    client.post(reverse("volontari:nuovo_calendario"))
    token = Volontario.objects.get(user=mondo.users["volontario"]).ical_token
    client.logout()
    response = client.get(reverse("volontari:calendario", args=[token]))
    testo = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert testo.startswith("BEGIN:VCALENDAR") and testo.rstrip().endswith("END:VCALENDAR")
    assert testo.count("BEGIN:VEVENT") == 4  # the service and three days
    assert "SUMMARY:Assenza" in testo and "Malattia" not in testo
    assert "SUMMARY:Permesso ordinario" in testo


def test_the_calendar_address_is_made_by_a_post_with_audit_never_by_a_get(client, mondo):
    user = mondo.users["volontario"]
    client.force_login(user)
    html = client.get(reverse("volontari:mio")).content.decode()
    assert Volontario.objects.get(user=user).ical_token is None
    assert "/volontari/calendario/" not in html and "indirizzo del mio calendario" in html
    response = client.post(reverse("volontari:nuovo_calendario"), follow=True)
    token = Volontario.objects.get(user=user).ical_token
    assert token and f"/volontari/calendario/{token}.ics" in response.content.decode()
    assert "indirizzo del tuo calendario è pronto" in response.content.decode()
    evento = AuditEvent.objects.get(verb="calendario.creato")
    assert evento.actor_id == user.pk and token not in str(evento.data)


def test_a_new_calendar_address_revokes_the_old(client, mondo):
    client.force_login(mondo.users["volontario"])
    client.post(reverse("volontari:nuovo_calendario"))
    vecchio = Volontario.objects.get(user=mondo.users["volontario"]).ical_token
    client.post(reverse("volontari:nuovo_calendario"))
    assert client.get(reverse("volontari:calendario", args=[vecchio])).status_code == 404
    assert AuditEvent.objects.filter(verb="calendario.rinnovato").count() == 1


def test_certificate_only_when_the_rules_allow(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["volontario"])
    url = reverse("volontari:certificato", args=[a.pk])
    assert client.get(url).status_code == 404
    Servizio.objects.filter(pk=a.pk).update(stato="concluso", data_fine=OGGI - datetime.timedelta(days=1))
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
