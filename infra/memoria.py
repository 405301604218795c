"""A per-process layer over the shared cache for the hottest public reads.

Every open home page polls the counters' endpoint, and every anonymous visit reads the
counters, the latest news and the rendered page. Each of those is a Redis round trip, and a
round trip costs more than all the rest of a cached answer: with it, the counters page could
not come near a bare Django view's throughput (docs/benchmarks.md). So each worker process
keeps what it read for `CACHE_LOCALE_SECONDI` (1 s in production): a change committed in
another process is seen within that second; one committed in this process is seen at once,
because the writer replaces or drops the local entry. 0 turns the layer off (the tests do,
except those of this module, so that they see the shared cache exactly).

Values are shared read-only between requests: callers must not modify what they get.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

MAX_VOCI = 64  # pages by language and ETag, counters by day, news: a handful are live at once

_voci: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def leggi(chiave: str, carica: Callable[[], T | None]) -> T | None:
    """The value under `chiave` from this process if read less than the TTL ago, else from
    `carica()` (kept here unless None, so a miss is retried at the next call)."""
    ttl = settings.CACHE_LOCALE_SECONDI
    if ttl <= 0:
        return carica()
    adesso = time.monotonic()
    voce = _voci.get(chiave)
    if voce is not None and voce[0] > adesso:
        return voce[1]  # type: ignore[return-value]
    valore = carica()
    if valore is not None:
        scrivi(chiave, valore, adesso=adesso)
    return valore


def scrivi(chiave: str, valore: object, *, adesso: float | None = None) -> None:
    ttl = settings.CACHE_LOCALE_SECONDI
    if ttl <= 0:
        return
    with _lock:
        if len(_voci) >= MAX_VOCI and chiave not in _voci:
            _voci.clear()  # simpler than LRU, and rare: the live keys come back within a second
        _voci[chiave] = ((adesso or time.monotonic()) + ttl, valore)


def dimentica(chiave: str) -> None:
    with _lock:
        _voci.pop(chiave, None)


def svuota() -> None:
    with _lock:
        _voci.clear()
