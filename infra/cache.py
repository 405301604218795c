"""A Redis cache that a Redis outage cannot take down.

Django's RedisCache raises on every operation when Redis does not answer, so a stopped Redis
would turn every page into a 500. Here each operation that meets a connection error or a
timeout behaves as if the entry were not there: reads miss, writes are skipped. Callers
already handle a miss (the counters are computed from the database), so the portal keeps
serving, only slower. After an error Redis is left alone for `PAUSA_DOPO_ERRORE` seconds
(per process), so a page does not pay a connection timeout for each of its cache calls, and
one warning is logged per pause, naming the operation and the error class only (keys may
carry user ids or addresses).

`add()` answers True while Redis is down, as if the value had been stored: allauth takes its
rate-limit lock and marks used TOTP codes with `add()`, and answering False would lock
everybody out of signing in. Rate limits and the TOTP replay check are therefore not
enforced during an outage (fail open, with the warning in the log); see docs/architecture.md.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

GUASTI = (RedisConnectionError, RedisTimeoutError)

# Server location -> monotonic time until which it is treated as down (shared by the threads
# of a process: each thread has its own cache object).
_giu_fino: dict[str, float] = {}
_ASSENTE = object()


class RedisTollerante(RedisCache):
    def __init__(self, server, params):
        opzioni = dict(params.get("OPTIONS") or {})
        self.pausa = float(opzioni.pop("PAUSA_DOPO_ERRORE", 5))
        # Without these a Redis host that vanished (no RST) would hold each page for the
        # operating system's connect timeout.
        opzioni.setdefault("socket_connect_timeout", 0.5)
        opzioni.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": opzioni})
        self._luogo = server if isinstance(server, str) else ",".join(server)

    def raggiungibile(self) -> bool:
        """Whether Redis answers now (for the health check): the one call that does not hide
        an outage."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except GUASTI:
            return False

    def _giu(self) -> bool:
        return _giu_fino.get(self._luogo, 0.0) > time.monotonic()

    def _prova(self, operazione: str, chiamata, ripiego):
        if self._giu():
            return ripiego
        try:
            return chiamata()
        except GUASTI as exc:
            _giu_fino[self._luogo] = time.monotonic() + self.pausa
            logger.warning(
                "Cache unreachable (%s during %s): reads miss and writes are skipped for %s s",
                type(exc).__name__, operazione, self.pausa,
            )  # fmt: skip
            return ripiego

    def get(self, key, default=None, version=None):
        sopra = super().get
        return self._prova("get", lambda: sopra(key, default, version), default)

    def get_many(self, keys, version=None):
        sopra = super().get_many
        return self._prova("get_many", lambda: sopra(keys, version), {})

    def has_key(self, key, version=None):
        sopra = super().has_key
        return self._prova("has_key", lambda: sopra(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        sopra = super().add
        return self._prova("add", lambda: sopra(key, value, timeout, version), True)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        sopra = super().set
        return self._prova("set", lambda: sopra(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        sopra = super().set_many
        return self._prova("set_many", lambda: sopra(data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        sopra = super().touch
        return self._prova("touch", lambda: sopra(key, timeout, version), False)

    def delete(self, key, version=None):
        sopra = super().delete
        return self._prova("delete", lambda: sopra(key, version), False)

    def delete_many(self, keys, version=None):
        sopra = super().delete_many
        return self._prova("delete_many", lambda: sopra(keys, version), None)

    def incr(self, key, delta=1, version=None):
        sopra = super().incr
        valore = self._prova("incr", lambda: sopra(key, delta, version), _ASSENTE)
        if valore is _ASSENTE:
            raise ValueError("Key not found (the cache is unreachable)")
        return valore

    def clear(self):
        sopra = super().clear
        return self._prova("clear", sopra, False)
