"""What part of the network a user governs: computed once per request from their
memberships and OLP record, and read by every `visible_to(user)`."""

from dataclasses import dataclass, field

from .roles import Ruolo


@dataclass(frozen=True)
class Ambito:
    nazionale: bool = False
    nodi: frozenset[int] = field(default_factory=frozenset)
    enti: frozenset[int] = field(default_factory=frozenset)  # referente or staff
    enti_referente: frozenset[int] = field(default_factory=frozenset)
    sedi: frozenset[int] = field(default_factory=frozenset)  # site manager
    olp: int | None = None
    ruoli: frozenset[str] = field(default_factory=frozenset)

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
    # through the user's reverse relations rather than by importing the models.
    Olp = user._meta.get_field("olp").related_model

    nodi, enti, referente, sedi, ruoli = set(), set(), set(), set(), set()
    nazionale = False
    for ruolo, nodo_id, ente_id, sede_id in user.memberships.filter(attiva=True).values_list(
        "ruolo", "nodo_id", "ente_id", "sede_id"
    ):
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
    olp_id = Olp.objects.filter(user=user, attivo=True).values_list("id", flat=True).first()
    if olp_id is not None:
        ruoli.add(Ruolo.OLP)
    result = Ambito(
        nazionale=nazionale,
        nodi=frozenset(nodi),
        enti=frozenset(enti),
        enti_referente=frozenset(referente),
        sedi=frozenset(sedi),
        olp=olp_id,
        ruoli=frozenset(ruoli),
    )
    user._ambito_cache = result
    return result
