import datetime

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from enti import policy

from . import ciclo
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
