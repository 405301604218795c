"""Each indicator against a fixture computed by hand (March 2026, read on 15 April 2026)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoraggio import indicatori
from progetti.models import IncaricoEsperto
from tests.factories import EnteFactory, OlpFactory, PostoSedeFactory, ProgettoFactory, ServizioFactory
from volontari.models import ChiusuraMensile, Presenza

pytestmark = pytest.mark.django_db
D = datetime.date
DA, A, OGGI = D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 15)


def giorni(da, n):
    return [da + datetime.timedelta(days=i) for i in range(n)]


@pytest.fixture
def ente():
    ente = EnteFactory()
    settimanale = ProgettoFactory(ente=ente)
    monte_ore = ProgettoFactory(ente=ente, modello_orario="monte_ore", ore_settimanali=None, monte_ore=1145)
    posto = PostoSedeFactory(progetto=settimanale, sede__ente=ente)  # 4 places
    posto_mo = PostoSedeFactory(progetto=monte_ore, sede__ente=ente, posti_senza_vitto_alloggio=2)
    olp = OlpFactory(ente=ente)
    s1 = ServizioFactory(
        posto=posto, olp=olp, data_inizio=D(2025, 9, 1), data_fine_prevista=D(2026, 8, 31), data_fine=D(2026, 8, 31)
    )
    marzo_feriali = [g for g in giorni(DA, 31) if g.weekday() < 5]  # 22 weekdays in March 2026
    for g in marzo_feriali[:20]:
        Presenza.objects.create(servizio=s1, giorno=g, codice="P", attivita="servizio", ore=5)
    for g in marzo_feriali[20:]:
        Presenza.objects.create(servizio=s1, giorno=g, codice="PR")
    for g in giorni(D(2025, 9, 1), 4):  # 24 hours of general training, the project plans 30
        Presenza.objects.create(servizio=s1, giorno=g, codice="P", attivita="formazione_generale", ore=6)
    for g in giorni(D(2025, 10, 1), 10):  # 50 hours of specific training: enough
        Presenza.objects.create(servizio=s1, giorno=g, codice="P", attivita="formazione_specifica", ore=5)
    for g in giorni(D(2026, 2, 1), 16):  # 16 days of sickness: one beyond the paid ones
        Presenza.objects.create(servizio=s1, giorno=g, codice="MAL")
    ChiusuraMensile.objects.create(
        servizio=s1, mese=DA, stato="confermata",
        conferma_preliminare_il=timezone.make_aware(datetime.datetime(2026, 4, 3)),
        confermata_il=timezone.make_aware(datetime.datetime(2026, 4, 5)),
    )  # fmt: skip
    ServizioFactory(
        posto=posto_mo, olp=olp, data_inizio=D(2026, 3, 10), data_fine_prevista=D(2027, 3, 9), data_fine=D(2027, 3, 9)
    )
    ServizioFactory(
        posto=posto,
        olp=olp,
        stato="rinuncia",
        data_inizio=D(2026, 3, 2),
        data_fine_prevista=D(2027, 3, 1),
        data_fine=D(2026, 3, 2),
    )
    ServizioFactory(
        posto=posto, olp=olp, stato="interrotto", motivo_interruzione="Lavoro", data_inizio=D(2026, 1, 1),
        data_fine_prevista=D(2026, 12, 31), data_fine=D(2026, 3, 20), interruzione_comunicata_il=D(2026, 3, 28),
    )  # fmt: skip
    IncaricoEsperto.objects.create(progetto=settimanale, ruolo="formatore")
    return ente


def test_indicators_match_the_hand_computed_figures(ente):
    v = indicatori.calcola(indicatori.servizi_ambito(ente=ente), DA, A, oggi=OGGI)
    assert v["volontari"].valore == 3  # the renounced one does not count
    assert v["ore"].valore == 100
    # 31 days x 25/7 + 22 days x 1145/365 + 20 days x 25/7 = 110.71 + 69.01 + 71.43
    assert v["ore"].totale == 251
    assert v["ore"].semaforo == "rosso"
    assert v["giorni_senza_codice"].valore == 9 + 22 + 20
    assert v["mesi_non_confermati"].valore == 2  # the monte-ore volunteer and the interrupted one
    assert v["formazione_generale"].valore == 1
    assert v["formazione_specifica"].valore == 0
    assert v["permessi"].valore == 0
    assert v["malattia"].valore == 1
    assert v["rinunce"].valore == 1
    assert v["interruzioni"].valore == 1
    assert v["interruzioni_in_ritardo"].valore == 1  # reported 8 days after the last day
    assert v["subentri"].valore == 0
    assert (v["posti"].valore, v["posti"].totale) == (2, 6)
    assert v["olp_oltre"].valore == 0
    assert (v["esperti"].valore, v["esperti"].totale) == (0, 1)
    # 365 days x 25/7 + 1145 (a full year of quota) + 79 days x 25/7 (interrupted on 20 March)
    assert v["proiezione"].totale == Decimal(1304 + 1145 + 282)
    # Only the first has days recorded: 174 hours over 52 days, at that pace for 365 days.
    assert v["proiezione"].valore == Decimal(174 * 365 / 52).quantize(Decimal("1"))


def test_months_are_not_late_before_the_tenth(ente):
    v = indicatori.calcola(indicatori.servizi_ambito(ente=ente), DA, A, oggi=D(2026, 4, 9))
    assert v["mesi_non_confermati"].valore == 0


def test_olp_over_the_maximum(ente):
    posto = PostoSedeFactory(progetto__ente=ente, sede__ente=ente, posti_senza_vitto_alloggio=8)
    olp = OlpFactory(ente=ente)
    for _ in range(5):
        ServizioFactory(
            posto=posto,
            olp=olp,
            data_inizio=D(2026, 1, 1),
            data_fine_prevista=D(2026, 12, 31),
            data_fine=D(2026, 12, 31),
        )
    assert indicatori.calcola(indicatori.servizi_ambito(ente=ente), DA, A, oggi=OGGI)["olp_oltre"].valore == 1


def test_queries_do_not_grow_with_the_days_recorded(ente):
    qs = indicatori.servizi_ambito(ente=ente)
    with CaptureQueriesContext(connection) as prima:
        indicatori.calcola(qs, DA, A, oggi=OGGI)
    s2 = qs.get(data_inizio=D(2026, 3, 10))
    for g in giorni(D(2026, 3, 10), 20):
        Presenza.objects.create(servizio=s2, giorno=g, codice="P", attivita="servizio", ore=4)
    with CaptureQueriesContext(connection) as dopo:
        v = indicatori.calcola(qs, DA, A, oggi=OGGI)
    assert len(dopo.captured_queries) == len(prima.captured_queries)
    assert v["ore"].valore == 180


def test_every_indicator_has_a_definition():
    assert len({d.chiave for d in indicatori.INDICATORI}) == len(indicatori.INDICATORI)
    assert all(str(d.definizione) for d in indicatori.INDICATORI)


@pytest.fixture
def ente_tranche(ente):
    """Three more services of a project giving specific training (50 hours) in two tranches,
    read on 31 March 2026: A at day 149 with 35 hours by day 90 (on time), B at day 149 with 30
    (late: under 70% by day 90), C at day 303 with 35 by day 90 and 45 in all (late: not all
    by day 270)."""
    progetto = ProgettoFactory(ente=ente, formazione_specifica_tranche="due")
    posto = PostoSedeFactory(progetto=progetto, sede__ente=ente)
    olp = OlpFactory(ente=ente)
    for inizio, prima, dopo in ((D(2025, 11, 3), 7, 0), (D(2025, 11, 3), 6, 0), (D(2025, 6, 2), 7, 2)):
        s = ServizioFactory(
            posto=posto, olp=olp, data_inizio=inizio, data_fine_prevista=inizio + datetime.timedelta(days=364),
            data_fine=inizio + datetime.timedelta(days=364),
        )  # fmt: skip
        # Days 80 onwards: the first tranche ends with day 90, its last day included.
        for g in giorni(inizio + datetime.timedelta(days=90 - prima), prima):
            Presenza.objects.create(servizio=s, giorno=g, codice="P", attivita="formazione_specifica", ore=5)
        for g in giorni(inizio + datetime.timedelta(days=120), dopo):
            Presenza.objects.create(servizio=s, giorno=g, codice="P", attivita="formazione_specifica", ore=5)
    return ente


def test_specific_training_late_follows_the_projects_tranches(ente_tranche):
    qs = indicatori.servizi_ambito(ente=ente_tranche)
    assert indicatori.calcola(qs, DA, A, oggi=OGGI)["formazione_specifica"].valore == 2  # B and C
    # The same hours in one tranche: A is late too (35 of 50 hours past day 90).
    ProgettoFactory._meta.model.objects.filter(formazione_specifica_tranche="due").update(
        formazione_specifica_tranche="unica"
    )
    assert indicatori.calcola(qs, DA, A, oggi=OGGI)["formazione_specifica"].valore == 3


@pytest.mark.parametrize(
    ("da", "a", "oggi"),
    [
        (DA, A, OGGI),  # one month, ended
        (D(2026, 2, 1), A, OGGI),  # two months
        (D(2025, 10, 1), D(2026, 1, 31), OGGI),  # months before most of the register
        (DA, A, D(2026, 3, 1)),  # yesterday is the end of the month before: a third edge
        (DA, A, D(2026, 4, 1)),  # the period ends yesterday
    ],
)
def test_the_database_sums_agree_with_the_per_service_sums(ente_tranche, da, a, oggi):
    """Over whole months calcola sums the register's rules in the database (`_registro_sql`);
    on any other edges one row per service is summed in Python (`_registro_python`). Both
    give the same figures on the same data."""
    # One service at exactly 90% of its 20 days of paid leave, from September 2025.
    s = indicatori.servizi_ambito(ente=ente_tranche).get(data_inizio=D(2025, 9, 1))
    for g in giorni(D(2025, 9, 10), 18):
        Presenza.objects.create(servizio=s, giorno=g, codice="PR")
    vivi = indicatori.servizi_ambito(ente=ente_tranche).filter(data_inizio__lte=a, data_fine__gte=da)
    vivi = vivi.exclude(stato="rinuncia")
    fino_a = min(a, oggi - datetime.timedelta(days=1))
    nel_db = indicatori._registro_sql(vivi, da, a, fino_a)
    nel_db["spec_tardi"] += indicatori._specifica_due(vivi, a)
    in_python = indicatori._registro_python(vivi, da, a, fino_a, oggi)
    tondo = {k: Decimal(v or 0).quantize(Decimal("1")) for k, v in nel_db.items()}
    assert tondo == {k: Decimal(v).quantize(Decimal("1")) for k, v in in_python.items()}
    assert tondo["ore_fatte"] > 0 and tondo["piano_totale"] > 0 and tondo["permessi_quasi"] == 1
