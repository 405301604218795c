"""The monitoring dashboard: the indicators of a scope with their traffic lights, the trend
of the last months, and the scope's parts (nodi, enti, projects, volunteers) to drill into,
filterable and downloadable as CSV. Scoped to what the user may see."""

import csv
import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from enti.access import ambito
from enti.models import Ente, Nodo
from infra import grafici
from infra.csv_sicuro import cella_sicura
from progetti.models import Progetto
from volontari import rules
from volontari.models import Presenza, Servizio

from . import actions, indicatori, reports
from .filters import MonitoraggioFilter
from .models import Allerta
from .views_lavoro import ASSENZE, VOCI_INDICATORE, conteggi_per_tipo, primi_per_tipo, voci

LIVELLI = ("rete", "nodo", "ente", "progetto")
# The parts' table: 25 rows a page, sorted by one of its columns ("-" first: descending).
PARTI_PER_PAGINA = 25
ORDINAMENTI = ("nome", "volontari", "ore", "senza_codice")
ORDINE_PREDEFINITO = "-senza_codice"
VOCI_PER_INDICATORE = 5


def _ordina(parti: list[dict], ordina: str) -> list[dict]:
    campo = ordina.removeprefix("-")
    inverso = ordina.startswith("-")
    if campo == "nome":
        return sorted(parti, key=lambda r: r["nome"].lower(), reverse=inverso)
    # Ties by name, always A to Z.
    parti = sorted(parti, key=lambda r: r["nome"].lower())
    return sorted(parti, key=lambda r: r[campo], reverse=inverso)


def _lavoro(request, allerte, valori) -> tuple[list[dict], list[dict]]:
    """The worklist of the dashboard: each red or amber indicator with its first items and how
    many there are, then the items of kinds no such indicator covers."""
    conteggi = conteggi_per_tipo(allerte)
    per_tipo: dict[str, list[dict]] = defaultdict(list)
    for v in voci(primi_per_tipo(allerte.da_gestire(), VOCI_PER_INDICATORE), request.user):
        per_tipo[v["allerta"].tipo].append(v)
    lavoro, coperti = [], set()
    accesi = [v for v in valori if v.semaforo in ("rosso", "giallo")]
    for v in sorted(accesi, key=lambda v: v.semaforo != "rosso"):
        filtri = VOCI_INDICATORE.get(v.definizione.chiave, ())
        tipi = [t for f in filtri for t in (sorted(Allerta.SANITARIE) if f == ASSENZE else [f])]
        coperti.update(tipi)
        lavoro.append(
            {
                "valore": v,
                "tipi": tipi,
                "tipo": filtri[0] if len(filtri) == 1 else "",
                "voci": [x for t in tipi for x in per_tipo[t]][:VOCI_PER_INDICATORE],
                "n": sum(conteggi.get(t, {}).get("da_gestire", 0) for t in tipi),
                "chiuse": sum(conteggi.get(t, {}).get("chiuse", 0) for t in tipi),
            }
        )
    # The kinds that tell of health are one group, "absences to follow up": its name and its
    # link say nothing more than the items themselves do to network staff (Allerta.per).
    gruppi: dict[str, dict] = {}
    for t, c in sorted(conteggi.items()):
        if t in coperti or not c["da_gestire"]:
            continue
        chiave, nome = (ASSENZE, _("absences to follow up")) if t in Allerta.SANITARIE else (t, Allerta.Tipo(t).label)
        g = gruppi.setdefault(chiave, {"tipo": chiave, "nome": nome, "n": 0, "voci": []})
        g["n"] += c["da_gestire"]
        g["voci"] = (g["voci"] + per_tipo[t])[:VOCI_PER_INDICATORE]
    return lavoro, list(gruppi.values())


def _mese(request) -> datetime.date:
    mese = rules.leggi_mese(request.GET.get("mese", ""))
    return mese or (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _ambito(request):
    """(level, object, services of the scope) from the query string, within what the user sees."""
    a = ambito(request.user)
    livello = request.GET.get("livello") or ("rete" if a.nazionale else "nodo" if a.nodi else "ente")
    if livello not in LIVELLI:
        raise Http404
    if livello == "rete":
        if not a.nazionale:
            raise Http404
        return livello, None, Servizio.objects.all()
    pk = request.GET.get("id")
    if pk and not (pk.isascii() and pk.isdigit()):
        raise Http404
    if livello == "nodo":
        nodi = Nodo.objects.visible_to(request.user)
        nodo = get_object_or_404(nodi, pk=pk) if pk else nodi.first()
        if nodo is None:
            raise Http404
        return livello, nodo, indicatori.servizi_ambito(nodo=nodo)
    if livello == "ente":
        enti = Ente.objects.visible_to(request.user)
        ente = get_object_or_404(enti, pk=pk) if pk else enti.filter(pk__in=a.enti).first()
        if ente is None:
            raise Http404
        return livello, ente, indicatori.servizi_ambito(ente=ente)
    progetto = get_object_or_404(Progetto.objects.visible_to(request.user), pk=pk)
    return livello, progetto, indicatori.servizi_ambito(progetto=progetto)


def _parti(livello, oggetto, servizi, da, a, filtro: str = "", solo_problemi: bool = False):
    """The parts of the scope with their key figures, in a fixed number of queries."""
    chiave = {
        "rete": "posto__sede__ente__nodo",
        "nodo": "posto__sede__ente",
        "ente": "posto__progetto",
        "progetto": "pk",
    }[livello]
    oggi = timezone.localdate()
    fino_a = min(a, oggi - datetime.timedelta(days=1))
    vivi = servizi.exclude(stato=Servizio.Stato.RINUNCIA).filter(data_inizio__lte=a, data_fine__gte=da)
    righe = list(vivi.values("pk", chiave, "data_inizio", "data_fine", "volontario__cognome", "volontario__nome"))
    # A subquery, not a list of ids: a national scope holds more services than a query may
    # have parameters.
    registrati = dict(
        Presenza.objects.filter(servizio__in=vivi.values("pk"), giorno__gte=da, giorno__lte=fino_a)
        .values("servizio_id")
        .annotate(n=Count("pk"))
        .values_list("servizio_id", "n")
    )
    ore = dict(
        Presenza.objects.filter(servizio__in=vivi.values("pk"), giorno__gte=da, giorno__lte=a)
        .values("servizio_id")
        .annotate(h=Sum("ore"))
        .values_list("servizio_id", "h")
    )
    parti: dict = defaultdict(lambda: {"volontari": 0, "ore": 0, "senza_codice": 0})
    for r in righe:
        p = parti[r[chiave]]
        p["volontari"] += 1
        p["ore"] += ore.get(r["pk"]) or 0
        inizio, fine = max(r["data_inizio"], da), min(r["data_fine"], fino_a)
        if fine >= inizio:
            p["senza_codice"] += max((fine - inizio).days + 1 - registrati.get(r["pk"], 0), 0)
    if livello == "rete":
        nomi = dict(Nodo.objects.values_list("pk", "nome"))
        figlio = "nodo"
    elif livello == "nodo":
        nomi = dict(Ente.objects.filter(pk__in=parti).values_list("pk", "denominazione"))
        figlio = "ente"
    elif livello == "ente":
        nomi = dict(Progetto.objects.filter(pk__in=parti).values_list("pk", "titolo"))
        figlio = "progetto"
    else:
        nomi = {r["pk"]: f"{r['volontario__cognome']} {r['volontario__nome']}" for r in righe}
        figlio = "servizio"
    out = [
        {"id": k, "nome": nomi.get(k, "?"), "livello": figlio, **v}
        for k, v in parti.items()
        if (not filtro or filtro.lower() in nomi.get(k, "").lower()) and (not solo_problemi or v["senza_codice"])
    ]
    return sorted(out, key=lambda r: (-r["senza_codice"], r["nome"]))


@require_safe
def cruscotto(request):
    livello, oggetto, servizi = _ambito(request)
    mese = _mese(request)
    da, a = reports.periodo_del_mese(mese)
    filtri = MonitoraggioFilter(request.GET, queryset=servizi)
    if filtri.is_valid():
        servizi = filtri.qs
        filtro, solo_problemi = (
            (filtri.form.cleaned_data.get("q") or "").strip(),
            filtri.form.cleaned_data.get("solo_problemi"),
        )
    else:
        servizi, filtro, solo_problemi = servizi.none(), "", False  # the form shows what was wrong
    parti = _parti(livello, oggetto, servizi, da, a, filtro, bool(solo_problemi))
    if request.GET.get("formato") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="monitoraggio_{livello}_{mese:%Y_%m}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow([_("Name"), _("Volunteers in service"), _("Hours"), _("Days without an entry")])
        for r in parti:
            writer.writerow(
                [cella_sicura(r["nome"]), r["volontari"], f"{r['ore']:.2f}".replace(".", ","), r["senza_codice"]]
            )
        return response
    valori = indicatori.calcola(servizi, da, a)
    allerte = Allerta.objects.visible_to(request.user)
    filtro_voci = QueryDict(mutable=True)
    if livello == "nodo":
        allerte = allerte.filter(ente__nodo=oggetto)
        filtro_voci["nodo"] = oggetto.pk
    elif livello == "ente":
        allerte = allerte.filter(ente=oggetto)
        filtro_voci["ente"] = oggetto.pk
    elif livello == "progetto":
        allerte = allerte.filter(servizio__posto__progetto=oggetto)
        filtro_voci["ente"] = oggetto.ente_id
    valori_ordinati = [valori[d.chiave] for d in indicatori.INDICATORI]
    lavoro, altri = _lavoro(request, allerte, valori_ordinati)
    ordina = request.GET.get("ordina") or ORDINE_PREDEFINITO
    if ordina.removeprefix("-") not in ORDINAMENTI:
        ordina = ORDINE_PREDEFINITO
    pagina = Paginator(_ordina(parti, ordina), PARTI_PER_PAGINA).get_page(request.GET.get("page"))
    senza_pagina = request.GET.copy()
    senza_pagina.pop("page", None)
    senza_ordine = senza_pagina.copy()
    senza_ordine.pop("ordina", None)
    precedente = (da - datetime.timedelta(days=1)).replace(day=1)
    successivo = (a + datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "monitoraggio/cruscotto.html",
        {
            "livello": livello,
            "oggetto": oggetto,
            "mese": mese,
            "precedente": precedente,
            "successivo": successivo if successivo <= timezone.localdate() else None,
            "indicatori": valori_ordinati,
            "lavoro": lavoro,
            "altri": altri,
            "filtro_voci": filtro_voci.urlencode(),
            "gestisce": actions.puo_gestire(request.user),
            "andamento": grafici.grafico_barre(reports.andamento(servizi, a), titolo=_("Hours recorded per month")),
            "parti": parti,
            "page": pagina,
            "ordina": ordina,
            "colonne": [
                (c, t, "-" + c if ordina == c else c if ordina == "-" + c else ("-" + c if c != "nome" else c))
                for c, t in (
                    ("nome", _("Name")),
                    ("volontari", _("Volunteers in service")),
                    ("ore", _("Hours")),
                    ("senza_codice", _("Days without an entry")),
                )
            ],
            "querystring": senza_pagina.urlencode(),
            "query_ordine": senza_ordine.urlencode(),
            "filtri": filtri,
            "distribuzione": grafici.grafico_orizzontale(
                grafici.primi_e_ultimi(
                    [(p["nome"], Decimal(p["ore"]).quantize(Decimal("1"))) for p in parti],
                    altri=_("{n} others (average)"),
                ),
                titolo=_("Hours recorded in the month, per part")
                if len(parti) <= 21
                else _(
                    "Hours recorded in the month: the ten parts with the most, the ten with the fewest, the others "
                    "as their average"
                ),
            )
            if len(parti) > 1
            else "",
            "query": request.GET.urlencode(),
            "nazionale": ambito(request.user).nazionale,
        },
    )
