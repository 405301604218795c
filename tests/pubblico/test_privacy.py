"""The privacy notice: public, linked from every page, stating the configured controller and
retention period, cacheable like the other public pages."""

import pytest
from django.urls import reverse

from tests.personas import client_per, costruisci_mondo

pytestmark = pytest.mark.django_db

URL = reverse("pubblico:privacy")


def test_the_page_follows_article_13_with_the_configured_controller(client, settings):
    settings.PRIVACY_TITOLARE = "ANCI Lombardia"
    settings.PRIVACY_CONTATTO = "privacy@anci-lombardia.example"
    settings.PRIVACY_DPO = "dpo@anci-lombardia.example"
    settings.PSEUDONIMIZZA_DOPO_ANNI = 7
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for testo in ("ANCI Lombardia", "privacy@anci-lombardia.example", "dpo@anci-lombardia.example"):
        assert testo in html
    # The parts of art. 13 (checked in English: the wording does not depend on the catalogue).
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    for testo in (
        "Controller and data protection officer",
        "Legislative Decree 40/2017",
        "Health data",
        "Department for youth policies",
        "Helios",
        "after the end of a volunteer's last service: 7.",
        "Download my data",
        "Garante per la protezione dei dati personali",
        "Cookies",
        "csrftoken",
        "sessionid",
        "django_language",
    ):
        assert testo in html, testo


def test_public_cacheable_and_without_a_csrf_token(client):
    response = client.get(URL)
    assert "public" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_linked_from_the_footer(client):
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


def test_network_staff_without_a_second_factor_read_it(client):
    """Public pages are exempt from the MFA set-up redirect."""
    from allauth.mfa.models import Authenticator

    mondo = costruisci_mondo()
    Authenticator.objects.filter(user=mondo.users["nodo_lombardia"]).delete()
    assert client_per(client, mondo, "nodo_lombardia").get(URL).status_code == 200


def test_no_personal_data(client):
    mondo = costruisci_mondo()
    volontario = mondo.oggetti["servizi"]["a"].volontario
    html = client.get(URL).content.decode()
    assert volontario.cognome not in html and volontario.codice_fiscale not in html
