"""The SQL queries of every list and detail page, opened by the demo's people (the same
accounts exist at both scales): one JSON line {page: queries}. bench/run.py runs it against
the demo-size and the national-size database and compares."""

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

from enti.models import Membership, Nodo  # noqa: E402
from progetti.models import Progetto  # noqa: E402
from pubblico.views_catalogo import catalogo_queryset  # noqa: E402
from volontari.models import Servizio  # noqa: E402


def main() -> None:
    User = get_user_model()
    ente_id = Membership.objects.get(user__email="referente@demo.example", ruolo="referente").ente_id
    servizio = Servizio.objects.filter(posto__sede__ente_id=ente_id, stato="in_servizio").order_by("pk").first()
    progetto = Progetto.objects.filter(ente_id=ente_id).order_by("pk").first()
    lombardia = Nodo.objects.get(slug="lombardia")
    pagine = {
        None: [
            ("home", []), ("pubblico:rete", []), ("pubblico:nodo", [lombardia.slug]), ("pubblico:numeri", []),
            ("pubblico:notizie", []), ("pubblico:dati", []), ("catalogo:lista", []),
            ("catalogo:dettaglio", [catalogo_queryset().first().pk]),
        ],
        "referente@demo.example": [
            ("dashboard", []), ("enti:lista", []), ("enti:dettaglio", [ente_id]), ("volontari:lista", []),
            ("volontari:dettaglio", [servizio.volontario_id]), ("progetti:lista", []),
            ("progetti:dettaglio", [progetto.pk]), ("registro:griglia", []), ("registro:volontario", [servizio.pk]),
            ("registro:chiusura_ente", [ente_id]), ("registro:relazioni", []), ("report:lista", []),
            ("inviti:lista", []), ("monitoraggio:cruscotto", []),
        ],
        "nodo.lombardia@demo.example": [
            ("dashboard", []), ("enti:lista", []), ("progetti:lista", []), ("inviti:richieste", []),
            ("monitoraggio:cruscotto", []), ("audit:eventi", []),
        ],
        "olp@demo.example": [("registro:griglia", []), ("registro:relazioni", [])],
        "volontario@demo.example": [("volontari:mio", [])],
    }  # fmt: skip
    out = {}
    for email, elenco in pagine.items():
        client = Client(HTTP_HOST="localhost")
        if email:
            client.force_login(User.objects.get(email=email))
        chi = email.split("@")[0] if email else "anonimo"
        for nome, args in elenco:
            url = reverse(nome, args=args)
            client.get(url)  # the first request of a session records it
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                risposta = client.get(url)
            assert risposta.status_code == 200, (nome, chi, risposta.status_code)
            out[f"{nome} ({chi})"] = len(ctx.captured_queries)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
