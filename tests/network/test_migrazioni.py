"""The models that left the network app keep their tables and their rows: a database built by
the migrations before the move, with a row in each moved table, is migrated forward and every
row reads back, unchanged, through the models of the apps they moved to (network 0008 and the
new apps' 0001)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import AuditEvent
from adesioni.models import Invito, RichiestaAccesso
from infra.models import Outbox
from monitoraggio.models import Allerta, Report
from pubblico.models import Istantanea, Notizia
from tests.factories import ComuneFactory, EnteFactory, NodoFactory, ServizioFactory, UserFactory

PRIMA = [
    ("network", "0007_allerta_settimana_sotto_minimo"),
    ("infra", None),
    ("pubblico", None),
    ("monitoraggio", None),
    ("adesioni", None),
]
DOVE = {
    "invito": "adesioni",
    "richiestaaccesso": "adesioni",
    "report": "monitoraggio",
    "allerta": "monitoraggio",
    "istantanea": "pubblico",
    "notizia": "pubblico",
    "outbox": "infra",
}


def _migra(obiettivo):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(obiettivo)
    return executor.loader.project_state([n for n in obiettivo if n[1] is not None], at_end=True).apps


def _foglie():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_moved_tables_keep_every_row_through_the_migrations():
    nodo = NodoFactory()
    ente = EnteFactory(nodo=nodo)
    comune = ComuneFactory()
    servizio = ServizioFactory(posto__sede__ente=ente)
    user = UserFactory()
    adesso = timezone.now()
    try:
        vecchie = _migra(PRIMA)
        V = {nome: vecchie.get_model("network", nome) for nome in DOVE}
        invito = V["invito"].objects.create(
            email="nuovo@example.org", ruolo="referente", ente_id=ente.pk, token_hash="a" * 64,
            creato_da_id=user.pk, scade_il=adesso + datetime.timedelta(days=7),
        )  # fmt: skip
        richiesta = V["richiestaaccesso"].objects.create(
            denominazione="Comune di Prova", codice_fiscale="00000000000", comune_id=comune.pk, nodo_id=nodo.pk,
            pec="prova@pec.example.org", rappresentante_legale="Il Sindaco", nome="Ada", cognome="Rossi",
            email="ada@example.org",
        )  # fmt: skip
        report = V["report"].objects.create(
            tipo="mensile_ente", ente_id=ente.pk, periodo_inizio=datetime.date(2026, 1, 1),
            periodo_fine=datetime.date(2026, 1, 31), richiesto_da_id=user.pk,
        )  # fmt: skip
        allerta = V["allerta"].objects.create(
            tipo="malattia_oltre", chiave=f"malattia:{servizio.pk}", ente_id=ente.pk, servizio_id=servizio.pk,
            messaggio="Malattia oltre i giorni retribuiti",
        )  # fmt: skip
        istantanea = V["istantanea"].objects.create(
            giorno=datetime.date(2026, 1, 31), enti=3, olp=2, volontari=5, nodi=[{"slug": nodo.slug}]
        )
        notizia = V["notizia"].objects.create(
            titolo="Nuovo bando", slug="nuovo-bando", sommario="In breve", testo="Testo", nodo_id=nodo.pk,
            pubblicata=True,
        )  # fmt: skip
        outbox = V["outbox"].objects.create(task="network.tasks.genera_report", args=[report.pk])
        prima = {nome: list(V[nome].objects.values()) for nome in DOVE}
        assert all(len(righe) == 1 for righe in prima.values())
        tipi = {nome: ContentType.objects.get_or_create(app_label="network", model=nome)[0].pk for nome in DOVE}
        permessi = set(Permission.objects.filter(content_type__app_label="network").values_list("pk", "codename"))
        assert len(permessi) == 4 * len(DOVE)  # add, change, delete, view
        evento = AuditEvent.objects.create(verb="invito.creato", target_type="network.invito", target_id=invito.pk)

        _migra(_foglie())

        nuovi = {
            "invito": Invito, "richiestaaccesso": RichiestaAccesso, "report": Report, "allerta": Allerta,
            "istantanea": Istantanea, "notizia": Notizia, "outbox": Outbox,
        }  # fmt: skip
        for nome, modello in nuovi.items():
            assert modello._meta.app_label == DOVE[nome]
            # The columns the row had before the move (later migrations may add others).
            assert list(modello.objects.values(*prima[nome][0])) == prima[nome], nome
        assert Invito.objects.get().email == invito.email and Invito.objects.get().ente == ente
        assert RichiestaAccesso.objects.get(pk=richiesta.pk).comune == comune
        assert Report.objects.get(pk=report.pk).ambito == ente
        assert Allerta.objects.get(pk=allerta.pk).servizio == servizio
        assert Istantanea.objects.get(pk=istantanea.pk).nodi == [{"slug": nodo.slug}]
        assert Notizia.objects.pubblicate().get().pk == notizia.pk
        assert Outbox.objects.get().args == [outbox.args[0]]
        # Content types (so permissions and the admin's history) and audit labels followed.
        for nome, pk in tipi.items():
            assert ContentType.objects.get(pk=pk).app_label == DOVE[nome]
        assert not ContentType.objects.filter(app_label="network", model__in=list(DOVE)).exists()
        assert set(Permission.objects.filter(pk__in=[pk for pk, _c in permessi]).values_list("pk", "codename")) == (
            permessi
        )
        evento.refresh_from_db()
        assert evento.target_type == "adesioni.invito"
    finally:
        _migra(_foglie())
