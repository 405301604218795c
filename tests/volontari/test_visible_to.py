"""Volunteers, services and attendance, per persona."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import PresenzaFactory
from tests.personas import PERSONE, costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza, Servizio, Volontario

pytestmark = pytest.mark.django_db

ATTESI = {
    "anonimo": set(),
    "volontario": {"a"},  # themselves
    "olp_a": {"a"},  # the volunteers they follow
    "referente_a": {"a"},
    "referente_b": {"b"},
    "nodo_lombardia": {"a", "b"},
    "nodo_veneto": {"v"},
    "nazionale": {"a", "b", "v"},
}


@pytest.mark.parametrize("persona", PERSONE)
def test_volunteers_services_and_days_visible_to(persona):
    mondo = costruisci_mondo()
    servizi = mondo.oggetti["servizi"]
    for s in servizi.values():
        PresenzaFactory(servizio=s)
        ChiusuraMensile.objects.create(servizio=s, mese=s.data_inizio.replace(day=1))
    per_servizio = {s.pk: k for k, s in servizi.items()}
    per_volontario = {s.volontario_id: k for k, s in servizi.items()}
    user = mondo.users[persona] or AnonymousUser()
    assert {per_servizio[pk] for pk in Servizio.objects.visible_to(user).values_list("pk", flat=True)} == ATTESI[
        persona
    ]
    assert {per_volontario[pk] for pk in Volontario.objects.visible_to(user).values_list("pk", flat=True)} == ATTESI[
        persona
    ]
    assert {
        per_servizio[pk] for pk in Presenza.objects.visible_to(user).values_list("servizio_id", flat=True)
    } == ATTESI[persona]
    assert {
        per_servizio[pk] for pk in ChiusuraMensile.objects.visible_to(user).values_list("servizio_id", flat=True)
    } == ATTESI[persona]


def test_an_olp_does_not_see_a_colleague_volunteers():
    mondo = costruisci_mondo()
    from tests.factories import OlpFactory, ServizioFactory

    collega = OlpFactory(ente=mondo.oggetti["enti"]["a"])
    altro = ServizioFactory(posto=mondo.oggetti["servizi"]["a"].posto, olp=collega)
    assert not Servizio.objects.visible_to(mondo.users["olp_a"]).filter(pk=altro.pk).exists()
    # The referente of the same ente sees both.
    assert Servizio.objects.visible_to(mondo.users["referente_a"]).filter(pk=altro.pk).exists()


def test_the_olp_s_services_filter_on_the_service_s_own_columns():
    """The user's own volunteer record enters as a one-row subquery on `volontario_id`, not as
    a join ORed with `olp_id`: an OR across a join stops PostgreSQL from combining the two
    indexes, and the OLP's month grid then scanned every service (docs/benchmarks.md)."""
    mondo = costruisci_mondo()
    sql = str(Servizio.objects.visible_to(mondo.users["olp_a"]).query)
    dove = sql.split(" WHERE ", 1)[1]
    assert '"volontari_servizio"."volontario_id" = (SELECT' in dove
    assert '"volontari_servizio"."olp_id" = ' in dove
    assert "JOIN" not in sql.split(" WHERE ", 1)[0]


@pytest.mark.parametrize("persona", ["referente_a", "nodo_lombardia"])
def test_the_scope_of_services_joins_no_table(persona):
    """An ente's or nodo's services are found by a subquery on the service's own `posto_id`:
    joined to the sede instead, ORed with the volunteer's own record, PostgreSQL joined every
    service of the country to its sede to find one volunteer (350 ms at national scale)."""
    from django.db import connection

    mondo = costruisci_mondo()
    sql = str(Servizio.objects.visible_to(mondo.users[persona]).query)
    esterna = sql.split(" WHERE ", 1)[0]
    assert " JOIN " not in esterna, sql
    assert f"{connection.ops.quote_name('volontari_servizio')}.{connection.ops.quote_name('posto_id')} IN (" in sql
