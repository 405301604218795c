"""The personal dashboard: a list of panels, each shown to the roles it serves.

A panel is a function taking the request and returning the context of its template, or
None when it has nothing to show. Later features add their panel to PANNELLI.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from adesioni.models import RichiestaAccesso
from enti import policy
from enti.access import ambito
from enti.models import Ente, Nodo
from enti.roles import Ruolo
from monitoraggio.models import Allerta
from monitoraggio.views_lavoro import voci
from network.da_fare import cose_da_fare
from volontari.models import Servizio


@dataclass(frozen=True)
class Pannello:
    ruoli: frozenset[str]
    template: str
    contesto: Callable[[Any], dict | None]


def _benvenuto(request):
    ruoli = policy.ruoli(request.user) - {Ruolo.UTENTE}
    return {"ruoli": sorted(str(Ruolo(r).label) for r in ruoli)}


def _da_fare(request):
    return {"cose": cose_da_fare(request.user)}


def _rete(request):
    nodi = Nodo.objects.visible_to(request.user)
    return {
        "nodi": list(nodi.values_list("nome", flat=True)),
        "richieste_in_attesa": RichiestaAccesso.objects.visible_to(request.user)
        .filter(stato=RichiestaAccesso.Stato.IN_ATTESA)
        .count(),
        "enti_aderenti": Ente.objects.visible_to(request.user).aderenti().count(),
        "volontari_attivi": Servizio.objects.visible_to(request.user).in_corso().count(),
    }


def _ente(request):
    a = ambito(request.user)
    enti = Ente.objects.visible_to(request.user).filter(pk__in=a.enti | _enti_delle_sedi(a)).select_related("comune")
    return {
        "enti": list(enti[:20]),
        "referente": bool(a.enti_referente),
        "volontari_attivi": Servizio.objects.visible_to(request.user).in_corso().count(),
    }


def _enti_delle_sedi(a) -> frozenset[int]:
    from enti.models import Sede

    return frozenset(Sede.objects.filter(pk__in=a.sedi).values_list("ente_id", flat=True)) if a.sedi else frozenset()


def _olp(request):
    a = ambito(request.user)
    servizi = (
        Servizio.objects.in_corso()
        .filter(olp_id=a.olp)
        .select_related("volontario", "posto__progetto")
        .order_by("volontario__cognome")
    )
    return {"servizi": list(servizi[:20])}


def _volontario(request):
    servizi = (
        Servizio.objects.filter(volontario__user=request.user)
        .select_related("volontario", "posto__progetto", "posto__sede__ente", "olp")
        .order_by("-data_inizio")
    )
    return {"servizi": list(servizi)}


def _da_gestire(request):
    """The worklist items that are the user's to act on: the ente's for its people, the
    volunteers' for their OLP (Allerta.objects.visible_to)."""
    qs = Allerta.objects.visible_to(request.user).da_gestire()
    primi = qs.select_related("ente", "olp", "in_carico_a", "servizio__volontario", "servizio__posto__sede").order_by(
        "creata_il", "pk"
    )[:5]
    return {"voci": voci(primi, request.user), "n": qs.count()}


PANNELLI: list[Pannello] = [
    Pannello(policy.AUTENTICATI, "network/pannelli/da_fare.html", _da_fare),
    Pannello(policy.AUTENTICATI, "network/pannelli/benvenuto.html", _benvenuto),
    Pannello(policy.RETE, "network/pannelli/rete.html", _rete),
    Pannello(
        frozenset({Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.RESPONSABILE_SEDE}), "network/pannelli/ente.html", _ente
    ),
    Pannello(frozenset({Ruolo.OLP}), "network/pannelli/olp.html", _olp),
    Pannello(
        frozenset({Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.OLP}), "network/pannelli/da_gestire.html", _da_gestire
    ),
    Pannello(frozenset({Ruolo.VOLONTARIO}), "network/pannelli/volontario.html", _volontario),
]


def pannelli(request) -> list[str]:
    user_roles = policy.ruoli(request.user)
    rendered = []
    for pannello in PANNELLI:
        if not pannello.ruoli & user_roles:
            continue
        context = pannello.contesto(request)
        if context is not None:
            rendered.append(render_to_string(pannello.template, context, request=request))
    return rendered
