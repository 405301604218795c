"""State changes of enti: adhesion and the ente's own data. One function each, atomic,
with the acting user, an event row and the audit log; e-mails after commit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import Evento, record_event

from .access import ambito
from .models import Ente, EventoAdesione, Membership
from .roles import Ruolo
from .workflow import MacchinaStati, Transizione

A = Ente.StatoAdesione
RETE = frozenset({Ruolo.STAFF_NODO, Ruolo.STAFF_NAZIONALE})
REFERENTE = frozenset({Ruolo.REFERENTE})

ADESIONE = MacchinaStati(
    [
        Transizione(A.RICHIESTA, A.IN_ISTRUTTORIA, RETE, azione=gettext_lazy("Start the review")),
        Transizione(A.RICHIESTA, A.DA_INTEGRARE, RETE, True, gettext_lazy("Return for changes")),
        Transizione(A.IN_ISTRUTTORIA, A.ADERENTE, RETE, azione=gettext_lazy("Approve the adhesion")),
        Transizione(A.IN_ISTRUTTORIA, A.DA_INTEGRARE, RETE, True, gettext_lazy("Return for changes")),
        Transizione(A.DA_INTEGRARE, A.RICHIESTA, REFERENTE, azione=gettext_lazy("Send the data again")),
        Transizione(A.ADERENTE, A.SOSPESO, RETE, True, gettext_lazy("Suspend")),
        Transizione(A.SOSPESO, A.ADERENTE, RETE, azione=gettext_lazy("Reinstate")),
        Transizione(A.ADERENTE, A.CESSATO, RETE, True, gettext_lazy("End the adhesion")),
        Transizione(A.SOSPESO, A.CESSATO, RETE, True, gettext_lazy("End the adhesion")),
    ]
)

# The ente's data the referente may change, by adhesion state: everything until the nodo
# approves it, then only the contacts.
CAMPI_MODIFICABILI = {
    A.RICHIESTA: ["denominazione", "tipo", "codice_fiscale", "comune", "pec", "rappresentante_legale"],
    A.DA_INTEGRARE: ["denominazione", "tipo", "codice_fiscale", "comune", "pec", "rappresentante_legale"],
    A.IN_ISTRUTTORIA: [],
    A.ADERENTE: ["pec", "rappresentante_legale"],
    A.SOSPESO: ["pec", "rappresentante_legale"],
    A.CESSATO: [],
}


def ruoli_verso_ente(user, ente: Ente) -> frozenset[str]:
    """The roles `user` holds towards this ente (not anywhere in the network)."""
    a = ambito(user)
    ruoli = set()
    if a.nazionale:
        ruoli.add(Ruolo.STAFF_NAZIONALE)
    if ente.nodo_id in a.nodi:
        ruoli.add(Ruolo.STAFF_NODO)
    if ente.pk in a.enti_referente:
        ruoli.add(Ruolo.REFERENTE)
    elif ente.pk in a.enti:
        ruoli.add(Ruolo.STAFF_ENTE)
    return frozenset(ruoli)


def _destinatari(ente: Ente, *, verso_rete: bool) -> list[str]:
    if verso_rete:
        qs = Membership.objects.filter(ruolo=Ruolo.STAFF_NODO, nodo_id=ente.nodo_id, attiva=True)
    else:
        qs = Membership.objects.filter(ruolo=Ruolo.REFERENTE, ente=ente, attiva=True)
    return sorted(set(qs.values_list("user__email", flat=True)))


def _avvisa(ente: Ente, evento: EventoAdesione, *, verso_rete: bool) -> None:
    destinatari = _destinatari(ente, verso_rete=verso_rete)
    if not destinatari:
        return
    oggetto = _("Adhesion of %(ente)s: %(stato)s") % {
        "ente": ente.denominazione,
        "stato": ente.get_stato_adesione_display(),
    }
    corpo = render_to_string("enti/email_adesione.txt", {"ente": ente, "evento": evento})
    transaction.on_commit(lambda: send_mail(oggetto, corpo, settings.DEFAULT_FROM_EMAIL, destinatari))


@transaction.atomic
def cambia_stato_adesione(*, acting_user, ente: Ente, a: str, motivo: str = "", ip_address=None) -> Ente:
    ente = Ente.objects.select_for_update().get(pk=ente.pk)
    da = ente.stato_adesione
    ruoli = ruoli_verso_ente(acting_user, ente)
    ADESIONE.verifica(da=da, a=a, ruoli=ruoli, motivo=motivo)
    oggi = timezone.localdate()
    ente.stato_adesione = a
    if a == A.ADERENTE and ente.data_adesione is None:
        ente.data_adesione = oggi
    if a == A.CESSATO:
        ente.data_cessazione = oggi
    if a == A.RICHIESTA:
        ente.data_richiesta = oggi
    ente.save()
    evento = EventoAdesione.objects.create(ente=ente, da_stato=da, a_stato=a, motivo=motivo.strip(), autore=acting_user)
    record_event(
        verb=Evento.adesione(a),
        acting_user=acting_user,
        target=ente,
        data={"da": da, "a": a, "motivo": motivo.strip()},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    _avvisa(ente, evento, verso_rete=Ruolo.REFERENTE in ruoli and not (ruoli & RETE))
    return ente


@transaction.atomic
def aggiorna_dati_ente(*, acting_user, ente: Ente, dati: dict, ip_address=None) -> Ente:
    """The referente changes the ente's own data, within what its adhesion state allows."""
    ente = Ente.objects.select_for_update().get(pk=ente.pk)
    if Ruolo.REFERENTE not in ruoli_verso_ente(acting_user, ente):
        raise PermissionDenied(_("Only the referent of the body can change its data."))
    consentiti = set(CAMPI_MODIFICABILI[ente.stato_adesione])
    cambiati = {k: v for k, v in dati.items() if getattr(ente, k) != v}
    vietati = sorted(set(cambiati) - consentiti)
    if vietati:
        raise ValidationError({k: _("This field cannot be changed in the current adhesion state.") for k in vietati})
    if (
        "codice_fiscale" in cambiati
        and Ente.objects.exclude(pk=ente.pk).filter(codice_fiscale=cambiati["codice_fiscale"]).exists()
    ):
        raise ValidationError({"codice_fiscale": _("Another body of the network has this tax code.")})
    for k, v in cambiati.items():
        setattr(ente, k, v)
    ente.full_clean()
    ente.save()
    record_event(
        verb=Evento.ENTE_DATI_MODIFICATI,
        acting_user=acting_user,
        target=ente,
        data={"campi": sorted(cambiati)},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return ente
