"""Invitations: who invites whom, single use, expiry, withdrawal, acceptance."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from adesioni import actions
from adesioni.models import Invito
from enti.models import Membership
from enti.roles import Ruolo
from tests.factories import OlpFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    return costruisci_mondo()


def invita_olp(mondo, django_capture_on_commit_callbacks=None, **kwargs):
    olp = OlpFactory(ente=mondo.oggetti["enti"]["a"], nome="Nuovo", cognome="Tutor")
    invito, token = actions.invita(
        acting_user=mondo.users["referente_a"],
        email="Nuovo.Tutor@Example.org",
        ruolo=Ruolo.OLP,
        olp=olp,
        base_url="https://portale.example/",
        **kwargs,
    )
    return invito, token, olp


def accept(client, token, **data):
    payload = {
        "nome": "Nuovo",
        "cognome": "Tutor",
        "password1": "una-password-sicura-42",
        "password2": "una-password-sicura-42",
    }
    payload.update(data)
    return client.post(reverse("inviti:accetta", args=[token]), payload)


def test_invitation_email_leaves_after_commit_with_a_single_use_link(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invito, token, _olp = invita_olp(mondo)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuovo.tutor@example.org"]
    link = re.search(r"https://portale\.example/inviti/accetta/(\S+)/", message.body)
    assert link and link.group(1) == token
    # Only a hash of the token is kept.
    assert token not in Invito.objects.values_list("token_hash", flat=True)
    assert AuditEvent.objects.filter(verb="invito.creato", actor=mondo.users["referente_a"]).exists()


def test_accepting_creates_a_verified_account_with_the_role_and_signs_in(client, mondo):
    invito, token, olp = invita_olp(mondo)
    response = accept(client, token)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    user = User.objects.get(email="nuovo.tutor@example.org")
    assert user.check_password("una-password-sicura-42")
    assert EmailAddress.objects.get(user=user).verified
    olp.refresh_from_db()
    assert olp.user == user
    invito.refresh_from_db()
    assert invito.usato_il is not None and invito.usato_da == user
    assert client.get(reverse("dashboard")).status_code == 200
    assert AuditEvent.objects.filter(verb="ruolo.assegnato", actor=user).exists()


def test_an_invitation_is_used_once(client, mondo):
    _invito, token, _olp = invita_olp(mondo)
    accept(client, token)
    client.logout()
    response = accept(client, token, password1="altra-password-lunga-1", password2="altra-password-lunga-1")
    assert response.status_code == 410
    assert "già stato utilizzato" in response.content.decode()
    assert User.objects.filter(email="nuovo.tutor@example.org").count() == 1


def test_an_expired_invitation_cannot_be_used(client, mondo):
    invito, token, _olp = invita_olp(mondo)
    Invito.objects.filter(pk=invito.pk).update(scade_il=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("inviti:accetta", args=[token]))
    assert response.status_code == 410
    assert "scaduto" in response.content.decode()
    assert accept(client, token).status_code == 410
    assert not User.objects.filter(email="nuovo.tutor@example.org").exists()


def test_invitations_expire_after_the_configured_days(mondo, settings):
    settings.INVITO_VALIDITA_GIORNI = 3
    invito, _token, _olp = invita_olp(mondo)
    assert invito.scade_il - invito.creato_il == pytest.approx(
        datetime.timedelta(days=3), abs=datetime.timedelta(seconds=5)
    )


def test_a_withdrawn_invitation_cannot_be_used(client, mondo):
    invito, token, _olp = invita_olp(mondo)
    client.force_login(mondo.users["referente_a"])
    assert client.post(reverse("inviti:revoca", args=[invito.pk])).status_code == 302
    client.logout()
    response = client.get(reverse("inviti:accetta", args=[token]))
    assert response.status_code == 410
    assert "ritirato" in response.content.decode()


def test_withdrawal_of_another_scope_invitation_is_404(client, mondo):
    invito, _token, _olp = invita_olp(mondo)
    client.force_login(mondo.users["referente_b"])
    assert client.post(reverse("inviti:revoca", args=[invito.pk])).status_code == 404
    invito.refresh_from_db()
    assert invito.revocato_il is None


def test_a_wrong_token_is_refused(client, mondo):
    assert client.get(reverse("inviti:accetta", args=["not-a-token"])).status_code == 410


@pytest.mark.parametrize(
    ("inviter", "ruolo", "allowed"),
    [
        ("nazionale", Ruolo.STAFF_NODO, True),
        ("nazionale", Ruolo.REFERENTE, False),
        ("nodo_lombardia", Ruolo.REFERENTE, True),
        ("nodo_lombardia", Ruolo.STAFF_NODO, False),
        ("referente_a", Ruolo.STAFF_ENTE, True),
        ("referente_a", Ruolo.REFERENTE, False),
        ("olp_a", Ruolo.VOLONTARIO, True),
        ("olp_a", Ruolo.OLP, False),
        ("volontario", Ruolo.VOLONTARIO, False),
    ],
)
def test_each_level_invites_the_next(mondo, inviter, ruolo, allowed):
    a = mondo.oggetti
    scope = {
        Ruolo.STAFF_NODO: {"nodo": a["nodi"]["lombardia"]},
        Ruolo.REFERENTE: {"ente": a["enti"]["a"]},
        Ruolo.STAFF_ENTE: {"ente": a["enti"]["a"]},
        Ruolo.OLP: {"olp": OlpFactory(ente=a["enti"]["a"])},
        Ruolo.VOLONTARIO: {"volontario": a["servizi"]["a"].volontario},
    }[ruolo]
    if ruolo == Ruolo.VOLONTARIO:
        # Volunteer A already has an account in the personas: invite them under a new one.
        a["servizi"]["a"].volontario.user = None
        a["servizi"]["a"].volontario.save()
    call = lambda: actions.invita(  # noqa: E731
        acting_user=mondo.users[inviter], email="x@example.org", ruolo=ruolo, base_url="http://t/", **scope
    )
    if allowed:
        call()
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_inviters_stay_inside_their_scope(mondo):
    a = mondo.oggetti
    with pytest.raises(ValidationError) as exc:
        actions.invita(
            acting_user=mondo.users["nodo_veneto"],
            email="x@example.org",
            ruolo=Ruolo.REFERENTE,
            ente=a["enti"]["a"],
            base_url="http://t/",
        )
    assert "ente" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.invita(
            acting_user=mondo.users["referente_b"],
            email="x@example.org",
            ruolo=Ruolo.OLP,
            olp=OlpFactory(ente=a["enti"]["a"]),
            base_url="http://t/",
        )
    assert "olp" in exc.value.message_dict
    # An OLP invites only the volunteers they follow.
    volontario_b = a["servizi"]["b"].volontario
    from enti.models import Membership as M

    assert not M.objects.filter(user=mondo.users["olp_a"]).exists()
    with pytest.raises(ValidationError) as exc:
        actions.invita(
            acting_user=mondo.users["olp_a"],
            email="x@example.org",
            ruolo=Ruolo.VOLONTARIO,
            volontario=volontario_b,
            base_url="http://t/",
        )
    assert "volontario" in exc.value.message_dict


def test_invitation_form_shows_the_error_at_the_field(client, mondo):
    client.force_login(mondo.users["referente_a"])
    response = client.post(reverse("inviti:nuovo"), {"email": "non-una-email", "ruolo": Ruolo.STAFF_ENTE})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Inserisci un indirizzo email valido" in html
    assert not Invito.objects.exists()


def test_new_account_password_rules_are_checked_at_the_field(client, mondo):
    _invito, token, _olp = invita_olp(mondo)
    response = accept(client, token, password1="corta", password2="corta")
    assert response.status_code == 200
    assert 'id="id_password1_error"' in response.content.decode()
    assert not User.objects.filter(email="nuovo.tutor@example.org").exists()


def test_an_existing_account_adds_the_role_when_signed_in(client, mondo):
    _invito, token = actions.invita(
        acting_user=mondo.users["referente_b"],
        email="referente.a@example.org",
        ruolo=Ruolo.STAFF_ENTE,
        ente=mondo.oggetti["enti"]["b"],
        base_url="http://t/",
    )
    # Not signed in: told to sign in first.
    response = accept(client, token)
    assert response.status_code == 410
    client.force_login(mondo.users["referente_a"])
    assert client.post(reverse("inviti:accetta", args=[token])).status_code == 302
    assert Membership.objects.filter(
        user=mondo.users["referente_a"], ruolo=Ruolo.STAFF_ENTE, ente=mondo.oggetti["enti"]["b"]
    ).exists()


def test_network_staff_invited_must_set_up_mfa(client, mondo):
    _invito, token = actions.invita(
        acting_user=mondo.users["nazionale"],
        email="nuovo.nodo@example.org",
        ruolo=Ruolo.STAFF_NODO,
        nodo=mondo.oggetti["nodi"]["veneto"],
        base_url="http://t/",
    )
    accept(client, token)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_accepting_is_rate_limited(client, mondo):
    # Tokens are 256-bit random, so guessing is hopeless; still, repeated attempts on one
    # link are cut off (allauth's limiter counts POSTs).
    codes = [client.post(reverse("inviti:accetta", args=["guess-number-x"]), {}).status_code for _ in range(12)]
    assert codes[0] == 410
    assert codes[-1] == 429
