"""Each selector of enti, per persona: what each one sees, and nothing else."""

import pytest

from enti.models import Ente, Olp, Sede
from tests.personas import PERSONE, costruisci_mondo

pytestmark = pytest.mark.django_db

# Which comuni's rows each persona sees (a, b: Lombardia; v: Veneto).
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


def visti(mondo, qs_for, attr):
    per_pk = {e.pk: k for k, e in mondo.oggetti["enti"].items()}
    return {per_pk[v] for v in qs_for.values_list(attr, flat=True) if v in per_pk}


@pytest.mark.parametrize("persona", PERSONE)
def test_enti_sedi_olp_visible_to(persona):
    from django.contrib.auth.models import AnonymousUser

    mondo = costruisci_mondo()
    user = mondo.users[persona] or AnonymousUser()
    assert visti(mondo, Ente.objects.visible_to(user), "pk") == ATTESI[persona]
    assert visti(mondo, Sede.objects.visible_to(user), "ente_id") == ATTESI[persona]
    assert visti(mondo, Olp.objects.visible_to(user), "ente_id") == ATTESI[persona]


def test_olp_sees_only_themself_among_tutors():
    mondo = costruisci_mondo()
    assert list(Olp.objects.visible_to(mondo.users["olp_a"])) != []
    from enti.models import Olp as O

    olp_a = O.objects.get(user=mondo.users["olp_a"])
    # OLP see the other OLP of their own ente (colleagues), none of other enti.
    assert set(O.objects.visible_to(mondo.users["olp_a"]).values_list("ente_id", flat=True)) == {olp_a.ente_id}


def test_inactive_membership_gives_nothing():
    mondo = costruisci_mondo()
    mondo.users["referente_a"].memberships.update(attiva=False)
    user = type(mondo.users["referente_a"]).objects.get(pk=mondo.users["referente_a"].pk)
    assert not Ente.objects.visible_to(user).exists()
