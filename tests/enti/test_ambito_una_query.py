"""enti.access.ambito reads a user's memberships, OLP record and volunteer record in one query
(issue 15: the floor of every signed-in request), and the roles it finds are the same as
reading each record on its own."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enti import policy
from enti.access import ambito
from enti.models import Membership
from enti.roles import Ruolo
from tests.factories import EnteFactory, MembershipFactory, NodoFactory, OlpFactory, UserFactory, VolontarioFactory

pytestmark = pytest.mark.django_db


def _fresco(user):
    """The same user without the request's cached scope and roles."""
    return type(user).objects.get(pk=user.pk)


def test_ambito_completo_in_una_query():
    user = UserFactory()
    ente, altro, nodo = EnteFactory(), EnteFactory(), NodoFactory()
    MembershipFactory(user=user, ruolo=Membership.Ruolo.REFERENTE, ente=ente)
    MembershipFactory(user=user, ruolo=Membership.Ruolo.STAFF_ENTE, ente=altro)
    MembershipFactory(user=user, ruolo=Membership.Ruolo.STAFF_NODO, ente=None, nodo=nodo)
    MembershipFactory(user=user, ruolo=Membership.Ruolo.STAFF_ENTE, ente=EnteFactory(), attiva=False)
    olp = OlpFactory(user=user)
    VolontarioFactory(user=user)
    user = _fresco(user)
    with CaptureQueriesContext(connection) as ctx:
        a = ambito(user)
        ruoli = policy.ruoli(user)
    assert len(ctx.captured_queries) == 1
    assert a.enti == {ente.pk, altro.pk}
    assert a.enti_referente == {ente.pk}
    assert a.nodi == {nodo.pk}
    assert a.olp == olp.pk
    assert a.volontario
    assert ruoli == {Ruolo.UTENTE, Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.STAFF_NODO, Ruolo.OLP, Ruolo.VOLONTARIO}


def test_olp_inattivo_e_nessun_volontario():
    user = UserFactory()
    OlpFactory(user=user, attivo=False)
    user = _fresco(user)
    a = ambito(user)
    assert a.olp is None and not a.volontario
    assert policy.ruoli(user) == {Ruolo.UTENTE}


def test_solo_volontario():
    user = UserFactory()
    VolontarioFactory(user=user)
    user = _fresco(user)
    assert ambito(user).vuoto
    assert policy.ruoli(user) == {Ruolo.UTENTE, Ruolo.VOLONTARIO}
    assert policy.ruoli(AnonymousUser()) == {Ruolo.ANONIMO}


def test_olp_id_non_confuso_con_altri_id():
    """The OLP row carries its id where memberships carry the node: it must not become a node."""
    user = UserFactory()
    OlpFactory()  # another OLP first, so that ids differ
    olp = OlpFactory(user=user)
    user = _fresco(user)
    a = ambito(user)
    assert a.olp == olp.pk and not a.nodi and not a.enti and not a.nazionale


def test_richiesta_firmata_nuda_tre_query(client):
    """A signed-in request for a page that reads nothing pays the session, the user and the
    scope: three queries (five before the scope's single query)."""
    user = UserFactory()
    OlpFactory(user=user)
    client.force_login(user)
    url = reverse("account_email")
    client.get(url)  # the first request of a session records it (usersessions)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    ruoli = [q for q in sql if "enti_membership" in q or "enti_olp" in q or "volontari_volontario" in q]
    assert len(ruoli) == 1, ruoli
    assert sum("django_session" in q for q in sql) == 1


def test_ruolo_tolto_vale_dalla_richiesta_successiva(client):
    """The scope is read again on every request: an OLP deactivated between two requests no
    longer opens the month grid."""
    user = UserFactory()
    olp = OlpFactory(user=user)
    client.force_login(user)
    url = reverse("registro:griglia")
    assert client.get(url).status_code == 200
    olp.attivo = False
    olp.save(update_fields=["attivo"])
    assert client.get(url).status_code == 403


def test_esci_ovunque_chiude_le_altre_sessioni(client):
    """allauth's "sign out everywhere else" (usersessions) still ends the other sessions: their
    next request is anonymous and the grid sends it to sign in."""
    from django.test import Client

    user = UserFactory()
    OlpFactory(user=user)
    altro = Client()
    altro.force_login(user)
    client.force_login(user)
    griglia = reverse("registro:griglia")
    assert altro.get(griglia).status_code == 200
    assert client.get(griglia).status_code == 200
    risposta = client.post(reverse("usersessions_list"))
    assert risposta.status_code == 302
    assert client.get(griglia).status_code == 200
    assert altro.get(griglia).status_code == 302
