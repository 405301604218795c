"""The network's public counters.

Definitions (DESIGN.md), for the whole network and per nodo, on a given day:
- Enti e Comuni: enti whose adhesion is active (`Ente.objects.aderenti`);
- OLP attivi: OLP with at least one volunteer in service that day;
- Volontari attivi: services in progress that day (`Servizio.objects.in_corso`).

They are computed in SQL (four queries whatever the data size) and kept in the cache
under a key that carries the day, so that the day's first read after midnight misses and
recomputes. Every committed change to a row that moves them rewrites the entry; a page
view on a hit touches no database.
"""

import datetime
import hashlib
import json
from typing import NotRequired, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from enti.models import Ente, Nodo, Olp
from infra import memoria
from volontari.models import Servizio


class Cifre(TypedDict):
    enti: int
    olp: int
    volontari: int


class CifreNodo(Cifre):
    slug: str
    nome: str
    livello: str


class Contatori(TypedDict):
    giorno: str
    calcolati_il: str
    rete: Cifre
    nodi: list[CifreNodo]
    versione: NotRequired[str]  # the figures' fingerprint, computed once with them


def cache_key(day: datetime.date) -> str:
    return f"network:counters:{day.isoformat()}"


def calcola(day: datetime.date) -> Contatori:
    """The counters on `day`, straight from the database."""
    enti_per_nodo = dict(Ente.objects.aderenti(day).values("nodo").annotate(n=Count("id")).values_list("nodo", "n"))
    in_corso = Servizio.objects.in_corso(day)
    per_nodo = {
        row["posto__sede__ente__nodo"]: row
        for row in in_corso.values("posto__sede__ente__nodo").annotate(
            volontari=Count("id"), olp=Count("olp", distinct=True)
        )
    }
    # An OLP following volunteers in two nodi counts once for the network.
    totali = in_corso.aggregate(volontari=Count("id"), olp=Count("olp", distinct=True))
    nodi: list[CifreNodo] = []
    for nodo in Nodo.objects.order_by("ordine", "nome").values("id", "slug", "nome", "livello"):
        row = per_nodo.get(nodo["id"], {})
        nodi.append(
            CifreNodo(
                slug=nodo["slug"],
                nome=nodo["nome"],
                livello=nodo["livello"],
                enti=enti_per_nodo.get(nodo["id"], 0),
                olp=row.get("olp", 0),
                volontari=row.get("volontari", 0),
            )
        )
    contatori = Contatori(
        giorno=day.isoformat(),
        calcolati_il=timezone.now().isoformat(),
        rete=Cifre(enti=sum(enti_per_nodo.values()), olp=totali["olp"], volontari=totali["volontari"]),
        nodi=nodi,
    )
    contatori["versione"] = versione(contatori)
    return contatori


def refresh(day: datetime.date | None = None) -> Contatori:
    """Recompute the counters and store them in the cache."""
    day = day or timezone.localdate()
    contatori = calcola(day)
    cache.set(cache_key(day), contatori, timeout=settings.COUNTERS_CACHE_SECONDS)
    memoria.scrivi(cache_key(day), contatori)
    return contatori


def get(day: datetime.date | None = None) -> Contatori:
    """The counters from this process's copy (infra.memoria), else the shared cache, else
    computed."""
    day = day or timezone.localdate()
    contatori = memoria.leggi(cache_key(day), lambda: cache.get(cache_key(day)))
    if contatori is None:
        contatori = refresh(day)
    return contatori


def versione(contatori: Contatori) -> str:
    """A short fingerprint of the figures (not of when they were computed): the ETag of the
    pages that show them, so that a client or proxy revalidates with a 304 until one moves.
    Computed once when the figures are (every request asks for it)."""
    if "versione" in contatori:
        return contatori["versione"]
    cifre = {"giorno": contatori["giorno"], "rete": contatori["rete"], "nodi": contatori["nodi"]}
    return hashlib.sha256(json.dumps(cifre, sort_keys=True).encode()).hexdigest()[:16]


def scatta_istantanea(day: datetime.date | None = None):
    """Keep the day's counters for the history (idempotent: one row per day)."""
    from .models import Istantanea

    day = day or timezone.localdate()
    contatori = refresh(day) if day == timezone.localdate() else calcola(day)
    istantanea, _created = Istantanea.objects.update_or_create(
        giorno=day,
        defaults={
            **contatori["rete"],
            "nodi": [{k: n[k] for k in ("slug", "nome", "enti", "olp", "volontari")} for n in contatori["nodi"]],
        },
    )
    return istantanea


def _refresh_after_commit() -> None:
    refresh()


def schedule_refresh() -> None:
    """Refresh once after the current transaction commits, however many rows it changed;
    nothing happens if it rolls back."""
    pending = getattr(connection, "run_on_commit", [])
    if any(func is _refresh_after_commit for _, func, _ in pending):
        return
    transaction.on_commit(_refresh_after_commit)


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the loader refreshes at the end
        return
    schedule_refresh()


# The rows whose changes move the counters: adhesions, services, and the OLP and nodi that
# group them. Only a cache refresh hangs on these signals, never domain logic.
_MOVERS = (Nodo, Ente, Olp, Servizio)


def connect_refresh_on_change() -> None:
    for model in _MOVERS:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"counters-save-{model._meta.label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"counters-delete-{model._meta.label}")
