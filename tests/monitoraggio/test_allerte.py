"""The daily check: each alert found when true, resolved when no longer true, one digest each."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from monitoraggio import allerte
from monitoraggio.models import Allerta
from progetti.models import Progetto
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza, Servizio

pytestmark = pytest.mark.django_db
OGGI = datetime.date(2026, 6, 15)


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=a.pk).update(
        data_inizio=datetime.date(2026, 1, 10),
        data_fine=datetime.date(2027, 1, 9),
        data_fine_prevista=datetime.date(2027, 1, 9),
    )
    a.refresh_from_db()
    # Everything recorded up to yesterday: nothing to say about the register.
    giorno = a.data_inizio
    while giorno < OGGI:
        # The first six days are the general training (30 hours), days 61 to 70 the specific
        # training (50 hours), the rest service.
        n = (giorno - a.data_inizio).days
        attivita = "formazione_generale" if n < 6 else "formazione_specifica" if 60 <= n < 70 else "servizio"
        Presenza.objects.create(servizio=a, giorno=giorno, codice="P", attivita=attivita, ore=5)
        giorno += datetime.timedelta(days=1)
    for altro in ("b", "v"):
        Servizio.objects.filter(pk=mondo.oggetti["servizi"][altro].pk).update(stato="rinuncia")
    for mese in (datetime.date(2026, 5, 1),):
        ChiusuraMensile.objects.create(
            servizio=a,
            mese=mese,
            stato="confermata",
            conferma_preliminare_il=timezone.now(),
            confermata_il=timezone.now(),
        )
    return mondo


def tipi():
    return sorted(Allerta.objects.aperte().values_list("tipo", flat=True))


def test_nothing_to_act_on(mondo):
    allerte.controlla(OGGI)
    assert tipi() == []


def test_no_days_recorded_then_resolved(mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.filter(servizio=a, giorno__gte=OGGI - datetime.timedelta(days=8)).delete()
    allerte.controlla(OGGI)
    assert tipi() == ["nessuna_registrazione"]
    Presenza.objects.create(
        servizio=a, giorno=OGGI - datetime.timedelta(days=1), codice="P", attivita="servizio", ore=5
    )
    esito = allerte.controlla(OGGI)
    assert esito["risolte"] == 1 and tipi() == []


def test_month_not_confirmed_by_the_tenth(mondo):
    ChiusuraMensile.objects.all().delete()
    allerte.controlla(datetime.date(2026, 6, 10))
    assert tipi() == []
    allerte.controlla(OGGI)
    assert tipi() == ["mese_non_confermato"]


def test_caps_and_sickness(mondo):
    a = mondo.oggetti["servizi"]["a"]
    giorni = list(Presenza.objects.filter(servizio=a).order_by("giorno").values_list("pk", flat=True))
    Presenza.objects.filter(pk__in=giorni[10:28]).update(codice="PR", attivita="", ore=0)  # 18 of 20
    Presenza.objects.filter(pk__in=giorni[30:43]).update(codice="MAL", attivita="", ore=0)  # 13 days
    allerte.controlla(OGGI)
    assert tipi() == ["malattia_oltre", "permessi_quasi_esauriti"]
    Presenza.objects.filter(pk__in=giorni[43:60]).update(codice="MAL", attivita="", ore=0)  # 30 days
    allerte.controlla(OGGI)
    assert "interruzione_da_comunicare" in tipi() and "malattia_oltre" not in tipi()


def test_training_deadline_near(mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.filter(servizio=a, attivita="formazione_generale").update(attivita="servizio")
    allerte.controlla(OGGI)
    assert "formazione_in_scadenza" in tipi()


def test_olp_over_the_maximum(mondo):
    a = mondo.oggetti["servizi"]["a"]
    for _ in range(4):
        s = ServizioFactory(
            posto=a.posto, olp=a.olp, data_inizio=a.data_inizio, data_fine=a.data_fine, data_fine_prevista=a.data_fine
        )
        Presenza.objects.create(
            servizio=s, giorno=OGGI - datetime.timedelta(days=1), codice="P", attivita="servizio", ore=5
        )
    allerte.controlla(OGGI)
    assert "olp_oltre_massimo" in tipi()


def test_one_digest_per_person_and_only_once(mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.filter(servizio=a, giorno__gte=OGGI - datetime.timedelta(days=8)).delete()
    ChiusuraMensile.objects.all().delete()
    allerte.controlla(OGGI)
    assert allerte.invia_riepiloghi() == 2  # the OLP and the referente of comune A
    destinatari = sorted(m.to[0] for m in mail.outbox)
    assert destinatari == ["olp.a@example.org", "referente.a@example.org"]
    referente = next(m for m in mail.outbox if m.to == ["referente.a@example.org"])
    assert referente.body.count("\n- ") == 2
    assert allerte.invia_riepiloghi() == 0  # nothing new


def test_sickness_alerts_read_as_a_generic_absence_by_network_staff(client, mondo):
    from django.urls import reverse

    a = mondo.oggetti["servizi"]["a"]
    giorni = list(Presenza.objects.filter(servizio=a).order_by("giorno").values_list("pk", flat=True))
    Presenza.objects.filter(pk__in=giorni[30:43]).update(codice="MAL", attivita="", ore=0)
    allerte.controlla(OGGI)
    url = reverse("monitoraggio:cruscotto") + f"?livello=ente&id={a.posto.sede.ente_id}"
    client.force_login(mondo.users["referente_a"])
    html = client.get(url).content.decode()
    assert "13 giorni di malattia" in html
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(url).content.decode()
    assert "lunga assenza" in html and "malattia" not in html.split('id="allerte"')[1].split("</section>")[0]


def _specifica(mondo, giorni: int, tranche: str):
    """Days 7 onwards of A's service become specific training (5 hours each) in a project of
    50 hours given in `tranche`."""
    a = mondo.oggetti["servizi"]["a"]
    Progetto.objects.filter(pk=a.posto.progetto_id).update(
        formazione_specifica_ore=50, formazione_specifica_tranche=tranche
    )
    Presenza.objects.filter(servizio=a, attivita="formazione_specifica").update(attivita="servizio")
    primi = [a.data_inizio + datetime.timedelta(days=6 + i) for i in range(giorni)]
    Presenza.objects.filter(servizio=a, giorno__in=primi).update(attivita="formazione_specifica")
    return a


def test_specific_training_deadlines_follow_the_projects_tranches(mondo):
    giorno_80 = datetime.date(2026, 3, 30)  # day 80 of A's service: the call's day 90 is near
    giorno_260 = datetime.date(2026, 9, 26)
    a = _specifica(mondo, 7, "due")  # 35 hours: 70% of 50
    assert not any(k.startswith(("specifica:", "specifica_tardi:")) for k in allerte._trovate(giorno_80))
    trovate = allerte._trovate(giorno_260)
    assert "svolte 35 ore su 50" in trovate[f"specifica2:{a.pk}"]["messaggio"]
    assert "270" in trovate[f"specifica2:{a.pk}"]["messaggio"]
    # In one tranche the same 35 hours are short at day 80, and nothing is due at day 260.
    Progetto.objects.filter(pk=a.posto.progetto_id).update(formazione_specifica_tranche="unica")
    assert "svolte 35 ore su 50" in allerte._trovate(giorno_80)[f"specifica:{a.pk}"]["messaggio"]
    # ... but by then it is late: a worklist item of its own.
    trovate = allerte._trovate(giorno_260)
    assert not any(k.startswith(("specifica:", "specifica2:")) for k in trovate)
    assert "35 ore di formazione specifica svolte, 50" in trovate[f"specifica_tardi:{a.pk}"]["messaggio"]


def test_two_tranches_first_deadline_asks_for_70_percent(mondo):
    a = _specifica(mondo, 6, "due")  # 30 hours, under 35
    messaggio = allerte._trovate(datetime.date(2026, 3, 30))[f"specifica:{a.pk}"]["messaggio"]
    assert "svolte 30 ore su 35" in messaggio and "giorno 90" in messaggio


def test_a_week_ended_under_the_projects_minimum(mondo):
    a = mondo.oggetti["servizi"]["a"]
    progetto = Progetto.objects.filter(pk=a.posto.progetto_id)
    progetto.update(modello_orario="monte_ore", ore_settimanali=None, monte_ore=1145)
    allerte.controlla(OGGI)
    assert tipi() == []  # 35 hours a week, the minimum is 20
    progetto.update(ore_settimana_min=36, ore_settimana_max=36)
    allerte.controlla(OGGI)
    assert tipi() == ["settimana_sotto_minimo"]
    allerta = Allerta.objects.aperte().get()
    assert allerta.chiave == f"settimana:{a.pk}:2026-06-08" and "08/06/2026 ha 35 ore" in allerta.messaggio
    # A weekly timetable has no weekly band to check.
    progetto.update(modello_orario="settimanale", ore_settimanali=25, monte_ore=None)
    allerte.controlla(OGGI)
    assert tipi() == []
