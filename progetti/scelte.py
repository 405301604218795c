"""The choice lists of progetti's rows that forms offer by type-ahead (infra.scelte): each one the
scoped rows a form validates against and `/cerca/<tipo>/` answers from."""

from enti.models import Esperto
from infra.scelte import Scelta, intero, registra

from . import actions
from .models import Area, IncaricoEsperto, Progetto


def _progetti(user):
    return Progetto.objects.visible_to(user).order_by("titolo", "pk")


def _progetti_programma(user):
    """The projects a programme of the user's nodi may gather (actions.progetti_per_programma)."""
    return actions.progetti_per_programma(user, actions.nodi_gestiti(user)).order_by("titolo", "pk")


def _aree(user, settore=None):
    """Reference data, the same for everyone; narrowed to the chosen sector."""
    qs = Area.objects.select_related("settore").order_by("settore__codice", "numero")
    return qs.filter(settore_id=settore) if settore else qs


def _esperti(user, ruolo=None):
    """The active experts of the pools the user keeps; with a role, those who have it."""
    qs = Esperto.objects.visible_to(user).filter(attivo=True).order_by("cognome", "nome", "pk")
    return qs.filter(**{ruolo: True}) if ruolo else qs


def _ruolo(valore: str) -> str | None:
    return valore if valore in IncaricoEsperto.Ruolo.values else None


PROGETTO = registra(Scelta("progetto", Progetto, _progetti, cerca=("titolo", "codice_helios"), ordine=("titolo", "pk")))
PROGETTO_PROGRAMMA = registra(
    Scelta(
        "progetto_programma", Progetto, _progetti_programma, cerca=("titolo", "codice_helios", "ente__denominazione"),
        ordine=("titolo", "pk"),
    )
)  # fmt: skip
AREA = registra(
    Scelta(
        "area", Area, _aree, cerca=("nome", "settore__codice"), ordine=("settore__codice", "numero"),
        parametri={"settore": intero},
    )
)  # fmt: skip
ESPERTO = registra(
    Scelta(
        "esperto", Esperto, _esperti, cerca=("cognome", "nome"), ordine=("cognome", "nome", "pk"),
        parametri={"ruolo": _ruolo},
    )
)  # fmt: skip
