"""What must survive a backup and restore, as JSON: the public counters (computed, not read
from the cache), the number and hours of the attendance days, the audit log (count and a hash
of every row) and the row count of every table. Usage: python .ci/impronta_db.py DATABASE_URL"""

import datetime
import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = sys.argv[1]
os.environ.pop("REDIS_URL", None)  # nothing read from a cache
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings.local")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import AuditEvent  # noqa: E402
from pubblico import counters  # noqa: E402
from volontari.models import Presenza  # noqa: E402


def _audit() -> dict:
    h = hashlib.sha256()
    n = 0
    for riga in (
        AuditEvent.objects.order_by("pk")
        .values_list(
            "pk", "verb", "actor_id", "target_type", "target_id", "target_repr", "data", "created_at", "ip_address"
        )
        .iterator(chunk_size=5000)
    ):
        h.update(json.dumps(riga, sort_keys=True, default=str).encode())
        n += 1
    return {"righe": n, "sha256": h.hexdigest()}


giorno = datetime.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else timezone.localdate()
contatori = dict(counters.calcola(giorno))
contatori.pop("calcolati_il")  # when they were computed, not what
impronta = {
    "contatori": contatori,
    "presenze": Presenza.objects.aggregate(righe=Count("pk"), ore=Sum("ore")),
    "audit": _audit(),
    "tabelle": {
        m._meta.db_table: m._base_manager.count()
        for m in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table)
        if m._meta.managed and not m._meta.proxy
    },
}
print(json.dumps(impronta, sort_keys=True, indent=1, default=str))
