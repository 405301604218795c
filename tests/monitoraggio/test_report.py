"""Monitoring reports: the job's states, idempotence, failure, scope, and a real PDF."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from monitoraggio import reports
from monitoraggio.models import Report
from monitoraggio.tasks import genera_report
from tests.personas import costruisci_mondo
from volontari.models import Presenza

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
DA, A = reports.periodo_del_mese(OGGI.replace(day=1) - datetime.timedelta(days=1))


@pytest.fixture
def mondo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = DA - datetime.timedelta(days=30)
    a.save()
    for i in range(10):
        Presenza.objects.create(
            servizio=a, giorno=DA + datetime.timedelta(days=i), codice="P", attivita="servizio", ore=5
        )
    return mondo


def ordina_ente(mondo, chi="referente_a", django_capture_on_commit_callbacks=None):
    return reports.ordina(
        acting_user=mondo.users[chi], tipo=Report.Tipo.MENSILE_ENTE, ente=mondo.oggetti["enti"]["a"],
        periodo_inizio=DA, periodo_fine=A,
    )  # fmt: skip


def leggi_pdf(report) -> str:
    with report.file.open("rb") as fh:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_a_report_goes_from_queued_to_done_with_a_pdf_of_the_figures(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = ordina_ente(mondo)
    assert report.stato == Report.Stato.IN_CODA and len(callbacks) == 1
    callbacks[0]()  # the task, in-process
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO and report.progresso == 100 and report.tentativi == 1
    testo = leggi_pdf(report)
    assert "Comune di Alfa" in testo
    assert "50 /" in testo  # 10 days x 5 hours recorded in the month


def test_running_it_again_changes_nothing(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = ordina_ente(mondo)
    report.refresh_from_db()
    nome = report.file.name
    reports.genera(report.pk)
    report.refresh_from_db()
    assert report.file.name == nome and report.tentativi == 1


def test_a_worker_killed_midway_leaves_a_job_that_completes_once(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = ordina_ente(mondo)
    # The first worker set it running and wrote part of a file, then died.
    from django.core.files.base import ContentFile

    report.stato, report.tentativi = Report.Stato.IN_CORSO, 1
    report.file.save("report_parziale.pdf", ContentFile(b"%PDF-1.7 half"), save=False)
    report.save()
    parziale = report.file.path
    genera_report.apply(args=[report.pk])  # the message is delivered again
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO and report.tentativi == 2
    import os

    assert not os.path.exists(parziale)
    nella_cartella = set(report.file.storage.listdir(os.path.dirname(report.file.name))[1])
    assert nella_cartella == {os.path.basename(f.name) for f in (report.file, report.file_csv, report.file_xlsx)}


def test_a_failing_report_records_why(mondo, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        report = ordina_ente(mondo)

    def rotto(*args, **kwargs):
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(reports.indicatori, "calcola", rotto)
    with pytest.raises(RuntimeError):  # the last attempt gives up
        genera_report.apply(args=[report.pk], retries=genera_report.max_retries, throw=True)
    report.refresh_from_db()
    assert report.stato == Report.Stato.FALLITO and "disco pieno" in report.errore


def test_scope_of_ordering_and_downloading(client, mondo, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        ordina_ente(mondo, chi="referente_b")
    with pytest.raises(PermissionDenied):
        ordina_ente(mondo, chi="nodo_veneto")
    with django_capture_on_commit_callbacks(execute=True):
        report = ordina_ente(mondo, chi="nodo_lombardia")
    url = reverse("report:scarica", args=[report.pk])
    for persona, atteso in (
        ("referente_a", 200),
        ("nodo_lombardia", 200),
        ("nazionale", 200),
        ("referente_b", 404),
        ("nodo_veneto", 404),
    ):
        client.force_login(mondo.users[persona])
        assert client.get(url).status_code == atteso, persona


def test_monthly_reports_are_ordered_for_every_nodo_and_active_ente(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        n = reports.ordina_mensili(oggi=OGGI.replace(day=11))
    nodi = Report.objects.filter(tipo=Report.Tipo.MENSILE_NODO).count()
    enti = set(Report.objects.filter(tipo=Report.Tipo.MENSILE_ENTE).values_list("ente__denominazione", flat=True))
    assert nodi == 3 and "Comune di Alfa" in enti and n == nodi + len(enti)
    with django_capture_on_commit_callbacks(execute=False):
        assert reports.ordina_mensili(oggi=OGGI.replace(day=11)) == 0  # once a month


def test_old_reports_are_cleaned(mondo, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = ordina_ente(mondo)
    report.refresh_from_db()
    percorso = report.file.path
    Report.objects.filter(pk=report.pk).update(
        creato_il=timezone.now() - datetime.timedelta(days=settings.REPORT_CONSERVAZIONE_GIORNI + 1)
    )
    assert reports.pulisci() == 1
    import os

    assert not os.path.exists(percorso) and not Report.objects.exists()


def test_order_page_and_progress(client, mondo):
    client.force_login(mondo.users["referente_a"])
    response = client.post(
        reverse("report:nuovo"), {"tipo": "mensile_ente", "mese": f"{DA:%Y-%m}", "ente": mondo.oggetti["enti"]["a"].pk}
    )
    report = Report.objects.get()
    assert response["Location"] == reverse("report:dettaglio", args=[report.pk])
    html = client.get(reverse("report:dettaglio", args=[report.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'id="stato-report"' in html and "<html" not in html


def test_the_order_form_shows_the_default_month_as_a_month_input_reads_it(client, mondo):
    client.force_login(mondo.users["referente_a"])
    html = client.get(reverse("report:lista")).content.decode()
    assert f'type="month" name="mese" value="{DA:%Y-%m}"' in html


def test_project_report_lists_each_volunteer_without_health_figures(mondo, django_capture_on_commit_callbacks):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=DA + datetime.timedelta(days=12), codice="MAL")
    Presenza.objects.create(servizio=a, giorno=DA + datetime.timedelta(days=13), codice="PR")
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.ordina(
            acting_user=mondo.users["nodo_lombardia"], tipo=Report.Tipo.PROGETTO, progetto=a.posto.progetto,
            periodo_inizio=DA, periodo_fine=A,
        )  # fmt: skip
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO, report.errore
    testo = leggi_pdf(report)
    piatto = " ".join(testo.split())
    assert f"{a.volontario.cognome} {a.volontario.nome}" in piatto, piatto
    assert "50 /" in piatto and "1 / 20" in piatto  # 50 hours; 1 day of paid leave of 20
    # The last "Volontari del progetto": the cover names the table too.
    tabella = piatto.split("Volontari del progetto")[-1].split("Questionari dei volontari")[0]
    assert "alattia" not in tabella and "MAL" not in tabella


def test_annual_draft_reports_the_projects_of_the_year(mondo, django_capture_on_commit_callbacks):
    a = mondo.oggetti["servizi"]["a"]
    anno = DA.year
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.ordina(
            acting_user=mondo.users["referente_a"], tipo=Report.Tipo.ANNUALE_ENTE, ente=mondo.oggetti["enti"]["a"],
            periodo_inizio=datetime.date(anno, 1, 1), periodo_fine=datetime.date(anno, 12, 31),
        )  # fmt: skip
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO, report.errore
    testo = " ".join(leggi_pdf(report).split())
    assert f"relazione annuale di monitoraggio {anno}," in testo and f"entro il 31/03/{anno + 1}" in testo
    assert f"{anno:,}".replace(",", ".") not in testo  # a year is never printed as a number with separators
    assert a.posto.progetto.titolo in testo
    assert "Autovalutazione" in testo and "Soddisfazione dei volontari" in testo


def test_annual_draft_counts_the_outcomes_of_the_services(mondo):
    from tests.factories import ServizioFactory

    a = mondo.oggetti["servizi"]["a"]
    anno = DA.year
    inizio = datetime.date(anno, 2, 1)
    ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=inizio, stato="rinuncia")
    interrotto = ServizioFactory(
        posto=a.posto, olp=a.olp, data_inizio=inizio, data_fine=datetime.date(anno, 3, 31), stato="interrotto",
        motivo_interruzione="Trasferimento",
    )  # fmt: skip
    ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=datetime.date(anno, 4, 15), subentra_a=interrotto)
    report = Report.objects.create(
        tipo=Report.Tipo.ANNUALE_ENTE, ente=mondo.oggetti["enti"]["a"],
        periodo_inizio=datetime.date(anno, 1, 1), periodo_fine=datetime.date(anno, 12, 31),
    )  # fmt: skip
    dati = reports._annuale(report, report.periodo_inizio, report.periodo_fine)
    (riga,) = dati["conclusi"] + dati["in_corso"]
    assert (riga["avviati"], riga["rinunce"], riga["interruzioni"], riga["subentri"]) == (3, 1, 1, 1)
    assert riga["ore"] == 50  # service a's 10 days of 5 hours
