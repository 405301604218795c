"""One way to scope a query: a QuerySet declares how its rows reach the scope kinds of
`enti.access.Ambito`, and `filtro` turns a user's scope into the `Q` of `visible_to`.

A model's QuerySet subclasses `AmbitoQuerySet` and sets `AMBITI`, a mapping from scope kind
to a path, in the order the `Q` is ORed (the order of the SQL):

- ``"utente"``: the signed-in user themselves (their volunteer record, the rows they wrote);
- ``"nodi"``, ``"enti"``, ``"enti_referente"``, ``"sedi"``: the ids the user governs;
- ``"olp"``: the user's OLP record.

A path is a lookup string (``"ente__nodo_id"`` gives ``Q(ente__nodo_id__in=ids)``, or
``Q(olp_id=id)`` / ``Q(user=user)`` for the single-valued kinds), a `Tramite` (a subquery on
another table, no join), a callable taking the kind's value and returning a `Q`, a tuple of
these (ORed), or `None`: that scope sees nothing. A kind left out sees nothing too. National
staff see everything; a QuerySet whose rows are visible through their parent's sets
`ATTRAVERSO = ("field", "app.Model")` instead.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from .access import Ambito, ambito

TIPI = ("utente", "nodi", "enti", "enti_referente", "sedi", "olp")
SINGOLI = frozenset({"utente", "olp"})  # one value, not a set of ids


@dataclass(frozen=True)
class Tramite:
    """``campo IN (SELECT colonna FROM modello WHERE filtro(value))``: a subquery instead of a join."""

    modello: str  # "app_label.Model"
    filtro: str  # lookup on `modello` matched against the scope's value(s)
    colonna: str  # the column of `modello` selected
    campo: str = "pk"  # the lookup of this model compared with the subquery

    def q(self, valore, singolo: bool) -> Q:
        model = apps.get_model(self.modello)
        lookup = self.filtro if singolo else f"{self.filtro}__in"
        return Q(**{f"{self.campo}__in": model.objects.filter(**{lookup: valore}).values(self.colonna)})


Percorso = str | Tramite | Callable[[Any], Q] | tuple | None


def _q(percorso: Percorso, valore, singolo: bool) -> Q:
    if percorso is None:
        return Q()
    if isinstance(percorso, tuple):
        q = Q()
        for parte in percorso:
            q |= _q(parte, valore, singolo)
        return q
    if isinstance(percorso, str):
        return Q(**{percorso if singolo else f"{percorso}__in": valore})
    if isinstance(percorso, Tramite):
        return percorso.q(valore, singolo)
    return percorso(valore)


def valore(a: Ambito, user, tipo: str):
    """The value of one scope kind for this user (falsy: the kind does not apply)."""
    if tipo == "utente":
        return user if user is not None and user.is_authenticated else None
    return getattr(a, tipo)


def filtro(user, percorsi: Mapping[str, Percorso], a: Ambito | None = None) -> Q:
    """The user's scope as a `Q` over a model reaching the scope kinds by `percorsi`; an empty
    `Q` when no kind applies (the caller answers nothing). National staff are not handled
    here: they see everything."""
    sconosciuti = set(percorsi) - set(TIPI)
    if sconosciuti:
        raise ValueError(f"Unknown scope kinds: {sorted(sconosciuti)}")
    a = ambito(user) if a is None else a
    q = Q()
    for tipo, percorso in percorsi.items():
        v = valore(a, user, tipo)
        if v:
            q |= _q(percorso, v, tipo in SINGOLI)
    return q


class AmbitoQuerySet(models.QuerySet):
    """A QuerySet scoped by its declared `AMBITI` (or through its parent, `ATTRAVERSO`)."""

    AMBITI: Mapping[str, Percorso] = {}
    ATTRAVERSO: tuple[str, str] | None = None

    def visible_to(self, user):
        if self.ATTRAVERSO is not None:
            campo, modello = self.ATTRAVERSO
            genitori = apps.get_model(modello).objects.visible_to(user)
            return self.filter(**{f"{campo}__in": genitori.values("pk")})
        a = ambito(user)
        if a.nazionale:
            return self.all()
        q = filtro(user, self.AMBITI, a)
        return self.filter(q) if q else self.none()
