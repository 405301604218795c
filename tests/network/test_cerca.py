"""The type-ahead lists (infra.scelte, network.views_cerca): each persona gets only the rows of
its scope, the form accepts exactly what the endpoint offers, dependent lists follow their
parent on the server, and a page with hundreds of rows stays small."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adesioni.forms import InvitoForm
from enti.models import Ente, Provincia
from enti.scelte import ENTE, OLP_INVITO, SEDE_INVITO
from infra import scelte
from monitoraggio.models import Report
from monitoraggio.views_report import OrdineForm
from progetti.forms import GeneraleForm, NuovoProgettoForm, ProgrammaForm
from progetti.models import Progetto
from progetti.scelte import ENTE_COPROGETTANTE, PROGETTO, PROGETTO_PROGRAMMA
from tests.factories import (
    AreaFactory,
    EnteFactory,
    ProgettoFactory,
    ProvinciaFactory,
    RegioneFactory,
    SettoreFactory,
)
from tests.personas import PERSONE, client_per, costruisci_mondo
from volontari.scelte import VOLONTARIO_INVITO

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    return costruisci_mondo()


def cerca(client, mondo, persona, tipo, **params):
    response = client_per(client, mondo, persona).get(reverse(f"cerca:{tipo}"), params)
    assert response.status_code == 200, (persona, tipo, response.status_code)
    assert response["Cache-Control"] == "private, no-store"
    return [r["text"] for r in response.json()["risultati"]]


# What each persona finds typing "comune" in the list of enti: its own scope, nothing else.
ENTI_ATTESI = {
    "olp_a": ["Comune di Alfa"],
    "referente_a": ["Comune di Alfa"],
    "referente_b": ["Comune di Beta"],
    "nodo_lombardia": ["Comune di Alfa", "Comune di Beta"],
    "nodo_veneto": ["Comune di Vu"],
    "nazionale": ["Comune di Alfa", "Comune di Beta", "Comune di Vu"],
}


def test_the_enti_each_persona_finds_are_those_of_its_scope(client, mondo):
    for persona, attesi in ENTI_ATTESI.items():
        assert cerca(client, mondo, persona, "ente", q="comune") == attesi, persona
        assert attesi == sorted(Ente.objects.visible_to(mondo.users[persona]).values_list("denominazione", flat=True))


def test_a_referente_searching_another_entes_name_or_code_finds_nothing(client, mondo):
    beta = mondo.oggetti["enti"]["b"]
    assert cerca(client, mondo, "referente_a", "ente", q="Beta") == []
    assert cerca(client, mondo, "referente_a", "ente", q=beta.codice_fiscale) == []
    assert cerca(client, mondo, "nodo_veneto", "ente", q="Alfa") == []
    # ... while those who see it find it by name and by code.
    assert cerca(client, mondo, "referente_b", "ente", q=beta.codice_fiscale) == ["Comune di Beta"]
    assert cerca(client, mondo, "nodo_lombardia", "ente", q="di bet") == ["Comune di Beta"]


def test_projects_volunteers_and_the_programme_list_stay_in_scope(client, mondo):
    titoli = {k: s.posto.progetto.titolo for k, s in mondo.oggetti["servizi"].items()}
    assert cerca(client, mondo, "referente_a", "progetto", q=titoli["b"]) == []
    assert cerca(client, mondo, "referente_a", "progetto", q=titoli["a"]) == [titoli["a"]]
    assert cerca(client, mondo, "nodo_veneto", "progetto_programma", q=titoli["a"]) == []
    assert cerca(client, mondo, "nodo_lombardia", "progetto_programma", q=titoli["a"]) == [titoli["a"]]
    # Volunteer A has an account already: nobody is offered to invite them; B only to its ente.
    assert cerca(client, mondo, "referente_a", "volontario_invito", q="Volontaria") == []
    assert cerca(client, mondo, "olp_a", "volontario_invito", q="Volontaria") == []
    trovati = cerca(client, mondo, "referente_b", "volontario_invito", q="VolontariaB")
    assert len(trovati) == 1 and trovati[0].startswith("VolontariaB")
    # An OLP's list never reaches another ente's OLP.
    olp_b = mondo.oggetti["servizi"]["b"].olp
    assert cerca(client, mondo, "referente_a", "olp_invito", q=olp_b.cognome) == []
    assert cerca(client, mondo, "referente_b", "olp_invito", q=olp_b.cognome) == [str(olp_b)]


def test_sites_and_co_designers_of_a_project_only_for_those_who_see_it(client, mondo):
    progetto_a = mondo.oggetti["servizi"]["a"].posto.progetto
    sede_a = mondo.oggetti["servizi"]["a"].posto.sede
    sede_b = mondo.oggetti["servizi"]["b"].posto.sede
    assert cerca(client, mondo, "referente_a", "sede_progetto", q="", progetto=progetto_a.pk) == [str(sede_a)]
    assert cerca(client, mondo, "referente_b", "sede_progetto", q="", progetto=progetto_a.pk) == []
    # Co-designing with Beta brings Beta's sedi; Vu (another nodo) is never offered.
    assert cerca(client, mondo, "referente_a", "ente_coprogettante", q="comune", progetto=progetto_a.pk) == [
        "Comune di Beta"
    ]
    assert cerca(client, mondo, "referente_b", "ente_coprogettante", q="comune", progetto=progetto_a.pk) == []
    progetto_a.enti_coprogettanti.add(mondo.oggetti["enti"]["b"])
    assert sorted(cerca(client, mondo, "referente_a", "sede_progetto", q="", progetto=progetto_a.pk)) == sorted(
        [str(sede_a), str(sede_b)]
    )
    assert cerca(client, mondo, "referente_a", "sede_progetto", q="") == []  # no project, no rows


def test_forbidden_lists_answer_no_rows(client, mondo):
    """Roles outside a list's policy are refused before any row is read (the matrix checks every
    persona); national staff are not referenti of any ente."""
    c = client_per(client, mondo, "nazionale")
    assert c.get(reverse("cerca:ente_proponente"), {"q": "Comune"}).status_code == 403
    assert client_per(client, mondo, "volontario").get(reverse("cerca:ente"), {"q": "Alfa"}).status_code == 403


def test_at_most_fifteen_rows_in_order_with_more_flagged(client, mondo):
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    enti = [EnteFactory(nodo=lombardia, denominazione=f"Unione Zeta {i:02d}") for i in reversed(range(20))]
    response = client_per(client, mondo, "nazionale").get(reverse("cerca:ente"), {"q": "zeta"})
    dati = response.json()
    assert [r["text"] for r in dati["risultati"]] == [f"Unione Zeta {i:02d}" for i in range(scelte.RISULTATI)]
    assert scelte.RISULTATI < 20 and dati["altri"] is True
    assert all(r["value"].isdigit() for r in dati["risultati"])
    # Every word must match the name or the code.
    dati = (
        client_per(client, mondo, "nazionale")
        .get(reverse("cerca:ente"), {"q": f"zeta {enti[0].codice_fiscale}"})
        .json()
    )
    assert [r["text"] for r in dati["risultati"]] == ["Unione Zeta 19"] and dati["altri"] is False
    assert client_per(client, mondo, "nazionale").get(reverse("cerca:ente"), {"q": "zeta alfa"}).json() == {
        "risultati": [],
        "altri": False,
    }


def test_provinces_follow_the_region_on_the_endpoint(client, mondo):
    lombardia = RegioneFactory(codice_istat="93", nome="Lombardia di prova")
    veneto = RegioneFactory(codice_istat="95", nome="Veneto di prova")
    ProvinciaFactory(codice_istat="901", nome="Bergamo di prova", sigla="BX", regione=lombardia)
    ProvinciaFactory(codice_istat="902", nome="Brescia di prova", sigla="BY", regione=lombardia)
    ProvinciaFactory(codice_istat="903", nome="Belluno di prova", sigla="BZ", regione=veneto)
    assert cerca(client, mondo, "anonimo", "provincia", q="di prova", regione=lombardia.pk) == [
        "Bergamo di prova (BX)",
        "Brescia di prova (BY)",
    ]
    assert cerca(client, mondo, "anonimo", "provincia", q="prova", regione=veneto.pk) == ["Belluno di prova (BZ)"]
    # A parameter that is not an id is ignored, not an error.
    assert len(cerca(client, mondo, "anonimo", "provincia", q="di prova", regione="x")) == 3


def test_areas_follow_the_sector_and_experts_their_role(client, mondo):
    a, b = SettoreFactory(codice="Q", nome="Primo"), SettoreFactory(codice="R", nome="Secondo")
    AreaFactory(settore=a, numero=1, nome="Anziani")
    AreaFactory(settore=b, numero=1, nome="Ambiente")
    assert cerca(client, mondo, "referente_a", "area", q="", settore=a.pk) == ["Q-1 Anziani"]
    assert cerca(client, mondo, "referente_a", "area", q="R-", settore=a.pk) == []
    from enti.models import Esperto

    nodo = mondo.oggetti["nodi"]["lombardia"]
    Esperto.objects.create(nodo=nodo, nome="Fabio", cognome="Formatore", email="f@x.it", formatore=True)
    Esperto.objects.create(nodo=nodo, nome="Tina", cognome="Tutor", email="t@x.it", tutor=True)
    assert cerca(client, mondo, "nodo_lombardia", "esperto", q="", ruolo="tutor") == ["Tutor Tina"]
    assert cerca(client, mondo, "nodo_lombardia", "esperto", q="", ruolo="nonsense") == [
        "Formatore Fabio",
        "Tutor Tina",
    ]
    assert cerca(client, mondo, "nodo_veneto", "esperto", q="Tutor") == []


def test_each_form_validates_against_the_rows_the_endpoint_offers(mondo):
    """The same scoped rows: the SQL of the form's queryset is the list's."""
    for persona in ("referente_a", "nodo_lombardia", "nazionale"):
        u = mondo.users[persona]
        ordine = OrdineForm(user=u)
        assert str(ordine.fields["ente"].queryset.query) == str(ENTE.per(u).query)
        assert str(ordine.fields["progetto"].queryset.query) == str(PROGETTO.per(u).query)
    u = mondo.users["referente_a"]
    invito = InvitoForm(user=u)
    assert str(invito.fields["sede"].queryset.query) == str(SEDE_INVITO.per(u).query)
    assert str(invito.fields["olp"].queryset.query) == str(OLP_INVITO.per(u).query)
    assert str(invito.fields["volontario"].queryset.query) == str(VOLONTARIO_INVITO.per(u).query)
    progetto = mondo.oggetti["servizi"]["a"].posto.progetto
    generale = GeneraleForm(instance=progetto, user=u)
    attesa = ENTE_COPROGETTANTE.per(u, progetto=progetto.pk)
    assert str(generale.fields["enti_coprogettanti"].queryset.query) == str(attesa.query)
    u = mondo.users["nodo_lombardia"]
    assert str(ProgrammaForm(user=u).fields["progetti"].queryset.query) == str(PROGETTO_PROGRAMMA.per(u).query)


def test_a_forged_ente_outside_the_scope_is_refused_with_a_message(client, mondo):
    c = client_per(client, mondo, "referente_a")
    response = c.post(
        reverse("report:nuovo"), {"tipo": "mensile_ente", "mese": "2025-01", "ente": mondo.oggetti["enti"]["b"].pk}
    )
    assert response.status_code == 422
    assert "Scegli una delle righe proposte" in response.content.decode()
    assert not Report.objects.exists()


def test_a_forged_project_in_a_programme_is_refused(client, mondo):
    progetto_v = mondo.oggetti["servizi"]["v"].posto.progetto
    form = ProgrammaForm({"progetti": [progetto_v.pk]}, user=mondo.users["nodo_lombardia"])
    assert not form.is_valid()
    assert f"{progetto_v.pk} non è tra le righe che puoi scegliere." in form.errors["progetti"][0]


def test_an_area_of_another_sector_is_refused_at_the_field(mondo):
    a, b = SettoreFactory(codice="Q", nome="Primo"), SettoreFactory(codice="R", nome="Secondo")
    AreaFactory(settore=a, numero=1, nome="Anziani")
    area_b = AreaFactory(settore=b, numero=1, nome="Ambiente")
    progetto = mondo.oggetti["servizi"]["a"].posto.progetto
    form = NuovoProgettoForm(
        {"ente": progetto.ente_id, "titolo": "Nuovo", "bando": progetto.bando_id, "settore": a.pk, "area": area_b.pk},
        user=mondo.users["referente_a"],
    )
    assert not form.is_valid()
    assert form.errors["area"] == ["L'area di intervento non appartiene al settore scelto."]
    # Its own sector's area is accepted; the ente of a referente with one ente comes chosen.
    assert "selected" in str(NuovoProgettoForm(user=mondo.users["referente_a"])["ente"])


def test_the_catalogue_refuses_a_province_of_another_region_and_offers_the_regions_ones(client, mondo):
    lombardia = RegioneFactory(codice_istat="93", nome="Lombardia di prova")
    veneto = RegioneFactory(codice_istat="95", nome="Veneto di prova")
    bergamo = ProvinciaFactory(codice_istat="901", nome="Bergamo di prova", sigla="BX", regione=lombardia)
    ProvinciaFactory(codice_istat="903", nome="Belluno di prova", sigla="BZ", regione=veneto)
    response = client.get(reverse("catalogo:lista"), {"regione": veneto.pk, "provincia": bergamo.pk})
    html = response.content.decode()
    assert "La provincia non è nella regione scelta." in html
    assert "Belluno di prova" in html and "Bergamo di prova" not in html
    response = client.get(reverse("catalogo:lista"), {"regione": lombardia.pk, "provincia": bergamo.pk})
    assert "La provincia non è nella regione scelta." not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "nome"),
    [("anonimo", "catalogo:lista"), ("nodo_lombardia", "progetti:lista"), ("nodo_lombardia", "monitoraggio:cruscotto")],
)
def test_empty_filters_read_tutti_or_tutte(client, mondo, persona, nome):
    html = client_per(client, mondo, persona).get(reverse(nome)).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Tutte</option>' in html  # regions and provinces
    assert '<option value="" selected>Tutti</option>' in html  # sectors, enti, states
    client.cookies["django_language"] = "en"
    html = client.get(reverse(nome)).content.decode()
    assert '<option value="" selected>All</option>' in html and "Tutte" not in html


# --- Pages with hundreds of rows ---------------------------------------------------------


def _pagina(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(response.content), len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize(
    ("nome", "elenco"),
    # progetti:lista also lists a page of 50 projects; its filter's enti are not in it.
    [("report:lista", False), ("progetti:programma_nuovo", False), ("progetti:lista", True)],
)
def test_pages_for_national_staff_stay_small_with_300_enti(client, mondo, nome, elenco):
    c = client_per(client, mondo, "nazionale")
    url = reverse(nome)
    _pagina(c, url)  # warm the per-process caches
    prima, query_prima, _html = _pagina(c, url)
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    enti = EnteFactory.create_batch(300, nodo=lombardia)
    for ente in enti:
        ProgettoFactory(ente=ente, stato=Progetto.Stato.APPROVATO)
    dopo, query_dopo, html = _pagina(c, url)
    assert dopo < 200_000, dopo
    assert query_dopo == query_prima
    if not elenco:
        assert dopo - prima < 2_000  # the rows are not in the page: only what was chosen
    assert f">{enti[150].denominazione}</option>" not in html


def test_a_short_list_carries_every_option_and_a_long_one_only_the_chosen(client, mondo):
    """Small scopes work without JavaScript; large ones carry the endpoint's address."""
    html = client_per(client, mondo, "nodo_lombardia").get(reverse("report:lista")).content.decode()
    assert "Comune di Alfa" in html and "Comune di Beta" in html and "data-scelta-completa" in html
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    EnteFactory.create_batch(scelte.SOGLIA + 1, nodo=lombardia)
    html = client_per(client, mondo, "nodo_lombardia").get(reverse("report:lista")).content.decode()
    assert "Comune di Alfa" not in html
    assert f'data-scelta="{reverse("cerca:ente")}"' in html


def test_every_persona_opens_the_lists_it_may_use(client, mondo):
    """Each list answers JSON to the personas its policy lets through, in one shape."""
    for tipo in scelte.REGISTRO:
        for persona in PERSONE:
            response = client_per(client, mondo, persona).get(reverse(f"cerca:{tipo}"), {"q": "a"})
            if response.status_code == 200:
                dati = response.json()
                assert set(dati) == {"risultati", "altri"}
                assert len(dati["risultati"]) <= scelte.RISULTATI


def test_regions_listed_in_the_monitoring_filter_narrow_its_provinces(client, mondo):
    lombardia = RegioneFactory(codice_istat="93", nome="Lombardia di prova")
    ProvinciaFactory(codice_istat="901", nome="Bergamo di prova", sigla="BX", regione=lombardia)
    Provincia.objects.create(
        codice_istat="904", nome="Altrove di prova", sigla="BW", regione=RegioneFactory(codice_istat="96", nome="Altra")
    )
    html = (
        client_per(client, mondo, "nodo_lombardia")
        .get(reverse("monitoraggio:cruscotto"), {"regione": lombardia.pk})
        .content.decode()
    )
    assert "Bergamo di prova" in html and "Altrove di prova" not in html
