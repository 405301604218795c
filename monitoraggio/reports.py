"""Monitoring reports: order one, generate it (the Celery task calls `genera`), clean old ones.

Generation is idempotent: a report already done is left alone; one found running (its worker
was killed) is started again from scratch and its partial file replaced, so a retry never
leaves two files nor a half one. The file is written before the row says done.
"""

import contextlib
import csv
import datetime
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from accounts.audit import Evento, record_event
from enti.access import ambito
from enti.models import Ente, Nodo
from infra import outbox
from infra.csv_sicuro import cella_sicura
from infra.grafici import grafico_barre, grafico_orizzontale
from infra.mesi import periodo_del_mese
from progetti.models import IncaricoEsperto, PostoSede, Progetto
from volontari import questionari
from volontari.models import ChiusuraMensile, Presenza, RelazioneMensile, Servizio
from volontari.rules import tetto_permessi_per

from . import indicatori
from .models import Report

# The task that computes a report (monitoraggio.tasks), queued by name: the tasks module
# imports this one. The name predates the move from the network app and stays, since rows
# waiting in the outbox carry it.
GENERA_REPORT = "network.tasks.genera_report"


def _servizi(report: Report):
    if report.tipo == Report.Tipo.MENSILE_NODO:
        return indicatori.servizi_ambito(nodo=report.nodo)
    if report.tipo == Report.Tipo.PROGETTO:
        return indicatori.servizi_ambito(progetto=report.progetto)
    return indicatori.servizi_ambito(ente=report.ente)


@transaction.atomic
def ordina(*, acting_user, tipo: str, periodo_inizio, periodo_fine, nodo=None, ente=None, progetto=None) -> Report:
    """Order a report for a scope the user may see; the task leaves through the outbox, after
    commit, even if the broker is down at that moment."""
    a = ambito(acting_user) if acting_user is not None else None
    if acting_user is not None:
        permesso = (
            a.nazionale
            or (nodo is not None and nodo.pk in a.nodi)
            or (ente is not None and (ente.nodo_id in a.nodi or ente.pk in a.enti))
            or (progetto is not None and (progetto.ente.nodo_id in a.nodi or progetto.ente_id in a.enti))
        )
        if not permesso:
            raise PermissionDenied(_("You cannot order a report for this part of the network."))
    if periodo_fine < periodo_inizio:
        raise ValidationError({"periodo_fine": _("The period ends before it starts.")})
    report = Report(
        tipo=tipo, nodo=nodo, ente=ente, progetto=progetto, periodo_inizio=periodo_inizio, periodo_fine=periodo_fine,
        richiesto_da=acting_user,
    )  # fmt: skip
    report.full_clean(exclude=["file"])
    report.save()
    record_event(
        verb=Evento.REPORT_ORDINATO, acting_user=acting_user, target=report,
        nodo_id=nodo.pk if nodo else (ente or (progetto.ente if progetto else None)).nodo_id,
        ente_id=ente.pk if ente else (progetto.ente_id if progetto else None),
    )  # fmt: skip
    outbox.accoda(GENERA_REPORT, report.pk)
    return report


# What a running report is doing, by the progress `genera` has reached: the report's page
# tells it while it waits.
FASI = (
    (5, gettext_lazy("computing the indicators of the period")),
    (25, gettext_lazy("computing the indicators of the periods it is compared with")),
    (45, gettext_lazy("gathering the tables")),
    (60, gettext_lazy("writing the report and its spreadsheets")),
    (75, gettext_lazy("producing the PDF")),
    (95, gettext_lazy("saving the files")),
)


def fase(report: Report) -> str:
    """The step a running report has reached, for its page; empty otherwise."""
    if report.stato != Report.Stato.IN_CORSO:
        return ""
    return str(next((testo for soglia, testo in reversed(FASI) if report.progresso >= soglia), FASI[0][1]))


def _avanza(report_id: int, progresso: int) -> None:
    Report.objects.filter(pk=report_id).update(progresso=progresso)


def andamento(servizi, fine: datetime.date) -> list[tuple[str, Decimal]]:
    """Hours recorded per month, the six months up to the period's end."""
    inizio = (fine.replace(day=1) - datetime.timedelta(days=155)).replace(day=1)
    righe = (
        Presenza.objects.filter(servizio__in=servizi, giorno__gte=inizio, giorno__lte=fine)
        .annotate(mese=TruncMonth("giorno"))
        .values("mese")
        .annotate(ore=Sum("ore"))
        .order_by("mese")
    )
    return [(f"{r['mese']:%m/%y}", (r["ore"] or Decimal(0)).quantize(Decimal("1"))) for r in righe]


# The figures of the summary page, each set against the previous month and the same month a
# year before.
SINTESI = (
    "volontari", "ore", "proiezione", "giorni_senza_codice", "mesi_non_confermati", "formazione_generale",
    "formazione_specifica", "rinunce", "interruzioni", "posti", "questionari", "relazioni_olp",
)  # fmt: skip
# Ratios read as a percentage; satisfaction is an average from 1 to 5 and stays one.
PERCENTUALI = frozenset(d.chiave for d in indicatori.INDICATORI if d.semaforo == "rapporto") - {"soddisfazione"}
# Rows of the top and bottom tables; a breakdown with up to twice as many is shown whole.
PRIMI = 10


def periodi_di_confronto(da: datetime.date, a: datetime.date) -> dict[str, tuple[datetime.date, datetime.date]]:
    """The periods a report is compared with: for a month, the month before and the same month a
    year before; for a calendar year, the year before."""
    if (da.month, da.day, a.month, a.day) == (1, 1, 12, 31) and da.year == a.year:
        return {"precedente": (da.replace(year=da.year - 1), a.replace(year=a.year - 1))}
    return {
        "precedente": periodo_del_mese(da - datetime.timedelta(days=1)),
        "anno_prima": periodo_del_mese(da.replace(year=da.year - 1)),
    }


def misura(v: indicatori.Valore) -> Decimal | int | None:
    """The figure of an indicator as the summary compares it: a ratio as a percentage with one
    decimal, any other figure as it is."""
    if v.definizione.chiave in PERCENTUALI:
        r = v.rapporto
        return None if r is None else (Decimal(str(r)) * 100).quantize(Decimal("0.1"))
    return v.valore


def _differenza(x, y):
    return None if x is None or y is None else x - y


@dataclass
class Confronto:
    """One indicator of the summary in the report's period and in the periods it is compared with."""

    valore: indicatori.Valore
    misura: Decimal | int | None
    percentuale: bool
    precedente: Decimal | int | None = None
    anno_prima: Decimal | int | None = None
    delta_precedente: Decimal | int | None = None
    delta_anno_prima: Decimal | int | None = None


def confronti(valori: dict, altri: dict[str, dict]) -> list[Confronto]:
    """The summary's rows: each figure now, before, and the difference (now minus before; points
    of percentage for ratios)."""
    out = []
    for chiave in SINTESI:
        v = valori[chiave]
        c = Confronto(valore=v, misura=misura(v), percentuale=chiave in PERCENTUALI)
        for nome, prima in altri.items():
            m = misura(prima[chiave])
            setattr(c, nome, m)
            setattr(c, f"delta_{nome}", _differenza(c.misura, m))
        out.append(c)
    return out


def da_seguire(valori: dict, da: datetime.date, a: datetime.date, n: int = 3) -> list[indicatori.Valore]:
    """The `n` things that most need attention: the indicators in red, then those in yellow, each
    colour ranked by how much of the scope it touches (a ratio: how far below its green
    threshold, relatively; a count: per volunteer in service, days without an entry per day of
    service in the period)."""
    volontari = valori["volontari"].valore or 0
    giorni = (a - da).days + 1

    def quota(v: indicatori.Valore) -> float:
        d = v.definizione
        if d.semaforo == "rapporto":
            return (d.verde - (v.rapporto or 0)) / d.verde
        base = volontari * giorni if d.chiave == "giorni_senza_codice" else volontari
        return float(v.valore or 0) / base if base else float(v.valore or 0)

    candidati = [v for v in valori.values() if v.semaforo in ("rosso", "giallo")]
    return sorted(candidati, key=lambda v: (v.semaforo != "rosso", -quota(v)))[:n]


_CAMPI_PIANO = (
    "pk", "data_inizio", "data_fine", "data_fine_prevista", "posto__progetto__modello_orario",
    "posto__progetto__ore_settimanali", "posto__progetto__monte_ore",
)  # fmt: skip


def ripartizione(report: Report, da: datetime.date, a: datetime.date, oggi: datetime.date | None = None) -> list[dict]:
    """A nodo's report across its enti, an ente's across its projects: per part, the volunteers
    in service, hours recorded against hours planned, and days without an entry, by the
    definitions of the indicators of the same names (their sums are the scope's figures).
    Sorted by name."""
    if report.tipo == Report.Tipo.MENSILE_NODO:
        chiave, nomi = "posto__sede__ente_id", Ente.objects.values_list("pk", "denominazione")
    elif report.tipo == Report.Tipo.MENSILE_ENTE:
        chiave, nomi = "posto__progetto_id", Progetto.objects.values_list("pk", "titolo")
    else:
        return []
    oggi = oggi or timezone.localdate()
    fino_a = min(a, oggi - datetime.timedelta(days=1))
    servizi = _servizi(report).filter(data_inizio__lte=a, data_fine__gte=da).exclude(stato=Servizio.Stato.RINUNCIA)
    presenze = {
        r["servizio_id"]: r
        for r in Presenza.objects.filter(servizio__in=servizi.values("pk"), giorno__gte=da, giorno__lte=a)
        .values("servizio_id")
        .annotate(ore=Sum("ore"), giorni=Count("pk", filter=Q(giorno__lte=fino_a)))
    }
    parti: dict[int, dict] = {}
    for s in servizi.values(chiave, *_CAMPI_PIANO):
        p = parti.setdefault(s[chiave], {"volontari": 0, "ore": Decimal(0), "previste": Decimal(0), "senza_codice": 0})
        registrate = presenze.get(s["pk"], {"ore": 0, "giorni": 0})
        p["volontari"] += 1
        p["ore"] += registrate["ore"] or 0
        p["previste"] += indicatori._ore_previste(s, da, a)
        inizio, fine = max(s["data_inizio"], da), min(s["data_fine"], fino_a)
        if fine >= inizio:
            p["senza_codice"] += max((fine - inizio).days + 1 - registrate["giorni"], 0)
    nomi = dict(nomi.filter(pk__in=parti))
    out = []
    for pk, p in parti.items():
        ore, previste = Decimal(p["ore"]).quantize(Decimal("1")), p["previste"].quantize(Decimal("1"))
        percentuale = (Decimal(p["ore"]) * 100 / p["previste"]).quantize(Decimal("0.1")) if p["previste"] else None
        out.append({"nome": nomi[pk], **p, "ore": ore, "previste": previste, "percentuale": percentuale})
    return sorted(out, key=lambda r: (r["nome"].casefold(), r["nome"]))


def primi_e_ultimi(parti: list[dict], n: int = PRIMI) -> tuple[list[dict], list[dict]]:
    """The `n` parts furthest ahead of their plan and the `n` furthest behind (hours recorded
    against planned; ties by name); nothing when the parts are few enough to be shown whole."""
    con_piano = [r for r in parti if r["percentuale"] is not None]
    if len(parti) <= 2 * n:
        return [], []
    ordinati = sorted(con_piano, key=lambda r: (-r["percentuale"], r["nome"]))
    ultimi = sorted(con_piano, key=lambda r: (r["percentuale"], r["nome"]))[:n]
    return ordinati[:n], ultimi


@dataclass
class Tabella:
    """The report's full table: the PDF's annex and the attached CSV and XLSX."""

    titolo: str
    colonne: list[str]
    righe: list[list] = field(default_factory=list)


def tabella_completa(report: Report, parti, per_volontario, annuale) -> Tabella:
    if report.tipo == Report.Tipo.PROGETTO:
        return Tabella(
            _("Volunteers of the project"),
            [_("Volunteer"), _("Site"), _("State"), _("Hours"), _("Hours planned"), _("General training (hours)"),
             _("General training planned"), _("Specific training (hours)"), _("Specific training planned"),
             _("Paid leave (days)"), _("Paid leave allowed"), _("Months confirmed"), _("OLP reports")],
            [[r["nome"], r["sede"], str(r["stato"]), r["ore"], r["previste"], r["generale"], r["generale_piano"],
              r["specifica"], r["specifica_piano"], r["permessi"], r["permessi_tetto"], r["mesi_confermati"],
              r["relazioni"]] for r in per_volontario],
        )  # fmt: skip
    if report.tipo == Report.Tipo.ANNUALE_ENTE:
        return Tabella(
            _("Projects of the year"),
            [_("Project"), capfirst(_("Helios code")), _("Area"), _("Places"), _("Started"), _("Renounced"),
             _("Interrupted"), _("Replacements"), _("Completed"), _("Hours"), _("Hours planned"),
             _("General training completed"), _("Specific training completed")],
            [[p["progetto"].titolo, p["progetto"].codice_helios,
              f"{p['progetto'].area.codice} {p['progetto'].area.nome}", p["posti"], p["avviati"], p["rinunce"],
              p["interruzioni"], p["subentri"], p["conclusi"], p["ore"], p["previste"], p["generale"], p["specifica"]]
             for p in annuale.get("conclusi", []) + annuale.get("in_corso", [])],
        )  # fmt: skip
    parte = _("Body") if report.tipo == Report.Tipo.MENSILE_NODO else _("Project")
    return Tabella(
        _("Bodies of the node") if report.tipo == Report.Tipo.MENSILE_NODO else _("Projects of the body"),
        [parte, _("Volunteers in service"), _("Hours recorded"), _("Hours planned"), _("Hours against plan (%)"),
         _("Days without an entry")],
        [[r["nome"], r["volontari"], r["ore"], r["previste"], r["percentuale"], r["senza_codice"]] for r in parti],
    )  # fmt: skip


def _numero_csv(valore) -> str:
    """A figure as an Italian spreadsheet reads it from a CSV: decimal comma, no grouping."""
    return str(valore).replace(".", ",")


def in_csv(tabella: Tabella) -> bytes:
    """UTF-8 with a BOM, semicolons, decimal commas: what a spreadsheet set to Italian opens as
    columns. Text cells are defused against formulas (infra.csv_sicuro)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([cella_sicura(c) for c in tabella.colonne])
    for riga in tabella.righe:
        writer.writerow(
            ["" if v is None else _numero_csv(v) if isinstance(v, int | Decimal) else cella_sicura(v) for v in riga]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def in_xlsx(tabella: Tabella, sintesi: list[Confronto], intestazione: list[str]) -> bytes:
    """Two sheets: the summary's figures against the periods compared, and the full table.
    Written in openpyxl's write-only mode (rows streamed, not kept as cells). Figures stay
    numbers; text that a spreadsheet would run as a formula is defused like the CSV's."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    libro = Workbook(write_only=True)
    grassetto = Font(bold=True)

    def testata(foglio, valori):
        celle = []
        for v in valori:
            c = WriteOnlyCell(foglio, value=cella_sicura(v))
            c.font = grassetto
            celle.append(c)
        foglio.append(celle)

    def valore(v):
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        return v if v is None or isinstance(v, int) else cella_sicura(v)

    foglio = libro.create_sheet(str(_("Summary"))[:31])
    for riga in intestazione:
        foglio.append([cella_sicura(riga)])
    foglio.append([])
    testata(foglio, [_("Indicator"), _("This period"), _("Previous period"), _("Difference"),
                     _("Same month a year before"), _("Difference")])  # fmt: skip
    for c in sintesi:
        nome = str(c.valore.definizione.nome) + (" (%)" if c.percentuale else "")
        foglio.append([valore(x) for x in (nome, c.misura, c.precedente, c.delta_precedente, c.anno_prima,
                                            c.delta_anno_prima)])  # fmt: skip
    foglio = libro.create_sheet(str(_("Annex"))[:31])
    testata(foglio, tabella.colonne)
    for riga in tabella.righe:
        foglio.append([valore(v) for v in riga])
    buffer = io.BytesIO()
    libro.save(buffer)
    return buffer.getvalue()


_CAMPI_SERVIZIO = (
    "pk", "stato", "data_inizio", "data_fine", "data_fine_prevista", "volontario__cognome", "volontario__nome",
    "posto__sede__denominazione", "posto__progetto_id", "posto__progetto__modello_orario",
    "posto__progetto__ore_settimanali", "posto__progetto__monte_ore", "posto__progetto__durata_mesi",
    "posto__progetto__formazione_generale_ore", "posto__progetto__formazione_specifica_ore",
    "posto__progetto__bando__permessi_pro_rata",
)  # fmt: skip


def _totali(ids, a: datetime.date) -> dict[int, dict]:
    """Per service, up to `a`: hours, training hours, paid-leave days (one grouped query)."""
    return {
        r["servizio_id"]: r
        for r in Presenza.objects.filter(servizio_id__in=ids, giorno__lte=a)
        .values("servizio_id")
        .annotate(
            ore_totali=Sum("ore"),
            generale=Sum("ore", filter=Q(attivita="formazione_generale")),
            specifica=Sum("ore", filter=Q(attivita="formazione_specifica")),
            permessi=Count("pk", filter=Q(codice="PR")),
        )
    }


def _per_volontario(report: Report, a: datetime.date) -> list[dict]:
    """The project report's table: each volunteer's figures from the start to the period's
    end. No health-related figure: whoever reads the report may be network staff."""
    if report.tipo != Report.Tipo.PROGETTO:
        return []
    righe = list(
        Servizio.objects.filter(posto__progetto=report.progetto, data_inizio__lte=a)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .order_by("volontario__cognome", "volontario__nome")
        .values(*_CAMPI_SERVIZIO)
    )
    ids = [r["pk"] for r in righe]
    totali = _totali(ids, a)
    confermati = dict(
        ChiusuraMensile.objects.filter(servizio_id__in=ids, stato=ChiusuraMensile.Stato.CONFERMATA, mese__lte=a)
        .values("servizio_id")
        .annotate(n=Count("pk"))
        .values_list("servizio_id", "n")
    )
    relazioni = dict(
        RelazioneMensile.objects.filter(servizio_id__in=ids, mese__lte=a)
        .values("servizio_id")
        .annotate(n=Count("pk"))
        .values_list("servizio_id", "n")
    )
    stati = dict(Servizio.Stato.choices)
    out = []
    for r in righe:
        t = totali.get(r["pk"], {})
        out.append(
            {
                "nome": f"{r['volontario__cognome']} {r['volontario__nome']}",
                "sede": r["posto__sede__denominazione"],
                "stato": stati[r["stato"]],
                "ore": Decimal(t.get("ore_totali") or 0).quantize(Decimal("1")),
                "previste": indicatori._ore_previste(r, r["data_inizio"], min(a, r["data_fine"])).quantize(
                    Decimal("1")
                ),
                "generale": Decimal(t.get("generale") or 0).quantize(Decimal("1")),
                "generale_piano": r["posto__progetto__formazione_generale_ore"],
                "specifica": Decimal(t.get("specifica") or 0).quantize(Decimal("1")),
                "specifica_piano": r["posto__progetto__formazione_specifica_ore"],
                "permessi": t.get("permessi") or 0,
                "permessi_tetto": tetto_permessi_per(
                    r["posto__progetto__durata_mesi"], r["posto__progetto__bando__permessi_pro_rata"]
                ),
                "mesi_confermati": confermati.get(r["pk"], 0),
                "relazioni": relazioni.get(r["pk"], 0),
            }
        )
    return out


def _annuale(report: Report, da: datetime.date, a: datetime.date) -> dict:
    """The draft of the ente's annual report: its projects with services in the year, those
    concluded in it first, with places, outcomes of the services, hours and training."""
    if report.tipo != Report.Tipo.ANNUALE_ENTE:
        return {}
    righe = list(
        Servizio.objects.filter(posto__sede__ente=report.ente, data_inizio__lte=a, data_fine__gte=da).values(
            *_CAMPI_SERVIZIO
        )
    )
    totali = _totali([r["pk"] for r in righe if r["stato"] != Servizio.Stato.RINUNCIA], a)
    progetti = {
        p.pk: p
        for p in Progetto.objects.filter(pk__in={r["posto__progetto_id"] for r in righe}).select_related(
            "settore", "area__settore", "programma"
        )
    }
    posti = dict(
        PostoSede.objects.filter(progetto__in=progetti)
        .values("progetto_id")
        .annotate(n=Sum("posti_vitto_alloggio") + Sum("posti_solo_vitto") + Sum("posti_senza_vitto_alloggio"))
        .values_list("progetto_id", "n")
    )
    per_progetto: dict[int, dict] = {}
    for r in righe:
        p = per_progetto.setdefault(
            r["posto__progetto_id"],
            {"progetto": progetti[r["posto__progetto_id"]], "posti": posti.get(r["posto__progetto_id"]) or 0,
             "avviati": 0, "rinunce": 0, "interruzioni": 0, "subentri": 0, "conclusi": 0, "ore": Decimal(0),
             "previste": Decimal(0), "generale": 0, "specifica": 0, "fine": r["data_fine"]},
        )  # fmt: skip
        p["fine"] = max(p["fine"], r["data_fine"])
        if r["stato"] == Servizio.Stato.RINUNCIA:
            p["rinunce"] += 1
            continue
        p["avviati"] += 1
        p["interruzioni"] += r["stato"] == Servizio.Stato.INTERROTTO
        p["conclusi"] += r["stato"] == Servizio.Stato.CONCLUSO
        t = totali.get(r["pk"], {})
        p["ore"] += t.get("ore_totali") or 0
        p["previste"] += indicatori._ore_previste(r, r["data_inizio"], min(a, r["data_fine"]))
        completa = t.get("generale") or 0
        p["generale"] += completa >= r["posto__progetto__formazione_generale_ore"]
        p["specifica"] += (t.get("specifica") or 0) >= r["posto__progetto__formazione_specifica_ore"]
    subentri = dict(
        Servizio.objects.filter(
            posto__progetto__in=per_progetto, subentra_a__isnull=False, data_inizio__gte=da, data_inizio__lte=a
        )
        .values("posto__progetto_id")
        .annotate(n=Count("pk"))
        .values_list("posto__progetto_id", "n")
    )
    for pk, p in per_progetto.items():
        p["subentri"] = subentri.get(pk, 0)
        p["ore"] = Decimal(p["ore"]).quantize(Decimal("1"))
        p["previste"] = p["previste"].quantize(Decimal("1"))
    ordinati = sorted(per_progetto.values(), key=lambda p: (p["fine"] > a, p["progetto"].titolo))
    return {
        "conclusi": [p for p in ordinati if p["fine"] <= a],
        "in_corso": [p for p in ordinati if p["fine"] > a],
        "esperti": list(
            IncaricoEsperto.objects.filter(progetto__in=per_progetto, stato=IncaricoEsperto.Stato.ASSEGNATO)
            .select_related("esperto", "progetto")
            .order_by("progetto__titolo", "ruolo")
        ),
        "anno": str(da.year),
        "scadenza": datetime.date(da.year + 1, 3, 31),
    }


@contextlib.contextmanager
def _accanto(letture: dict):
    """Run the reads `{name: (function, *args)}` beside the caller's own and gather their results
    (in the dict yielded, filled on leaving the block). On PostgreSQL outside a transaction (a
    worker) each runs on a thread with its own connection, so that the database computes them
    side by side; inside a transaction (a test, or a caller's atomic block) a new connection
    would not see the uncommitted rows, so they run here, one after the other."""
    risultati: dict = {}
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield risultati
        risultati.update({nome: f(*args) for nome, (f, *args) in letture.items()})
        return

    def esegui(f, *args):
        try:
            return f(*args)
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=len(letture)) as pool:
        futuri = {nome: pool.submit(esegui, f, *args) for nome, (f, *args) in letture.items()}
        yield risultati
        risultati.update({nome: futuro.result() for nome, futuro in futuri.items()})


def genera(report_id: int) -> Report | None:
    """Compute, render and store one report: the PDF (tagged, PDF/UA-1) and its full table as
    CSV and XLSX. Safe to call again: see the module's docstring."""
    from weasyprint import HTML

    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.stato == Report.Stato.COMPLETATO:
            return report
        report.stato = Report.Stato.IN_CORSO
        report.iniziato_il = timezone.now()
        report.progresso = 5
        report.tentativi += 1
        report.errore = ""
        report.save()
    servizi = _servizi(report)
    da, a = report.periodo_inizio, report.periodo_fine
    letture = {nome: (indicatori.calcola, servizi, *periodo) for nome, periodo in periodi_di_confronto(da, a).items()}
    letture["serie"] = (andamento, servizi, a)
    with _accanto(letture) as risultati:
        valori = indicatori.calcola(servizi, da, a)
        _avanza(report_id, 25)
    serie = risultati.pop("serie")
    altri = risultati
    _avanza(report_id, 45)
    parti = ripartizione(report, da, a)
    per_volontario = _per_volontario(report, a)
    annuale = _annuale(report, da, a)
    medie = questionari.medie(servizi, da, a)
    _avanza(report_id, 60)
    generato_il = timezone.localtime()
    with override(settings.LANGUAGE_CODE):
        tabella = tabella_completa(report, parti, per_volontario, annuale)
        sintesi = confronti(valori, altri)
        primi, ultimi = primi_e_ultimi(parti)
        piu_grandi = sorted(parti, key=lambda r: (-r["volontari"], r["nome"]))[:15]
        html = render_to_string(
            "report/report_pdf.html",
            {
                "report": report,
                "ambito": report.ambito,
                "periodi": {k: v[0] for k, v in periodi_di_confronto(da, a).items()},
                "sintesi": sintesi,
                "da_seguire": da_seguire(valori, da, a),
                "indicatori": [valori[d.chiave] for d in indicatori.INDICATORI],
                "grafico_andamento": grafico_barre(
                    serie, titolo=_("Hours recorded per month"), asse_x=_("Month"), asse_y=_("Hours recorded")
                ),
                "grafico_parti": grafico_orizzontale(
                    [(r["nome"], r["volontari"]) for r in piu_grandi],
                    titolo=_("The bodies with the most volunteers in service")
                    if report.nodo_id
                    else _("The projects with the most volunteers in service"),
                    asse=_("Volunteers in service"),
                )
                if parti
                else "",
                "parti": parti,
                "primi": primi,
                "ultimi": ultimi,
                "per_volontario": per_volontario,
                "annuale": annuale,
                "tabella": tabella,
                "questionari": medie,
                "generato_il": generato_il,
            },
        )
        intestazione = [
            f"{capfirst(report.get_tipo_display())}: {report.ambito}",
            _("from %(da)s to %(a)s") % {"da": f"{da:%d/%m/%Y}", "a": f"{a:%d/%m/%Y}"},
            _("Generated on %(quando)s") % {"quando": f"{generato_il:%d/%m/%Y %H:%M}"},
        ]
        foglio_csv = in_csv(tabella)
        foglio_xlsx = in_xlsx(tabella, sintesi, intestazione)
    _avanza(report_id, 75)
    pdf = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    _avanza(report_id, 95)
    nome = f"report_{report.pk}_{report.tipo}_{da:%Y_%m}"
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        for campo in (report.file, report.file_csv, report.file_xlsx):
            if campo:
                campo.delete(save=False)  # a partial file of an attempt that was killed
        report.file.save(f"{nome}.pdf", ContentFile(pdf), save=False)
        report.file_csv.save(f"{nome}.csv", ContentFile(foglio_csv), save=False)
        report.file_xlsx.save(f"{nome}.xlsx", ContentFile(foglio_xlsx), save=False)
        report.stato = Report.Stato.COMPLETATO
        report.progresso = 100
        report.completato_il = timezone.now()
        report.save()
    return report


def segna_fallito(report_id: int, errore: str) -> None:
    """The task gave up: keep the reason for whoever ordered the report."""
    Report.objects.filter(pk=report_id).exclude(stato=Report.Stato.COMPLETATO).update(
        stato=Report.Stato.FALLITO, errore=errore[:2000], completato_il=timezone.now()
    )


def ordina_mensili(oggi: datetime.date | None = None) -> int:
    """On the 11th (Celery beat): the previous month's report for every nodo and for every
    member ente that had volunteers in service."""
    oggi = oggi or timezone.localdate()
    da, a = periodo_del_mese(oggi.replace(day=1) - datetime.timedelta(days=1))
    n = 0
    for nodo in Nodo.objects.all():
        if not Report.objects.filter(tipo=Report.Tipo.MENSILE_NODO, nodo=nodo, periodo_inizio=da).exists():
            ordina(acting_user=None, tipo=Report.Tipo.MENSILE_NODO, nodo=nodo, periodo_inizio=da, periodo_fine=a)
            n += 1
    enti = Ente.objects.aderenti(a).filter(
        pk__in=Servizio.objects.filter(data_inizio__lte=a, data_fine__gte=da).values("posto__sede__ente")
    )
    gia = set(Report.objects.filter(tipo=Report.Tipo.MENSILE_ENTE, periodo_inizio=da).values_list("ente_id", flat=True))
    for ente in enti.exclude(pk__in=gia):
        ordina(acting_user=None, tipo=Report.Tipo.MENSILE_ENTE, ente=ente, periodo_inizio=da, periodo_fine=a)
        n += 1
    return n


def pulisci(oggi: datetime.date | None = None) -> int:
    """Delete reports (and their files) older than the retention period."""
    limite = timezone.now() - datetime.timedelta(days=settings.REPORT_CONSERVAZIONE_GIORNI)
    vecchi = list(Report.objects.filter(creato_il__lt=limite))
    for r in vecchi:
        for campo in (r.file, r.file_csv, r.file_xlsx):
            if campo:
                campo.delete(save=False)
    Report.objects.filter(pk__in=[r.pk for r in vecchi]).delete()
    return len(vecchi)
