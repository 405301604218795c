"""The choice lists of progetti's rows that forms offer by type-ahead (infra.scelte): each one the
scoped rows a form validates against and `/cerca/<tipo>/` answers from."""

from django.db.models import Q

from enti.models import Ente, Esperto, Sede
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


def _il_progetto(user, progetto):
    """The project, if the user sees it, as a subquery (no query of its own)."""
    return Progetto.objects.visible_to(user).filter(pk=progetto)


def _sedi_progetto(user, progetto=None):
    """The open sedi of a project's lead and co-designing enti: where its places may be."""
    if not progetto:
        return Sede.objects.none()
    visto = _il_progetto(user, progetto)
    coprogettanti = Progetto.enti_coprogettanti.through.objects.filter(progetto__in=visto.values("pk"))
    return (
        Sede.objects.filter(data_chiusura__isnull=True)
        .filter(Q(ente_id__in=visto.values("ente_id")) | Q(ente_id__in=coprogettanti.values("ente_id")))
        .order_by("denominazione", "indirizzo", "pk")
    )


def _enti_coprogettanti(user, progetto=None):
    """The other member enti of the lead ente's nodo: who may co-design the project."""
    if not progetto:
        return Ente.objects.none()
    visto = _il_progetto(user, progetto)
    return (
        Ente.objects.aderenti()
        .filter(nodo_id__in=visto.values("ente__nodo_id"))
        .exclude(pk__in=visto.values("ente_id"))
        .order_by("denominazione", "pk")
    )


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
SEDE_PROGETTO = registra(
    Scelta(
        "sede_progetto", Sede, _sedi_progetto, cerca=("denominazione", "indirizzo", "comune__nome"),
        ordine=("denominazione", "indirizzo", "pk"), parametri={"progetto": intero},
    )
)  # fmt: skip
ENTE_COPROGETTANTE = registra(
    Scelta(
        "ente_coprogettante", Ente, _enti_coprogettanti, cerca=("denominazione", "codice_fiscale"),
        ordine=("denominazione", "pk"), parametri={"progetto": intero},
    )
)  # fmt: skip
