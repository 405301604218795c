"""Faults: two people acting on the same month at the same instant, on PostgreSQL. Each test
starts two threads together (a barrier), each on its own database connection: one wins, the
other is told, and the month holds one confirmation, or one person's whole grid."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from enti.models import Membership
from enti.roles import Ruolo
from tests.conftest import need
from tests.personas import costruisci_mondo, utente
from tests.volontari.test_griglia import dati_mese
from volontari import actions
from volontari.models import ChiusuraMensile, Presenza
from volontari.rules import Voce

pytestmark = pytest.mark.django_db(transaction=True)
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def mondo():
    need(connection.vendor == "postgresql", "row locks need PostgreSQL")
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=300)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=60)
    a.save()
    mondo.users["staff_a"] = utente("staff.a@example.org")
    Membership.objects.create(user=mondo.users["staff_a"], ruolo=Ruolo.STAFF_ENTE, ente=mondo.oggetti["enti"]["a"])
    return mondo


def mese_completo(mondo) -> None:
    a = mondo.oggetti["servizi"]["a"]
    giorni = actions.rules.giorni_di_servizio(a, MESE)
    actions.salva_griglia(
        acting_user=mondo.users["olp_a"],
        mese=MESE,
        modifiche={a.pk: {g: Voce(g, "P", "servizio", 5) if g.weekday() < 5 else Voce(g, "NL") for g in giorni}},
        versioni={},
    )


def insieme(*azioni) -> list:
    """Run the actions in threads released together; each returns its result or the exception
    it raised."""
    barriera = threading.Barrier(len(azioni))
    esiti: list = [None] * len(azioni)

    def esegui(i, azione):
        try:
            barriera.wait(10)
            esiti[i] = azione()
        except Exception as exc:
            esiti[i] = exc
        finally:
            connection.close()

    fili = [threading.Thread(target=esegui, args=(i, a)) for i, a in enumerate(azioni)]
    for f in fili:
        f.start()
    for f in fili:
        f.join(60)
    assert not any(f.is_alive() for f in fili), "a thread is still waiting: a lock was never released"
    return esiti


def test_two_preliminary_confirmations_at_once_leave_one(mondo):
    a = mondo.oggetti["servizi"]["a"]
    mese_completo(mondo)

    def conferma(chi):
        with translation.override("en"):
            return actions.conferma_preliminare(acting_user=mondo.users[chi], servizio=a, mese=MESE)

    esiti = insieme(lambda: conferma("olp_a"), lambda: conferma("referente_a"))
    riusciti = [e for e in esiti if isinstance(e, ChiusuraMensile)]
    rifiutati = [e for e in esiti if isinstance(e, ValidationError)]
    assert len(riusciti) == 1 and len(rifiutati) == 1, esiti
    assert "already been confirmed" in rifiutati[0].messages[0]
    chiusura = ChiusuraMensile.objects.get(servizio=a, mese=MESE)
    assert chiusura.stato == ChiusuraMensile.Stato.CONFERMA_PRELIMINARE
    assert chiusura.conferma_preliminare_da_id == riusciti[0].conferma_preliminare_da_id
    assert AuditEvent.objects.filter(verb="mese.conferma_preliminare").count() == 1


def test_two_general_confirmations_at_once_leave_one(mondo):
    a = mondo.oggetti["servizi"]["a"]
    ente = mondo.oggetti["enti"]["a"]
    mese_completo(mondo)
    actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=a, mese=MESE)
    # The signed sheet (its upload is tested elsewhere): only its presence matters here.
    ChiusuraMensile.objects.filter(servizio=a, mese=MESE).update(foglio_firmato="fogli/firmato.pdf")
    esiti = insieme(
        *[
            lambda chi=chi: actions.conferma_generale(acting_user=mondo.users[chi], ente=ente, mese=MESE)
            for chi in ("referente_a", "staff_a")
        ]
    )
    riusciti = [e for e in esiti if isinstance(e, list)]
    rifiutati = [e for e in esiti if isinstance(e, ValidationError)]
    assert len(riusciti) == 1 and len(rifiutati) == 1, esiti
    assert rifiutati[0].messages == ["Questo mese è già confermato."]
    chiusura = ChiusuraMensile.objects.get(servizio=a, mese=MESE)
    assert chiusura.stato == ChiusuraMensile.Stato.CONFERMATA
    assert chiusura.confermata_da_id == riusciti[0][0].confermata_da_id
    assert AuditEvent.objects.filter(verb="mese.conferma_generale").count() == 1


def test_two_grid_saves_on_the_same_token_one_whole_month_wins(mondo):
    """The OLP and the referente open the empty month (token "0") and save it with different
    hours at the same instant: one month is saved whole, the other person is told."""
    a = mondo.oggetti["servizi"]["a"]
    dati = {"olp_a": dati_mese([a], MESE)}
    dati["referente_a"] = {k: ("4" if k.startswith("o-") and v == "5" else v) for k, v in dati["olp_a"].items()}
    assert dati["olp_a"][f"ver-{a.pk}"] == dati["referente_a"][f"ver-{a.pk}"] == actions.versione([])
    clienti = {}
    for chi in dati:
        clienti[chi] = Client()
        clienti[chi].force_login(mondo.users[chi])
    esiti = insieme(
        *[
            lambda chi=chi: clienti[chi].post(reverse("registro:griglia"), dati[chi], headers={"HX-Request": "true"})
            for chi in dati
        ]
    )
    codici = sorted(r.status_code for r in esiti)
    assert codici == [200, 422], codici
    vincitore, perdente = (chi for _c, chi in sorted((r.status_code, chi) for chi, r in zip(dati, esiti, strict=True)))
    assert "ricarica la pagina" in esiti[list(dati).index(perdente)].content.decode()
    righe = Presenza.objects.filter(servizio=a, giorno__gte=MESE, giorno__lte=actions.ultimo_del_mese(MESE))
    assert righe.count() == len(actions.rules.giorni_di_servizio(a, MESE))
    ore_feriali = {r.ore for r in righe if r.codice == "P"}
    assert ore_feriali == {5 if vincitore == "olp_a" else 4}, ore_feriali  # nothing mixed
    assert {r.inserita_da_id for r in righe} == {mondo.users[vincitore].pk}
    assert AuditEvent.objects.filter(verb="presenze.salvate").count() == 1
