"""The OLP's register in Debian's Chromium, at a desktop's width (1366) and a phone's (390),
as issue 15 asks: a refused save shows its error, a failure of the connection or of the
server is said, a code change clears the hours, today's attendance takes two taps, the arrow
keys move between cells, unsaved edits survive a reload and leaving asks first, and the page
never scrolls sideways on a phone. The clock is pinned (Tuesday 15 December 2026)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from tests.browser import test_accessibilita as accessibilita
from tests.browser.test_accessibilita import SCHERMATE, entra, nessuna_violazione
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import Presenza

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = accessibilita.browser  # one Chromium for the module
ROMA = zoneinfo.ZoneInfo("Europe/Rome")
OGGI = datetime.date(2026, 12, 15)
LARGHEZZE = [1366, 390]


@pytest.fixture(autouse=True)
def orologio():
    with time_machine.travel(datetime.datetime(2026, 12, 15, 10, tzinfo=ROMA), tick=True):
        yield


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = datetime.date(2026, 6, 1)
    a.data_fine = a.data_fine_prevista = datetime.date(2027, 5, 31)
    a.save()
    b = ServizioFactory(
        posto=a.posto,
        olp=a.olp,
        data_inizio=a.data_inizio,
        data_fine=a.data_fine,
        data_fine_prevista=a.data_fine_prevista,
        volontario__cognome="Bianchi",
        volontario__nome="Luca",
    )
    mondo.oggetti["servizi"]["b"] = b
    return mondo


def apri(browser, live_server, mondo, larghezza, *, bypass_csp=False):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": larghezza, "height": 900}, bypass_csp=bypass_csp
    )
    page = context.new_page()
    entra(page, live_server.url, mondo, "olp_a")
    return page


def chiave(s, giorno):
    return f"{s.pk}-{giorno:%Y%m%d}"


def senza_scorrimento_laterale(page, larghezza):
    assert page.evaluate("document.documentElement.scrollWidth") <= larghezza


def mostra_colonna(page, s, larghezza):
    """On a phone the grid shows one volunteer at a time: pick the one to type for."""
    if larghezza < 576:
        page.get_by_label("Volontario mostrato").select_option(label=f"{s.volontario.cognome} {s.volontario.nome}")


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_a_refused_save_shows_its_error_at_the_cell_and_at_the_top(browser, live_server, mondo, larghezza):
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    mostra_colonna(page, a, larghezza)
    k = chiave(a, datetime.date(2026, 12, 1))
    page.locator(f"#c-{k}").fill("P")
    page.locator(f"[name=o-{k}]").fill("10")
    page.get_by_role("button", name="Salva il mese").click()
    riepilogo = page.locator("[data-riepilogo]")
    expect(riepilogo).to_be_visible()
    expect(riepilogo).to_be_focused()
    expect(riepilogo.get_by_role("link")).to_contain_text("Al massimo 8")
    expect(page.locator(f"#e-{k}")).to_be_visible()
    expect(page.locator(f"[name=o-{k}]")).to_have_value("10")  # what was typed stays, to correct
    senza_scorrimento_laterale(page, larghezza)
    page.screenshot(path=SCHERMATE / f"registro_errore_{larghezza}.png", full_page=True)
    page.context.close()
    assert not Presenza.objects.filter(servizio=a).exists()


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_a_code_change_clears_the_hours_and_the_save_counts_right(browser, live_server, mondo, larghezza):
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    mostra_colonna(page, a, larghezza)
    k = chiave(a, datetime.date(2026, 12, 1))
    page.locator(f"#c-{k}").fill("P")
    ore = page.locator(f"[name=o-{k}]")
    expect(ore).to_be_visible()
    ore.fill("5")
    page.locator(f"#c-{k}").fill("PR")
    expect(ore).to_be_hidden()
    expect(page.locator(f"[name=a-{k}]")).to_be_hidden()
    assert ore.input_value() == ""
    page.get_by_role("button", name="Salva il mese").click()
    expect(page.get_by_role("status").filter(has_text="Salvato")).to_have_text("Salvato: 1 giorno inserito.")
    page.context.close()
    p = Presenza.objects.get(servizio=a, giorno=datetime.date(2026, 12, 1))
    assert (p.codice, p.ore) == ("PR", Decimal(0))


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_today_all_present_then_the_exception_then_save(browser, live_server, mondo, larghezza):
    a, b = mondo.oggetti["servizi"]["a"], mondo.oggetti["servizi"]["b"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    page.get_by_role("link", name="Presenze di oggi").click()
    expect(page.get_by_role("heading", name="Presenze di oggi")).to_be_visible()
    page.get_by_role("button", name="Tutti presenti, ore abituali").click()  # tap one
    expect(page.locator(f"#c-{chiave(a, OGGI)}")).to_have_value("P")
    expect(page.locator(f"[name=o-{chiave(a, OGGI)}]")).to_have_value("5")
    page.locator(f"#c-{chiave(b, OGGI)}").fill("MAL")  # the exception
    expect(page.locator(f"[name=o-{chiave(b, OGGI)}]")).to_be_hidden()
    page.get_by_role("button", name="Salva la giornata").click()  # tap two
    expect(page.get_by_role("status").filter(has_text="Salvato")).to_have_text("Salvato: 2 giorni inseriti.")
    senza_scorrimento_laterale(page, larghezza)
    page.screenshot(path=SCHERMATE / f"registro_oggi_{larghezza}.png", full_page=True)
    page.context.close()
    assert {p.servizio_id: (p.codice, p.ore) for p in Presenza.objects.filter(giorno=OGGI)} == {
        a.pk: ("P", Decimal(5)),
        b.pk: ("MAL", Decimal(0)),
    }


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_the_grid_never_scrolls_sideways_and_keeps_every_volunteer_at_hand(browser, live_server, mondo, larghezza):
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    senza_scorrimento_laterale(page, larghezza)
    a, b = mondo.oggetti["servizi"]["a"], mondo.oggetti["servizi"]["b"]  # Bianchi's column comes first
    cella_a = page.locator(f"#c-{chiave(a, datetime.date(2026, 12, 1))}")
    cella_b = page.locator(f"#c-{chiave(b, datetime.date(2026, 12, 1))}")
    expect(cella_b).to_be_visible()
    if larghezza < 576:
        expect(cella_a).to_be_hidden()
        mostra_colonna(page, a, larghezza)
        expect(cella_b).to_be_hidden()
    expect(cella_a).to_be_visible()
    riempi = page.get_by_role("button", name="Riempi la settimana").first
    riempi.scroll_into_view_if_needed()
    riquadro = riempi.bounding_box()
    assert riquadro["x"] >= 0 and riquadro["x"] + riquadro["width"] <= larghezza  # on screen, not beyond it
    page.screenshot(path=SCHERMATE / f"registro_griglia_{larghezza}.png", full_page=True)
    page.context.close()


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_arrow_keys_move_between_cells_and_codes_are_typed(browser, live_server, mondo, larghezza):
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    mostra_colonna(page, a, larghezza)
    primo = page.locator(f"#c-{chiave(a, datetime.date(2026, 12, 1))}")
    primo.focus()
    page.keyboard.type("p")
    expect(primo).to_have_value("P")
    page.keyboard.press("ArrowDown")
    secondo = page.locator(f"#c-{chiave(a, datetime.date(2026, 12, 2))}")
    expect(secondo).to_be_focused()
    page.keyboard.type("nl")
    expect(secondo).to_have_value("NL")
    page.keyboard.press("ArrowUp")
    expect(primo).to_be_focused()
    page.keyboard.press("ArrowRight")  # the caret is at the end: on to the hours
    expect(page.locator(f"[name=o-{chiave(a, datetime.date(2026, 12, 1))}]")).to_be_focused()
    page.context.close()


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_enter_in_a_cell_saves_the_month_and_fills_nothing(browser, live_server, mondo, larghezza):
    """Enter used to press the form's first submit button, a "fill the week": what was typed
    was thrown away and the week filled instead."""
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    mostra_colonna(page, a, larghezza)
    page.locator(f"#c-{chiave(a, datetime.date(2026, 12, 1))}").fill("NL")
    page.locator(f"#c-{chiave(a, datetime.date(2026, 12, 2))}").fill("NL")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Salvato")).to_have_text("Salvato: 2 giorni inseriti.")
    page.context.close()
    assert sorted(Presenza.objects.filter(servizio=a).values_list("giorno", flat=True)) == [
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 2),
    ]


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_unsaved_edits_survive_a_reload_and_leaving_asks_first(browser, live_server, mondo, larghezza):
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza)
    page.goto("/registro/")
    mostra_colonna(page, a, larghezza)
    k = chiave(a, datetime.date(2026, 12, 3))
    page.locator(f"#c-{k}").fill("PR")
    page.reload()  # a dropped connection, a closed tab: the typing is kept in localStorage
    expect(page.locator("[data-avviso-bozza]")).to_be_visible()
    expect(page.locator("[data-avviso-bozza]")).to_contain_text("ripristinate")
    expect(page.locator(f"#c-{k}")).to_have_value("PR")
    dialoghi = []
    page.on("dialog", lambda d: (dialoghi.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialoghi == ["beforeunload"]
    page.context.close()
    assert not Presenza.objects.filter(servizio=a).exists()


@pytest.mark.parametrize("guasto", ["rete", "server"])
def test_a_failed_request_is_never_silent(browser, live_server, mondo, guasto):
    page = apri(browser, live_server, mondo, 390)
    page.goto("/registro/")
    if guasto == "rete":
        page.route("**/registro/", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        atteso = "connessione si è interrotta"
    else:
        page.route(
            "**/registro/",
            lambda route: (
                route.fulfill(status=500, body="boom") if route.request.method == "POST" else route.continue_()
            ),
        )
        atteso = "Il server non ha potuto"
    page.get_by_role("button", name="Salva il mese").click()
    expect(page.locator("#esito-htmx")).to_be_visible()
    expect(page.locator("#esito-htmx")).to_contain_text(atteso)
    page.context.close()


@pytest.mark.parametrize("larghezza", LARGHEZZE)
def test_grid_and_today_have_no_axe_violations(browser, live_server, mondo, larghezza):
    a = mondo.oggetti["servizi"]["a"]
    page = apri(browser, live_server, mondo, larghezza, bypass_csp=True)
    page.goto("/registro/")
    nessuna_violazione(page)
    mostra_colonna(page, a, larghezza)
    k = chiave(a, datetime.date(2026, 12, 1))
    page.locator(f"#c-{k}").fill("P")
    page.locator(f"[name=o-{k}]").fill("10")
    page.get_by_role("button", name="Salva il mese").click()
    expect(page.locator("[data-riepilogo]")).to_be_visible()
    nessuna_violazione(page)
    page.goto("/registro/oggi/")
    nessuna_violazione(page)
    page.context.close()
