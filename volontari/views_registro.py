"""The OLP's month grid and the per-volunteer month: one form for all the days, saved in one
request (htmx swaps the grid in place), errors shown in the cell that caused them."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import client_ip
from accounts.files import file_privato
from enti import policy
from enti.access import ambito

from . import actions, celle, helios, rules
from .celle import ore_usuali, voce_usuale
from .forms import FoglioFirmatoForm
from .models import ChiusuraMensile, Presenza, Servizio
from .templatetags.griglia import ATTIVITA_BREVI, formatta_data, formatta_ore


def _mese(request) -> datetime.date:
    valore = request.GET.get("mese") or request.POST.get("mese") or ""
    return rules.leggi_mese(valore) or actions.primo_del_mese(timezone.localdate())


def _servizi_del_mese(user, mese, servizio_id=None):
    fine = actions.ultimo_del_mese(mese)
    qs = (
        Servizio.objects.visible_to(user)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(data_inizio__lte=fine, data_fine__gte=mese)
        .select_related("volontario", "posto__progetto__bando", "posto__sede")
        .order_by("volontario__cognome", "volontario__nome")
    )
    if servizio_id is not None:
        qs = qs.filter(pk=servizio_id)
    servizi = [
        s
        for s in qs
        if policy.puo_scrivere_presenze(user, olp_id=s.olp_id, ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id)
        or servizio_id is not None
    ]
    return servizi


def _etichette(g: datetime.date) -> dict[str, str]:
    giorno = formatta_data(g, "D j F")
    return {
        "codice": _("Day code, %(giorno)s") % {"giorno": giorno},
        "ore": _("Hours, %(giorno)s") % {"giorno": giorno},
        "attivita": _("Activity, %(giorno)s") % {"giorno": giorno},
    }


def _contesto(request, mese, servizi, *, errori=None, valori=None, avvisi=None, giorni=None, scritti=None):
    """What the register's pages show: per volunteer a column of cells (plain dicts, rendered
    by griglia.cella), per day a row. `giorni` narrows the days (today's page). After a save,
    `scritti` (salva_griglia's answer) carries the month as written: not read back when it
    covers every service shown."""
    oggi = timezone.localdate()
    ids = [s.pk for s in servizi]
    if scritti is not None and all(i in scritti.righe for i in ids):
        righe = scritti.righe
        chiusure = {i: scritti.chiusure[i] for i in ids if i in scritti.chiusure}
    else:
        righe = actions.carica_mese(ids, mese)
        chiusure = {c.servizio_id: c for c in ChiusuraMensile.objects.filter(servizio_id__in=ids, mese=mese)}
    giorni = giorni or rules.giorni_del_mese(mese)
    errori = errori or {}
    valori = valori or {}
    colonne = []
    riepilogo = []
    for s in servizi:
        chiusura = chiusure.get(s.pk)
        confermata = bool(chiusura and chiusura.stato == ChiusuraMensile.Stato.CONFERMATA)
        scrivibile = (
            policy.puo_scrivere_presenze(
                request.user, olp_id=s.olp_id, ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id
            )
            and not confermata
        )
        natura = policy.vede_natura_assenze(
            request.user, volontario_user_id=s.volontario.user_id, olp_id=s.olp_id,
            ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id,
        )  # fmt: skip
        nome = f"{s.volontario.cognome} {s.volontario.nome}"
        celle = {}
        for g in giorni:
            p = righe[s.pk].get(g)
            chiave = f"{s.pk}-{g:%Y%m%d}"
            dentro = s.data_inizio <= g <= s.data_fine
            typed = valori.get(chiave)
            codice = Presenza.codice_mostrato(typed["codice"] if typed else (p.codice if p else ""), natura=natura)
            errori_cella = errori.get(s.pk, {}).get(g, [])
            celle[g] = {
                "chiave": chiave,
                "nome": nome,
                "dentro": dentro,
                "aperta": dentro and g <= oggi and scrivibile and natura,
                "vuota": p is None,
                "codice": codice,
                "attivita": typed["attivita"] if typed else (p.attivita if p else ""),
                "ore": typed["ore"] if typed else (formatta_ore(p.ore) if p and p.ore else ""),
                # A note may tell of the volunteer's health: only for who may know it.
                "nota": (typed["nota"] if typed else (p.nota if p else "")) if natura else "",
                "errori": errori_cella,
                "avvisi": (avvisi or {}).get(s.pk, {}).get(g, []),
            }
            for messaggio in errori_cella:
                riepilogo.append({"chiave": chiave, "testo": f"{nome}, {formatta_data(g, 'j F')}: {messaggio}"})
        colonne.append(
            {
                "servizio": s,
                "nome": nome,
                "celle": celle,
                "versione": actions.versione(list(righe[s.pk].values())),
                "chiusura": chiusura,
                "confermata": confermata,
                "scrivibile": scrivibile and natura,
                "natura": natura,
                "stato": actions.stato_mese(s, mese, righe[s.pk]),
                "ore_usuali": formatta_ore(ore_usuali(s.posto.progetto)),
                "usuale": voce_usuale(s.posto.progetto, oggi).codice,
            }
        )
    righe_giorni = []
    for g in giorni:
        celle = [c["celle"][g] for c in colonne]
        righe_giorni.append(
            # Screen readers read each field with its day: labels made once per row, not per cell.
            {"giorno": g, "weekend": g.weekday() >= 5, "etichette": _etichette(g), "celle": celle}
        )
    # "Fill" acts on empty days that are open (in service, not in the future, month not
    # confirmed): a button shows only where there is one.
    vuote = {g for g in giorni for c in colonne if c["celle"][g]["aperta"] and c["celle"][g]["vuota"]}
    for r in righe_giorni:
        lunedi = r["giorno"]
        r["riempibile"] = lunedi.weekday() == 0 and any(lunedi + datetime.timedelta(days=i) in vuote for i in range(7))
    precedente = (mese - datetime.timedelta(days=1)).replace(day=1)
    successivo = (actions.ultimo_del_mese(mese) + datetime.timedelta(days=1)).replace(day=1)
    fine = actions.ultimo_del_mese(mese)
    return {
        "mese": mese,
        "oggi": oggi,
        "colonne": colonne,
        "righe": righe_giorni,
        "riepilogo": riepilogo,
        "riempibile": bool(vuote),
        "codici": Presenza.Codice.choices,
        "attivita": ATTIVITA_BREVI,
        "precedente": precedente,
        "successivo": successivo if successivo <= actions.primo_del_mese(oggi) else None,
        "ore_max": max((s.posto.progetto.bando.ore_max_giorno for s in servizi), default=8),
        # The month can be confirmed from the day after it ends; the ente's general
        # confirmation is due by the 10th of the next month.
        "mese_finito": fine < oggi,
        "confermabile_dal": fine + datetime.timedelta(days=1),
        "scadenza": actions.scadenza_conferma(mese),
        "tutte_confermate": bool(colonne) and all(c["confermata"] for c in colonne),
    }


def _scritti(n: int) -> str:
    return ngettext("Saved: %(n)s day written.", "Saved: %(n)s days written.", n) % {"n": n}


def _salva(request, servizi, mese, *, giorni=None) -> tuple[dict, int]:
    """Read the typed cells and save them with salva_griglia: the page's context with the
    outcome (a success that counts the days, or the errors at their cells and in a summary
    that links to each; nothing written), and the status to answer with."""
    modifiche, valori, errori = celle.leggi_celle(request.POST, [s.pk for s in servizi], mese)
    if errori:
        contesto = _contesto(request, mese, servizi, errori=errori, valori=valori, giorni=giorni)
        contesto["errore"] = _("Nothing was saved: correct the days marked in red.")
        return contesto, 422
    versioni = {s.pk: request.POST.get(f"ver-{s.pk}") for s in servizi if s.pk in modifiche}
    try:
        scritti = actions.salva_griglia(
            acting_user=request.user, mese=mese, modifiche=modifiche, versioni=versioni, ip_address=client_ip(request)
        )
    except actions.ErroriGriglia as exc:
        contesto = _contesto(request, mese, servizi, errori=exc.giorni, valori=valori, giorni=giorni)
        contesto["errore"] = exc.messages[0]
        contesto["errori_servizi"] = [
            (next(s for s in servizi if s.pk == sid).volontario, msgs) for sid, msgs in exc.servizi.items()
        ]
        return contesto, 422
    contesto = _contesto(request, mese, servizi, giorni=giorni, avvisi=scritti.avvisi, scritti=scritti)
    n = sum(scritti.values())
    contesto["esito"] = _scritti(n) if n else _("Nothing to save: no day was changed.")
    contesto["salvato"] = True
    return contesto, 200


@require_http_methods(["GET", "POST"])
def griglia(request):
    mese = _mese(request)
    servizi = _servizi_del_mese(request.user, mese)
    if not servizi and not ambito(request.user).olp and not ambito(request.user).enti:
        raise PermissionDenied
    template = "registro/_griglia.html" if request.headers.get("HX-Request") else "registro/griglia.html"
    if request.method == "POST":
        contesto, stato = _salva(request, servizi, mese)
        return render(request, template, contesto, status=stato)
    return render(request, template, _contesto(request, mese, servizi))


@require_http_methods(["GET", "POST"])
def oggi(request):
    """Today's attendance: every volunteer of the OLP in service today, one row each; "all
    present" fills the empty rows with the project's usual day (js/registro.js), the OLP
    changes the exceptions and saves, through salva_griglia like the month grid."""
    giorno = timezone.localdate()
    mese = actions.primo_del_mese(giorno)
    servizi = [
        s
        for s in _servizi_del_mese(request.user, mese)
        if s.data_inizio <= giorno <= s.data_fine
        and policy.puo_scrivere_presenze(
            request.user, olp_id=s.olp_id, ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id
        )
    ]
    if not servizi and not ambito(request.user).olp and not ambito(request.user).enti:
        raise PermissionDenied
    template = "registro/_oggi.html" if request.headers.get("HX-Request") else "registro/oggi.html"
    if request.method == "POST":
        contesto, stato = _salva(request, servizi, mese, giorni=[giorno])
    else:
        contesto, stato = _contesto(request, mese, servizi, giorni=[giorno]), 200
    contesto["giorno"] = giorno
    return render(request, template, contesto, status=stato)


@require_POST
def riempi(request):
    """Fill the empty days of a week (or of the month) with the project's usual pattern: the
    service days with their hours, the other days not working."""
    mese = _mese(request)
    servizi = _servizi_del_mese(request.user, mese)
    modifiche = celle.da_riempire(servizi, mese, request.POST.get("settimana", ""), timezone.localdate())
    template = "registro/_griglia.html" if request.headers.get("HX-Request") else "registro/griglia.html"
    if not modifiche:
        contesto = _contesto(request, mese, servizi)
        contesto["esito"] = _("Nothing to fill: those days are already written.")
        return render(request, template, contesto)
    try:
        scritti = actions.salva_griglia(
            acting_user=request.user, mese=mese, modifiche=modifiche, versioni={}, ip_address=client_ip(request)
        )
    except actions.ErroriGriglia as exc:
        contesto = _contesto(request, mese, servizi, errori=exc.giorni)
        contesto["errore"] = exc.messages[0]
        return render(request, template, contesto, status=422)
    contesto = _contesto(request, mese, servizi, avvisi=scritti.avvisi, scritti=scritti)
    n = sum(scritti.values())
    contesto["esito"] = ngettext(
        "Filled: %(n)s day written. Change the days that went differently.",
        "Filled: %(n)s days written. Change the days that went differently.",
        n,
    ) % {"n": n}
    return render(request, template, contesto)


@require_POST
def conferma(request, pk: int):
    servizio = get_object_or_404(Servizio.objects.visible_to(request.user), pk=pk)
    mese = _mese(request)
    risposta = request.POST.get("certificato_continuo")
    try:
        actions.conferma_preliminare(
            acting_user=request.user,
            servizio=servizio,
            mese=mese,
            certificato_continuo=None if risposta is None else risposta == "si",
            ip_address=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict") and "certificato_continuo" in exc.error_dict:
            return render(
                request,
                "registro/domanda_certificato.html",
                {"servizio": servizio, "mese": mese, "domanda": exc.error_dict["certificato_continuo"][0].message},
            )
        messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
    else:
        messages.success(request, _("Month confirmed for %(nome)s: print the sheet, have it signed and upload it.") % {
            "nome": servizio.volontario.nome})  # fmt: skip
    return redirect(f"{reverse('registro:volontario', args=[pk])}?mese={mese:%Y-%m}")


@require_http_methods(["GET", "POST"])
def volontario(request, pk: int):
    """One volunteer's month: the calendar with notes, the totals, the monthly close."""
    mese = _mese(request)
    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related(
            "volontario", "posto__progetto__bando", "posto__sede__ente"
        ),
        pk=pk,
    )
    if request.method == "POST":
        modifiche, valori, errori = celle.leggi_celle(request.POST, [servizio.pk], mese)
        if not errori:
            try:
                actions.salva_griglia(
                    acting_user=request.user,
                    mese=mese,
                    modifiche=modifiche,
                    versioni={servizio.pk: request.POST.get(f"ver-{servizio.pk}")},
                    ip_address=client_ip(request),
                )
            except actions.ErroriGriglia as exc:
                errori = exc.giorni
                for msgs in exc.servizi.values():
                    for m in msgs:
                        messages.error(request, m)
            except PermissionDenied as exc:
                raise PermissionDenied from exc
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('registro:volontario', args=[pk])}?mese={mese:%Y-%m}")
        contesto = _contesto(request, mese, [servizio], errori=errori, valori=valori)
        if errori:
            contesto["errore"] = _("Nothing was saved: correct the days marked in red.")
    else:
        contesto = _contesto(request, mese, [servizio])
    return _pagina_volontario(request, servizio, mese, contesto)


def _pagina_volontario(request, servizio, mese, contesto, *, foglio_form=None, status=200):
    if not contesto["colonne"]:
        raise Http404
    righe = actions.carica_mese([servizio.pk], mese)[servizio.pk]
    stato = contesto["colonne"][0]["stato"]
    ultimo = max(stato["giorni"], default=mese)
    contesto.update(
        {
            "servizio": servizio,
            # Why "confirm" is not offered yet, in words: days still to come, days without a code.
            "da_venire": ultimo >= timezone.localdate(),
            "confermabile_dal": ultimo + datetime.timedelta(days=1),
            "mancanti_testo": ", ".join(formatta_data(g, "j F") for g in stato["mancanti"]),
            "foglio_form": foglio_form or FoglioFirmatoForm(),
            "vede_foglio_firmato": policy.vede_natura_assenze(
                request.user,
                volontario_user_id=servizio.volontario.user_id,
                olp_id=servizio.olp_id,
                ente_id=servizio.posto.sede.ente_id,
                sede_id=servizio.posto.sede_id,
            ),
            "colonna": contesto["colonne"][0],
            "note": {g: p.nota for g, p in righe.items() if p.nota} if contesto["colonne"][0]["natura"] else {},
            "totali": actions.totali([servizio.pk])[servizio.pk],
            "piano": actions.piano_ore(servizio),
            "tetto_permessi": rules.tetto_permessi(servizio, servizio.posto.progetto.bando),
            "scadenza": actions.scadenza_conferma(mese),
            "vede_chiusura_ente": policy.consentito(request.user, "registro:chiusura_ente"),
            "puo_confermare": policy.puo_scrivere_presenze(
                request.user,
                olp_id=servizio.olp_id,
                ente_id=servizio.posto.sede.ente_id,
                sede_id=servizio.posto.sede_id,
            ),
        }
    )
    return render(request, "registro/volontario.html", contesto, status=status)


@require_http_methods(["GET"])
def foglio(request, pk: int):
    """The monthly attendance sheet as PDF, for the volunteer's and the referente's signatures."""
    from weasyprint import HTML

    mese = _mese(request)
    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related(
            "volontario", "posto__progetto", "posto__sede__ente", "olp"
        ),
        pk=pk,
    )
    righe = actions.carica_mese([servizio.pk], mese)[servizio.pk]
    natura = policy.vede_natura_assenze(
        request.user, volontario_user_id=servizio.volontario.user_id, olp_id=servizio.olp_id,
        ente_id=servizio.posto.sede.ente_id, sede_id=servizio.posto.sede_id,
    )  # fmt: skip
    giorni = []
    for g in rules.giorni_del_mese(mese):
        p = righe.get(g)
        codice = Presenza.codice_mostrato(p.codice if p else "", natura=natura)
        giorni.append({"giorno": g, "dentro": servizio.data_inizio <= g <= servizio.data_fine, "codice": codice,
                       "attivita": p.get_attivita_display() if p and p.attivita else "", "ore": p.ore if p else None,
                       "nota": p.nota if p and natura else ""})  # fmt: skip
    html = render(
        request,
        "registro/foglio_pdf.html",
        {
            "servizio": servizio,
            "mese": mese,
            "giorni": giorni,
            "ore_mese": sum((p.ore for p in righe.values()), Decimal(0)),
            "chiusura": ChiusuraMensile.objects.filter(servizio=servizio, mese=mese).first(),
            "generato_il": timezone.localtime(),
        },
    ).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    nome = f"PRESENZE_{servizio.volontario.codice_volontario or servizio.volontario_id}_{mese:%Y_%m}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    # The name holds a code typed by users: Django's helper quotes or encodes what a header cannot carry.
    response["Content-Disposition"] = content_disposition_header(True, nome)
    return response


@require_POST
def carica_foglio(request, pk: int):
    """The upload of the signed sheet; a refused file comes back at the field, on the page."""
    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related(
            "volontario", "posto__progetto__bando", "posto__sede__ente"
        ),
        pk=pk,
    )
    mese = _mese(request)
    form = FoglioFirmatoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.carica_foglio_firmato(
                acting_user=request.user,
                servizio=servizio,
                mese=mese,
                file=form.cleaned_data["file"],
                ip_address=client_ip(request),
            )
        except PermissionDenied as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Signed sheet uploaded."))
    if form.errors:
        contesto = _contesto(request, mese, [servizio])
        return _pagina_volontario(request, servizio, mese, contesto, foglio_form=form, status=422)
    return redirect(f"{reverse('registro:volontario', args=[pk])}?mese={mese:%Y-%m}")


@require_http_methods(["GET"])
def foglio_firmato(request, pk: int):
    """The signed sheet as uploaded. Never from /media/ (nothing serves it): only through
    this view, to whoever sees the service and the nature of its absences (the sheet shows
    sickness and the like): the volunteer, their OLP, their ente; not network staff."""
    mese = _mese(request)
    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related("volontario", "posto__sede"), pk=pk
    )
    if not policy.vede_natura_assenze(
        request.user, volontario_user_id=servizio.volontario.user_id, olp_id=servizio.olp_id,
        ente_id=servizio.posto.sede.ente_id, sede_id=servizio.posto.sede_id,
    ):  # fmt: skip
        return render(request, "403.html", status=403)  # an expected refusal: no traceback in the logs
    chiusura = get_object_or_404(
        ChiusuraMensile.objects.visible_to(request.user).exclude(foglio_firmato=""), servizio=servizio, mese=mese
    )
    nome = f"PRESENZE_{servizio.volontario.codice_volontario or servizio.volontario_id}_{mese:%Y_%m}_firmato.pdf"
    return file_privato(chiusura.foglio_firmato, nome)


PER_PAGINA_CHIUSURA = 50


@require_http_methods(["GET", "POST"])
def chiusura_ente(request, pk: int):
    """The month of a whole ente: each volunteer's state, the general confirmation (the ente)
    and the reopening of a confirmed volunteer's month (network staff)."""
    from enti.models import Ente

    ente = get_object_or_404(Ente.objects.visible_to(request.user), pk=pk)
    mese = _mese(request)
    if request.method == "POST":
        try:
            if request.POST.get("azione") == "riapri":
                chiusura_id = request.POST.get("chiusura", "")
                chiusura = get_object_or_404(
                    ChiusuraMensile.objects.visible_to(request.user).filter(servizio__posto__sede__ente=ente),
                    pk=chiusura_id if chiusura_id.isascii() and chiusura_id.isdigit() else None,
                )
                actions.riapri_mese(
                    acting_user=request.user, chiusura=chiusura, motivo=request.POST.get("motivo", ""),
                    ip_address=client_ip(request),
                )  # fmt: skip
                messages.success(request, _("Month reopened; the reason is in the audit log."))
            else:
                actions.conferma_generale(acting_user=request.user, ente=ente, mese=mese, ip_address=client_ip(request))
                messages.success(request, _("Month confirmed for every volunteer of the body."))
        except (ValidationError, PermissionDenied) as exc:
            for m in getattr(exc, "messages", [_("Not allowed.")]):
                messages.error(request, m)
        return redirect(f"{reverse('registro:chiusura_ente', args=[pk])}?mese={mese:%Y-%m}")
    fine = actions.ultimo_del_mese(mese)
    # A large comune has hundreds of volunteers: the list is paged, and only the page's
    # months are read (the general confirmation still covers every volunteer of the ente).
    page = Paginator(
        Servizio.objects.visible_to(request.user)
        .filter(posto__sede__ente=ente, data_inizio__lte=fine, data_fine__gte=mese)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("volontario")
        .order_by("volontario__cognome", "volontario__nome", "pk"),
        PER_PAGINA_CHIUSURA,
    ).get_page(request.GET.get("page"))
    servizi = list(page.object_list)
    righe = actions.carica_mese([s.pk for s in servizi], mese)
    chiusure = {c.servizio_id: c for c in ChiusuraMensile.objects.filter(servizio__in=servizi, mese=mese)}
    a = ambito(request.user)
    elenco = [
        {"servizio": s, "stato": actions.stato_mese(s, mese, righe[s.pk]), "chiusura": chiusure.get(s.pk)}
        for s in servizi
    ]
    return render(
        request,
        "registro/chiusura_ente.html",
        {
            "ente": ente,
            "mese": mese,
            "elenco": elenco,
            "page": page,
            "querystring": f"mese={mese:%Y-%m}",
            "scadenza": actions.scadenza_conferma(mese),
            "in_ritardo": timezone.localdate() > actions.scadenza_conferma(mese),
            "puo_confermare": policy.puo_confermare_mese(request.user, ente_id=ente.pk),
            "puo_riaprire": a.nazionale or ente.nodo_id in a.nodi,
            "precedente": (mese - datetime.timedelta(days=1)).replace(day=1),
            "successivo": (fine + datetime.timedelta(days=1)),
        },
    )


def _ente_con_registro(request, pk):
    from enti.models import Ente

    ente = get_object_or_404(Ente.objects.visible_to(request.user), pk=pk)
    return ente


@require_http_methods(["GET", "POST"])
def importa(request, pk: int):
    """Import a month of days from a file in the Department's attendance layout."""
    ente = _ente_con_registro(request, pk)
    if not policy.puo_confermare_mese(request.user, ente_id=ente.pk):
        raise PermissionDenied
    contesto = {"ente": ente, "intestazione": ";".join(helios.INTESTAZIONE_PRESENZE)}
    if request.method == "POST":
        file = request.FILES.get("file")
        if file is None:
            contesto["errori"] = [(0, _("Choose the file to import."))]
        else:
            try:
                scritti = helios.importa_presenze(
                    acting_user=request.user,
                    ente=ente,
                    dati=file.read(helios.MAX_BYTES + 1),
                    ip_address=client_ip(request),
                )
            except helios.ErroriImportazione as exc:
                contesto["errori"] = exc.righe
                contesto["esito_errore"] = str(exc)
                return render(request, "registro/importa.html", contesto, status=422)
            messages.success(request, _("File imported: %(n)s days written.") % {"n": scritti})
            return redirect("registro:importa", pk=ente.pk)
    return render(request, "registro/importa.html", contesto)


@require_http_methods(["GET"])
def esporta(request, pk: int):
    """Attendance or training hours, in the Department's layout (ASCII) or for spreadsheets
    (UTF-8, formula-safe). A file for Helios that Helios would refuse is not produced: the
    page says why (helios.FileNonValido) and offers the spreadsheet file."""
    ente = _ente_con_registro(request, pk)
    if not policy.puo_confermare_mese(request.user, ente_id=ente.pk) and not policy.consentito(
        request.user, "registro:chiusura_ente"
    ):
        raise PermissionDenied
    tipo = request.GET.get("tipo", "presenze")
    per_helios = request.GET.get("formato", "helios") == "helios"
    # Without a month: the last one ended, the one an ente carries into Helios.
    mese = (
        _mese(request)
        if request.GET.get("mese")
        else (timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    )
    mese = mese.replace(day=1)

    # Network staff read the ente's files without the nature of health-related absences, the
    # notes or the tax codes (enti.policy.vede_*); the ente gets them whole for Helios.
    def natura(s) -> bool:
        return policy.vede_natura_assenze(
            request.user, volontario_user_id=s.volontario.user_id, olp_id=s.olp_id, ente_id=ente.pk,
            sede_id=s.posto.sede_id,
        )  # fmt: skip

    def codice_fiscale(s) -> bool:
        return policy.vede_codice_fiscale(
            request.user, volontario_user_id=s.volontario.user_id, enti={ente.pk}, sedi={s.posto.sede_id}
        )

    try:
        if tipo == "presenze":
            dati = helios.esporta_presenze(ente, mese, helios=per_helios, natura=natura)
            nome = f"presenze_{ente.codice_helios or ente.pk}_{mese:%Y_%m}"
        elif tipo in ("generale", "specifica"):
            dati = helios.esporta_formazione(ente, tipo=tipo, helios=per_helios, codice_fiscale=codice_fiscale)
            nome = f"formazione_{tipo}_{ente.codice_helios or ente.pk}"
        else:
            raise Http404
    except helios.FileNonValido as exc:
        contesto = {
            "ente": ente,
            "errore": exc,
            "foglio": f"{reverse('registro:esporta', args=[ente.pk])}?tipo={tipo}&formato=excel&mese={mese:%Y-%m}",
            "puo_correggere": policy.puo_gestire_ente(request.user, ente.pk),
        }
        return render(request, "registro/esporta_rifiutata.html", contesto, status=422)
    response = HttpResponse(dati, content_type="text/csv; charset=" + ("us-ascii" if per_helios else "utf-8"))
    response["Content-Disposition"] = content_disposition_header(True, f"{nome}{'' if per_helios else '_excel'}.csv")
    return response
