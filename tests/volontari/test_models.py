"""Invariants the database keeps for volunteers, services and attendance."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import PresenzaFactory, ServizioFactory, VolontarioFactory
from volontari.models import ChiusuraMensile, Presenza, Servizio

pytestmark = pytest.mark.django_db


def test_one_presenza_per_service_and_day():
    p = PresenzaFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presenza.objects.create(servizio=p.servizio, giorno=p.giorno, codice=Presenza.Codice.PR)
    # The next day is fine, and so is the same day for another service.
    Presenza.objects.create(
        servizio=p.servizio, giorno=p.giorno + datetime.timedelta(days=1), codice=Presenza.Codice.NL
    )
    PresenzaFactory(giorno=p.giorno)


def test_hours_only_on_present_days():
    servizio = ServizioFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presenza.objects.create(
            servizio=servizio, giorno=servizio.data_inizio, codice=Presenza.Codice.MAL, ore=Decimal(3)
        )


def test_present_day_says_what_it_was():
    servizio = ServizioFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presenza.objects.create(servizio=servizio, giorno=servizio.data_inizio, codice=Presenza.Codice.P, ore=5)


def test_hours_within_a_day():
    servizio = ServizioFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Presenza.objects.create(
            servizio=servizio, giorno=servizio.data_inizio, codice="P", attivita="servizio", ore=Decimal("24.5")
        )


def test_service_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServizioFactory(
            data_inizio=datetime.date(2026, 5, 10),
            data_fine_prevista=datetime.date(2027, 5, 9),
            data_fine=datetime.date(2026, 5, 9),
        )


def test_interrupted_service_needs_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServizioFactory(stato=Servizio.Stato.INTERROTTO, motivo_interruzione="")


def test_monthly_close_is_one_per_service_and_month_on_the_first_day():
    servizio = ServizioFactory()
    ChiusuraMensile.objects.create(servizio=servizio, mese=datetime.date(2026, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChiusuraMensile.objects.create(servizio=servizio, mese=datetime.date(2026, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChiusuraMensile.objects.create(servizio=servizio, mese=datetime.date(2026, 5, 2))


def test_confirmed_close_needs_its_confirmation_dates():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChiusuraMensile.objects.create(servizio=ServizioFactory(), mese=datetime.date(2026, 4, 1), stato="confermata")


def test_volunteer_tax_code_is_validated_by_the_model():
    volontario = VolontarioFactory.build(codice_fiscale="RSSMRA01D03A794A")
    with pytest.raises(ValidationError) as exc:
        volontario.full_clean()
    assert "codice_fiscale" in exc.value.message_dict
