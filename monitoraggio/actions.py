"""The worklist's writes: network staff take an item in charge, annotate it and close it; the
people of the ente add notes. Each write is atomic, kept in the item's history
(`EventoAllerta`) and in the audit log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import Evento, NuovoEvento, record_events
from enti import policy
from enti.roles import RUOLI_RETE

from .models import Allerta, EventoAllerta

NOTA_MAX = 2000


def puo_gestire(user) -> bool:
    """Network staff run the worklist: take items in charge and close them."""
    return bool(policy.ruoli(user) & set(RUOLI_RETE))


def _blocca(user, allerta_id: int) -> Allerta:
    """The item, locked, if the user sees it (404 otherwise, as for any row out of scope)."""
    return Allerta.objects.visible_to(user).select_for_update(of=("self",)).select_related("ente").get(pk=allerta_id)


def _testo(nota: str, *, obbligatoria: bool) -> str:
    nota = (nota or "").strip()
    if obbligatoria and not nota:
        raise ValidationError({"nota": _("Write the note.")})
    if len(nota) > NOTA_MAX:
        raise ValidationError({"nota": _("The note is longer than %(n)s characters.") % {"n": NOTA_MAX}})
    if "\x00" in nota:
        raise ValidationError({"nota": _("The note contains a character that cannot be saved.")})
    return nota


def _scrivi(allerta: Allerta, tipo: str, verb: Evento, acting_user, testo: str = "", ip_address=None) -> None:
    """The history row, and the audit event pointing to it. The audit event names the item by
    its key and carries no note: the note, free text about a volunteer, stays in the history,
    which pseudonymisation empties with the volunteer's other notes."""
    evento = EventoAllerta.objects.create(allerta=allerta, tipo=tipo, autore=acting_user, testo=testo)
    record_events(
        [
            NuovoEvento(
                verb=verb,
                target=allerta,
                target_repr=allerta.chiave,
                data={"chiave": allerta.chiave, "stato": allerta.stato, "evento": evento.pk},
                nodo_id=allerta.ente.nodo_id,
                ente_id=allerta.ente_id,
            )
        ],
        acting_user=acting_user,
        ip_address=ip_address,
    )


@transaction.atomic
def prendi_in_carico(*, acting_user, allerta_id: int, nota: str = "", ip_address=None) -> Allerta:
    """Network staff take an open item in charge (the taker is shown to everyone who sees it)."""
    if not puo_gestire(acting_user):
        raise PermissionDenied(_("Only network staff take items in charge."))
    allerta = _blocca(acting_user, allerta_id)
    testo = _testo(nota, obbligatoria=False)
    if allerta.risolta_il is not None:
        raise ValidationError(_("This item is no longer true: nothing to take in charge."))
    if allerta.stato == Allerta.Stato.CHIUSA:
        raise ValidationError(_("This item is closed."))
    if allerta.stato == Allerta.Stato.IN_CARICO and allerta.in_carico_a_id == acting_user.pk:
        raise ValidationError(_("You have already taken this item in charge."))
    allerta.stato, allerta.in_carico_a = Allerta.Stato.IN_CARICO, acting_user
    allerta.save(update_fields=["stato", "in_carico_a"])
    _scrivi(allerta, EventoAllerta.Tipo.IN_CARICO, Evento.ALLERTA_IN_CARICO, acting_user, testo, ip_address)
    return allerta


@transaction.atomic
def annota(*, acting_user, allerta_id: int, nota: str, ip_address=None) -> Allerta:
    """A note in the item's history, by anyone who sees the item (network staff, the ente, the OLP)."""
    allerta = _blocca(acting_user, allerta_id)
    testo = _testo(nota, obbligatoria=True)
    _scrivi(allerta, EventoAllerta.Tipo.NOTA, Evento.ALLERTA_NOTA, acting_user, testo, ip_address)
    return allerta


@transaction.atomic
def chiudi(*, acting_user, allerta_id: int, nota: str, ip_address=None) -> Allerta:
    """Network staff close an item, saying why. It stays closed while its fact is the same;
    the daily check reopens it when the fact changes (`allerte.controlla`)."""
    if not puo_gestire(acting_user):
        raise PermissionDenied(_("Only network staff close items."))
    allerta = _blocca(acting_user, allerta_id)
    testo = _testo(nota, obbligatoria=True)
    if allerta.stato == Allerta.Stato.CHIUSA:
        raise ValidationError(_("This item is already closed."))
    allerta.stato = Allerta.Stato.CHIUSA
    if allerta.in_carico_a_id is None:
        allerta.in_carico_a = acting_user
    allerta.save(update_fields=["stato", "in_carico_a"])
    _scrivi(allerta, EventoAllerta.Tipo.CHIUSA, Evento.ALLERTA_CHIUSA, acting_user, testo, ip_address)
    return allerta
