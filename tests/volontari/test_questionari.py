"""Volunteer questionnaires and the OLP's monthly reports: when they are sent, who answers,
all-or-nothing saves, and how they feed the indicators without exposing single answers."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from monitoraggio import indicatori
from tests.factories import ServizioFactory, UserFactory
from tests.personas import costruisci_mondo
from volontari import questionari
from volontari.models import Questionario, RelazioneMensile, Servizio

pytestmark = pytest.mark.django_db
INIZIO = datetime.date(2026, 1, 10)
FINE = datetime.date(2027, 1, 9)


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    Servizio.objects.filter(pk=mondo.oggetti["servizi"]["a"].pk).update(
        data_inizio=INIZIO, data_fine=FINE, data_fine_prevista=FINE
    )
    for altro in ("b", "v"):
        Servizio.objects.filter(pk=mondo.oggetti["servizi"][altro].pk).update(stato="rinuncia")
    mondo.oggetti["servizi"]["a"].refresh_from_db()
    return mondo


def compilato(servizio, tipo, soddisfazione, quando=datetime.datetime(2026, 6, 20, 12, tzinfo=datetime.UTC)):
    return Questionario.objects.create(
        servizio=servizio, tipo=tipo, inviato_il=quando.date(), scadenza=quando.date(), compilato_il=quando,
        attivita=4, olp=4, formazione=3, accoglienza=5, soddisfazione=soddisfazione,
    )  # fmt: skip


# When they are sent ------------------------------------------------------------------------


def test_moments_of_the_three_questionnaires(mondo):
    a = mondo.oggetti["servizi"]["a"]
    m = questionari.momenti(a)
    assert m["inizio"] == datetime.date(2026, 2, 8)  # day 30 of service
    assert m["meta"] == datetime.date(2026, 7, 11)  # half of 364 days
    assert m["fine"] == datetime.date(2026, 12, 10)  # 30 days before the planned end
    assert questionari.dovuto(a, datetime.date(2026, 2, 7)) is None
    assert questionari.dovuto(a, datetime.date(2026, 2, 8)) == "inizio"
    # A service recorded late gets the questionnaire of its moment, not a stale "start" one.
    assert questionari.dovuto(a, datetime.date(2026, 8, 1)) == "meta"
    a.stato = Servizio.Stato.INTERROTTO
    assert questionari.dovuto(a, datetime.date(2026, 8, 1)) is None


def test_sent_once_with_an_email_to_the_volunteer(mondo, settings):
    settings.PORTALE_URL = "https://portale.example.org"
    a = mondo.oggetti["servizi"]["a"]
    assert questionari.invia(datetime.date(2026, 2, 8)) == 1
    q = Questionario.objects.get()
    assert (q.servizio, q.tipo, q.scadenza) == (a, "inizio", datetime.date(2026, 3, 10))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [mondo.users["volontario"].email]
    assert "https://portale.example.org/volontari/il-mio-servizio/" in mail.outbox[0].body
    assert "10/03/2026" in mail.outbox[0].body
    assert questionari.invia(datetime.date(2026, 2, 9)) == 0 and len(mail.outbox) == 1


# The volunteer answers ---------------------------------------------------------------------


def test_the_volunteer_answers_once_and_bad_input_is_told_at_the_question(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    q = Questionario.objects.create(
        servizio=a, tipo="inizio", inviato_il=timezone.localdate(), scadenza=timezone.localdate()
    )
    client.force_login(mondo.users["volontario"])
    assert reverse("volontari:questionario", args=[q.pk]) in client.get(reverse("volontari:mio")).content.decode()
    url = reverse("volontari:questionario", args=[q.pk])
    risposte = {"attivita": "4", "olp": "5", "formazione": "3", "accoglienza": "4"}
    html = client.post(url, risposte).content.decode()
    assert 'id="id_soddisfazione_error"' in html and "Scegli una risposta." in html
    q.refresh_from_db()
    assert q.compilato_il is None
    response = client.post(url, {**risposte, "soddisfazione": "5", "commento": "Bene"})
    assert response.status_code == 302
    q.refresh_from_db()
    assert (q.attivita, q.olp, q.soddisfazione, q.commento) == (4, 5, 5, "Bene") and q.compilato_il
    # Once answered, it is read-only: another post changes nothing.
    client.post(url, {**risposte, "soddisfazione": "1"})
    q.refresh_from_db()
    assert q.soddisfazione == 5
    with pytest.raises(ValidationError):
        questionari.compila(q, acting_user=mondo.users["volontario"], risposte={**risposte, "soddisfazione": 1})


def test_nobody_else_reads_or_answers_a_volunteers_questionnaire(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    q = Questionario.objects.create(
        servizio=a, tipo="inizio", inviato_il=timezone.localdate(), scadenza=timezone.localdate()
    )
    altro = ServizioFactory(volontario__user=UserFactory())
    client.force_login(altro.volontario.user)
    assert client.get(reverse("volontari:questionario", args=[q.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        questionari.compila(q, acting_user=mondo.users["olp_a"], risposte={})


# Averages only over enough answers ---------------------------------------------------------


def test_averages_need_three_answers(mondo):
    a = mondo.oggetti["servizi"]["a"]
    altri = [ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=INIZIO) for _ in range(2)]
    compilato(a, "meta", 5)
    compilato(altri[0], "meta", 4)
    servizi = Servizio.objects.filter(posto__progetto=a.posto.progetto)
    da, fine = datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)
    oggi = datetime.date(2026, 7, 15)
    assert questionari.medie(servizi, da, fine)["righe"][-1]["medie"] == [None, None, None]
    assert indicatori.calcola(servizi, da, fine, oggi)["soddisfazione"].valore is None
    compilato(altri[1], "meta", 2)
    tabella = questionari.medie(servizi, da, fine)
    assert tabella["risposte"] == [0, 3, 0]
    assert tabella["righe"][-1]["medie"][1] == Decimal("3.7")  # (5 + 4 + 2) / 3
    assert tabella["righe"][2]["medie"][1] == 3  # training: 3, 3, 3
    v = indicatori.calcola(servizi, da, fine, oggi)["soddisfazione"]
    assert v.valore == Decimal("3.7") and v.totale == 5 and v.semaforo == "verde"  # 3.7 / 5 = 0.74


def test_questionnaires_answered_against_due(mondo):
    a = mondo.oggetti["servizi"]["a"]
    b = ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=INIZIO)
    Questionario.objects.create(servizio=a, tipo="inizio", inviato_il=datetime.date(2026, 2, 8),
                                scadenza=datetime.date(2026, 3, 10))  # fmt: skip
    q = compilato(b, "inizio", 4, datetime.datetime(2026, 2, 20, 10, tzinfo=datetime.UTC))
    Questionario.objects.filter(pk=q.pk).update(scadenza=datetime.date(2026, 3, 10))
    servizi = Servizio.objects.filter(posto__progetto=a.posto.progetto)
    marzo = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    v = indicatori.calcola(servizi, *marzo, datetime.date(2026, 4, 15))["questionari"]
    assert (v.valore, v.totale, v.semaforo) == (1, 2, "giallo")  # 50%: yellow from 50%, green from 80%
    # Before the deadline has passed, nothing is due yet.
    v = indicatori.calcola(servizi, *marzo, datetime.date(2026, 3, 5))["questionari"]
    assert (v.valore, v.totale) == (0, 0)


# The OLP's monthly report ------------------------------------------------------------------


def test_monthly_reports_are_saved_all_together_or_not_at_all(mondo):
    a = mondo.oggetti["servizi"]["a"]
    b = ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=INIZIO)
    olp = mondo.users["olp_a"]
    maggio = datetime.date(2026, 5, 1)
    dopo = datetime.date(2026, 6, 2)
    with pytest.raises(questionari.ErroriRelazioni) as e:
        questionari.salva_relazioni(
            acting_user=olp, mese=maggio, oggi=dopo,
            righe={a.pk: {"andamento": "4", "obiettivi": "4"}, b.pk: {"andamento": "9", "criticita": True}},
        )  # fmt: skip
    assert list(e.value.righe) == [b.pk]
    assert any("da 1 a 5" in m for m in e.value.righe[b.pk])
    assert any("note" in m for m in e.value.righe[b.pk])
    assert not RelazioneMensile.objects.exists()
    n = questionari.salva_relazioni(
        acting_user=olp, mese=maggio, oggi=dopo,
        righe={a.pk: {"andamento": "4", "obiettivi": "3"}, b.pk: {"andamento": "", "obiettivi": "", "note": ""}},
    )  # fmt: skip
    assert n == 1 and RelazioneMensile.objects.get().servizio == a
    with pytest.raises(ValidationError):  # too early: the month is not in its last week
        questionari.salva_relazioni(acting_user=olp, mese=dopo.replace(day=1), oggi=dopo, righe={})
    with pytest.raises(PermissionDenied):
        questionari.salva_relazioni(
            acting_user=mondo.users["referente_b"], mese=maggio, oggi=dopo, righe={a.pk: {"andamento": "4"}}
        )


@time_machine.travel(datetime.datetime(2026, 6, 2, 10, 30, tzinfo=datetime.UTC))  # within the service of `mondo`
def test_monthly_report_page_marks_the_row_at_fault(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    mese = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    Servizio.objects.filter(pk=a.pk).update(data_inizio=mese - datetime.timedelta(days=40))
    client.force_login(mondo.users["olp_a"])
    url = reverse("registro:relazioni") + f"?mese={mese:%Y-%m}"
    html = client.get(url).content.decode()
    assert f'name="s{a.pk}-andamento"' in html
    html = client.post(url, {f"s{a.pk}-andamento": "4", f"s{a.pk}-criticita": "on"}).content.decode()
    assert f'id="riga-{a.pk}"' in html and "Descrivi la criticità nelle note." in html
    assert not RelazioneMensile.objects.exists()
    response = client.post(url, {f"s{a.pk}-andamento": "4", f"s{a.pk}-obiettivi": "5"})
    assert response.status_code == 302
    r = RelazioneMensile.objects.get()
    assert (r.andamento, r.obiettivi, r.compilata_da) == (4, 5, mondo.users["olp_a"])


def test_reports_written_against_due_and_problems_flagged(mondo):
    a = mondo.oggetti["servizi"]["a"]
    b = ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=datetime.date(2026, 5, 20))
    for s, mese, criticita in ((a, 4, False), (a, 5, True), (b, 5, False)):
        RelazioneMensile.objects.create(
            servizio=s, mese=datetime.date(2026, mese, 1), andamento=3, obiettivi=3, criticita=criticita,
            note="Da verificare" if criticita else "",
        )  # fmt: skip
    servizi = Servizio.objects.filter(posto__progetto=a.posto.progetto)
    # April to June, seen on 15 June: April (a) and May (a, b) are due; June has not ended.
    valori = indicatori.calcola(
        servizi, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), datetime.date(2026, 6, 15)
    )
    assert (valori["relazioni_olp"].valore, valori["relazioni_olp"].totale) == (3, 3)
    assert valori["criticita_olp"].valore == 1 and valori["criticita_olp"].semaforo == "rosso"
    RelazioneMensile.objects.filter(servizio=b).delete()
    valori = indicatori.calcola(
        servizi, datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), datetime.date(2026, 6, 15)
    )
    assert (valori["relazioni_olp"].valore, valori["relazioni_olp"].totale) == (2, 3)


def test_reminder_on_the_first_to_each_olp_with_reports_missing(mondo):
    assert questionari.ricorda_relazioni(datetime.date(2026, 6, 2)) == 0
    assert questionari.ricorda_relazioni(datetime.date(2026, 6, 1)) == 1
    assert mail.outbox[-1].to == [mondo.users["olp_a"].email]
    assert "maggio 2026" in mail.outbox[-1].body.lower() and "?mese=2026-05" in mail.outbox[-1].body
    a = mondo.oggetti["servizi"]["a"]
    RelazioneMensile.objects.create(servizio=a, mese=datetime.date(2026, 5, 1), andamento=4, obiettivi=4)
    assert questionari.ricorda_relazioni(datetime.date(2026, 6, 1)) == 0
