"""The register's pages as the OLP reads them (issue 15): the row follows its code, every save
ends in a message that counts right, hours and dates are written the Italian way, a control
that cannot act is not offered or says why, and today's page saves like the month grid.
The clock is pinned: Tuesday 15 December 2026."""

import datetime
import json
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari import actions
from volontari.models import ChiusuraMensile, Presenza

pytestmark = pytest.mark.django_db
ROMA = zoneinfo.ZoneInfo("Europe/Rome")
OGGI = datetime.date(2026, 12, 15)  # a Tuesday
DICEMBRE, NOVEMBRE = datetime.date(2026, 12, 1), datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def orologio():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 10, tzinfo=ROMA), tick=False):
        yield


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = datetime.date(2026, 6, 1)
    a.data_fine = a.data_fine_prevista = datetime.date(2027, 5, 31)
    a.save()
    return mondo


@pytest.fixture
def olp(client, mondo):
    client.force_login(mondo.users["olp_a"])
    return client


def collega(mondo, **kw):
    a = mondo.oggetti["servizi"]["a"]
    return ServizioFactory(
        posto=a.posto,
        olp=a.olp,
        data_inizio=a.data_inizio,
        data_fine=a.data_fine,
        data_fine_prevista=a.data_fine_prevista,
        **kw,
    )


def chiave(servizio, giorno):
    return f"{servizio.pk}-{giorno:%Y%m%d}"


def cella(servizio, giorno, codice, ore="", attivita="servizio"):
    k = chiave(servizio, giorno)
    return {f"c-{k}": codice, f"o-{k}": ore, f"a-{k}": attivita}


def salva(client, servizio, celle, mese=DICEMBRE, url="registro:griglia"):
    righe = actions.carica_mese([servizio.pk], mese)[servizio.pk]
    data = {"mese": f"{mese:%Y-%m}", f"ver-{servizio.pk}": actions.versione(list(righe.values()))}
    for c in celle:
        data |= c
    return client.post(reverse(url), data, headers={"HX-Request": "true"})


def leggi(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The row follows the code ---------------------------------------------------------------


def test_hours_and_activity_left_on_a_leave_day_are_dropped_before_the_rules(olp, mondo):
    """P changed to PR keeps its hours in the row: the server drops them, so the day is saved
    as a leave day instead of being refused with "hours only on P days"."""
    a = mondo.oggetti["servizi"]["a"]
    giorno = datetime.date(2026, 12, 1)
    response = salva(olp, a, [cella(a, giorno, "PR", "5", "formazione_generale")])
    assert response.status_code == 200, leggi(response)
    p = Presenza.objects.get(servizio=a, giorno=giorno)
    assert (p.codice, p.ore, p.attivita) == ("PR", Decimal(0), "")


def test_the_only_error_shown_is_the_real_one(olp, mondo):
    """Paid leave beyond the cap: the cap's message, not one "hours only on P" per day."""
    a = mondo.oggetti["servizi"]["a"]
    tetto = actions.rules.tetto_permessi(a, a.posto.progetto.bando)
    giorni = [datetime.date(2026, 6, 1) + datetime.timedelta(days=i) for i in range(tetto)]
    Presenza.objects.bulk_create(Presenza(servizio=a, giorno=g, codice="PR") for g in giorni)
    response = salva(olp, a, [cella(a, datetime.date(2026, 12, 1), "PR", "5")])
    assert response.status_code == 422
    html = leggi(response)
    assert "Permessi esauriti" in html or "esaurit" in html, html
    assert "solo nei giorni di presenza" not in html


# --- No silent outcome -----------------------------------------------------------------------


def test_the_success_message_counts_the_days_in_the_right_number(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    uno = salva(olp, a, [cella(a, datetime.date(2026, 12, 1), "P", "5")])
    assert "Salvato: 1 giorno inserito." in leggi(uno)
    due = salva(olp, a, [cella(a, datetime.date(2026, 12, d), "P", "5") for d in (1, 2, 3)])
    assert "Salvato: 2 giorni inseriti." in leggi(due)  # day 1 is unchanged
    nessuno = salva(olp, a, [cella(a, datetime.date(2026, 12, 1), "P", "5")])
    assert "Niente da salvare" in leggi(nessuno)


def test_a_refused_save_lists_each_error_with_a_link_to_its_cell_and_writes_nothing(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    b = collega(mondo, volontario__cognome="Bianchi")
    giorno = datetime.date(2026, 12, 2)
    data = {"mese": "2026-12", f"ver-{a.pk}": "0", f"ver-{b.pk}": "0"}
    data |= cella(a, datetime.date(2026, 12, 1), "P", "5") | cella(a, giorno, "P", "10") | cella(b, giorno, "P", "9")
    response = olp.post(reverse("registro:griglia"), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = leggi(response)
    assert "data-fuoco" in html  # the summary takes the focus (js/esiti-htmx.js)
    assert f'href="#c-{chiave(a, giorno)}"' in html and f'href="#c-{chiave(b, giorno)}"' in html
    assert not Presenza.objects.filter(servizio__in=[a, b]).exists()


def test_htmx_swaps_a_refused_form_and_reports_every_other_failure(olp):
    """base.html's one htmx configuration: 400/422 are swapped (the errors show), every other
    4xx/5xx is an error (js/esiti-htmx.js shows it), nothing is left unmatched."""
    html = olp.get(reverse("registro:griglia")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    regole = json.loads(meta)["responseHandling"]

    def regola(stato):
        return next(r for r in regole if re.search(r["code"], str(stato)))

    assert regola(422)["swap"] and not regola(422).get("error")
    assert regola(400)["swap"]
    for stato in (403, 404, 409, 500, 502):
        assert not regola(stato)["swap"] and regola(stato)["error"], stato
    assert regola(200)["swap"]
    assert 'id="esito-htmx"' in html and "js/esiti-htmx.js" in html


# --- Italian formats -------------------------------------------------------------------------


def test_hours_and_dates_are_written_the_italian_way(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=datetime.date(2026, 12, 1), codice="P", attivita="servizio", ore=5)
    Presenza.objects.create(
        servizio=a, giorno=datetime.date(2026, 12, 2), codice="P", attivita="servizio", ore=Decimal("5.5")
    )
    html = leggi(olp.get(reverse("registro:griglia")))
    k1, k2 = chiave(a, datetime.date(2026, 12, 1)), chiave(a, datetime.date(2026, 12, 2))
    assert f'name="o-{k1}" value="5"' in html and f'name="o-{k2}" value="5,5"' in html
    assert "5.00" not in html and "5,50" not in html and "8,00" not in html
    assert 'aria-label="Codice del giorno, mar 1 dicembre, ' in html
    assert "dicembre 2026" in html and "Dicembre" not in html
    assert "10 gennaio 2027" in html  # the general confirmation's deadline
    pagina = leggi(olp.get(reverse("registro:volontario", args=[a.pk])))
    assert "10 gennaio 2027" in pagina and "Gennaio" not in pagina and "10/01/2027" not in pagina


def test_the_english_page_speaks_english(olp, mondo):
    olp.get("/lingua/en/?next=/")
    html = leggi(olp.get(reverse("registro:griglia")))
    assert 'aria-label="Day code, Tue 1 December, ' in html
    assert "December 2026" in html


# --- Controls that can act -------------------------------------------------------------------


def test_fill_buttons_only_where_an_empty_day_can_be_filled(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    html = leggi(olp.get(reverse("registro:griglia")))
    # Mondays of December 2026: 7, 14 (today is the 15th), 21 and 28 (future).
    for lunedi in ("2026-12-07", "2026-12-14"):
        assert f'name="settimana" value="{lunedi}"' in html
    for lunedi in ("2026-12-21", "2026-12-28"):
        assert f'name="settimana" value="{lunedi}"' not in html
    # A week already written has nothing to fill.
    settimana = [datetime.date(2026, 12, 7) + datetime.timedelta(days=i) for i in range(7)]
    Presenza.objects.bulk_create(Presenza(servizio=a, giorno=g, codice="NL") for g in settimana)
    html = leggi(olp.get(reverse("registro:griglia")))
    assert 'value="2026-12-07"' not in html and 'value="2026-12-14"' in html
    # A confirmed month offers neither filling nor saving.
    adesso = timezone.now()
    ChiusuraMensile.objects.create(
        servizio=a,
        mese=NOVEMBRE,
        stato=ChiusuraMensile.Stato.CONFERMATA,
        conferma_preliminare_il=adesso,
        confermata_il=adesso,
    )
    html = leggi(olp.get(reverse("registro:griglia") + "?mese=2026-11"))
    assert "Riempi" not in html and "Salva il mese" not in html
    assert "sola lettura" in html


def test_a_disabled_confirmation_says_its_real_reason_and_what_comes_next(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    giorni = [DICEMBRE + datetime.timedelta(days=i) for i in range(15)]
    Presenza.objects.bulk_create(Presenza(servizio=a, giorno=g, codice="NL") for g in giorni)
    html = leggi(olp.get(reverse("registro:volontario", args=[a.pk]) + "?mese=2026-12"))
    assert "Il mese non è ancora finito: potrai confermarlo dal 1 gennaio 2027." in html
    assert "Ogni giorno di servizio deve prima" not in html
    assert "il referente dà la conferma generale entro il 10 gennaio 2027" in html
    # November is over: the reason is the days without a code, named.
    html = leggi(olp.get(reverse("registro:volontario", args=[a.pk]) + "?mese=2026-11"))
    assert "non è ancora finito" not in html
    assert "30 giorni di servizio non hanno ancora il codice: 1 novembre, 2 novembre" in html
    assert "entro il 10 dicembre 2026" in html


# --- Today ------------------------------------------------------------------------------------


def test_today_lists_the_volunteers_and_saves_through_the_register_rules(olp, mondo):
    a = mondo.oggetti["servizi"]["a"]
    b = collega(mondo, volontario__cognome="Bianchi")
    html = leggi(olp.get(reverse("registro:oggi")))
    assert "martedì 15 dicembre 2026" in html
    for s in (a, b):
        assert f'name="c-{chiave(s, OGGI)}"' in html
        assert f'name="ver-{s.pk}"' in html
    assert 'data-ore-usuali="5"' in html  # 25 hours over 5 days
    assert f'name="c-{chiave(a, OGGI - datetime.timedelta(days=1))}"' not in html  # today only
    data = {"mese": "2026-12", f"ver-{a.pk}": "0", f"ver-{b.pk}": "0"}
    data |= cella(a, OGGI, "P", "5") | cella(b, OGGI, "MAL", "5")
    response = olp.post(reverse("registro:oggi"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200, leggi(response)
    assert "Salvato: 2 giorni inseriti." in leggi(response)
    assert Presenza.objects.get(servizio=a, giorno=OGGI).ore == 5
    assert Presenza.objects.get(servizio=b, giorno=OGGI).codice == "MAL"
    # The same rules and tokens: a stale token is refused, 10 hours are refused.
    stale = olp.post(reverse("registro:oggi"), data | cella(a, OGGI, "P", "4"), headers={"HX-Request": "true"})
    assert stale.status_code == 422 and "qualcun altro" in leggi(stale).lower()
    troppe = salva(olp, a, [cella(a, OGGI, "P", "10")], url="registro:oggi")
    assert troppe.status_code == 422 and f'href="#c-{chiave(a, OGGI)}"' in leggi(troppe)
    assert Presenza.objects.get(servizio=a, giorno=OGGI).ore == 5


def test_today_is_not_for_network_staff(client, mondo):
    client.force_login(mondo.users["nodo_lombardia"])
    assert client.get(reverse("registro:oggi")).status_code == 403


def test_today_query_count_is_independent_of_volunteers(olp, mondo):
    url = reverse("registro:oggi")
    olp.get(url)
    with CaptureQueriesContext(connection) as uno:
        olp.get(url)
    for _ in range(3):
        collega(mondo)
    with CaptureQueriesContext(connection) as quattro:
        html = leggi(olp.get(url))
    assert html.count('class="oggi-volontario"') == 4
    assert len(quattro.captured_queries) == len(uno.captured_queries)
