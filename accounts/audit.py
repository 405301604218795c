"""The one way to write an audit event, and the one list of the kinds of event."""

import enum
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models

from .models import AuditEvent


class Evento(enum.StrEnum):
    """Every kind of audit event. The values are stored in `AuditEvent.verb` (rows exist):
    never change one, only add. An ente's adhesion and a project moving to a state are
    "adesione.<state>" and "progetto.<state>", one member per state of
    `Ente.StatoAdesione` and `Progetto.Stato` (written out: accounts sits under every app;
    tests/accounts/test_audit.py checks they match)."""

    # Sign-in (network.audit_receivers)
    ACCESSO = "accesso"
    USCITA = "uscita"
    ACCESSO_FALLITO = "accesso.fallito"
    # Admin (accounts.admin)
    ADMIN_CREAZIONE = "admin.creazione"
    ADMIN_MODIFICA = "admin.modifica"
    ADMIN_ELIMINAZIONE = "admin.eliminazione"
    # Joining (adesioni)
    INVITO_CREATO = "invito.creato"
    INVITO_ACCETTATO = "invito.accettato"
    INVITO_REVOCATO = "invito.revocato"
    RUOLO_ASSEGNATO = "ruolo.assegnato"
    RICHIESTA_ACCESSO_INVIATA = "richiesta_accesso.inviata"
    RICHIESTA_ACCESSO_APPROVATA = "richiesta_accesso.approvata"
    RICHIESTA_ACCESSO_RESPINTA = "richiesta_accesso.respinta"
    # Enti
    ENTE_DATI_MODIFICATI = "ente.dati_modificati"
    ADESIONE_RICHIESTA = "adesione.richiesta"
    ADESIONE_IN_ISTRUTTORIA = "adesione.in_istruttoria"
    ADESIONE_DA_INTEGRARE = "adesione.da_integrare"
    ADESIONE_ADERENTE = "adesione.aderente"
    ADESIONE_SOSPESO = "adesione.sospeso"
    ADESIONE_CESSATO = "adesione.cessato"
    SEDE_SALVATA = "sede.salvata"
    SEDE_CHIUSA = "sede.chiusa"
    OLP_SALVATO = "olp.salvato"
    # Projects (progetti)
    PROGETTO_CREATO = "progetto.creato"
    PROGETTO_MODIFICATO = "progetto.modificato"
    PROGETTO_POSTI = "progetto.posti"
    PROGETTO_ESPERTI_RICHIESTI = "progetto.esperti_richiesti"
    PROGETTO_COMMENTO = "progetto.commento"
    PROGETTO_BOZZA = "progetto.bozza"
    PROGETTO_PRESENTATO = "progetto.presentato"
    PROGETTO_IN_VALUTAZIONE = "progetto.in_valutazione"
    PROGETTO_DA_INTEGRARE = "progetto.da_integrare"
    PROGETTO_RESPINTO = "progetto.respinto"
    PROGETTO_APPROVATO = "progetto.approvato"
    PROGETTO_FINANZIATO = "progetto.finanziato"
    PROGETTO_IN_CORSO = "progetto.in_corso"
    PROGETTO_CONCLUSO = "progetto.concluso"
    PROGRAMMA_SALVATO = "programma.salvato"
    ESPERTO_SALVATO = "esperto.salvato"
    ESPERTO_ASSEGNATO = "esperto.assegnato"
    # Services and the register (volontari)
    SERVIZIO_AVVIATO = "servizio.avviato"
    SERVIZIO_RINUNCIA = "servizio.rinuncia"
    SERVIZIO_INTERROTTO = "servizio.interrotto"
    SERVIZIO_SUBENTRO = "servizio.subentro"
    SERVIZIO_CONCLUSO = "servizio.concluso"
    PRESENZE_SALVATE = "presenze.salvate"
    PRESENZE_MESE_RIAPERTO_MODIFICATO = "presenze.mese_riaperto_modificato"
    PRESENZE_IMPORTATE = "presenze.importate"
    VOLONTARIO_CODICE_HELIOS = "volontario.codice_helios"
    MESE_CONFERMA_PRELIMINARE = "mese.conferma_preliminare"
    MESE_FOGLIO_CARICATO = "mese.foglio_caricato"
    MESE_CONFERMA_GENERALE = "mese.conferma_generale"
    MESE_RIAPERTO = "mese.riaperto"
    QUESTIONARIO_COMPILATO = "questionario.compilato"
    RELAZIONI_SALVATE = "relazioni.salvate"
    # Monitoring
    REPORT_ORDINATO = "report.ordinato"
    ALLERTA_IN_CARICO = "allerta.in_carico"
    ALLERTA_NOTA = "allerta.nota"
    ALLERTA_CHIUSA = "allerta.chiusa"
    ALLERTA_RIAPERTA = "allerta.riaperta"
    # Personal data
    DATI_PERSONALI_SCARICATI = "dati_personali.scaricati"
    DATI_PERSONALI_PSEUDONIMIZZATI = "dati_personali.pseudonimizzati"
    CALENDARIO_CREATO = "calendario.creato"
    CALENDARIO_RINNOVATO = "calendario.rinnovato"

    @classmethod
    def adesione(cls, stato: str) -> "Evento":
        """The event of an ente's adhesion moving to `stato`."""
        return cls(f"adesione.{stato}")

    @classmethod
    def progetto(cls, stato: str) -> "Evento":
        """The event of a project moving to `stato`."""
        return cls(f"progetto.{stato}")


def _evento(verb) -> str:
    """The stored value of a kind of event; an unknown kind is refused."""
    try:
        return Evento(verb).value
    except ValueError:
        raise ValueError(f"Unknown audit event kind: {verb!r} (add it to accounts.audit.Evento)") from None


def _riga(
    *,
    verb,
    acting_user=None,
    target: models.Model | None = None,
    target_repr: str | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
    nodo_id: int | None = None,
    ente_id: int | None = None,
) -> AuditEvent:
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if target_repr is None:
        target_repr = str(target) if target is not None else ""
    return AuditEvent(
        actor=actor,
        verb=_evento(verb),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=target_repr[:200],
        data=data or {},
        ip_address=ip_address,
        ambito_nodo=nodo_id,
        ambito_ente=ente_id,
    )


def record_event(
    *,
    verb: Evento,
    acting_user=None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip_address: str | None = None,
    nodo_id: int | None = None,
    ente_id: int | None = None,
) -> AuditEvent:
    """Write one audit event; `verb` must be an `Evento` (or its stored value)."""
    riga = _riga(
        verb=verb,
        acting_user=acting_user,
        target=target,
        data=data,
        ip_address=ip_address,
        nodo_id=nodo_id,
        ente_id=ente_id,
    )
    riga.save(force_insert=True)
    return riga


@dataclass
class NuovoEvento:
    """One event of `record_events`: the arguments of `record_event`, plus the object's
    description when it is not `str(target)`."""

    verb: Evento
    target: models.Model | None = None
    target_repr: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    nodo_id: int | None = None
    ente_id: int | None = None


def record_events(
    eventi: Iterable[NuovoEvento], *, acting_user=None, ip_address: str | None = None
) -> list[AuditEvent]:
    """Write many audit events of one request in one INSERT; every kind is checked first."""
    righe = [
        _riga(
            verb=v.verb,
            acting_user=acting_user,
            target=v.target,
            target_repr=v.target_repr,
            data=v.data,
            ip_address=ip_address,
            nodo_id=v.nodo_id,
            ente_id=v.ente_id,
        )
        for v in eventi
    ]
    return AuditEvent.objects.bulk_create(righe) if righe else []


def client_ip(request) -> str | None:
    """The address the request came from: the one the trusted reverse proxy writes in the
    header named by settings.CLIENT_IP_HEADER (e.g. X-Real-IP, which nginx overwrites), or the
    connection's own when no proxy is configured. X-Forwarded-For is never read: a client
    writes what it likes there. The sign-in throttling keys on this too (network.adapters)."""
    if settings.CLIENT_IP_HEADER:
        valore = request.headers.get(settings.CLIENT_IP_HEADER) or ""
    else:
        valore = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(valore.strip()))
    except ValueError:
        return None
