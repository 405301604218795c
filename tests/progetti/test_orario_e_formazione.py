"""A project's weekly band (annual quota) and the tranches of its specific training: the
database keeps them, the service and the form refuse bad values at their field, the
submission snapshot carries them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from progetti import actions, rules
from progetti.models import Progetto
from tests.factories import ProgettoFactory
from tests.progetti.test_services import aggiorna, nuovo
from tests.progetti.test_services import mondo as mondo  # the fixture

pytestmark = pytest.mark.django_db

MONTE_ORE = {"modello_orario": "monte_ore", "ore_settimanali": None, "monte_ore": 1145}


def test_named_constants_for_specific_training_in_two_tranches():
    assert rules.FORMAZIONE_SPECIFICA_TRANCHE_QUOTA == 0.7
    assert rules.FORMAZIONE_SPECIFICA_SECONDA_TRANCHE_ENTRO_GIORNI == 270


def test_defaults_are_20_to_36_and_one_tranche():
    progetto = ProgettoFactory()
    assert (progetto.ore_settimana_min, progetto.ore_settimana_max) == (20, 36)
    assert progetto.formazione_specifica_tranche == Progetto.TrancheSpecifica.UNICA


@pytest.mark.parametrize(("minimo", "massimo"), [(19, 36), (20, 37), (30, 25), (0, 0)])
def test_the_database_refuses_a_band_outside_20_36(minimo, massimo):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgettoFactory(**MONTE_ORE, ore_settimana_min=minimo, ore_settimana_max=massimo)


def test_the_database_refuses_an_unknown_tranche_choice():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgettoFactory(formazione_specifica_tranche="tre")


@pytest.mark.parametrize(
    ("dati", "campo", "frammento"),
    [
        ({"ore_settimana_min": 19}, "ore_settimana_min", "da 20 a 36"),
        ({"ore_settimana_max": 40}, "ore_settimana_max", "da 20 a 36"),
        ({"ore_settimana_min": 30, "ore_settimana_max": 25}, "ore_settimana_min", "non può superare"),
        ({"formazione_specifica_tranche": "tre"}, "formazione_specifica_tranche", "tranche"),
    ],
)
def test_the_service_refuses_at_the_field(mondo, dati, campo, frammento):
    progetto = nuovo(mondo)
    with pytest.raises(ValidationError) as exc:
        aggiorna(mondo, progetto, **MONTE_ORE, **dati)
    assert frammento in " ".join(exc.value.message_dict[campo])
    progetto.refresh_from_db()
    assert progetto.modello_orario == "settimanale"  # nothing half-written


def test_a_band_and_two_tranches_are_saved_and_snapshotted(mondo):
    progetto = nuovo(mondo)
    aggiorna(mondo, progetto, **MONTE_ORE, ore_settimana_min=22, ore_settimana_max=30)
    aggiorna(mondo, progetto, formazione_specifica_tranche="due")
    progetto.refresh_from_db()
    foto = actions.fotografia(progetto)
    assert (foto["ore_settimana_min"], foto["ore_settimana_max"], foto["formazione_specifica_tranche"]) == (
        "22",
        "30",
        "due",
    )


def test_the_wizard_shows_and_saves_the_new_fields(client, mondo):
    progetto = nuovo(mondo)
    client.force_login(mondo.users["referente_a"])
    url = reverse("progetti:modifica", args=[progetto.pk, "orario"])
    html = client.get(url).content.decode()
    assert 'name="ore_settimana_min"' in html and 'name="ore_settimana_max"' in html
    dati = {"durata_mesi": 12, "modello_orario": "monte_ore", "monte_ore": 1145, "giorni_settimana": 5}
    risposta = client.post(url, dati | {"ore_settimana_min": 30, "ore_settimana_max": 24})
    assert 'id="id_ore_settimana_min_error"' in risposta.content.decode()
    assert "non può superare" in risposta.content.decode()
    client.post(url, dati | {"ore_settimana_min": 24, "ore_settimana_max": 30})
    progetto.refresh_from_db()
    assert (progetto.ore_settimana_min, progetto.ore_settimana_max) == (24, 30)
    url = reverse("progetti:modifica", args=[progetto.pk, "formazione"])
    html = client.get(url).content.decode()
    assert "in due tranche: il 70% entro 90 giorni" in html
    client.post(
        url, {"formazione_generale_ore": 30, "formazione_specifica_ore": 50, "formazione_specifica_tranche": "due"}
    )
    progetto.refresh_from_db()
    assert progetto.formazione_specifica_tranche == "due"
