import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.audit import client_ip
from enti.access import ambito
from enti.models import Esperto, Olp
from enti.roles import Ruolo
from infra.csv_sicuro import cella_sicura
from infra.forms import errori_nel_form

from . import actions, carico_olp, rules
from .filters import ProgettoFilter
from .forms import (
    AssegnaEspertoForm,
    EspertiRichiestiForm,
    EspertoForm,
    FormazioneForm,
    GeneraleForm,
    MisureForm,
    NuovoProgettoForm,
    OrarioForm,
    PostiFormSet,
    ProgrammaForm,
)
from .models import IncaricoEsperto, Progetto, Programma
from .scelte import SEDE_PROGETTO

PASSI = [
    ("generale", gettext_lazy("General data"), GeneraleForm),
    ("orario", gettext_lazy("Duration and hours"), OrarioForm),
    ("formazione", gettext_lazy("Training"), FormazioneForm),
    ("misure", gettext_lazy("Additional measures"), MisureForm),
    ("sedi", gettext_lazy("Sites, places and OLP"), None),
    ("esperti", gettext_lazy("Shared experts"), None),
]


def _progetto(request, pk):
    return get_object_or_404(
        Progetto.objects.visible_to(request.user).select_related("ente__nodo", "settore", "area", "bando", "programma"),
        pk=pk,
    )


@require_safe
def lista(request):
    qs = Progetto.objects.visible_to(request.user).select_related("ente", "settore").order_by("-aggiornato_il", "-pk")
    filtro = ProgettoFilter(request.GET or None, queryset=qs, request=request)
    progetti = filtro.qs
    if request.GET.get("formato") == "csv":
        return _csv(progetti)
    page = Paginator(progetti, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "progetti/lista.html",
        {
            "filtro": filtro,
            "page": page,
            "querystring": query.urlencode(),
            "puo_creare": bool(ambito(request.user).enti_referente),
        },
    )


def _csv(progetti) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="progetti.csv"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["id", "titolo", "ente", "settore", "stato", "durata_mesi", "aggiornato_il"])
    for p in progetti.iterator(chunk_size=500):
        writer.writerow(
            [
                p.pk,
                cella_sicura(p.titolo),
                cella_sicura(p.ente.denominazione),
                p.settore.codice,
                p.get_stato_display(),
                p.durata_mesi,
                p.aggiornato_il.date(),
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def nuovo(request):
    if not ambito(request.user).enti_referente:
        raise PermissionDenied
    form = NuovoProgettoForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        dati = {k: form.cleaned_data[k] for k in ("titolo", "bando", "settore", "area")}
        try:
            progetto = actions.crea_progetto(
                acting_user=request.user, ente=form.cleaned_data["ente"], dati=dati, ip_address=client_ip(request)
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            return redirect("progetti:modifica", pk=progetto.pk, passo="generale")
    return render(request, "progetti/nuovo.html", {"form": form})


def _carichi_accanto_agli_olp(formset, olp, max_per_olp) -> None:
    """Each OLP's load today as recorded (progetti.carico_olp) next to their name; saving checks
    the same figure with this project's rows as entered."""
    carichi = carico_olp.carichi_olp(olp.values("pk"), giorno=timezone.localdate())

    def etichetta(o) -> str:
        c = carichi.get(o.pk, carico_olp.NESSUN_CARICO)
        return _("%(olp)s (follows %(n)s volunteers, at most %(max)s)") % {
            "olp": o,
            "n": c.volontari,
            "max": c.con_massimo(max_per_olp),
        }

    for form in formset.forms:
        form.fields["olp"].label_from_instance = etichetta


@require_http_methods(["GET", "POST"])
def modifica(request, pk: int, passo: str):
    progetto = _progetto(request, pk)
    if Ruolo.REFERENTE not in actions.ruoli_verso_progetto(request.user, progetto):
        raise PermissionDenied
    if progetto.stato not in actions.STATI_MODIFICABILI:
        messages.warning(request, _("The project can be changed only while it is a draft or returned for changes."))
        return redirect("progetti:dettaglio", pk=pk)
    passi = {nome: (etichetta, form_class) for nome, etichetta, form_class in PASSI}
    if passo not in passi:
        raise PermissionDenied
    etichetta, form_class = passi[passo]
    ordine = [p[0] for p in PASSI]
    prossimo = ordine[ordine.index(passo) + 1] if passo != ordine[-1] else None
    ip = client_ip(request)
    context = {"progetto": progetto, "passi": PASSI, "passo": passo, "etichetta": etichetta}

    if passo == "sedi":
        enti_ammessi = [progetto.ente_id, *progetto.enti_coprogettanti.values_list("pk", flat=True)]
        sedi = SEDE_PROGETTO.per(request.user, progetto=progetto.pk)
        olp = Olp.objects.filter(ente_id__in=enti_ammessi, attivo=True)
        iniziali = [
            {
                "sede": p.sede_id,
                "posti_vitto_alloggio": p.posti_vitto_alloggio,
                "posti_solo_vitto": p.posti_solo_vitto,
                "posti_senza_vitto_alloggio": p.posti_senza_vitto_alloggio,
                "posti_gmo": p.posti_gmo,
                "olp": [o.pk for o in p.olp.all()],
            }
            for p in progetto.posti.prefetch_related("olp")
        ]
        formset = PostiFormSet(
            request.POST or None, initial=iniziali, sedi=sedi, olp=olp, progetto_id=progetto.pk, prefix="posti"
        )
        if request.method == "POST" and formset.is_valid():
            righe = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            try:
                actions.salva_posti(acting_user=request.user, progetto=progetto, righe=righe, ip_address=ip)
            except actions.ErroriPosti as exc:
                vive = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
                for form, errori in zip(vive, exc.righe, strict=True):
                    for campo, messaggi in errori.items():
                        for m in messaggi:
                            form.add_error(campo if campo in form.fields else None, m)
                messages.error(request, exc.messages[0])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Sites and places saved."))
                return redirect("progetti:modifica", pk=pk, passo=prossimo)
        context["formset"] = formset
        context["max_per_olp"] = progetto.bando.max_volontari_olp(progetto.settore)
        _carichi_accanto_agli_olp(formset, olp, context["max_per_olp"])
        return render(request, "progetti/modifica_sedi.html", context)

    if passo == "esperti":
        attuali = list(progetto.incarichi.values_list("ruolo", flat=True))
        form = EspertiRichiestiForm(request.POST or None, initial={"ruoli": attuali})
        if request.method == "POST" and form.is_valid():
            actions.richiedi_esperti(
                acting_user=request.user, progetto=progetto, ruoli=set(form.cleaned_data["ruoli"]), ip_address=ip
            )
            messages.success(request, _("Saved. Check the project and submit it to your node."))
            return redirect("progetti:dettaglio", pk=pk)
        context["form"] = form
        return render(request, "progetti/modifica.html", context)

    form = form_class(request.POST or None, instance=progetto, user=request.user)
    if request.method == "POST" and form.is_valid():
        dati = {k: form.cleaned_data[k] for k in form.fields if k != "enti_coprogettanti"}
        coprogettanti = list(form.cleaned_data["enti_coprogettanti"]) if "enti_coprogettanti" in form.fields else None
        try:
            actions.aggiorna_progetto(
                acting_user=request.user,
                progetto=Progetto.objects.get(pk=pk),
                dati=dati,
                coprogettanti=coprogettanti,
                ip_address=ip,
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("progetti:modifica", pk=pk, passo=prossimo)
    context["form"] = form
    return render(request, "progetti/modifica.html", context)


@require_safe
def dettaglio(request, pk: int):
    progetto = _progetto(request, pk)
    ruoli = actions.ruoli_verso_progetto(request.user, progetto)
    posti = list(progetto.posti.select_related("sede__comune").prefetch_related("olp"))
    incarichi = list(progetto.incarichi.select_related("esperto"))
    rete = bool(ruoli & actions.RETE)
    for incarico in incarichi:
        incarico.form = (
            AssegnaEspertoForm(user=request.user, ruolo=incarico.ruolo, prefix=f"i{incarico.pk}")
            if rete and incarico.stato == IncaricoEsperto.Stato.RICHIESTO
            else None
        )
    return render(
        request,
        "progetti/dettaglio.html",
        {
            "progetto": progetto,
            "posti": posti,
            "incarichi": incarichi,
            "coprogettanti": progetto.enti_coprogettanti.all(),
            "storia": progetto.eventi.select_related("autore"),
            "differenze": actions.differenze(progetto),
            "errori": actions.errori_progetto(progetto) if progetto.stato in actions.STATI_MODIFICABILI else {},
            "azioni": actions.PROGETTO.possibili(progetto.stato, ruoli),
            "modificabile": Ruolo.REFERENTE in ruoli and progetto.stato in actions.STATI_MODIFICABILI,
            "puo_commentare": bool(ruoli & (actions.RETE | actions.REFERENTE)),
            "puo_avviare": progetto.stato
            in (Progetto.Stato.APPROVATO, Progetto.Stato.FINANZIATO, Progetto.Stato.IN_CORSO)
            and bool(ruoli & {Ruolo.REFERENTE, Ruolo.STAFF_ENTE}),
            "passi": PASSI,
        },
    )


@require_POST
def transizione(request, pk: int):
    progetto = _progetto(request, pk)
    try:
        actions.cambia_stato_progetto(
            acting_user=request.user,
            progetto=progetto,
            a=request.POST.get("a", ""),
            motivo=request.POST.get("motivo", ""),
            ip_address=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        messaggi = getattr(exc, "messages", None) or [_("This change of state is not allowed.")]
        messages.error(request, _("Not done: %(why)s") % {"why": " ".join(messaggi)})
    else:
        messages.success(request, _("The project state has been updated."))
    return redirect("progetti:dettaglio", pk=pk)


@require_POST
def commento(request, pk: int):
    progetto = _progetto(request, pk)
    try:
        actions.commenta_progetto(
            acting_user=request.user,
            progetto=progetto,
            commento=request.POST.get("commento", ""),
            ip_address=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("progetti:dettaglio", pk=pk)


@require_POST
def assegna_esperto(request, pk: int):
    incarico = get_object_or_404(
        IncaricoEsperto.objects.filter(progetto__in=Progetto.objects.visible_to(request.user)), pk=pk
    )
    form = AssegnaEspertoForm(request.POST, user=request.user, ruolo=incarico.ruolo, prefix=f"i{pk}")
    if form.is_valid():
        try:
            actions.assegna_esperto(
                acting_user=request.user,
                incarico=incarico,
                esperto=form.cleaned_data["esperto"],
                ip_address=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Expert assigned."))
    else:
        messages.error(request, _("Choose an expert of your node's pool."))
    return redirect("progetti:dettaglio", pk=incarico.progetto_id)


# --- Programmes ---------------------------------------------------------------------------


@require_safe
def programmi(request):
    qs = (
        Programma.objects.visible_to(request.user)
        .select_related("nodo", "ambito")
        .annotate(n_progetti=Count("progetti"))
    )
    page = Paginator(qs.order_by("titolo"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "progetti/programmi.html",
        {"page": page, "puo_creare": bool(ambito(request.user).nodi or ambito(request.user).nazionale)},
    )


@require_safe
def programma(request, pk: int):
    prog = get_object_or_404(
        Programma.objects.visible_to(request.user).select_related("nodo", "ambito", "bando", "rete"), pk=pk
    )
    progetti = Progetto.objects.visible_to(request.user).filter(programma=prog).select_related("ente")
    return render(
        request,
        "progetti/programma.html",
        {
            "programma": prog,
            "progetti": progetti,
            "errori": rules.errori_programma(prog),
            "gestibile": prog.nodo in actions.nodi_gestiti(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def programma_modifica(request, pk: int | None = None):
    nodi = actions.nodi_gestiti(request.user)
    instance = get_object_or_404(Programma.objects.filter(nodo__in=nodi), pk=pk) if pk else None
    form = ProgrammaForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        prog = actions.salva_programma(
            acting_user=request.user,
            programma=form.save(commit=False),
            progetti=form.cleaned_data["progetti"],
            ip_address=client_ip(request),
        )
        messages.success(request, _("Programme saved."))
        return redirect("progetti:programma", pk=prog.pk)
    return render(request, "progetti/programma_modifica.html", {"form": form, "programma": instance})


# --- The shared experts pool ---------------------------------------------------------------


@require_safe
def esperti(request):
    qs = (
        Esperto.objects.visible_to(request.user)
        .select_related("nodo")
        .annotate(n_incarichi=Count("incarichi", filter=Q(incarichi__stato=IncaricoEsperto.Stato.ASSEGNATO)))
    )
    page = Paginator(qs.order_by("cognome", "nome"), 50).get_page(request.GET.get("page"))
    return render(request, "progetti/esperti.html", {"page": page})


@require_http_methods(["GET", "POST"])
def esperto_modifica(request, pk: int | None = None):
    instance = get_object_or_404(Esperto.objects.visible_to(request.user), pk=pk) if pk else None
    form = EspertoForm(request.POST or None, instance=instance, nodi=actions.nodi_gestiti(request.user))
    if request.method == "POST" and form.is_valid():
        actions.salva_esperto(acting_user=request.user, esperto=form.save(commit=False), ip_address=client_ip(request))
        messages.success(request, _("Expert saved."))
        return redirect("progetti:esperti")
    return render(request, "progetti/esperto_modifica.html", {"form": form, "esperto": instance})
