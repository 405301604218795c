"""Every page of the portal runs as many SQL queries with a little data as with more of it.

Each URL name of the authorization matrix that answers 200 to some persona is opened by the
first such persona, before and after the data grows (more volunteers, days, closes,
questionnaires, reports, bodies, projects and news): the counts must be equal. A page whose
count grows has a query per row (N+1)."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoraggio.models import Report
from progetti.models import PostoSede
from pubblico.models import Notizia
from tests.factories import EnteFactory, PostoSedeFactory, PresenzaFactory, ProgettoFactory, ServizioFactory
from tests.network.test_authorization_matrix import MATRIX, url_for
from tests.personas import PERSONE, client_per, costruisci_mondo
from volontari.models import ChiusuraMensile, Questionario, RelazioneMensile, Volontario

pytestmark = pytest.mark.django_db

# Pages that answer 200 but are not lists or details of data: their count is checked all the
# same; nothing is excluded.
PAGINE = sorted(n for n, attese in MATRIX.items() if 200 in attese)


def cresci(mondo, n: int) -> None:
    oggi = timezone.localdate()
    mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for chiave in ("a", "b"):
        base = mondo.oggetti["servizi"][chiave]
        # Room for the new volunteers: a full project leaves the public catalogue.
        PostoSede.objects.filter(pk=base.posto_id).update(
            posti_senza_vitto_alloggio=F("posti_senza_vitto_alloggio") + n
        )
        for _ in range(n):
            s = ServizioFactory(posto=base.posto, olp=base.olp, data_inizio=mese - datetime.timedelta(days=40))
            Volontario.objects.filter(pk=s.volontario_id).update(codice_volontario=f"VOL{s.pk}")  # Helios needs it
            for g in range(3):
                PresenzaFactory(servizio=s, giorno=mese + datetime.timedelta(days=g))
            ChiusuraMensile.objects.create(
                servizio=s, mese=mese, stato="confermata", conferma_preliminare_il=timezone.now(),
                confermata_il=timezone.now(),
            )  # fmt: skip
            Questionario.objects.create(servizio=s, tipo="inizio", inviato_il=oggi, scadenza=oggi)
            RelazioneMensile.objects.create(servizio=s, mese=mese, andamento=4, obiettivi=4)
    lombardia = mondo.oggetti["nodi"]["lombardia"]
    ente_a = mondo.oggetti["enti"]["a"]
    for i in range(n):
        EnteFactory(nodo=lombardia)
        p = ProgettoFactory(ente=ente_a, stato="approvato")
        PostoSedeFactory(progetto=p, sede=mondo.oggetti["servizi"]["a"].posto.sede, posti_senza_vitto_alloggio=2)
        Notizia.objects.create(titolo=f"N{i}", slug=f"n-{i}", sommario="S", testo="T", pubblicata=True)
        Report.objects.create(tipo="mensile_ente", ente=ente_a, periodo_inizio=mese, periodo_fine=mese)


def conta(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.status_code, len(ctx.captured_queries)


@pytest.mark.parametrize("nome", PAGINE)
def test_query_count_does_not_grow_with_the_data(client, nome):
    from django.core.cache import cache

    mondo = costruisci_mondo()
    persona = PERSONE[MATRIX[nome].index(200)]
    url = url_for(nome, mondo)
    c = client_per(client, mondo, persona)
    c.get(url)  # the first request of a session records it; caches warm up
    cache.clear()
    stato, prima = conta(c, url)
    assert stato == 200
    cresci(mondo, 6)
    cache.clear()
    stato, dopo = conta(c, url)
    assert stato == 200
    assert dopo == prima, f"{nome} as {persona}: {prima} queries before, {dopo} after the data grew"
