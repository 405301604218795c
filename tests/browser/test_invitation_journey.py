"""A referente invites an OLP; the OLP accepts in the browser, sets a password, lands on
the dashboard, signs out and signs in again with e-mail and password."""

import pytest
from playwright.sync_api import sync_playwright

from adesioni import actions
from enti.roles import Ruolo
from tests.factories import OlpFactory
from tests.personas import costruisci_mondo

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_invitation_accepted_password_set_signed_in_dashboard_shown(live_server, chromium_path):
    mondo = costruisci_mondo()
    olp = OlpFactory(ente=mondo.oggetti["enti"]["a"], nome="Olivia", cognome="Tutor")
    _invito, token = actions.invita(
        acting_user=mondo.users["referente_a"],
        email="olivia.tutor@example.org",
        ruolo=Ruolo.OLP,
        olp=olp,
        base_url=live_server.url,
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/inviti/accetta/{token}/")
            assert page.get_by_role("heading", level=1).inner_text() == "Accetta l'invito"
            page.get_by_role("textbox", name="Nome", exact=True).fill("Olivia")
            page.get_by_role("textbox", name="Cognome", exact=True).fill("Tutor")
            page.locator("#id_password1").fill("una-password-sicura-42")
            page.locator("#id_password2").fill("una-password-sicura-42")
            page.get_by_role("button", name="Crea il mio account").click()
            page.wait_for_url(f"{live_server.url}/area-personale/")
            assert page.get_by_role("heading", level=1).inner_text() == "Area personale"
            assert page.get_by_role("heading", name="I tuoi volontari").is_visible()

            page.get_by_role("button", name="Esci").click()
            page.wait_for_load_state()
            page.goto(f"{live_server.url}/accounts/login/")
            page.get_by_label("Email").fill("olivia.tutor@example.org")
            page.get_by_label("Password", exact=True).fill("una-password-sicura-42")
            page.locator("main").get_by_role("button", name="Accedi").click()
            page.wait_for_url(f"{live_server.url}/area-personale/")
            # The personal area opens on the to-do list; her own panel (named after her) follows.
            assert page.get_by_role("heading", level=2).first.inner_text() == "Da fare"
            assert any("Olivia" in h for h in page.get_by_role("heading", level=2).all_inner_texts())
        finally:
            browser.close()
