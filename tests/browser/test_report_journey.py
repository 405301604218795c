"""The staff of a nodo orders the monthly report of the nodo from the portal, watches the job
go from queued to running to done without reloading the page (htmx polls the state), and
downloads the PDF with the figures of the nodo. In Debian's Chromium, with the second factor.

The Celery task is not queued: the test plays the worker itself, so that the page can be
seen while the job waits and while it runs."""

import datetime
import io
import tempfile
import threading
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright
from pypdf import PdfReader

from monitoraggio import reports, tasks
from monitoraggio.models import Report
from tests.personas import code_for, costruisci_mondo, totp_secret
from volontari.models import Presenza

# The pages at the three stages of the job, to look at: /tmp/report_journey_*.png
SCHERMATE = Path(tempfile.gettempdir())
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


def come_il_worker(lavoro) -> None:
    """Run `lavoro` on a thread of its own, with its own database connection, as the worker
    would (the browser's event loop owns this thread: Django refuses queries on it)."""
    errori = []

    def corri():
        try:
            lavoro()
        except Exception as exc:  # re-raised on the test's thread
            errori.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=corri)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive(), "the report took more than a minute"
    if errori:
        raise errori[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nodo_orders_a_report_watches_it_progress_and_downloads_the_pdf(
    live_server, chromium_path, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    in_coda = []  # the ids the portal would have queued for the worker
    # Orders leave through infra.outbox, which hands in-process tasks to apply_async.
    monkeypatch.setattr(tasks.genera_report, "apply_async", lambda args, kwargs=None, **_: in_coda.append(args[0]))

    mondo = costruisci_mondo()
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    da, a = reports.periodo_del_mese(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    ore = {"a": (7, 6), "b": (5, 4)}  # days recorded x hours a day: 42 for Alfa, 20 for Beta
    for chiave, (giorni, ore_al_giorno) in ore.items():
        servizio = mondo.oggetti["servizi"][chiave]
        servizio.data_inizio = da - datetime.timedelta(days=10)
        servizio.data_fine_prevista = servizio.data_fine = servizio.data_inizio + datetime.timedelta(days=364)
        servizio.save()
        for i in range(giorni):
            Presenza.objects.create(
                servizio=servizio,
                giorno=da + datetime.timedelta(days=i),
                codice="P",
                attivita="servizio",
                ore=ore_al_giorno,
            )
    segreto = totp_secret(mondo.users["nodo_lombardia"])  # read before the browser's event loop starts
    base = live_server.url
    pdf = tmp_path / "report.pdf"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1366, "height": 768})
            accedi(page, base, "nodo.lombardia@example.org", codice=lambda: code_for(segreto))
            page.get_by_role("link", name="Report di monitoraggio", exact=True).click()
            expect(page.get_by_role("heading", name="Report di monitoraggio", level=1)).to_be_visible()
            page.get_by_label("Tipologia").select_option(label="report mensile del nodo")
            page.get_by_label("Mese").fill(f"{da:%Y-%m}")
            page.get_by_label("Nodo").select_option(label=lombardia.nome)
            page.get_by_role("button", name="Richiedi").click()
            page.wait_for_url(f"{base}/report/*/")

            # Queued: nothing has run yet, and the page says so.
            assert len(in_coda) == 1, "the order did not queue exactly one task"
            report_id = in_coda[0]
            assert page.url == f"{base}/report/{report_id}/"
            expect(page.get_by_role("heading", level=1)).to_have_text("Report mensile del nodo")
            expect(page.locator("main")).to_contain_text(lombardia.nome)
            stato = page.locator("#stato-report [data-stato]")
            barra = page.get_by_role("progressbar", name="Avanzamento")
            expect(stato).to_have_attribute("data-stato", "in_coda")
            expect(stato).to_have_text("in coda")
            expect(barra).to_be_visible()
            expect(barra).to_have_attribute("aria-valuenow", "0")
            expect(page.get_by_role("link", name="Scarica il report (PDF)")).to_have_count(0)
            page.screenshot(path=SCHERMATE / "report_journey_queued.png", full_page=True)
            page.evaluate("window.__marker = 'same page'")

            # The worker picks the job up and reports its progress: the page follows it.
            come_il_worker(
                lambda: Report.objects.filter(pk=report_id).update(stato=Report.Stato.IN_CORSO, progresso=45)
            )
            expect(stato).to_have_attribute("data-stato", "in_corso", timeout=15_000)
            expect(stato).to_have_text("in corso")
            expect(barra).to_have_attribute("aria-valuenow", "45")
            expect(page.locator("#stato-report")).to_contain_text("45%")
            assert page.evaluate("window.__marker") == "same page"  # htmx swapped the state, no reload
            expect(page.locator("#stato-report")).to_contain_text("raccolta delle tabelle")  # the step reached
            page.screenshot(path=SCHERMATE / "report_journey_progress.png", full_page=True)

            # The worker does the job (an attempt found running is started again from scratch).
            come_il_worker(lambda: reports.genera(report_id))
            scarica = page.get_by_role("link", name="Scarica il report (PDF)")
            expect(scarica).to_be_visible(timeout=15_000)
            expect(stato).to_have_attribute("data-stato", "completato")
            expect(stato).to_have_text("completato")
            expect(barra).to_have_attribute("aria-valuenow", "100")
            assert page.evaluate("window.__marker") == "same page"
            expect(page.get_by_role("status")).to_have_text("Il report è pronto.")
            expect(page.get_by_role("link", name="Excel (XLSX)")).to_be_visible()
            expect(page.get_by_role("link", name="CSV")).to_be_visible()
            page.screenshot(path=SCHERMATE / "report_journey_done.png", full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=SCHERMATE / "report_journey_done_390.png", full_page=True)
            page.set_viewport_size({"width": 1366, "height": 768})
            # Done: the polling stops (the fragment no longer asks for itself).
            assert page.locator("#stato-report").get_attribute("hx-get") is None

            with page.expect_download() as download:
                scarica.click()
            download.value.save_as(pdf)
            assert download.value.suggested_filename == f"report_{report_id}_mensile_nodo_{da:%Y_%m}.pdf"
        finally:
            browser.close()

    contenuto = pdf.read_bytes()
    assert contenuto.startswith(b"%PDF-")
    testo = " ".join(pagina.extract_text() for pagina in PdfReader(io.BytesIO(contenuto)).pages)
    assert lombardia.nome in testo  # "ANCI Lombardia"
    assert f"dal {da:%d/%m/%Y} al {a:%d/%m/%Y}" in testo
    assert "Volontari in servizio 2 " in testo  # the services of Alfa and Beta
    assert "62 /" in testo  # hours in the period: 7 x 6 for Alfa + 5 x 4 for Beta, against the plan
    assert "Comune di Alfa 1 42" in testo and "Comune di Beta 1 20" in testo  # volunteers and hours per ente
    assert "Comune di Vu" not in testo  # the Veneto's ente is not part of the nodo
    # The database is read once the browser's event loop is gone.
    report = Report.objects.get(pk=report_id)
    assert (report.stato, report.progresso, report.tentativi) == (Report.Stato.COMPLETATO, 100, 1)
    assert report.richiesto_da == mondo.users["nodo_lombardia"]
    assert in_coda == [report_id]
