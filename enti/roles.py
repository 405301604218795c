"""The roles of the portal, declared once. What each role may do is in network/policy.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Ruolo(models.TextChoices):
    STAFF_NAZIONALE = "staff_nazionale", _("national network staff")
    STAFF_NODO = "staff_nodo", _("node staff")
    REFERENTE = "referente", _("body referent")
    STAFF_ENTE = "staff_ente", _("body staff")
    RESPONSABILE_SEDE = "responsabile_sede", _("site manager")
    OLP = "olp", _("OLP")
    VOLONTARIO = "volontario", _("volunteer")
    # Every signed-in user holds UTENTE, whatever else they hold; visitors hold ANONIMO.
    UTENTE = "utente", _("signed-in user")
    ANONIMO = "anonimo", _("anonymous visitor")


# Roles held through a Membership row; an OLP and a volunteer are linked to their user by
# their own records (Olp.user, Volontario.user).
RUOLI_MEMBERSHIP = (
    Ruolo.STAFF_NAZIONALE,
    Ruolo.STAFF_NODO,
    Ruolo.REFERENTE,
    Ruolo.STAFF_ENTE,
    Ruolo.RESPONSABILE_SEDE,
)
# Network staff: MFA is mandatory for them.
RUOLI_RETE = frozenset({Ruolo.STAFF_NAZIONALE, Ruolo.STAFF_NODO})
RUOLI_ENTE = frozenset({Ruolo.REFERENTE, Ruolo.STAFF_ENTE})
