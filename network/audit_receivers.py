"""Sign-ins, sign-outs and failed sign-ins go to the audit log. Django's auth signals are the
only hook for them; these receivers only record, they decide nothing."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from accounts.audit import Evento, client_ip, record_event
from enti.models import Membership


def _ambito(user) -> tuple[int | None, int | None]:
    m = Membership.objects.filter(user=user, attiva=True).values("nodo_id", "ente_id", "sede__ente_id").first()
    if m is None:
        return None, None
    return m["nodo_id"], m["ente_id"] or m["sede__ente_id"]


def on_login(sender, request, user, **kwargs):
    nodo_id, ente_id = _ambito(user)
    record_event(
        verb=Evento.ACCESSO,
        acting_user=user,
        target=user,
        ip_address=client_ip(request),
        nodo_id=nodo_id,
        ente_id=ente_id,
    )


def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    nodo_id, ente_id = _ambito(user)
    record_event(
        verb=Evento.USCITA,
        acting_user=user,
        target=user,
        ip_address=client_ip(request),
        nodo_id=nodo_id,
        ente_id=ente_id,
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:200]
    record_event(
        verb=Evento.ACCESSO_FALLITO,
        data={"email": email},
        ip_address=client_ip(request) if request is not None else None,
    )


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit-login")
    user_logged_out.connect(on_logout, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
