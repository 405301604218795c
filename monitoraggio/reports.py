"""Monitoring reports: order one, generate it (the Celery task calls `genera`), clean old ones.

Generation is idempotent: a report already done is left alone; one found running (its worker
was killed) is started again from scratch and its partial file replaced, so a retry never
leaves two files nor a half one. The file is written before the row says done.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.audit import Evento, record_event
from enti.access import ambito
from enti.models import Ente, Nodo
from infra import outbox
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


def _per_ente(report: Report, da, a) -> list[dict]:
    """The distribution across the nodo's enti: volunteers in service and hours in the period."""
    if report.tipo != Report.Tipo.MENSILE_NODO:
        return []
    volontari = dict(
        Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(posto__sede__ente__nodo=report.nodo, data_inizio__lte=a, data_fine__gte=da)
        .values("posto__sede__ente")
        .annotate(n=Count("pk"))
        .values_list("posto__sede__ente", "n")
    )
    ore = dict(
        Presenza.objects.filter(servizio__posto__sede__ente__nodo=report.nodo, giorno__gte=da, giorno__lte=a)
        .values("servizio__posto__sede__ente")
        .annotate(h=Sum("ore"))
        .values_list("servizio__posto__sede__ente", "h")
    )
    enti = Ente.objects.filter(pk__in=volontari).order_by("denominazione").values("pk", "denominazione")
    return [{"ente": e["denominazione"], "volontari": volontari[e["pk"]], "ore": (ore.get(e["pk"]) or 0)} for e in enti]


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


def genera(report_id: int) -> Report | None:
    """Compute, render and store one report. Safe to call again: see the module's docstring."""
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
    valori = indicatori.calcola(servizi, da, a)
    _avanza(report_id, 40)
    serie = andamento(servizi, a)
    per_ente = _per_ente(report, da, a)
    per_volontario = _per_volontario(report, a)
    annuale = _annuale(report, da, a)
    medie = questionari.medie(servizi, da, a)
    _avanza(report_id, 60)
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "report/report_pdf.html",
            {
                "report": report,
                "ambito": report.ambito,
                "indicatori": [valori[d.chiave] for d in indicatori.INDICATORI],
                "grafico_andamento": grafico_barre(serie, titolo=_("Hours recorded per month")),
                "grafico_enti": grafico_orizzontale(
                    [(r["ente"], r["volontari"]) for r in per_ente[:40]], titolo=_("Volunteers per body")
                )
                if per_ente
                else "",
                "per_ente": per_ente,
                "per_volontario": per_volontario,
                "annuale": annuale,
                "questionari": medie,
                "generato_il": timezone.localtime(),
            },
        )
    _avanza(report_id, 75)
    pdf = HTML(string=html).write_pdf()
    _avanza(report_id, 95)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.file:
            report.file.delete(save=False)  # a partial file of an attempt that was killed
        report.file.save(f"report_{report.pk}_{report.tipo}_{da:%Y_%m}.pdf", ContentFile(pdf), save=False)
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
        if r.file:
            r.file.delete(save=False)
    Report.objects.filter(pk__in=[r.pk for r in vecchi]).delete()
    return len(vecchi)
