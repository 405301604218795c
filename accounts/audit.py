"""The one way to write an audit event."""

from typing import Any

from django.db import models

from .models import AuditEvent


def record_event(
    *,
    verb: str,
    acting_user=None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
    nodo_id: int | None = None,
    ente_id: int | None = None,
) -> AuditEvent:
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
        ip_address=ip_address,
        ambito_nodo=nodo_id,
        ambito_ente=ente_id,
    )


def client_ip(request) -> str | None:
    """The address the request came from (the proxy in front of gunicorn sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None
