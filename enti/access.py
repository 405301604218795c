"""What part of the network a user governs: computed once per request from their
memberships, OLP record and volunteer record (one query), and read by every
`visible_to(user)`."""

from dataclasses import dataclass, field

from django.db import connection

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


_SQL: dict[str, str] = {}


def _sql_ambito(user) -> str:
    """The scope's one query: the active memberships, the active OLP record and the volunteer
    record of a user, in a UNION ALL (the OLP row carries its id in the second column). Written
    once per process from the models' tables: the ORM would compile three querysets on every
    signed-in request, most of the query's CPU. enti.models imports this module (every
    visible_to asks it), so the models are reached through the user's reverse relations."""
    sql = _SQL.get("ambito")
    if sql is None:
        q = connection.ops.quote_name
        Membership = user._meta.get_field("memberships").related_model
        Olp = user._meta.get_field("olp").related_model
        Volontario = user._meta.get_field("volontario").related_model

        def col(model, nome):
            return q(model._meta.get_field(nome).column)

        m, o, v = (q(x._meta.db_table) for x in (Membership, Olp, Volontario))
        ruoli = ", ".join(["%s"] * len(RUOLI_MEMBERSHIP))
        # Only table and column names from the models go into the text; every value is a parameter.
        sql = (
            f"SELECT {col(Membership, 'ruolo')}, {col(Membership, 'nodo')}, {col(Membership, 'ente')}, "  # noqa: S608
            f"{col(Membership, 'sede')} FROM {m} WHERE {col(Membership, 'user')} = %s "
            f"AND {col(Membership, 'attiva')} = %s AND {col(Membership, 'ruolo')} IN ({ruoli}) "
            f"UNION ALL SELECT %s, {col(Olp, 'id')}, NULL, NULL FROM {o} "
            f"WHERE {col(Olp, 'user')} = %s AND {col(Olp, 'attivo')} = %s "
            f"UNION ALL SELECT %s, NULL, NULL, NULL FROM {v} WHERE {col(Volontario, 'user')} = %s"
        )
        _SQL["ambito"] = sql
    return sql


def ambito(user) -> Ambito:
    """The user's scope; cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return VUOTO
    cached = getattr(user, "_ambito_cache", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        parametri = [user.pk, True, *RUOLI_MEMBERSHIP, Ruolo.OLP.value, user.pk, True, Ruolo.VOLONTARIO.value, user.pk]
        cursor.execute(_sql_ambito(user), parametri)
        righe = cursor.fetchall()

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
