import pytest
from django.core.management import call_command

from enti.models import Comune, Provincia, Regione
from progetti.models import AssegnoMensile, Bando, Settore

pytestmark = pytest.mark.django_db


def test_reference_data_loads_every_comune_and_is_idempotent():
    call_command("load_reference", verbosity=0)
    call_command("load_reference", verbosity=0)
    assert Regione.objects.count() == 20
    assert Provincia.objects.count() == 107
    assert Comune.objects.count() == 7896
    bergamo = Comune.objects.select_related("provincia__regione").get(codice_catastale="A794")
    assert bergamo.codice_istat == "016024"
    assert bergamo.provincia.sigla == "BG"
    assert bergamo.provincia.regione.nome == "Lombardia"
    assert bergamo.capoluogo
    assert Comune.objects.filter(provincia__regione__nome="Lombardia").count() == 1502


def test_sectors_areas_and_call_defaults():
    call_command("load_reference", verbosity=0)
    assert list(Settore.objects.values_list("codice", flat=True)) == list("ABCDEFG")
    assert Settore.objects.get(codice="B").aree.get(numero=1).nome == "Previsione dei rischi"
    bando = Bando.objects.get()
    assert bando.max_volontari_per_olp == 4
    assert bando.formazione_specifica_entro_giorni == 90
    assert bando.ore_max_giorno == 8
    assert bando.finestra_subentro_giorni == 120
    assert str(AssegnoMensile.objects.get().importo) == "519.47"
