import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.audit import client_ip
from enti import policy

from . import ciclo, helios
from .forms import CodiceVolontarioForm
from .models import Presenza, Servizio, Volontario


@require_safe
def lista(request):
    servizi = Servizio.objects.visible_to(request.user).select_related(
        "volontario", "olp", "posto__sede__ente", "posto__progetto"
    )
    solo_attivi = request.GET.get("tutti") != "1"
    if solo_attivi:
        servizi = servizi.in_corso()
    cerca = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if cerca:
        servizi = servizi.filter(Q(volontario__cognome__icontains=cerca) | Q(volontario__nome__icontains=cerca))
    servizi = servizi.order_by("volontario__cognome", "volontario__nome", "-data_inizio")
    page = Paginator(servizi, 50).get_page(request.GET.get("page"))
    return render(request, "volontari/lista.html", {"page": page, "cerca": cerca, "solo_attivi": solo_attivi})


@require_safe
def dettaglio(request, pk: int):
    volontario = get_object_or_404(Volontario.objects.visible_to(request.user), pk=pk)
    servizi = list(
        Servizio.objects.visible_to(request.user)
        .filter(volontario=volontario)
        .select_related("olp", "posto__sede__ente", "posto__progetto")
        .order_by("-data_inizio")
    )
    dal = timezone.localdate() - datetime.timedelta(days=31)
    presenze = {}
    for p in Presenza.objects.filter(servizio__in=[s.pk for s in servizi], giorno__gte=dal).order_by("giorno"):
        presenze.setdefault(p.servizio_id, []).append(p)

    for s in servizi:
        s.in_ritardo = ciclo.interruzione_in_ritardo(s)
        s.certificato = ciclo.certificato_disponibile(s)
        natura = policy.vede_natura_assenze(
            request.user,
            volontario_user_id=volontario.user_id,
            olp_id=s.olp_id,
            ente_id=s.posto.sede.ente_id,
            sede_id=s.posto.sede_id,
        )
        # The reason for an interruption may tell of the volunteer's health.
        s.natura = natura
        s.ultime_presenze = [
            {
                "giorno": p.giorno,
                "codice": p.codice if natura or p.codice not in Presenza.CODICI_SANITARI else _("ABS"),
                "descrizione": p.get_codice_display()
                if natura or p.codice not in Presenza.CODICI_SANITARI
                else _("absence"),
                "attivita": p.get_attivita_display() if p.attivita else "",
                "ore": p.ore,
            }
            for p in presenze.get(s.pk, [])
        ]
    vede_cf = policy.vede_codice_fiscale(
        request.user,
        volontario_user_id=volontario.user_id,
        enti={s.posto.sede.ente_id for s in servizi},
        sedi={s.posto.sede_id for s in servizi},
    )
    return render(
        request,
        "volontari/dettaglio.html",
        {
            "volontario": volontario,
            "servizi": servizi,
            "vede_cf": vede_cf,
            "gestisce": any(policy.puo_confermare_mese(request.user, ente_id=s.posto.sede.ente_id) for s in servizi),
        },
    )


@require_http_methods(["GET", "POST"])
def codice_helios(request, pk: int):
    """The ente writes a volunteer's Department code (the Helios files need it); `next` takes
    the user back where the missing code stopped them."""
    volontario = get_object_or_404(Volontario.objects.visible_to(request.user), pk=pk)
    enti = Servizio.objects.filter(volontario=volontario).values_list("posto__sede__ente_id", flat=True)
    if not any(policy.puo_gestire_ente(request.user, e) for e in set(enti)):
        raise PermissionDenied
    dopo = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(dopo, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        dopo = ""
    form = CodiceVolontarioForm(request.POST or None, initial={"codice_volontario": volontario.codice_volontario or ""})
    if request.method == "POST" and form.is_valid():
        try:
            helios.imposta_codice_volontario(
                acting_user=request.user,
                volontario=volontario,
                codice=form.cleaned_data["codice_volontario"],
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error("codice_volontario", exc)
        else:
            messages.success(request, _("Volunteer code saved."))
            return redirect(dopo or reverse("volontari:dettaglio", args=[volontario.pk]))
    status = 422 if form.errors else 200
    contesto = {"volontario": volontario, "form": form, "next": dopo}
    return render(request, "volontari/codice_helios.html", contesto, status=status)
