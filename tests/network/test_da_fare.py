"""The to-do home: each role's things due, scoped, linked to their action, gone once done,
in a number of queries that does not grow with the data; the menu and breadcrumbs by role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from enti import policy
from infra.mesi import primo_del_mese
from network import navigazione
from network.da_fare import cose_da_fare
from progetti.models import Progetto
from tests.factories import ProgettoFactory, ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import ChiusuraMensile, Questionario, RelazioneMensile

pytestmark = pytest.mark.django_db


def _mese_scorso():
    return primo_del_mese(primo_del_mese(timezone.localdate()) - datetime.timedelta(days=1))


def _cose(user) -> dict:
    return {c.chiave: c for c in cose_da_fare(user)}


def _conferma(servizio, *, stato=ChiusuraMensile.Stato.CONFERMATA, foglio=""):
    adesso = timezone.now()
    return ChiusuraMensile.objects.create(
        servizio=servizio,
        mese=_mese_scorso(),
        stato=stato,
        conferma_preliminare_il=adesso,
        confermata_il=adesso if stato == ChiusuraMensile.Stato.CONFERMATA else None,
        foglio_firmato=foglio,
    )


def test_month_to_confirm_is_the_entes_and_disappears_once_confirmed():
    mondo = costruisci_mondo()
    cose = _cose(mondo.users["referente_a"])
    cosa = cose["mesi_da_confermare"]
    assert cosa.n == 1  # comune A's one volunteer; B's and V's are not A's to confirm
    assert cosa.scadenza == primo_del_mese(timezone.localdate()).replace(day=10)
    ente_a = mondo.oggetti["enti"]["a"]
    assert cosa.url == f"{reverse('registro:chiusura_ente', args=[ente_a.pk])}?mese={_mese_scorso():%Y-%m}"
    _conferma(mondo.oggetti["servizi"]["a"], foglio="fogli_presenze/x.pdf")
    assert "mesi_da_confermare" not in _cose(mondo.users["referente_a"])
    # Comune B's month is untouched by A's confirmation.
    assert _cose(mondo.users["referente_b"])["mesi_da_confermare"].n == 1


def test_signed_sheet_missing_until_uploaded():
    mondo = costruisci_mondo()
    chiusura = _conferma(mondo.oggetti["servizi"]["a"])
    cosa = _cose(mondo.users["referente_a"])["fogli_firmati"]
    assert cosa.n == 1
    assert cosa.url.startswith(reverse("registro:volontario", args=[chiusura.servizio_id]))
    assert "fogli_firmati" in _cose(mondo.users["olp_a"])
    assert "fogli_firmati" not in _cose(mondo.users["referente_b"])
    chiusura.foglio_firmato = "fogli_presenze/firmato.pdf"
    chiusura.save()
    assert "fogli_firmati" not in _cose(mondo.users["referente_a"])


def test_olp_preliminary_confirmation_and_monthly_report():
    mondo = costruisci_mondo()
    olp = mondo.users["olp_a"]
    servizio = mondo.oggetti["servizi"]["a"]
    cose = _cose(olp)
    assert cose["mesi_da_preconfermare"].n == 1
    assert cose["relazioni"].n == 1
    assert "mesi_da_confermare" not in cose  # the general confirmation is the ente's
    _conferma(servizio, stato=ChiusuraMensile.Stato.CONFERMA_PRELIMINARE)
    RelazioneMensile.objects.create(servizio=servizio, mese=_mese_scorso(), andamento=4, obiettivi=4)
    cose = _cose(olp)
    assert "mesi_da_preconfermare" not in cose
    assert "relazioni" not in cose


def test_questionnaire_due_for_the_volunteer_only_until_filled_in():
    mondo = costruisci_mondo()
    oggi = timezone.localdate()
    q = Questionario.objects.create(
        servizio=mondo.oggetti["servizi"]["a"],
        tipo="inizio",
        inviato_il=oggi,
        scadenza=oggi + datetime.timedelta(days=20),
    )
    cosa = _cose(mondo.users["volontario"])["questionari"]
    assert (cosa.n, cosa.url, cosa.scadenza) == (1, reverse("volontari:questionario", args=[q.pk]), q.scadenza)
    assert "questionari" not in _cose(mondo.users["olp_a"])
    Questionario.objects.filter(pk=q.pk).update(
        compilato_il=timezone.now(), attivita=3, olp=3, formazione=3, accoglienza=3, soddisfazione=3
    )
    assert "questionari" not in _cose(mondo.users["volontario"])


def test_projects_to_integrate_and_to_assess():
    mondo = costruisci_mondo()
    ente_a, ente_v = mondo.oggetti["enti"]["a"], mondo.oggetti["enti"]["v"]
    p = ProgettoFactory(ente=ente_a, stato=Progetto.Stato.DA_INTEGRARE)
    ProgettoFactory(ente=ente_v, stato=Progetto.Stato.PRESENTATO)
    cosa = _cose(mondo.users["referente_a"])["progetti_da_integrare"]
    assert (cosa.n, cosa.url) == (1, reverse("progetti:dettaglio", args=[p.pk]))
    assert "progetti_da_integrare" not in _cose(mondo.users["referente_b"])
    assert _cose(mondo.users["nazionale"])["progetti_da_valutare"].n == 1
    assert "progetti_da_valutare" not in _cose(mondo.users["nodo_lombardia"])  # Veneto's project
    Progetto.objects.filter(pk=p.pk).update(stato=Progetto.Stato.PRESENTATO)
    assert "progetti_da_integrare" not in _cose(mondo.users["referente_a"])


@pytest.mark.parametrize("persona", ["volontario", "olp_a", "referente_a", "nodo_lombardia", "nazionale"])
def test_every_item_opens_a_page_the_person_may_open(client, persona):
    mondo = costruisci_mondo()
    oggi = timezone.localdate()
    Questionario.objects.create(servizio=mondo.oggetti["servizi"]["a"], tipo="inizio", inviato_il=oggi, scadenza=oggi)
    ProgettoFactory(ente=mondo.oggetti["enti"]["a"], stato=Progetto.Stato.DA_INTEGRARE)
    ProgettoFactory(ente=mondo.oggetti["enti"]["a"], stato=Progetto.Stato.PRESENTATO)
    _conferma(mondo.oggetti["servizi"]["a"])
    user = mondo.users[persona]
    client.force_login(user)
    cose = cose_da_fare(user)
    assert cose
    for cosa in cose:
        assert policy.consentito(user, resolve(cosa.url.split("?")[0]).view_name), cosa
        assert client.get(cosa.url).status_code == 200, cosa


def _conta_query(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _cresci(mondo, n):
    oggi = timezone.localdate()
    for key in ("a", "b"):
        base = mondo.oggetti["servizi"][key]
        for i in range(n):
            s = ServizioFactory(posto=base.posto, olp=base.olp)
            Questionario.objects.create(servizio=s, tipo="inizio", inviato_il=oggi, scadenza=oggi)
            if i % 2:
                _conferma(s)
            ProgettoFactory(ente=base.posto.sede.ente, stato=Progetto.Stato.DA_INTEGRARE)


@pytest.mark.parametrize("persona", ["volontario", "olp_a", "referente_a", "nodo_lombardia", "nazionale"])
def test_the_home_runs_a_fixed_number_of_queries(client, persona):
    mondo = costruisci_mondo()
    client.force_login(mondo.users[persona])
    url = reverse("dashboard")
    client.get(url)  # the first request of a session records it (usersessions)
    piccolo = _conta_query(client, url)
    _cresci(mondo, 12)
    assert _conta_query(client, url) == piccolo


def test_home_lists_the_items_with_their_links(client):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-cosa="mesi_da_confermare"' in html
    assert reverse("registro:chiusura_ente", args=[mondo.oggetti["enti"]["a"].pk]) in html


# --- The menu and the breadcrumbs ------------------------------------------------------


def _menu_html(html: str) -> str:
    return html.split('id="main-nav"')[1].split("</nav>")[0]


@pytest.mark.parametrize("persona", ["volontario", "olp_a", "referente_a", "nodo_lombardia", "nazionale"])
def test_the_menu_is_what_the_policy_allows(client, persona):
    mondo = costruisci_mondo()
    user = mondo.users[persona]
    client.force_login(user)
    html = _menu_html(client.get(reverse("dashboard")).content.decode())
    for voce in navigazione.MENU:
        link = f'href="{reverse(voce.nome)}"'
        assert (link in html) == policy.consentito(user, voce.nome), (persona, voce.nome)
    assert f'href="{reverse("pubblico:numeri")}"' not in html  # the public menu is for visitors


def test_the_menu_follows_a_change_of_policy(monkeypatch):
    mondo = costruisci_mondo()
    user = mondo.users["referente_a"]
    nomi = [v["url"] for v in navigazione.menu(user)]
    assert reverse("report:lista") in nomi
    monkeypatch.setitem(policy.URL_POLICY, "report:lista", frozenset())
    assert reverse("report:lista") not in [v["url"] for v in navigazione.menu(user)]


def test_the_current_entry_is_marked():
    mondo = costruisci_mondo()
    voci = navigazione.menu(mondo.users["referente_a"], "enti:dettaglio")
    assert [v["url"] for v in voci if v["attiva"]] == [reverse("enti:lista")]


def test_visitors_keep_the_public_menu(client):
    html = _menu_html(client.get(reverse("pubblico:numeri")).content.decode())
    assert f'href="{reverse("pubblico:rete")}"' in html
    assert f'href="{reverse("registro:griglia")}"' not in html


def test_breadcrumbs_on_inner_pages(client):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    ente = mondo.oggetti["enti"]["a"]
    servizio = mondo.oggetti["servizi"]["a"]
    pagine = [
        reverse("enti:dettaglio", args=[ente.pk]),
        reverse("progetti:dettaglio", args=[servizio.posto.progetto_id]),
        reverse("volontari:dettaglio", args=[servizio.volontario_id]),
        reverse("registro:volontario", args=[servizio.pk]),
        reverse("registro:griglia"),
        reverse("monitoraggio:cruscotto"),
    ]
    for url in pagine:
        html = client.get(url).content.decode()
        assert 'class="breadcrumb-container"' in html, url
        assert f'<a href="{reverse("dashboard")}">' in html, url
        assert 'aria-current="page"' in html.split('class="breadcrumb-container"')[1].split("</nav>")[0], url
    html = client.get(reverse("enti:dettaglio", args=[ente.pk])).content.decode()
    briciole = html.split('class="breadcrumb-container"')[1].split("</nav>")[0]
    assert f'href="{reverse("enti:lista")}"' in briciole and ente.denominazione in briciole
