"""An OLP fills a week for four volunteers without reloading the page, completes the month,
confirms it for each, downloads the sheet to sign and uploads it; the referente gives the
general confirmation. In Debian's Chromium."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def accedi(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("password-for-tests")
    page.locator("main").get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{base}/area-personale/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_olp_fills_a_week_confirms_and_downloads_the_sheet(live_server, chromium_path, tmp_path):
    oggi = timezone.localdate()
    mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio, a.data_fine = oggi - datetime.timedelta(days=200), oggi + datetime.timedelta(days=100)
    a.data_fine_prevista = a.data_fine
    a.save()
    servizi = [
        a,
        *[
            ServizioFactory(
                posto=a.posto,
                olp=a.olp,
                data_inizio=a.data_inizio,
                data_fine=a.data_fine,
                data_fine_prevista=a.data_fine_prevista,
                volontario__cognome=f"Collega{i}",
            )
            for i in range(3)
        ],
    ]
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            accedi(page, base, "olp.a@example.org")
            page.goto(f"{base}/registro/?mese={mese:%Y-%m}")
            page.evaluate("window.__marker = 'same page'")
            page.get_by_role("button", name="Riempi la settimana").first.click()
            expect(page.get_by_role("status")).to_contain_text("28")  # 7 days x 4 volunteers
            assert page.evaluate("window.__marker") == "same page"  # htmx swapped the grid, no reload
            # The week's fill left "Riempimento eseguito" in the status already: wait for the
            # month's own answer, or the next page could be opened before the month is written.
            with page.expect_response(lambda r: r.url.endswith("/registro/riempi/")) as riempito:
                page.get_by_role("button", name="Riempi i giorni vuoti del mese").click()
            assert riempito.value.ok
            expect(page.get_by_role("status")).to_contain_text("Riempimento eseguito")

            for s in servizi:
                page.goto(f"{base}/registro/servizi/{s.pk}/?mese={mese:%Y-%m}")
                page.get_by_role("button", name="Conferma il mese").click()
                with page.expect_download() as download:
                    page.get_by_role("link", name="Scarica il foglio da firmare (PDF)").click()
                pdf = tmp_path / download.value.suggested_filename
                download.value.save_as(pdf)
                assert pdf.read_bytes().startswith(b"%PDF-") and pdf.name.startswith("PRESENZE_")
                page.locator("input[name=file]").set_input_files(str(pdf))
                page.get_by_role("button", name="Carica").click()
                expect(page.get_by_text("Foglio firmato caricato.").first).to_be_visible()

            accedi(page, base, "referente.a@example.org")
            page.goto(f"{base}/registro/enti/{a.posto.sede.ente_id}/chiusura/?mese={mese:%Y-%m}")
            page.get_by_role("button", name="Conferma il mese per l'ente").click()
            expect(page.get_by_role("status").first).to_be_visible()
        finally:
            browser.close()
    # The database is read once the browser's event loop is gone.
    giorni = (mese.replace(month=mese.month % 12 + 1, year=mese.year + mese.month // 12) - mese).days
    assert Presenza.objects.filter(servizio__in=servizi).count() == 4 * giorni
    assert ChiusuraMensile.objects.filter(mese=mese, stato="confermata").count() == 4
    for c in ChiusuraMensile.objects.filter(mese=mese):
        c.foglio_firmato.delete(save=False)
