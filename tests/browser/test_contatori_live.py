"""An open home page sees a counter change, without a reload, seconds after a volunteer
starts; a screen-reader user hears it through the polite live region. In Debian's Chromium."""

import datetime
import threading

import pytest
from codicefiscale import codicefiscale
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from progetti.models import Progetto
from pubblico import counters
from tests.personas import costruisci_mondo
from volontari import ciclo

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def avvia_in_un_altro_thread(mondo) -> None:
    """What the referente's start form does, on its own connection (Playwright's sync API
    keeps an event loop on this thread, where Django refuses database work)."""
    errori = []

    def lavoro():
        try:
            oggi = timezone.localdate()
            posto = mondo.oggetti["servizi"]["a"].posto
            nascita = datetime.date(2003, 5, 1)
            ciclo.avvia_servizio(
                acting_user=mondo.users["referente_a"], posto=posto, olp=mondo.oggetti["servizi"]["a"].olp,
                volontario={
                    "codice_fiscale": codicefiscale.encode(
                        lastname="Nuovi", firstname="Nina", gender="F", birthdate=f"{nascita:%d/%m/%Y}",
                        birthplace="A794",
                    ),
                    "nome": "Nina", "cognome": "Nuovi",
                },
                data_inizio=oggi, data_domanda=oggi - datetime.timedelta(days=60),
            )  # fmt: skip
        except Exception as exc:  # reported on the test's thread
            errori.append(exc)
        finally:
            connection.close()

    t = threading.Thread(target=lavoro)
    t.start()
    t.join(30)
    assert not errori, errori


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_open_page_sees_a_volunteer_start(live_server, chromium_path):
    mondo = costruisci_mondo()
    posto = mondo.oggetti["servizi"]["a"].posto
    Progetto.objects.filter(pk=posto.progetto_id).update(
        stato="approvato", data_avvio=timezone.localdate() - datetime.timedelta(days=30)
    )
    prima = counters.refresh()
    volontari, lombardia = prima["rete"]["volontari"], next(n for n in prima["nodi"] if n["slug"] == "lombardia")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(live_server.url + "/")
            page.evaluate("window.__marker = 'same page'")
            rete = page.locator('.contatori [data-contatore="volontari"]')
            nodo = page.locator('tr[data-nodo="lombardia"] [data-contatore="volontari"]')
            expect(rete).to_have_text(str(volontari))
            avvia_in_un_altro_thread(mondo)
            expect(rete).to_have_text(str(volontari + 1), timeout=15_000)
            expect(nodo).to_have_text(str(lombardia["volontari"] + 1))
            expect(page.locator("[data-annunci]")).to_contain_text(f"Volontari attivi: {volontari + 1}")
            assert page.evaluate("window.__marker") == "same page"  # no reload
        finally:
            browser.close()
