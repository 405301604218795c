"""What each role sees of a volunteer: the least its job needs."""

import pytest
from django.urls import reverse

from tests.factories import PresenzaFactory
from tests.personas import costruisci_mondo
from volontari.models import Presenza

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    import datetime

    from django.utils import timezone

    PresenzaFactory(
        servizio=servizio,
        giorno=timezone.localdate() - datetime.timedelta(days=2),
        codice=Presenza.Codice.MAL,
        attivita="",
        ore=0,
    )
    return mondo


@pytest.mark.parametrize(
    ("persona", "vede_cf", "vede_malattia"),
    [
        ("volontario", True, True),
        ("olp_a", False, True),
        ("referente_a", True, True),
        ("nodo_lombardia", False, False),
        ("nazionale", False, False),
    ],
)
def test_tax_code_and_nature_of_absences(client, mondo, persona, vede_cf, vede_malattia):
    volontario = mondo.oggetti["servizi"]["a"].volontario
    client.force_login(mondo.users[persona])
    html = client.get(reverse("volontari:dettaglio", args=[volontario.pk])).content.decode()
    assert (volontario.codice_fiscale in html) == vede_cf
    assert (">MAL<" in html) == vede_malattia
    if not vede_malattia:
        assert "ASS" in html  # a generic absence


def test_out_of_scope_detail_is_404_without_the_row(client, mondo):
    volontario = mondo.oggetti["servizi"]["a"].volontario
    client.force_login(mondo.users["referente_b"])
    response = client.get(reverse("volontari:dettaglio", args=[volontario.pk]))
    assert response.status_code == 404
    assert volontario.cognome not in response.content.decode()
