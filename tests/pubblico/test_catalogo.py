"""The public catalogue: filters, no personal data, bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pubblico import counters
from tests.factories import (
    AreaFactory,
    ComuneFactory,
    PostoSedeFactory,
    ProgettoFactory,
    ProvinciaFactory,
    RegioneFactory,
    ServizioFactory,
    SettoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def progetto(titolo, *, comune, stato="approvato", area=None, **posti):
    p = ProgettoFactory(titolo=titolo, stato=stato, **({"area": area} if area else {}))
    PostoSedeFactory(progetto=p, sede__comune=comune, sede__ente=p.ente, **({"posti_senza_vitto_alloggio": 2} | posti))
    return p


@pytest.fixture
def catalogo():
    lombardia = RegioneFactory(codice_istat="03", nome="Lombardia")
    veneto = RegioneFactory(codice_istat="05", nome="Veneto")
    bg = ProvinciaFactory(codice_istat="016", nome="Bergamo", sigla="BG", regione=lombardia)
    vr = ProvinciaFactory(codice_istat="023", nome="Verona", sigla="VR", regione=veneto)
    bergamo = ComuneFactory(nome="Bergamo", provincia=bg)
    verona = ComuneFactory(nome="Verona", provincia=vr)
    protezione = AreaFactory(settore=SettoreFactory(codice="B", nome="Protezione civile"), numero=1, nome="Previsione")
    return {
        "biblioteche": progetto("Biblioteche vive", comune=bergamo, posti_gmo=1),
        "territorio": progetto("Territorio sicuro", comune=verona, area=protezione, posti_vitto_alloggio=1),
        "bozza": progetto("Bozza nascosta", comune=bergamo, stato="bozza"),
        "respinto": progetto("Respinto nascosto", comune=bergamo, stato="respinto"),
        "regioni": (lombardia, veneto),
        "province": (bg, vr),
    }


def titoli(client, **params):
    html = client.get(reverse("catalogo:lista"), params).content.decode()
    return {t for t in ("Biblioteche vive", "Territorio sicuro", "Bozza nascosta", "Respinto nascosto") if t in html}


def test_only_approved_projects_are_public(client, catalogo):
    assert titoli(client) == {"Biblioteche vive", "Territorio sicuro"}
    assert client.get(reverse("catalogo:dettaglio", args=[catalogo["bozza"].pk])).status_code == 404


def test_filters(client, catalogo):
    lombardia, _veneto = catalogo["regioni"]
    _bg, vr = catalogo["province"]
    assert titoli(client, regione=lombardia.pk) == {"Biblioteche vive"}
    assert titoli(client, provincia=vr.pk) == {"Territorio sicuro"}
    assert titoli(client, comune="berg") == {"Biblioteche vive"}
    assert titoli(client, settore=catalogo["territorio"].settore_id) == {"Territorio sicuro"}
    assert titoli(client, tipo_posto="1") == {"Territorio sicuro"}
    assert titoli(client, tipo_posto="gmo") == {"Biblioteche vive"}


def test_no_personal_data(client, catalogo):
    servizio = ServizioFactory(posto=catalogo["biblioteche"].posti.get(), volontario__cognome="Segretissima")
    html = client.get(reverse("catalogo:dettaglio", args=[catalogo["biblioteche"].pk])).content.decode()
    assert "Segretissima" not in html
    assert servizio.olp.cognome not in html
    assert servizio.volontario.codice_fiscale not in html


def test_query_count_does_not_grow(client, catalogo):
    comune = catalogo["biblioteche"].posti.get().sede.comune

    def count():
        counters.get()  # the day's figures (part of the page's cache key) are computed once a day
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("catalogo:lista")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(15):
        progetto(f"Altro {i}", comune=comune)
    assert count() == small


def test_a_running_project_with_every_place_taken_is_not_offered(client, catalogo):
    p = catalogo["biblioteche"]
    p.stato = "in_corso"
    p.save()
    posto = p.posti.get()
    ServizioFactory(posto=posto)
    assert "Biblioteche vive" in titoli(client)
    ServizioFactory(posto=posto)  # 2 places, 2 volunteers in service
    assert "Biblioteche vive" not in titoli(client)


def test_signed_in_visitors_share_the_list_of_open_projects(client, catalogo):
    """A signed-in visitor gets a page rendered for them, but the open projects are found once
    for everybody: the second visit reads only its page's projects, by id (at national scale
    finding them costs 300-500 ms: docs/benchmarks.md)."""
    client.force_login(UserFactory())
    assert titoli(client) == {"Biblioteche vive", "Territorio sicuro"}
    with CaptureQueriesContext(connection) as ctx:
        assert titoli(client) == {"Biblioteche vive", "Territorio sicuro"}
    catalogo_letto = [q["sql"] for q in ctx.captured_queries if 'FROM "progetti_progetto"' in q["sql"]]
    assert catalogo_letto, "the page reads no project: the capture is broken"
    for sql in catalogo_letto:
        assert '"progetti_progetto"."id" IN (' in sql, sql


def test_signed_in_visitors_see_a_project_leave_when_its_places_are_taken(client, catalogo):
    client.force_login(UserFactory())
    p = catalogo["biblioteche"]
    p.stato = "in_corso"
    p.save()
    posto = p.posti.get()
    ServizioFactory(posto=posto)
    assert "Biblioteche vive" in titoli(client)
    ServizioFactory(posto=posto)  # 2 places, 2 volunteers in service
    assert "Biblioteche vive" not in titoli(client)
    assert titoli(client, regione=catalogo["regioni"][0].pk) == set()
