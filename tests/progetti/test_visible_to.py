import pytest
from django.contrib.auth.models import AnonymousUser

from progetti.models import PostoSede, Progetto
from tests.personas import PERSONE, costruisci_mondo

pytestmark = pytest.mark.django_db

ATTESI = {
    "anonimo": set(),
    "volontario": set(),
    "olp_a": {"a"},
    "referente_a": {"a"},
    "referente_b": {"b"},
    "nodo_lombardia": {"a", "b"},
    "nodo_veneto": {"v"},
    "nazionale": {"a", "b", "v"},
}


@pytest.mark.parametrize("persona", PERSONE)
def test_projects_and_places_visible_to(persona):
    mondo = costruisci_mondo()
    servizi = mondo.oggetti["servizi"]
    # The OLP of comune A is named on its places.
    servizi["a"].posto.olp.add(servizi["a"].olp)
    per_progetto = {s.posto.progetto_id: k for k, s in servizi.items()}
    user = mondo.users[persona] or AnonymousUser()
    assert {per_progetto[pk] for pk in Progetto.objects.visible_to(user).values_list("pk", flat=True)} == ATTESI[
        persona
    ]
    assert {
        per_progetto[pk] for pk in PostoSede.objects.visible_to(user).values_list("progetto_id", flat=True)
    } == ATTESI[persona]


def test_co_designing_ente_sees_the_project():
    mondo = costruisci_mondo()
    progetto = mondo.oggetti["servizi"]["a"].posto.progetto
    assert not Progetto.objects.visible_to(mondo.users["referente_b"]).filter(pk=progetto.pk).exists()
    progetto.enti_coprogettanti.add(mondo.oggetti["enti"]["b"])
    assert Progetto.objects.visible_to(mondo.users["referente_b"]).filter(pk=progetto.pk).exists()
