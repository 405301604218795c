"""The choice lists of volontari's rows that forms offer by type-ahead (infra.scelte)."""

from infra.scelte import Scelta, registra

from .models import Volontario


def _volontari_invito(user):
    """The volunteers the user sees who have no account yet: whom they may invite."""
    return Volontario.objects.visible_to(user).filter(user__isnull=True).order_by("cognome", "nome", "pk")


# Matched by name and the Department's code, never by tax code: OLP and network staff do not see it.
VOLONTARIO_INVITO = registra(
    Scelta(
        "volontario_invito", Volontario, _volontari_invito, cerca=("cognome", "nome", "codice_volontario"),
        ordine=("cognome", "nome", "pk"),
    )
)  # fmt: skip
