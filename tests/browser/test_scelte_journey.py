"""Choosing among hundreds of rows by typing, with the keyboard alone: national staff order a
body's report from the report page, where the list of enti is a type-ahead (infra.scelte,
static/js/scelte.js) served by /cerca/ente/. At 1366 and 390 px, in Debian's Chromium, with the
Content-Security-Policy enforced (no violation, console message or script error), then axe-clean
with the list open and after the choice. The catalogue's provinces follow the chosen region in
the page, without a reload.

Screenshots to look at: /tmp/scelte_*.png"""

import pytest
from playwright.sync_api import expect

from infra import scelte
from monitoraggio.models import Report
from tests.browser import test_accessibilita as accessibilita
from tests.browser.test_accessibilita import SCHERMATE, descrivi, entra, violazioni
from tests.browser.test_csp import Sorveglianza
from tests.factories import EnteFactory, ProvinciaFactory, RegioneFactory
from tests.personas import costruisci_mondo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = accessibilita.browser

LARGHEZZE = {"desktop": (1366, 900), "telefono": (390, 844)}


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    # More enti than a plain list carries: the page holds only the chosen one.
    EnteFactory.create_batch(scelte.SOGLIA + 10, nodo=mondo.oggetti["nodi"]["lombardia"])
    return mondo


def axe_pulito(browser, base, mondo, schermo, prepara) -> None:
    """axe-core on the page as `prepara` leaves it (axe goes in as an inline script: this
    context bypasses the policy, which the journey itself enforces)."""
    context = browser.new_context(base_url=base, viewport={"width": schermo[0], "height": schermo[1]}, bypass_csp=True)
    try:
        page = context.new_page()
        entra(page, base, mondo, "nazionale")
        prepara(page)
        trovate = violazioni(page)
        assert not trovate, descrivi(page.url, trovate)
    finally:
        context.close()


def scrivi_e_scegli_vu(page) -> None:
    page.goto("/report/")
    expect(page.locator("main select[name=ente]")).to_have_count(1)
    assert page.locator("main select[name=ente] option").count() == 1  # only "Seleziona…": none chosen
    page.get_by_label("Mese").focus()
    combobox = page.get_by_role("combobox", name="Ente")
    for _ in range(4):  # Tab along the form to the body's search box
        page.keyboard.press("Tab")
        if combobox.evaluate("el => el === document.activeElement"):
            break
    expect(combobox).to_be_focused()
    page.keyboard.type("di v", delay=40)
    opzione = page.get_by_role("option", name="Comune di Vu")
    expect(opzione).to_be_visible()
    expect(page.get_by_role("option", name="Comune di Alfa")).to_have_count(0)


@pytest.mark.parametrize("schermo", list(LARGHEZZE))
def test_national_staff_choose_an_ente_by_typing_with_the_keyboard(browser, live_server, mondo, schermo):
    base = live_server.url
    larghezza, altezza = LARGHEZZE[schermo]
    vu = mondo.oggetti["enti"]["v"]
    context = browser.new_context(base_url=base, viewport={"width": larghezza, "height": altezza})
    try:
        page = context.new_page()
        sorveglianza = Sorveglianza(page)
        entra(page, base, mondo, "nazionale")
        page.goto("/report/")
        page.get_by_label("Tipologia").select_option(value=Report.Tipo.MENSILE_ENTE)
        scrivi_e_scegli_vu(page)
        page.screenshot(path=SCHERMATE / f"scelte_{schermo}_aperta.png", full_page=False)
        page.keyboard.press("Enter")  # picks the highlighted option
        assert page.locator("main select[name=ente]").input_value() == str(vu.pk)
        expect(page.locator("main .ts-wrapper").filter(has_text="Comune di Vu")).to_have_count(1)
        page.screenshot(path=SCHERMATE / f"scelte_{schermo}_scelta.png", full_page=False)
        # On to the button, with the keyboard still.
        for _ in range(6):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.type === 'submit'"):
                break
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base}/report/*/")
        expect(page.locator("main")).to_contain_text("Comune di Vu")
        assert sorveglianza.problemi("report") == []
    finally:
        context.close()
    report = Report.objects.get()
    assert (report.tipo, report.ente_id) == (Report.Tipo.MENSILE_ENTE, vu.pk)

    # axe-clean with the list open and once chosen.
    axe_pulito(browser, base, mondo, LARGHEZZE[schermo], scrivi_e_scegli_vu)

    def scelto(page):
        scrivi_e_scegli_vu(page)
        page.keyboard.press("Enter")

    axe_pulito(browser, base, mondo, LARGHEZZE[schermo], scelto)


def test_the_catalogue_offers_the_provinces_of_the_chosen_region_without_a_reload(browser, live_server, mondo):
    lombardia = RegioneFactory(codice_istat="93", nome="Lombardia di prova")
    veneto = RegioneFactory(codice_istat="95", nome="Veneto di prova")
    ProvinciaFactory(codice_istat="901", nome="Bergamo di prova", sigla="BX", regione=lombardia)
    ProvinciaFactory(codice_istat="902", nome="Brescia di prova", sigla="BY", regione=lombardia)
    ProvinciaFactory(codice_istat="903", nome="Belluno di prova", sigla="BZ", regione=veneto)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        sorveglianza = Sorveglianza(page)
        page.goto("/catalogo/")
        expect(page.get_by_label("Regione")).to_have_value("")
        page.evaluate("window.__marker = 'same page'")
        page.get_by_label("Regione").select_option(label="Veneto di prova")
        provincia = page.get_by_role("combobox", name="Provincia")
        provincia.focus()
        expect(page.get_by_role("option", name="Belluno di prova (BZ)")).to_be_visible()
        expect(page.get_by_role("option", name="Bergamo di prova (BX)")).to_have_count(0)
        page.screenshot(path=SCHERMATE / "scelte_catalogo_province.png")
        page.keyboard.press("Escape")
        page.get_by_label("Regione").focus()
        page.get_by_label("Regione").select_option(label="Lombardia di prova")
        provincia.focus()
        expect(page.get_by_role("option", name="Bergamo di prova (BX)")).to_be_visible()
        expect(page.get_by_role("option", name="Brescia di prova (BY)")).to_be_visible()
        expect(page.get_by_role("option", name="Belluno di prova (BZ)")).to_have_count(0)
        assert page.evaluate("window.__marker") == "same page"
        assert sorveglianza.problemi("catalogo") == []
    finally:
        context.close()
