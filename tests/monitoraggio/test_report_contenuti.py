"""What a report says and how it is built: the tagged PDF (PDF/UA-1), the cover, the summary
against the previous month and the same month a year before, the top and bottom tables, the
annex and its CSV and XLSX, the report's page while it waits, and an order that never
generates the report in the request."""

import calendar
import csv
import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import load_workbook
from pypdf import PdfReader

from infra import grafici
from monitoraggio import indicatori, reports
from monitoraggio.models import Report
from tests.factories import EnteFactory, PostoSedeFactory, SedeFactory, ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import Presenza

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
DA, A = reports.periodo_del_mese(OGGI.replace(day=1) - datetime.timedelta(days=1))
PRIMA = reports.periodo_del_mese(DA - datetime.timedelta(days=1))
ANNO_PRIMA = reports.periodo_del_mese(DA.replace(year=DA.year - 1))
# Days recorded (5 hours each) in the report's month, the month before, and a year before.
GIORNI = {DA: 10, PRIMA[0]: 4, ANNO_PRIMA[0]: 6}


def giorni_del_mese(d: datetime.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


@pytest.fixture
def mondo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    # In service for the whole of the three months compared.
    a.data_inizio = ANNO_PRIMA[0] - datetime.timedelta(days=20)
    a.data_fine_prevista = a.data_fine = A + datetime.timedelta(days=60)
    a.save()
    for inizio, giorni in GIORNI.items():
        for i in range(giorni):
            Presenza.objects.create(
                servizio=a, giorno=inizio + datetime.timedelta(days=i), codice="P", attivita="servizio", ore=5
            )
    return mondo


def genera(mondo, chi="referente_a", **ambito) -> Report:
    ambito = ambito or {"tipo": Report.Tipo.MENSILE_ENTE, "ente": mondo.oggetti["enti"]["a"]}
    report = Report.objects.create(periodo_inizio=DA, periodo_fine=A, richiesto_da=mondo.users[chi], **ambito)
    reports.genera(report.pk)
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO, report.errore
    return report


def pagine_pdf(report) -> tuple[PdfReader, list[str]]:
    with report.file.open("rb") as fh:
        lettore = PdfReader(io.BytesIO(fh.read()))
    return lettore, [" ".join((p.extract_text() or "").split()) for p in lettore.pages]


def etichette(nodo, trovate=None) -> list:
    """The structure types of the tagged PDF's tree, depth first, with the figures' /Alt."""
    trovate = [] if trovate is None else trovate
    nodo = nodo.get_object()
    if "/S" in nodo:
        trovate.append((str(nodo["/S"]), nodo.get("/Alt")))
    figli = nodo.get("/K")
    for figlio in figli if isinstance(figli, list) else [figli] if figli is not None else []:
        if hasattr(figlio, "get_object") and hasattr(figlio.get_object(), "get"):
            etichette(figlio, trovate)
    return trovate


def test_the_pdf_is_tagged_pdf_ua_in_italian(mondo):
    report = genera(mondo)
    lettore, _pagine = pagine_pdf(report)
    catalogo = lettore.trailer["/Root"]
    assert catalogo["/Lang"] == "it"
    assert bool(catalogo["/MarkInfo"]["/Marked"])
    xmp = catalogo["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp and ("<pdfuaid:part>1</pdfuaid:part>" in xmp or 'pdfuaid:part="1"' in xmp)
    tag = etichette(catalogo["/StructTreeRoot"])
    tipi = {t for t, _alt in tag}
    assert {"/Document", "/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= tipi, tipi
    figure = [alt for t, alt in tag if t == "/Figure"]
    assert figure and all(figure), "every chart carries its text alternative"
    assert "Ore registrate per mese" in figure


def test_cover_and_summary_say_network_scope_period_and_date(mondo):
    report = genera(mondo)
    _lettore, pagine = pagine_pdf(report)
    copertina, sintesi = pagine[0], pagine[1]
    assert "Rete Servizio Civile dei Comuni" in copertina
    assert "Report mensile dell'ente" in copertina and "Comune di Alfa" in copertina
    assert f"dal {DA:%d/%m/%Y} al {A:%d/%m/%Y}" in copertina
    assert f"Prodotto il {timezone.localdate():%d/%m/%Y}" in copertina
    assert "Pagina" not in copertina  # no running header or page number on the cover
    assert sintesi.startswith("Sintesi") or "Sintesi" in sintesi[:200]
    assert "I punti che richiedono più attenzione" in sintesi
    assert "Volontari in servizio" in sintesi and "Variazione" in sintesi


def test_summary_compares_with_the_month_before_and_a_year_before(mondo):
    servizi = indicatori.servizi_ambito(ente=mondo.oggetti["enti"]["a"])
    valori = indicatori.calcola(servizi, DA, A)
    altri = {n: indicatori.calcola(servizi, *p) for n, p in reports.periodi_di_confronto(DA, A).items()}
    assert reports.periodi_di_confronto(DA, A) == {"precedente": PRIMA, "anno_prima": ANNO_PRIMA}
    righe = {c.valore.definizione.chiave: c for c in reports.confronti(valori, altri)}
    # Days without an entry: the days of each month minus the days recorded in it.
    senza = righe["giorni_senza_codice"]
    atteso = {m: giorni_del_mese(m) - n for m, n in GIORNI.items()}
    assert (senza.misura, senza.precedente, senza.anno_prima) == (atteso[DA], atteso[PRIMA[0]], atteso[ANNO_PRIMA[0]])
    assert senza.delta_precedente == atteso[DA] - atteso[PRIMA[0]]
    assert senza.delta_anno_prima == atteso[DA] - atteso[ANNO_PRIMA[0]]
    # Hours against plan, as a percentage: 50, 20 and 30 hours recorded against each month's plan.
    ore = righe["ore"]
    assert ore.percentuale and valori["ore"].valore == 50 and altri["precedente"]["ore"].valore == 20
    assert altri["anno_prima"]["ore"].valore == 30
    piano = valori["ore"].totale
    assert ore.misura == (Decimal(50) * 100 / piano).quantize(Decimal("0.1"))
    assert ore.delta_precedente == ore.misura - ore.precedente
    assert ore.delta_anno_prima == ore.misura - ore.anno_prima
    assert righe["volontari"].delta_precedente == 0  # the same volunteer in both months


def test_an_annual_report_is_compared_with_the_year_before():
    da, a = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    assert reports.periodi_di_confronto(da, a) == {
        "precedente": (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    }


def test_what_most_needs_attention_puts_red_before_yellow_and_the_widest_first():
    def valore(chiave, v, totale=None):
        return indicatori.Valore(indicatori.PER_CHIAVE[chiave], v, totale)

    valori = {
        "volontari": valore("volontari", 10),
        "ore": valore("ore", 88, 100),  # yellow
        "posti": valore("posti", 5, 10),  # red, 44% under its green threshold
        "malattia": valore("malattia", 1),  # red, 1 volunteer in 10
        "formazione_generale": valore("formazione_generale", 4),  # red, 4 in 10
        "rinunce": valore("rinunce", 3),  # no traffic light
        "mesi_non_confermati": valore("mesi_non_confermati", 0),  # green
    }
    scelti = [v.definizione.chiave for v in reports.da_seguire(valori, DA, A)]
    assert scelti == ["posti", "formazione_generale", "malattia"]
    assert [v.definizione.chiave for v in reports.da_seguire(valori, DA, A, n=5)][3:] == ["ore"]


def test_top_and_bottom_tables_only_when_the_parts_are_many():
    parti = [{"nome": f"Comune {i:02}", "percentuale": Decimal(i)} for i in range(25)]
    parti.append({"nome": "Comune senza piano", "percentuale": None})
    primi, ultimi = reports.primi_e_ultimi(parti)
    assert [r["nome"] for r in primi] == [f"Comune {i:02}" for i in range(24, 14, -1)]
    assert [r["nome"] for r in ultimi] == [f"Comune {i:02}" for i in range(10)]
    assert reports.primi_e_ultimi(parti[:20]) == ([], [])


def test_the_breakdown_of_a_nodo_adds_up_to_the_nodo_s_indicators(mondo):
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    b = mondo.oggetti["servizi"]["b"]
    for i in range(3):
        Presenza.objects.create(servizio=b, giorno=max(DA, b.data_inizio) + datetime.timedelta(days=i), codice="P",
                                attivita="servizio", ore=4)  # fmt: skip
    report = Report(tipo=Report.Tipo.MENSILE_NODO, nodo=lombardia, periodo_inizio=DA, periodo_fine=A)
    parti = reports.ripartizione(report, DA, A)
    valori = indicatori.calcola(indicatori.servizi_ambito(nodo=lombardia), DA, A)
    assert [r["nome"] for r in parti] == ["Comune di Alfa", "Comune di Beta"]
    assert sum(r["volontari"] for r in parti) == valori["volontari"].valore
    assert sum(r["ore"] for r in parti) == valori["ore"].valore == 62
    assert sum(r["senza_codice"] for r in parti) == valori["giorni_senza_codice"].valore
    assert abs(sum(r["previste"] for r in parti) - valori["ore"].totale) <= len(parti)  # each rounded


def test_the_annex_and_its_csv_and_xlsx_hold_the_same_table(mondo):
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    # A name a spreadsheet would run as a formula, and enough enti for top and bottom tables.
    for i in range(22):
        ente = EnteFactory(nodo=lombardia, denominazione=f"Comune {i:02}" if i else '=HYPERLINK("http://x.example")')
        posto = PostoSedeFactory(sede=SedeFactory(ente=ente))
        s = ServizioFactory(posto=posto, data_inizio=DA - datetime.timedelta(days=30))
        for g in range(i % 5):
            Presenza.objects.create(servizio=s, giorno=DA + datetime.timedelta(days=g), codice="P",
                                    attivita="servizio", ore=5)  # fmt: skip
    report = genera(mondo, chi="nodo_lombardia", tipo=Report.Tipo.MENSILE_NODO, nodo=lombardia)
    parti = reports.ripartizione(report, DA, A)
    with override("it"):
        tabella = reports.tabella_completa(report, parti, [], {})
    assert len(tabella.righe) == 24 and tabella.colonne[0] == "Ente"

    # The PDF: top and bottom tables in the body, every ente in the annex, alphabetically.
    _lettore, pagine = pagine_pdf(report)
    tutto = " ".join(pagine)
    assert "I 10 più avanti rispetto al previsto" in tutto and "I 10 più indietro rispetto al previsto" in tutto
    allegato = tutto.split("Allegato: Enti del nodo")[1].replace(" ", "")  # names may wrap
    posizioni = [allegato.find(r["nome"].replace(" ", "")) for r in parti]
    assert -1 not in posizioni, allegato
    assert posizioni == sorted(posizioni)

    def come_testo(v):
        return "" if v is None else str(v).replace(".", ",")

    with report.file_csv.open("rb") as fh:
        contenuto = fh.read().decode("utf-8")
    assert contenuto.startswith("\ufeff")
    righe = list(csv.reader(io.StringIO(contenuto[1:]), delimiter=";"))
    assert righe[0] == tabella.colonne
    attese = [
        [("'" + v if isinstance(v, str) and v.startswith("=") else come_testo(v)) for v in r] for r in tabella.righe
    ]
    assert righe[1:] == attese
    assert any(r[0] == '\'=HYPERLINK("http://x.example")' for r in righe)  # defused

    with report.file_xlsx.open("rb") as fh:
        libro = load_workbook(io.BytesIO(fh.read()))
    assert libro.sheetnames == ["Sintesi", "Allegato"]
    foglio = [list(r) for r in libro["Allegato"].iter_rows(values_only=True)]
    assert foglio[0] == tabella.colonne
    for letta, attesa in zip(foglio[1:], tabella.righe, strict=True):
        assert letta[0] == ("'" + attesa[0] if attesa[0].startswith("=") else attesa[0])
        assert [None if v is None else Decimal(str(v)) for v in letta[1:]] == attesa[1:]
    assert all(c.data_type != "f" for r in libro["Allegato"].iter_rows() for c in r)  # no formula anywhere
    sintesi = [list(r) for r in libro["Sintesi"].iter_rows(values_only=True)]
    assert sintesi[0][0].startswith("Report mensile del nodo: ")
    riga_volontari = next(r for r in sintesi if r[0] == "Volontari in servizio")
    assert riga_volontari[1] == 24 and riga_volontari[3] == riga_volontari[1] - riga_volontari[2]


def test_the_spreadsheets_download_within_the_scope_of_the_pdf(client, mondo):
    report = genera(mondo)
    for formato, tipo in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")):
        url = reverse("report:scarica_tabella", args=[report.pk, formato])
        for persona, atteso in (("referente_a", 200), ("nodo_lombardia", 200), ("referente_b", 404),
                                ("nodo_veneto", 404)):  # fmt: skip
            client.force_login(mondo.users[persona])
            risposta = client.get(url)
            assert risposta.status_code == atteso, (formato, persona)
            if atteso == 200:
                assert risposta["Content-Type"].startswith(tipo)
                assert f"report_{report.pk}_mensile_ente_{DA:%Y_%m}.{formato}" in risposta["Content-Disposition"]
    client.force_login(mondo.users["referente_a"])
    assert client.get(reverse("report:scarica_tabella", args=[report.pk, "exe"])).status_code == 404


def test_the_page_shows_every_stage_of_the_job(client, mondo):
    report = Report.objects.create(
        tipo=Report.Tipo.MENSILE_ENTE, ente=mondo.oggetti["enti"]["a"], periodo_inizio=DA, periodo_fine=A
    )
    client.force_login(mondo.users["referente_a"])
    url = reverse("report:dettaglio", args=[report.pk])

    def frammento():
        return client.get(url, headers={"HX-Request": "true"}).content.decode()

    html = frammento()
    assert 'hx-trigger="every 2s"' in html and 'data-stato="in_coda"' in html and "in attesa" in html
    Report.objects.filter(pk=report.pk).update(stato=Report.Stato.IN_CORSO, progresso=75)
    html = frammento()
    assert 'hx-trigger="every 2s"' in html and 'aria-valuenow="75"' in html and "produzione del PDF" in html
    Report.objects.filter(pk=report.pk).update(stato=Report.Stato.FALLITO, errore="RuntimeError: disco pieno")
    html = frammento()
    assert "hx-trigger" not in html and 'role="alert"' in html and "disco pieno" in html
    Report.objects.filter(pk=report.pk).update(stato=Report.Stato.IN_CODA, progresso=0, errore="")
    reports.genera(report.pk)
    html = frammento()
    assert "hx-trigger" not in html and "Il report è pronto." in html
    for formato in ("csv", "xlsx"):
        assert reverse("report:scarica_tabella", args=[report.pk, formato]) in html
    assert reverse("report:scarica", args=[report.pk]) in html


@pytest.mark.django_db(transaction=True)
def test_the_order_returns_before_the_report_is_generated(client, settings, tmp_path, monkeypatch):
    """Tasks in-process (the demo, no Redis): the order answers at once and the report is made
    on a thread of its own, which the page then follows."""
    settings.MEDIA_ROOT = tmp_path
    settings.TASK_IN_PROCESSO_SU_THREAD = True
    mondo = costruisci_mondo()
    iniziata, via_libera, generati = threading.Event(), threading.Event(), []
    vera_genera = reports.genera

    def genera_quando_permesso(report_id):
        generati.append(threading.current_thread().name)
        iniziata.set()
        assert via_libera.wait(timeout=60)
        return vera_genera(report_id)

    monkeypatch.setattr(reports, "genera", genera_quando_permesso)
    client.force_login(mondo.users["referente_a"])
    risposta = client.post(
        reverse("report:nuovo"), {"tipo": "mensile_ente", "mese": f"{DA:%Y-%m}", "ente": mondo.oggetti["enti"]["a"].pk}
    )
    report = Report.objects.get()
    assert risposta.status_code == 302 and risposta["Location"] == reverse("report:dettaglio", args=[report.pk])
    assert iniziata.wait(timeout=10), "the report was not handed to a thread"
    assert generati == ["task-network.tasks.genera_report"]  # not the request's thread
    assert Report.objects.get().stato == Report.Stato.IN_CODA  # answered while the report waits
    via_libera.set()
    (filo,) = [t for t in threading.enumerate() if t.name == "task-network.tasks.genera_report"] or [None]
    if filo is not None:
        filo.join(timeout=120)
    report.refresh_from_db()
    assert report.stato == Report.Stato.COMPLETATO and report.file and report.file_csv and report.file_xlsx


def test_charts_print_italian_figures_and_name_their_axes():
    with override("it"):
        barre = grafici.grafico_barre([("10/26", 119327), ("11/26", 1200)], titolo="t", asse_x="Mese", asse_y="Ore")
        orizzontale = grafici.grafico_orizzontale(
            [("Comune di San Giovanni in Persiceto con un nome davvero molto lungo", 1234)],
            titolo="t",
            asse="Volontari",
        )
    assert ">119.327<" in barre and ">1.200<" in barre and "119327" not in barre
    assert ">Mese<" in barre and ">Ore<" in barre
    assert ">1.234<" in orizzontale and ">Volontari<" in orizzontale
    assert "San Giovanni in Persiceto" in orizzontale and "lungo" in orizzontale  # the whole name, on two lines


def test_in_process_a_failing_report_shows_its_failure_at_once(mondo, monkeypatch):
    """Without a broker (the demo) nobody would retry later: the first failure is final and
    visible on the report's page."""
    from monitoraggio.tasks import genera_report

    report = Report.objects.create(
        tipo=Report.Tipo.MENSILE_ENTE, ente=mondo.oggetti["enti"]["a"], periodo_inizio=DA, periodo_fine=A
    )

    def rotto(*args, **kwargs):
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(reports.indicatori, "calcola", rotto)
    with pytest.raises(RuntimeError):
        genera_report.apply(args=[report.pk], throw=True)  # in-process, first attempt
    report.refresh_from_db()
    assert report.stato == Report.Stato.FALLITO and "disco pieno" in report.errore
