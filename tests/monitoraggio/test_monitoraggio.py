"""The monitoring dashboard: scoped, drillable, exportable, bounded in queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db
MESE = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def mondo():
    return costruisci_mondo()


def url(**params):
    from urllib.parse import urlencode

    return reverse("monitoraggio:cruscotto") + "?" + urlencode({"mese": f"{MESE:%Y-%m}", **params})


def test_each_sees_their_scope(client, mondo):
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    client.force_login(mondo.users["nodo_veneto"])
    assert client.get(url(livello="nodo", id=lombardia.pk)).status_code == 404
    assert client.get(url(livello="rete")).status_code == 404
    client.force_login(mondo.users["referente_b"])
    assert client.get(url(livello="ente", id=mondo.oggetti["enti"]["a"].pk)).status_code == 404
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(url()).content.decode()
    assert "ANCI Lombardia" in html and "Comune di Alfa" in html and "Comune di Vu" not in html
    client.force_login(mondo.users["nazionale"])
    html = client.get(url(livello="rete")).content.decode()
    assert "ANCI Veneto" in html and 'data-indicatore="ore"' in html


def test_drill_down_from_nodo_to_volunteer(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(url()).content.decode()
    ente_link = f"livello=ente&amp;id={a.posto.sede.ente_id}"
    assert ente_link in html
    html = client.get(url(livello="ente", id=a.posto.sede.ente_id)).content.decode()
    assert f"livello=progetto&amp;id={a.posto.progetto_id}" in html
    html = client.get(url(livello="progetto", id=a.posto.progetto_id)).content.decode()
    assert reverse("registro:volontario", args=[a.pk]) in html


def test_csv_and_filter(client, mondo):
    client.force_login(mondo.users["nodo_lombardia"])
    response = client.get(url(formato="csv"))
    righe = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {r[0] for r in righe[1:]} == {"Comune di Alfa", "Comune di Beta"}
    html = client.get(url(q="beta")).content.decode()
    assert "Comune di Beta" in html and "Comune di Alfa</a>" not in html


def test_queries_do_not_grow_with_volunteers(client, mondo):
    client.force_login(mondo.users["nazionale"])
    client.get(url(livello="rete"))
    with CaptureQueriesContext(connection) as prima:
        client.get(url(livello="rete"))
    a = mondo.oggetti["servizi"]["a"]
    for _ in range(5):
        ServizioFactory(posto=a.posto, olp=a.olp)
    with CaptureQueriesContext(connection) as dopo:
        client.get(url(livello="rete"))
    assert len(dopo.captured_queries) == len(prima.captured_queries)


def test_filters_narrow_indicators_and_parts_and_bad_input_is_told_at_the_field(client, mondo):
    from tests.factories import SettoreFactory

    a = mondo.oggetti["servizi"]["a"]
    altro = SettoreFactory(codice="G", nome="Agricoltura")
    client.force_login(mondo.users["nodo_lombardia"])
    tutti = client.get(url()).context["indicatori"][0].valore
    assert tutti >= 2
    risposta = client.get(url(settore=a.posto.progetto.settore_id))
    solo = [p["nome"] for p in risposta.context["parti"]]
    assert "Comune di Alfa" in solo
    risposta = client.get(url(settore=altro.pk))
    assert risposta.context["indicatori"][0].valore == 0 and risposta.context["parti"] == []
    html = client.get(url(solo_problemi="on", stato="in_servizio")).content.decode()
    assert 'name="solo_problemi"' in html
    html = client.get(url(settore="999999")).content.decode()
    assert "Scegli un&#x27;opzione valida" in html or "Selezionare una scelta valida" in html
