"""The nodo's staff work the monitoring worklist in Chromium, on a laptop and on a phone: the red
indicator lists its item, they take it in charge from the dashboard (htmx swaps the row), open
its history, close it with a note (htmx swaps the detail) and the dashboard then says the
item was closed, never that there is nothing to do. axe-core finds nothing on the way.
Screenshots: /tmp/lavoro_<width>_*.png."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from monitoraggio import allerte
from monitoraggio.models import Allerta
from tests.browser.test_accessibilita import SCHERMATE, browser, entra, nessuna_violazione  # noqa: F401
from tests.personas import costruisci_mondo
from volontari.models import Presenza, Servizio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OGGI = datetime.date(2026, 8, 20)


def mondo_con_una_voce():
    """A's service from 10 January, every day recorded, no general training by day 180."""
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=a.pk).update(
        data_inizio=datetime.date(2026, 1, 10),
        data_fine=datetime.date(2027, 1, 9),
        data_fine_prevista=datetime.date(2027, 1, 9),
    )
    a.refresh_from_db()
    righe, giorno = [], a.data_inizio
    while giorno < OGGI:
        n = (giorno - a.data_inizio).days
        attivita = "formazione_specifica" if 60 <= n < 70 else "servizio"
        righe.append(Presenza(servizio=a, giorno=giorno, codice="P", attivita=attivita, ore=5))
        giorno += datetime.timedelta(days=1)
    Presenza.objects.bulk_create(righe)
    Servizio.objects.filter(pk__in=[mondo.oggetti["servizi"][k].pk for k in ("b", "v")]).update(stato="rinuncia")
    allerte.controlla(OGGI)
    return mondo, Allerta.objects.get(chiave=f"generale_tardi:{a.pk}")


@pytest.mark.parametrize("larghezza", [1366, 390])
def test_nodo_staff_take_an_item_in_charge_and_close_it(browser, live_server, larghezza):  # noqa: F811
    with time_machine.travel(datetime.datetime(2026, 8, 20, 10, tzinfo=ZoneInfo("Europe/Rome")), tick=True):
        mondo, voce = mondo_con_una_voce()
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": larghezza, "height": 900}, bypass_csp=True
        )
        page = context.new_page()
        try:
            entra(page, live_server.url, mondo, "nodo_lombardia")
            page.goto("/monitoraggio/?mese=2026-07")
            card = page.locator('[data-lavoro="formazione_generale"]')
            riga = card.locator(f"#voce-{voce.pk}")
            expect(riga).to_contain_text("0 di 30 ore di formazione generale")
            expect(riga).to_contain_text("Chi deve intervenire")
            expect(riga.get_by_role("link", name="Apri il registro del volontario")).to_be_visible()
            expect(page.locator("#allerte")).not_to_contain_text("Oggi non ci sono segnalazioni da gestire.")
            nessuna_violazione(page)
            page.screenshot(path=SCHERMATE / f"lavoro_{larghezza}_cruscotto.png", full_page=False)

            page.evaluate("window.__marker = 'same page'")
            riga.get_by_role("button", name="Prendi in carico").click()
            riga = page.locator(f"#voce-{voce.pk}")
            expect(riga.get_by_role("status")).to_have_text("Hai preso in carico la segnalazione.")
            expect(riga).to_have_attribute("data-stato", "in_carico")
            expect(riga).to_contain_text("presa in carico da")
            expect(riga.get_by_role("button", name="Prendi in carico")).to_have_count(0)
            assert page.evaluate("window.__marker") == "same page"  # htmx swapped the row, no reload
            nessuna_violazione(page)
            riga.scroll_into_view_if_needed()
            page.screenshot(path=SCHERMATE / f"lavoro_{larghezza}_presa.png", full_page=False)

            riga.get_by_role("link", name="Cronologia e note").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Formazione generale in ritardo")
            page.evaluate("window.__marker = 'same page'")
            # Closing without a note: told at the field.
            page.get_by_role("button", name="Chiudi la segnalazione").click()
            expect(page.locator("#id_nota_error")).to_have_text("Scrivi la nota.")
            nessuna_violazione(page)
            page.get_by_label("Nota").fill("L'ente ha fissato la formazione generale per settembre.")
            page.get_by_role("button", name="Chiudi la segnalazione").click()
            expect(page.locator("#allerta-dettaglio").get_by_role("status")).to_have_text(
                "Segnalazione chiusa. Si riaprirà se la situazione cambia."
            )
            expect(page.locator("[data-stato=chiusa]")).to_contain_text("Chiusa (Test User")
            expect(page.locator(".storia-allerta li")).to_have_count(3)
            expect(page.locator(".storia-allerta")).to_contain_text("fissato la formazione generale")
            assert page.evaluate("window.__marker") == "same page"
            nessuna_violazione(page)
            page.screenshot(path=SCHERMATE / f"lavoro_{larghezza}_chiusa.png", full_page=True)

            page.goto("/monitoraggio/?mese=2026-07")
            card = page.locator('[data-lavoro="formazione_generale"]')
            expect(card.locator("[data-senza-voci]")).to_contain_text("1 segnalazione è stata chiusa")
            expect(card.get_by_role("link", name="Quelle chiuse")).to_be_visible()
            expect(page.locator("#allerte")).not_to_contain_text("Oggi non ci sono segnalazioni da gestire.")
        finally:
            context.close()
    voce.refresh_from_db()
    assert voce.stato == Allerta.Stato.CHIUSA and voce.in_carico_a == mondo.users["nodo_lombardia"]
