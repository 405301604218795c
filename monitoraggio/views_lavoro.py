"""The worklist: the items of the daily check (`Allerta`) with who must act and where, and
what network staff do with them (take in charge, note, close; `monitoraggio.actions`)."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.audit import client_ip
from enti import policy
from enti.models import Ente, Nodo
from enti.roles import Ruolo

from . import actions
from .models import Allerta

T = Allerta.Tipo
# The kinds that tell of health, filtered together under one name (see AllertaFilter).
ASSENZE = "assenze"

# The items behind each indicator with a traffic light: a red or amber indicator lists them.
# Indicators left out are about the whole scope (ratios, past events): the dashboard sends
# to the parts instead.
VOCI_INDICATORE: dict[str, tuple[str, ...]] = {
    "giorni_senza_codice": (T.NESSUNA_REGISTRAZIONE,),
    "mesi_non_confermati": (T.MESE_NON_CONFERMATO,),
    "formazione_generale": (T.GENERALE_IN_RITARDO,),
    "formazione_specifica": (T.SPECIFICA_IN_RITARDO,),
    "malattia": (ASSENZE,),
    "olp_oltre": (T.OLP_OLTRE_MASSIMO,),
    "criticita_olp": (T.CRITICITA_OLP,),
    "ore": (T.SETTIMANA_SOTTO_MINIMO,),
}
PER_PAGINA = 25


def _mese_della_chiave(a: Allerta) -> str:
    """'YYYY-MM' of an item about a month ('mese:2026-05:12'), else ''."""
    parti = a.chiave.split(":")
    return parti[1] if a.tipo == T.MESE_NON_CONFERMATO and len(parti) == 3 else ""


def link_per(a: Allerta, ruoli: frozenset[str]) -> tuple[str, str]:
    """(address, label) of the page where the item is acted on, for a user with `ruoli`."""
    referente = Ruolo.REFERENTE in ruoli
    if a.tipo == T.MESE_NON_CONFERMATO:
        mese = _mese_della_chiave(a)
        return reverse("registro:chiusura_ente", args=[a.ente_id]) + (f"?mese={mese}" if mese else ""), _(
            "Open the body's month"
        )
    if a.tipo == T.OLP_OLTRE_MASSIMO:
        if referente and a.olp_id:
            return reverse("olp:modifica", args=[a.olp_id]), _("Open the OLP's record")
        return reverse("enti:dettaglio", args=[a.ente_id]), _("Open the body")
    if a.tipo == T.INTERRUZIONE_DA_COMUNICARE and referente and a.servizio_id:
        return reverse("servizi:interrompi", args=[a.servizio_id]), _("Report the interruption")
    if a.servizio_id:
        return reverse("registro:volontario", args=[a.servizio_id]), _("Open the volunteer's register")
    return reverse("enti:dettaglio", args=[a.ente_id]), _("Open the body")


def voci(allerte, user) -> list[dict]:
    """The items as the templates show them: kind and message as this user may read them, who
    must act, the link to act, the state."""
    ruoli = policy.ruoli(user)
    out = []
    for a in allerte:
        tipo, messaggio = a.per(user)
        link, etichetta = link_per(a, ruoli)
        out.append(
            {"allerta": a, "tipo": tipo, "messaggio": messaggio, "chi": a.chi_agisce, "link": link,
             "azione": etichetta}
        )  # fmt: skip
    return out


def con_relazioni(qs):
    return qs.select_related("ente", "olp", "in_carico_a", "servizio__volontario", "servizio__posto__sede")


def primi_per_tipo(qs, n: int = 5):
    """The first `n` items of each kind, in one query (a window over the kinds)."""
    return con_relazioni(
        qs.annotate(
            posto_nel_tipo=Window(RowNumber(), partition_by=[F("tipo")], order_by=[F("creata_il").asc(), F("pk")])
        ).filter(posto_nel_tipo__lte=n)
    ).order_by("tipo", "creata_il", "pk")


def conteggi_per_tipo(qs) -> dict[str, dict[str, int]]:
    """{kind: {"da_gestire", "in_carico", "chiuse"}} over the items true today, one query."""
    righe = (
        qs.aperte()
        .values("tipo")
        .annotate(
            da_gestire=Count("pk", filter=~Q(stato=Allerta.Stato.CHIUSA)),
            in_carico=Count("pk", filter=Q(stato=Allerta.Stato.IN_CARICO)),
            chiuse=Count("pk", filter=Q(stato=Allerta.Stato.CHIUSA)),
        )
        .order_by()
    )
    return {r["tipo"]: r for r in righe}


class AllertaFilter(django_filters.FilterSet):
    STATI = (
        ("", gettext_lazy("To act on (open or taken in charge)")),
        ("aperta", gettext_lazy("Open, nobody on it")),
        ("in_carico", gettext_lazy("Taken in charge")),
        ("chiusa", gettext_lazy("Closed")),
        ("risolta", gettext_lazy("Resolved (no longer true)")),
    )
    # The kinds that tell of health are one choice: the filter must not tell network staff
    # what the items do not (Allerta.per).
    tipo = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"),
        choices=[(t, n) for t, n in T.choices if t not in Allerta.SANITARIE]
        + [(ASSENZE, gettext_lazy("absences to follow up"))],
        method="filtra_tipo",
    )
    stato = django_filters.ChoiceFilter(
        label=gettext_lazy("State"), choices=STATI[1:], empty_label=STATI[0][1], method="filtra_stato"
    )
    nodo = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Network node"), queryset=Nodo.objects.none(), field_name="ente__nodo"
    )
    ente = django_filters.NumberFilter(widget=forms.HiddenInput, method="filtra_ente")
    q = django_filters.CharFilter(label=gettext_lazy("Text contains"), method="cerca")

    class Meta:
        model = Allerta
        fields = ["tipo", "stato", "nodo", "ente", "q"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["nodo"].queryset = Nodo.objects.visible_to(user)
        self.user = user

    def filtra_tipo(self, qs, name, value):
        return qs.filter(tipo__in=Allerta.SANITARIE) if value == ASSENZE else qs.filter(tipo=value)

    def filtra_stato(self, qs, name, value):
        if value == "risolta":
            return qs.filter(risolta_il__isnull=False)
        return qs.aperte().filter(stato=value)

    def filtra_ente(self, qs, name, value):
        ente = get_object_or_404(Ente.objects.visible_to(self.user), pk=value)
        return qs.filter(ente=ente)

    def cerca(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(messaggio__icontains=value) | Q(ente__denominazione__icontains=value)) if value else qs

    @property
    def qs(self):
        qs = super().qs
        if not (self.form.is_valid() and self.form.cleaned_data.get("stato")):
            qs = qs.da_gestire()
        return qs


@require_safe
def lista(request):
    filtri = AllertaFilter(request.GET, queryset=Allerta.objects.visible_to(request.user), user=request.user)
    qs = filtri.qs if filtri.is_valid() else Allerta.objects.none()
    pagina = Paginator(con_relazioni(qs).order_by("tipo", "creata_il", "pk"), PER_PAGINA).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoraggio/allerte.html",
        {
            "filtri": filtri,
            "page": pagina,
            "voci": voci(pagina.object_list, request.user),
            "querystring": query.urlencode(),
            "gestisce": actions.puo_gestire(request.user),
        },
    )


AZIONI = {
    "prendi": (actions.prendi_in_carico, gettext_lazy("You took the item in charge.")),
    "nota": (actions.annota, gettext_lazy("Note added to the item's history.")),
    "chiudi": (actions.chiudi, gettext_lazy("Item closed. It will reopen if the fact changes.")),
}


def _contesto(request, allerta, **extra):
    return {
        "voce": voci([allerta], request.user)[0],
        "storia": allerta.eventi.select_related("autore").order_by("creato_il", "pk"),
        "gestisce": actions.puo_gestire(request.user),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def allerta(request, pk: int):
    """One item: what, who must act and where, its history; network staff take it in charge
    and close it, everyone who sees it adds notes. htmx swaps the item in place (the row of a
    list, or the detail), every outcome is a message next to it."""
    visibili = con_relazioni(Allerta.objects.visible_to(request.user))
    oggetto = get_object_or_404(visibili, pk=pk)
    riga = request.POST.get("vista") == "riga"
    htmx = bool(request.headers.get("HX-Request"))
    if request.method != "POST":
        return render(request, "monitoraggio/allerta.html", _contesto(request, oggetto))
    azione = request.POST.get("azione", "")
    errori, stato = {}, 200
    if azione not in AZIONI:
        errori = {"__all__": [_("Unknown action.")]}
    else:
        funzione, successo = AZIONI[azione]
        try:
            funzione(
                acting_user=request.user, allerta_id=oggetto.pk, nota=request.POST.get("nota", ""),
                ip_address=client_ip(request),
            )  # fmt: skip
        except ValidationError as exc:
            errori = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except PermissionDenied as exc:
            errori = {"__all__": [str(exc) or _("You may not do this.")]}
    if errori:
        stato = 422
    elif not htmx:
        messages.success(request, successo)
        return redirect("monitoraggio:allerta", pk=oggetto.pk)
    oggetto = get_object_or_404(visibili, pk=pk)
    contesto = _contesto(
        request, oggetto, esito="" if errori else str(successo), errori=errori, azione=azione,
        nota=request.POST.get("nota", "") if errori else "",
    )  # fmt: skip
    if htmx:
        template = "monitoraggio/_voce.html" if riga else "monitoraggio/_allerta_dettaglio.html"
    else:
        template = "monitoraggio/allerta.html"
    return render(request, template, contesto, status=stato)
