"""The health endpoint for the reverse proxy, the container health check and monitoring.

It answers 503 only when the database does not: without it the portal cannot serve a
page. Redis is reported but never fails the check, because the portal keeps serving
from the database while the cache is down (the counters are recomputed, tasks wait).
No personal data, no session, nothing cached on the way.
"""

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A key nobody writes: reading it costs the cache one round trip and proves it answers.
CHIAVE_SONDA = "salute:sonda"


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("Health check: the database does not answer (%s)", type(exc).__name__)
        return False
    return True


def _cache() -> bool:
    try:
        # The fail-soft Redis cache (infra.cache) hides an outage from reads: ask it directly.
        sonda = getattr(cache, "raggiungibile", None)
        if sonda is not None:
            risponde = sonda()
        else:
            cache.get(CHIAVE_SONDA)
            risponde = True
    except Exception as exc:  # each cache backend raises its own client's errors
        logger.warning("Health check: the cache does not answer (%s)", type(exc).__name__)
        return False
    if not risponde:
        logger.warning("Health check: the cache does not answer")
    return risponde


@require_safe
@never_cache
def salute(request):
    database = _database()
    stato = {"database": "ok" if database else "down", "cache": "ok" if _cache() else "down"}
    return JsonResponse(stato, status=200 if database else 503)
