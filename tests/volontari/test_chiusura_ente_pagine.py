"""The monthly close of a whole ente is paged: a large comune has hundreds of volunteers, and
the page reads only the months of the volunteers it shows (at national scale the Comune di
Milano's 632 volunteers made a 312 KB page of 5 s: docs/benchmarks.md)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ServizioFactory
from tests.personas import client_per, costruisci_mondo
from volontari.views_registro import PER_PAGINA_CHIUSURA

pytestmark = pytest.mark.django_db


def righe(response) -> list[str]:
    """The services listed, by the link of each row."""
    return re.findall(r'href="/registro/servizi/(\d+)/\?mese=', response.content.decode())


def test_the_list_is_paged_and_every_volunteer_is_on_some_page(client):
    mondo = costruisci_mondo()
    base = mondo.oggetti["servizi"]["a"]
    oggi = timezone.localdate()
    mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    nuovi = {
        str(ServizioFactory(posto=base.posto, olp=base.olp, data_inizio=mese - datetime.timedelta(days=40)).pk)
        for _ in range(PER_PAGINA_CHIUSURA + 3)
    }
    c = client_per(client, mondo, "referente_a")
    url = reverse("registro:chiusura_ente", args=[base.posto.sede.ente_id])
    prima = c.get(url, {"mese": f"{mese:%Y-%m}"})
    assert prima.status_code == 200
    assert len(righe(prima)) == PER_PAGINA_CHIUSURA
    assert f"?mese={mese:%Y-%m}&amp;page=2" in prima.content.decode()
    seconda = c.get(url, {"mese": f"{mese:%Y-%m}", "page": 2})
    visti = righe(prima) + righe(seconda)
    assert len(visti) == len(set(visti)), "a volunteer on two pages"
    assert nuovi <= set(visti)
    # The general confirmation is still offered on every page: it covers the whole ente.
    assert '<button type="submit" class="btn btn-primary">' in seconda.content.decode()
