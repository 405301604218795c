"""The plans PostgreSQL chooses, at the database's real size, for the hot queries: the demo
OLP's month grid and the public counters. Each query the code sends is captured and run
again under EXPLAIN ANALYZE; one JSON line lists, per query, the tables it reads, how (index
names or sequential scans) and its execution time. The test suite checks on a small database
that these queries can use their indexes (tests/volontari/test_explain_indici.py); this shows
that PostgreSQL does use them when the tables hold millions of rows."""

import datetime
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from pubblico import counters  # noqa: E402

CALDE = ("volontari_presenza", "volontari_servizio", "volontari_chiusuramensile")


def accessi(nodo: dict, out: list) -> None:
    relazione = nodo.get("Relation Name")
    if relazione in CALDE:
        out.append(f"{relazione}: {nodo['Node Type']}" + (f" {nodo['Index Name']}" if "Index Name" in nodo else ""))
    for figlio in nodo.get("Plans", []):
        accessi(figlio, out)


def spiega(nome: str, azione) -> list[dict]:
    catturate = []

    def cattura(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT") and any(f'"{t}"' in sql for t in CALDE):
            catturate.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cattura):
        azione()
    righe = []
    with connection.cursor() as cursor:
        for sql, params in catturate:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            piano = cursor.fetchone()[0]
            piano = piano[0] if isinstance(piano, list) else json.loads(piano)[0]
            letture: list[str] = []
            accessi(piano["Plan"], letture)
            righe.append({"pagina": nome, "letture": sorted(set(letture)), "ms": round(piano["Execution Time"], 2)})
    return righe


def main() -> None:
    user = get_user_model().objects.get(email="olp@demo.example")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    oggi = timezone.localdate()
    mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    url = reverse("registro:griglia") + f"?mese={mese:%Y-%m}"
    client.get(url)  # the session's first request records it

    def griglia():
        assert client.get(url).status_code == 200

    out = spiega("month grid (OLP)", griglia) + spiega("public counters", lambda: counters.calcola(oggi))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
