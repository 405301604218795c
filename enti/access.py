"""What part of the network a user governs: computed once per request from their
memberships, OLP record and volunteer record (one query), and read by every
`visible_to(user)`."""

from dataclasses import dataclass, field

from django.db import models

from .roles import RUOLI_MEMBERSHIP, Ruolo


@dataclass(frozen=True)
class Ambito:
    nazionale: bool = False
    nodi: frozenset[int] = field(default_factory=frozenset)
    enti: frozenset[int] = field(default_factory=frozenset)  # referente or staff
    enti_referente: frozenset[int] = field(default_factory=frozenset)
    sedi: frozenset[int] = field(default_factory=frozenset)  # site manager
    olp: int | None = None
    ruoli: frozenset[str] = field(default_factory=frozenset)
    # Whether the user has a volunteer record (enti.policy.ruoli adds the role); no scope.
    volontario: bool = False

    @property
    def vuoto(self) -> bool:
        return not (self.nazionale or self.nodi or self.enti or self.sedi or self.olp)


VUOTO = Ambito()


def ambito(user) -> Ambito:
    """The user's scope; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return VUOTO
    cached = getattr(user, "_ambito_cache", None)
    if cached is not None:
        return cached
    # enti.models imports this module (every visible_to asks it), so the rows are reached
    # through the user's reverse relations rather than by importing the models. The active
    # memberships, the active OLP record and the volunteer record come in one UNION ALL: a
    # signed-in request pays one round trip for its roles, not three.
    Olp = user._meta.get_field("olp").related_model
    Volontario = user._meta.get_field("volontario").related_model
    nessuno = models.Value(None, output_field=models.IntegerField())
    righe = (
        user.memberships.filter(attiva=True, ruolo__in=RUOLI_MEMBERSHIP)
        .order_by()
        .values_list("ruolo", "nodo_id", "ente_id", "sede_id")
        .union(
            Olp.objects.filter(user=user, attivo=True)
            .order_by()
            .annotate(r=models.Value(Ruolo.OLP.value), n=nessuno, s=nessuno)
            .values_list("r", "id", "n", "s"),
            Volontario.objects.filter(user=user)
            .order_by()
            .annotate(r=models.Value(Ruolo.VOLONTARIO.value), n=nessuno, s=nessuno)
            .values_list("r", "n", "n", "s"),
            all=True,
        )
    )

    nodi, enti, referente, sedi, ruoli = set(), set(), set(), set(), set()
    nazionale = volontario = False
    olp_id = None
    for ruolo, nodo_id, ente_id, sede_id in righe:
        if ruolo == Ruolo.VOLONTARIO:
            volontario = True
            continue
        if ruolo == Ruolo.OLP:
            olp_id = nodo_id  # the OLP row carries its id in the second column
        ruoli.add(ruolo)
        if ruolo == Ruolo.STAFF_NAZIONALE:
            nazionale = True
        elif ruolo == Ruolo.STAFF_NODO:
            nodi.add(nodo_id)
        elif ruolo in (Ruolo.REFERENTE, Ruolo.STAFF_ENTE):
            enti.add(ente_id)
            if ruolo == Ruolo.REFERENTE:
                referente.add(ente_id)
        elif ruolo == Ruolo.RESPONSABILE_SEDE:
            sedi.add(sede_id)
    result = Ambito(
        nazionale=nazionale,
        nodi=frozenset(nodi),
        enti=frozenset(enti),
        enti_referente=frozenset(referente),
        sedi=frozenset(sedi),
        olp=olp_id,
        ruoli=frozenset(ruoli),
        volontario=volontario,
    )
    user._ambito_cache = result
    return result
