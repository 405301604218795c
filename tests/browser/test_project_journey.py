"""A referente writes and submits a project; the nodo returns it; the referente fixes it;
the nodo approves it. In Debian's Chromium, through the real pages and sign-in (with the
second factor for the nodo's staff)."""

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.factories import AreaFactory, BandoFactory, OlpFactory, SedeFactory
from tests.personas import code_for, costruisci_mondo, totp_secret

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def accedi(page, base, email, codice=None):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("password-for-tests")
    page.locator("main").get_by_role("button", name="Accedi").click()
    if codice is not None:
        page.locator("input[name=code]").fill(codice())
        page.locator("main button[type=submit]").first.click()
    page.wait_for_url(f"{base}/area-personale/")


def salva(page):
    page.locator("main").get_by_role("button", name="Salva e continua").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_write_submit_return_fix_approve(live_server, chromium_path):
    mondo = costruisci_mondo()
    ente = mondo.oggetti["enti"]["a"]
    area = AreaFactory()
    bando = BandoFactory(nome="Bando ordinario di prova")
    sede = SedeFactory(ente=ente, denominazione="Biblioteca civica")
    OlpFactory(ente=ente, nome="Olga", cognome="Guida")
    segreto = totp_secret(mondo.users["nodo_lombardia"])  # read before the browser's event loop starts
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            accedi(page, base, "referente.a@example.org")
            page.goto(f"{base}/progetti/nuovo/")
            page.get_by_label("Titolo").fill("Biblioteche vive ad Alfa")
            page.locator("#id_bando").select_option(str(bando.pk))
            page.locator("#id_settore").select_option(str(area.settore_id))
            page.locator("#id_area").select_option(str(area.pk))
            page.get_by_role("button", name="Crea la bozza").click()
            page.wait_for_url("**/modifica/generale/")
            salva(page)  # general data
            salva(page)  # duration and hours: the defaults hold
            salva(page)  # training: 30 + 50 hours
            salva(page)  # additional measures: none
            page.locator("#id_posti-0-sede").select_option(str(sede.pk))
            page.locator("#id_posti-0-posti_senza_vitto_alloggio").fill("3")
            # Bootstrap Italia draws the checkbox on its label, which takes the click.
            # Next to her name, the volunteers she follows today: none yet, of at most 4.
            olp = "Guida Olga (segue 0 volontari, al massimo 4)"
            page.get_by_text(olp, exact=True).click()
            expect(page.get_by_label(olp)).to_be_checked()
            salva(page)
            page.get_by_text("formatore", exact=True).click()
            expect(page.get_by_label("formatore")).to_be_checked()
            page.locator("main").get_by_role("button", name="Salva e continua").click()
            page.wait_for_url("**/progetti/*/")
            page.get_by_role("button", name="Presenta al nodo").click()
            expect(page.locator("[data-stato]").first).to_have_attribute("data-stato", "presentato")
            url_progetto = page.url

            accedi(page, base, "nodo.lombardia@example.org", codice=lambda: code_for(segreto))
            page.goto(url_progetto)
            page.get_by_role("button", name="Avvia la valutazione").click()
            page.locator("textarea[name=motivo]").first.fill("Aumentare la formazione specifica a 60 ore")
            page.get_by_role("button", name="Restituisci per integrazioni").first.click()
            expect(page.locator("[data-stato]").first).to_have_attribute("data-stato", "da_integrare")

            accedi(page, base, "referente.a@example.org")
            page.goto(url_progetto)
            assert page.get_by_text("Aumentare la formazione specifica a 60 ore").first.is_visible()
            page.goto(url_progetto + "modifica/formazione/")
            page.locator("#id_formazione_specifica_ore").fill("60")
            salva(page)
            page.goto(url_progetto)
            page.get_by_role("button", name="Presenta di nuovo").click()
            expect(page.locator("[data-stato]").first).to_have_attribute("data-stato", "presentato")

            accedi(page, base, "nodo.lombardia@example.org", codice=lambda: code_for(segreto, step=1))
            page.goto(url_progetto)
            assert page.get_by_role(
                "heading", name="Cosa è cambiato rispetto alla presentazione precedente"
            ).is_visible()
            page.get_by_role("button", name="Avvia la valutazione").click()
            page.get_by_role("button", name="Approva").click()
            expect(page.locator("[data-stato]").first).to_have_attribute("data-stato", "approvato")
        finally:
            browser.close()
