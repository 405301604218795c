"""The fixed rules of projects, in rules.py and in the database constraints."""

import pytest
from django.db import IntegrityError, transaction

from progetti import rules
from progetti.models import Progetto
from tests.factories import BandoFactory, PostoSedeFactory, ProgettoFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("mesi", "ore"), [(8, 765), (9, 860), (10, 955), (11, 1050), (12, 1145)])
def test_monte_ore_pro_rata_by_months(mesi, ore):
    assert rules.monte_ore_per_durata(mesi) == ore


@pytest.mark.parametrize("mesi", [7, 13])
def test_monte_ore_outside_duration_is_an_error(mesi):
    with pytest.raises(ValueError):
        rules.monte_ore_per_durata(mesi)


@pytest.mark.parametrize(
    ("posti", "max_per_olp", "olp"), [(1, 4, 1), (4, 4, 1), (5, 4, 2), (8, 4, 2), (9, 4, 3), (6, 2, 3), (0, 4, 0)]
)
def test_minimum_olp_per_sede(posti, max_per_olp, olp):
    assert rules.olp_minimi(posti, max_per_olp) == olp


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgettoFactory(**fields)


@pytest.mark.parametrize("durata", [7, 13])
def test_duration_8_to_12_months(durata):
    refused(durata_mesi=durata)


def test_duration_bounds_are_allowed():
    ProgettoFactory(durata_mesi=8)
    ProgettoFactory(durata_mesi=12)


def test_weekly_model_is_25_hours():
    refused(ore_settimanali=30)


def test_monte_ore_within_765_and_1145():
    refused(modello_orario=Progetto.ModelloOrario.MONTE_ORE, ore_settimanali=None, monte_ore=700)
    refused(modello_orario=Progetto.ModelloOrario.MONTE_ORE, ore_settimanali=None, monte_ore=1200)
    ProgettoFactory(modello_orario=Progetto.ModelloOrario.MONTE_ORE, ore_settimanali=None, monte_ore=1145)


def test_five_or_six_days():
    refused(giorni_settimana=4)
    refused(giorni_settimana=7)
    ProgettoFactory(giorni_settimana=6)


def test_training_minimums_and_total():
    refused(formazione_generale_ore=29, formazione_specifica_ore=60)
    refused(formazione_generale_ore=40, formazione_specifica_ore=49)
    refused(formazione_generale_ore=30, formazione_specifica_ore=121)  # 151 in all
    ProgettoFactory(formazione_generale_ore=30, formazione_specifica_ore=50)  # 80, the minimum
    ProgettoFactory(formazione_generale_ore=50, formazione_specifica_ore=100)  # 150, the maximum


def test_additional_measures():
    refused(mesi_estero=4)
    refused(mesi_estero=2, mesi_tutoraggio=1, ore_tutoraggio=20, ore_tutoraggio_individuali=4)
    refused(mesi_tutoraggio=2, ore_tutoraggio=19, ore_tutoraggio_individuali=4)
    refused(mesi_tutoraggio=2, ore_tutoraggio=20, ore_tutoraggio_individuali=3)
    ProgettoFactory(mesi_tutoraggio=3, ore_tutoraggio=20, ore_tutoraggio_individuali=4)
    ProgettoFactory(mesi_estero=3)


def test_gmo_places_within_the_places():
    with pytest.raises(IntegrityError), transaction.atomic():
        PostoSedeFactory(posti_senza_vitto_alloggio=2, posti_gmo=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PostoSedeFactory(posti_senza_vitto_alloggio=0)


def test_max_volunteers_per_olp_is_a_call_parameter_with_sector_override():
    bando = BandoFactory(max_volontari_per_olp=4)
    progetto = ProgettoFactory(bando=bando)
    assert bando.max_volontari_olp(progetto.settore) == 4
    bando.limiti_olp.create(settore=progetto.settore, max_volontari_per_olp=2)
    assert bando.max_volontari_olp(progetto.settore) == 2
