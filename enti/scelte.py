"""The choice lists of enti's rows that forms offer by type-ahead (infra.scelte): each one the
scoped rows a form validates against and `/cerca/<tipo>/` answers from."""

from infra.scelte import Scelta, intero, registra

from .access import ambito
from .models import Ente, Nodo, Olp, Provincia, Sede


def _enti(user):
    return Ente.objects.visible_to(user).order_by("denominazione", "pk")


def _enti_referente(user):
    """The enti the user is referente of: those they may present a project for."""
    return _enti(user).filter(pk__in=ambito(user).enti_referente)


def _sedi_invito(user):
    """The sedi of the inviter's enti (referente): a site manager is invited to one of them."""
    return Sede.objects.visible_to(user).filter(ente_id__in=ambito(user).enti_referente).order_by("denominazione", "pk")


def _olp_invito(user):
    """The OLP of the inviter's enti without an account yet."""
    return (
        Olp.objects.visible_to(user)
        .filter(ente_id__in=ambito(user).enti_referente, user__isnull=True)
        .order_by("cognome", "nome", "pk")
    )


def _province(user, regione=None):
    """Reference data, the same for everyone; narrowed to the chosen region."""
    qs = Provincia.objects.order_by("nome")
    return qs.filter(regione_id=regione) if regione else qs


def nodi(user):
    return Nodo.objects.visible_to(user).order_by("nome")


ENTE = registra(Scelta("ente", Ente, _enti, cerca=("denominazione", "codice_fiscale"), ordine=("denominazione", "pk")))
ENTE_PROPONENTE = registra(
    Scelta(
        "ente_proponente",
        Ente,
        _enti_referente,
        cerca=("denominazione", "codice_fiscale"),
        ordine=("denominazione", "pk"),
    )
)
SEDE_INVITO = registra(
    Scelta(
        "sede_invito", Sede, _sedi_invito, cerca=("denominazione", "indirizzo", "codice_helios"),
        ordine=("denominazione", "pk"),
    )
)  # fmt: skip
OLP_INVITO = registra(
    Scelta("olp_invito", Olp, _olp_invito, cerca=("cognome", "nome"), ordine=("cognome", "nome", "pk"))
)
PROVINCIA = registra(
    Scelta("provincia", Provincia, _province, cerca=("nome", "sigla"), ordine=("nome",), parametri={"regione": intero})
)
