"""Public pages kept rendered for anonymous visitors.

The catalogue, the network's and nodes' pages, the figures, the news and the open-data files
show the same thing to every visitor without a session. At national scale rendering them
costs 10–150 ms each (docs/benchmarks.md, load run), so the answer is kept in the cache under
a key made of:

- a *generation* of the public data, replaced on every change to a model these pages show
  and again when its transaction commits;
- the counters' fingerprint, which carries the day (the catalogue's open places and the
  figures change with the date);
- the language and the full path with its query string.

So an entry is never served after the data it shows has changed; it also expires after
`DURATA` seconds, a safety net for writes that send no signal (bulk updates), matching the
`max-age` the pages already give shared proxies. Each worker keeps the generation and the
entries it reads for a second (infra.memoria). Signed-in visitors, and visitors with a
message waiting, always get a freshly rendered page; what it shows everybody can be kept the
same way for them too (`dati`: the catalogue's list of open projects).
"""

import hashlib
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language

from infra import memoria

from . import counters

CHIAVE_GENERAZIONE = "network:pubblico:generazione"
DURATA = 30  # seconds: as long as shared proxies may keep these pages (MAX_AGE_PAGINE)


def generazione() -> str:
    def dal_cache() -> str | None:
        valore = cache.get(CHIAVE_GENERAZIONE)
        if valore is None:
            valore = uuid.uuid4().hex
            cache.add(CHIAVE_GENERAZIONE, valore, timeout=None)
            valore = cache.get(CHIAVE_GENERAZIONE) or valore
        return valore

    return memoria.leggi(CHIAVE_GENERAZIONE, dal_cache)


def _nuova_generazione() -> None:
    cache.set(CHIAVE_GENERAZIONE, uuid.uuid4().hex, timeout=None)
    memoria.dimentica(CHIAVE_GENERAZIONE)


def dati_cambiati(sender=None, **kwargs) -> None:
    """A public model changed: a new generation now, for this process and its transaction
    (which already sees the change), and again once the transaction commits (once however many
    rows it wrote), since another process may have cached a page between the two."""
    if kwargs.get("raw"):
        return
    _nuova_generazione()
    pending = getattr(connection, "run_on_commit", [])
    if any(func is _nuova_generazione for _, func, _ in pending):
        return
    transaction.on_commit(_nuova_generazione)


def collega() -> None:
    """Connect the receivers (from PubblicoConfig.ready)."""
    from enti.models import Ente, Nodo, Sede
    from progetti.models import Area, Bando, PostoSede, Progetto, Settore
    from volontari.models import Servizio

    from .models import Istantanea, Notizia

    for model in (Ente, Nodo, Sede, Progetto, PostoSede, Settore, Area, Bando, Servizio, Notizia, Istantanea):
        post_save.connect(dati_cambiati, sender=model, dispatch_uid=f"pagine-save-{model._meta.label}")
        post_delete.connect(dati_cambiati, sender=model, dispatch_uid=f"pagine-delete-{model._meta.label}")


def anonimo(request) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def dati(nome: str, calcola):
    """`calcola()`, a value made of public data only, kept like the pages (under the data's
    generation and the day, for `DURATA` seconds at most) and shared by every visitor, signed
    in or not: what a page shows everybody (the catalogue's open projects), while the page
    itself is rendered for the signed-in visitor."""
    impronta = f"{generazione()}|{counters.versione(counters.get())}|{nome}"
    chiave = "network:dati:" + hashlib.sha256(impronta.encode()).hexdigest()[:32]
    valore = memoria.leggi(chiave, lambda: cache.get(chiave))
    if valore is None:
        valore = calcola()
        cache.set(chiave, valore, timeout=DURATA)
        memoria.scrivi(chiave, valore)
    return valore


def in_cache(view):
    """Serve `view`'s 200 answers to anonymous visitors from the cache (see the module)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not anonimo(request):
            return view(request, *args, **kwargs)
        impronta = f"{generazione()}|{counters.versione(counters.get())}|{get_language()}|{request.get_full_path()}"
        chiave = "network:pagina:" + hashlib.sha256(impronta.encode()).hexdigest()[:32]
        salvata = memoria.leggi(chiave, lambda: cache.get(chiave))
        if salvata is not None:
            etag = salvata["intestazioni"].get("ETag")
            if etag:
                non_cambiata = get_conditional_response(request, etag=etag)
                if non_cambiata is not None:
                    for nome in ("ETag", "Cache-Control"):
                        if nome in salvata["intestazioni"]:
                            non_cambiata[nome] = salvata["intestazioni"][nome]
                    return non_cambiata
            response = HttpResponse(salvata["corpo"])
            for nome, valore in salvata["intestazioni"].items():
                response[nome] = valore
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            salvata = {"corpo": response.content, "intestazioni": dict(response.items())}
            cache.set(chiave, salvata, timeout=DURATA)
            memoria.scrivi(chiave, salvata)
        return response

    return wrapper
