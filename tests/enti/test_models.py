import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from enti.models import Ente, Membership, Sede
from enti.validators import validate_codice_fiscale_ente
from tests.factories import EnteFactory, MembershipFactory, NodoFactory, SedeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_sede_per_address_per_ente_ignoring_case():
    sede = SedeFactory(indirizzo="Via Roma", civico="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sede.objects.create(
            ente=sede.ente, comune=sede.comune, denominazione="Doppione", indirizzo="VIA ROMA", civico="10"
        )
    # Same address for another ente is allowed; another number too.
    SedeFactory(comune=sede.comune, indirizzo="Via Roma", civico="10")
    Sede.objects.create(ente=sede.ente, comune=sede.comune, denominazione="Altra", indirizzo="Via Roma", civico="12")


def test_ente_tax_code_check_digit():
    # 01234567897 is a valid sequence: weights 1/2 alternate, check digit 7.
    validate_codice_fiscale_ente("01234567897")
    with pytest.raises(ValidationError):
        validate_codice_fiscale_ente("01234567890")
    with pytest.raises(ValidationError):
        validate_codice_fiscale_ente("1234567")


def test_member_ente_has_an_adhesion_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        EnteFactory(stato_adesione=Ente.StatoAdesione.ADERENTE, data_adesione=None)


def test_ente_tax_code_is_unique():
    ente = EnteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnteFactory(codice_fiscale=ente.codice_fiscale)


def test_membership_scope_matches_role():
    user = UserFactory()
    nodo = NodoFactory()
    MembershipFactory(user=user, ruolo=Membership.Ruolo.STAFF_NODO, nodo=nodo, ente=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        # A referente is scoped to an ente, not to a nodo.
        Membership.objects.create(user=user, ruolo=Membership.Ruolo.REFERENTE, nodo=nodo)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=user, ruolo=Membership.Ruolo.STAFF_NODO, nodo=nodo, ente=None)


def test_only_one_national_node():
    NodoFactory(slug="anci", livello="nazionale")
    with pytest.raises(IntegrityError), transaction.atomic():
        NodoFactory(slug="anci-bis", livello="nazionale")
