"""The health endpoint for the reverse proxy, the container health check and monitoring.

It answers 503 only when the database does not: without it the portal cannot serve a
page. Redis is reported but never fails the check, because the portal keeps serving
from the database while the cache is down (the counters are recomputed, tasks wait).
The outbox (infra.outbox) is reported too: how many tasks wait to be sent to the broker and
the age in seconds of the oldest, "degraded" once that age passes OUTBOX_ATTESA_MAX_SECONDI
(the broker has been unreachable that long, or no worker is running to send them). No
personal data, no session, nothing cached on the way.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from infra.models import Outbox

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


def _outbox() -> dict:
    """The tasks still waiting in the outbox and the age of the oldest (one query, on the
    partial index of the waiting rows)."""
    attesa = Outbox.objects.filter(inviato_il__isnull=True).aggregate(n=Count("id"), primo=Min("creato_il"))
    secondi = int((timezone.now() - attesa["primo"]).total_seconds()) if attesa["primo"] else 0
    if secondi > settings.OUTBOX_ATTESA_MAX_SECONDI:
        logger.warning("Health check: %s tasks wait in the outbox, the oldest for %s s", attesa["n"], secondi)
    return {
        "outbox": "degraded" if secondi > settings.OUTBOX_ATTESA_MAX_SECONDI else "ok",
        "outbox_in_attesa": attesa["n"],
        "outbox_attesa_secondi": secondi,
    }


@require_safe
@never_cache
def salute(request):
    database = _database()
    stato = {"database": "ok" if database else "down", "cache": "ok" if _cache() else "down"}
    if database:
        try:
            stato |= _outbox()
        except DatabaseError as exc:
            logger.error("Health check: the outbox cannot be read (%s)", type(exc).__name__)
            stato["outbox"] = "unknown"
    return JsonResponse(stato, status=200 if database else 503)
