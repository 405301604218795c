from django.db.models import Q

from accounts.models import AuditEvent
from enti.access import ambito
from enti.models import Ente


def eventi_visibili(user):
    """National staff read every event; nodo staff those of their nodi and of their enti."""
    a = ambito(user)
    qs = AuditEvent.objects.select_related("actor")
    if a.nazionale:
        return qs
    if a.nodi:
        return qs.filter(
            Q(ambito_nodo__in=a.nodi) | Q(ambito_ente__in=Ente.objects.filter(nodo_id__in=a.nodi).values("pk"))
        )
    return qs.none()
