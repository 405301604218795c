"""The SQL queries of every page bench/pagine.py times, opened by the same people (the demo's
accounts, present at both scales), plus the public pages for an anonymous visitor: one JSON
line {page (persona): queries}. bench/run.py runs it against the demo-size and the
national-size database and compares."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.pagine import PERSONE, elenco  # noqa: E402
from enti.models import Nodo  # noqa: E402
from infra import memoria  # noqa: E402
from pubblico.views_catalogo import catalogo_queryset  # noqa: E402


def main(solo: tuple[str, ...] = ()) -> None:
    """`solo`: count only the URL names starting with one of these prefixes."""
    User = get_user_model()
    lombardia = Nodo.objects.get(slug="lombardia")
    pagine = {
        None: [
            ("home", "/"), *((n, reverse(n)) for n in ("pubblico:rete", "pubblico:numeri", "pubblico:notizie",
                                                        "pubblico:dati", "catalogo:lista")),
            ("pubblico:nodo", reverse("pubblico:nodo", args=[lombardia.slug])),
            ("catalogo:dettaglio", reverse("catalogo:dettaglio", args=[catalogo_queryset().first().pk])),
        ],
        # Every page bench/pagine.py times, for the same people.
        **{email: elenco(User.objects.get(email=email)) for email in PERSONE.values()},
    }  # fmt: skip
    chi_di = {email: persona for persona, email in PERSONE.items()}
    out = {}
    for email in pagine:
        client = Client(HTTP_HOST="localhost")
        if email:
            client.force_login(User.objects.get(email=email))
        chi = chi_di[email] if email else "anonimo"
        for nome, url in pagine[email]:
            if solo and not nome.startswith(solo):
                continue
            client.get(url)  # the first request of a session records it
            cache.clear()
            memoria.svuota()  # each process's copy of the cache too (CACHE_LOCALE_SECONDI)
            with CaptureQueriesContext(connection) as ctx:
                risposta = client.get(url)
            if risposta.status_code == 200:  # redirects and POST-only pages: nothing to count
                out[f"{nome} ({chi})"] = len(ctx.captured_queries)
    print(json.dumps(out))


if __name__ == "__main__":
    main(tuple(sys.argv[1:]))
