"""Monitoring reports: order one, generate it (the Celery task calls `genera`), clean old ones.

Generation is idempotent: a report already done is left alone; one found running (its worker
was killed) is started again from scratch and its partial file replaced, so a retry never
leaves two files nor a half one. The file is written before the row says done.
"""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.audit import record_event
from enti.access import ambito
from enti.models import Ente, Nodo
from volontari.models import Presenza, Servizio

from . import indicatori
from .models import Report


def periodo_del_mese(mese: datetime.date) -> tuple[datetime.date, datetime.date]:
    inizio = mese.replace(day=1)
    return inizio, inizio.replace(day=calendar.monthrange(inizio.year, inizio.month)[1])


def _servizi(report: Report):
    if report.tipo == Report.Tipo.MENSILE_NODO:
        return indicatori.servizi_ambito(nodo=report.nodo)
    if report.tipo == Report.Tipo.PROGETTO:
        return indicatori.servizi_ambito(progetto=report.progetto)
    return indicatori.servizi_ambito(ente=report.ente)


@transaction.atomic
def ordina(*, acting_user, tipo: str, periodo_inizio, periodo_fine, nodo=None, ente=None, progetto=None) -> Report:
    """Order a report for a scope the user may see; the task is queued after commit."""
    from .tasks import genera_report

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
        verb="report.ordinato", acting_user=acting_user, target=report,
        nodo_id=nodo.pk if nodo else (ente or (progetto.ente if progetto else None)).nodo_id,
        ente_id=ente.pk if ente else (progetto.ente_id if progetto else None),
    )  # fmt: skip
    transaction.on_commit(lambda: genera_report.delay(report.pk))
    return report


def _avanza(report_id: int, progresso: int) -> None:
    Report.objects.filter(pk=report_id).update(progresso=progresso)


def grafico_barre(valori: list[tuple[str, Decimal | int]], *, titolo: str, larghezza=520, altezza=180) -> str:
    """A bar chart as inline SVG (WeasyPrint draws it; no scripts, no external files)."""
    massimo = max((float(v) for _e, v in valori), default=0) or 1
    n = max(len(valori), 1)
    passo = (larghezza - 40) / n
    barre = []
    for i, (etichetta, valore) in enumerate(valori):
        h = (altezza - 50) * float(valore) / massimo
        x = 30 + i * passo
        y = altezza - 30 - h
        barre.append(
            f'<rect x="{x + passo * 0.15:.1f}" y="{y:.1f}" width="{passo * 0.7:.1f}" height="{h:.1f}" fill="#0066cc"/>'
            f'<text x="{x + passo / 2:.1f}" y="{altezza - 15}" font-size="8" text-anchor="middle">{etichetta}</text>'
            f'<text x="{x + passo / 2:.1f}" y="{y - 3:.1f}" font-size="8" text-anchor="middle">{valore}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{larghezza}" height="{altezza}" role="img">'
        f"<title>{titolo}</title>"
        f'<line x1="25" y1="{altezza - 30}" x2="{larghezza - 5}" y2="{altezza - 30}" stroke="#555"/>'
        + "".join(barre)
        + "</svg>"
    )


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
    _avanza(report_id, 60)
    with override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "report/report_pdf.html",
            {
                "report": report,
                "ambito": report.ambito,
                "indicatori": [valori[d.chiave] for d in indicatori.INDICATORI],
                "grafico_andamento": grafico_barre(serie, titolo=_("Hours recorded per month")),
                "grafico_enti": grafico_barre(
                    [(str(i + 1), r["volontari"]) for i, r in enumerate(per_ente[:30])], titolo=_("Volunteers per body")
                )
                if per_ente
                else "",
                "per_ente": per_ente,
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
