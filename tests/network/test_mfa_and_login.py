"""Second factor, sign-in by e-mail, rate limits and the audit of sign-ins."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from accounts.models import AuditEvent
from enti.models import Membership
from enti.roles import Ruolo
from tests.factories import NodoFactory
from tests.personas import costruisci_mondo, current_code, utente

pytestmark = pytest.mark.django_db


def test_network_staff_without_a_second_factor_can_only_set_it_up(client):
    user = utente("nodo.nuovo@example.org")
    Membership.objects.create(user=user, ruolo=Ruolo.STAFF_NODO, nodo=NodoFactory())
    client.force_login(user)
    for name in ("dashboard", "enti:lista", "inviti:lista", "audit:eventi"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("mfa_index")).status_code == 200
    TOTP.activate(user, generate_totp_secret())
    assert client.get(reverse("dashboard")).status_code == 200


def test_admin_needs_a_second_factor(client):
    admin = utente("admin@example.org")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    TOTP.activate(admin, generate_totp_secret())
    assert client.get("/admin/").status_code == 200


def test_mfa_is_optional_for_others(client):
    mondo = costruisci_mondo()
    client.force_login(mondo.users["referente_a"])
    assert client.get(reverse("dashboard")).status_code == 200


def test_staff_with_a_second_factor_are_asked_for_it_at_sign_in(client):
    mondo = costruisci_mondo()
    response = client.post(
        reverse("account_login"), {"login": "nodo.lombardia@example.org", "password": "password-for-tests"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in until the code is given; the code page is open to the half-signed-in.
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("mfa_authenticate")).status_code == 200
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert client.get(reverse("dashboard")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(mondo.users["nodo_lombardia"])})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_sign_in_by_email_and_audit(client):
    costruisci_mondo()
    response = client.post(
        reverse("account_login"), {"login": "Referente.A@example.org", "password": "password-for-tests"}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    event = AuditEvent.objects.get(verb="accesso")
    assert event.actor.email == "referente.a@example.org"
    assert event.ip_address == "127.0.0.1"
    assert event.ambito_ente is not None


def test_failed_sign_ins_are_audited_and_rate_limited(client):
    costruisci_mondo()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": "referente.a@example.org", "password": "wrong"})
        assert response.status_code == 200
    assert AuditEvent.objects.filter(verb="accesso.fallito", data__email="referente.a@example.org").count() == 5
    # The sixth attempt is refused even with the right password.
    response = client.post(
        reverse("account_login"), {"login": "referente.a@example.org", "password": "password-for-tests"}
    )
    assert response.status_code in (200, 429)
    assert client.get(reverse("dashboard")).status_code == 302


def test_nobody_signs_up_alone(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "me@example.org", "password1": "x-long-password-1", "password2": "x-long-password-1"},
    )
    assert response.status_code == 200
    from accounts.models import User

    assert not User.objects.filter(email="me@example.org").exists()


def test_audit_log_is_scoped(client):
    mondo = costruisci_mondo()
    client.post(reverse("account_login"), {"login": "referente.a@example.org", "password": "password-for-tests"})
    client.logout()
    client.force_login(mondo.users["nodo_lombardia"])
    assert "referente.a@example.org" in client.get(reverse("audit:eventi")).content.decode()
    client.force_login(mondo.users["nodo_veneto"])
    assert "referente.a@example.org" not in client.get(reverse("audit:eventi")).content.decode()
