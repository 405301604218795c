"""A volunteer's copy of everything the portal holds about them (GDPR art. 15 and 20): a ZIP
with one JSON document and the attendance days as CSV.

Only the volunteer's own rows are read, each kind in one query, so the number of queries
does not grow with the days of service. Other people appear only as far as the volunteer's
own record names them (the OLP, the ente): audit events by someone else say "other", never
who, and carry no address."""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db.models import Q
from django.utils import timezone

from accounts.models import AuditEvent
from progetti.models import AssegnoMensile

from .helios import cella_sicura
from .models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, Servizio, Volontario

FORMATO = "1"
INTESTAZIONE_PRESENZE = ["servizio", "progetto", "giorno", "codice", "descrizione_codice", "attivita", "ore", "nota"]


def _valore(v):
    if isinstance(v, datetime.datetime):
        return timezone.localtime(v).isoformat(timespec="seconds") if timezone.is_aware(v) else v.isoformat()
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")  # 10.00 -> "10", 4.50 -> "4.5"
    return v


def _account(user) -> dict:
    if user is None:
        return {}
    return {
        "email": user.email,
        "nome": user.first_name,
        "cognome": user.last_name,
        "attivo": user.is_active,
        "registrato_il": _valore(user.date_joined),
        "ultimo_accesso": _valore(user.last_login),
        "indirizzi_email": [
            {"email": e.email, "verificato": e.verified, "principale": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # The kinds of second factor set up, never their secrets.
        "verifica_in_due_passaggi": [
            {"tipo": a.type, "creato_il": _valore(a.created_at), "ultimo_uso": _valore(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "sessioni": [
            {
                "indirizzo_ip": s.ip,
                "browser": s.user_agent,
                "creata_il": _valore(s.created_at),
                "ultimo_uso": _valore(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
    }


def _volontario(v: Volontario) -> dict:
    return {
        "codice_fiscale": v.codice_fiscale,
        "codice_volontario": v.codice_volontario,
        "nome": v.nome,
        "cognome": v.cognome,
        "data_nascita": _valore(v.data_nascita),
        "sesso": v.sesso,
        "luogo_nascita": v.luogo_nascita,
        "email": v.email,
        "telefono": v.telefono,
        "calendario_attivo": bool(v.ical_token),
        "pseudonimizzato_il": _valore(v.pseudonimizzato_il),
    }


def _eventi(user, volontario: Volontario, servizi: list[int], chiusure: list[int], questionari: list[int]) -> list:
    """The audit events about the volunteer: what they did, what was done to their account,
    their record, services, months and questionnaires, and failed sign-ins with their address."""
    target = Q(target_type=Volontario._meta.label_lower, target_id=str(volontario.pk))
    for modello, ids in (
        (Servizio, servizi),
        (ChiusuraMensile, chiusure),
        (Questionario, questionari),
    ):
        if ids:
            target |= Q(target_type=modello._meta.label_lower, target_id__in=[str(i) for i in ids])
    indirizzi = {e for e in (volontario.email, user.email if user else "") if e}
    if user is not None:
        target |= Q(actor=user) | Q(target_type=user._meta.label_lower, target_id=str(user.pk))
    if indirizzi:
        target |= Q(data__email__in=sorted(indirizzi))
    out = []
    for e in AuditEvent.objects.filter(target).order_by("created_at", "pk"):
        proprio = user is not None and e.actor_id == user.pk
        out.append(
            {
                "quando": _valore(e.created_at),
                "evento": e.verb,
                "oggetto": e.target_type,
                "id_oggetto": e.target_id,
                "autore": "te" if proprio else ("altra_persona" if e.actor_id else "sistema"),
                "dettagli": e.data,
                # Where a request came from is the volunteer's own data only for their own actions.
                "indirizzo_ip": e.ip_address if proprio else None,
            }
        )
    return out


def raccogli(volontario: Volontario) -> tuple[dict, list[list]]:
    """(the JSON document, the CSV rows of the attendance days)."""
    user = volontario.user
    servizi = list(
        Servizio.objects.filter(volontario=volontario)
        .select_related("posto__progetto", "posto__sede__ente", "posto__sede__comune", "olp")
        .order_by("data_inizio")
    )
    ids = [s.pk for s in servizi]
    presenze: dict[int, list] = {}
    righe_csv = []
    titoli = {s.pk: s.posto.progetto.titolo for s in servizi}
    for p in Presenza.objects.filter(servizio_id__in=ids).order_by("servizio_id", "giorno"):
        presenze.setdefault(p.servizio_id, []).append(
            {
                "giorno": _valore(p.giorno),
                "codice": p.codice,
                "descrizione_codice": str(p.get_codice_display()),
                "attivita": p.attivita,
                "ore": _valore(p.ore),
                "nota": p.nota,
            }
        )
        righe_csv.append(
            [p.servizio_id, titoli[p.servizio_id], p.giorno.isoformat(), p.codice, p.get_codice_display(),
             p.attivita, _valore(p.ore), p.nota]
        )  # fmt: skip
    chiusure: dict[int, list] = {}
    id_chiusure = []
    for c in ChiusuraMensile.objects.filter(servizio_id__in=ids).order_by("mese"):
        id_chiusure.append(c.pk)
        chiusure.setdefault(c.servizio_id, []).append(
            {
                "mese": c.mese.strftime("%Y-%m"),
                "stato": c.stato,
                "conferma_preliminare_il": _valore(c.conferma_preliminare_il),
                "confermata_il": _valore(c.confermata_il),
                "riaperta": c.riaperta,
                "foglio_firmato": c.foglio_firmato.name.rsplit("/", 1)[-1] if c.foglio_firmato else None,
            }
        )
    questionari: dict[int, list] = {}
    id_questionari = []
    for q in Questionario.objects.filter(servizio_id__in=ids).order_by("inviato_il"):
        id_questionari.append(q.pk)
        questionari.setdefault(q.servizio_id, []).append(
            {
                "tipo": q.tipo,
                "inviato_il": _valore(q.inviato_il),
                "scadenza": _valore(q.scadenza),
                "compilato_il": _valore(q.compilato_il),
                "risposte": {
                    campo: getattr(q, campo)
                    for campo in ("attivita", "olp", "formazione", "accoglienza", "soddisfazione")
                },
                "commento": q.commento,
            }
        )
    relazioni: dict[int, list] = {}
    for r in RelazioneMensile.objects.filter(servizio_id__in=ids).order_by("mese"):
        relazioni.setdefault(r.servizio_id, []).append(
            {
                "mese": r.mese.strftime("%Y-%m"),
                "andamento": r.andamento,
                "obiettivi": r.obiettivi,
                "criticita": r.criticita,
                "note": r.note,
                "compilata_il": _valore(r.compilata_il),
            }
        )
    assegni = _assegni()
    documento = {
        "formato": FORMATO,
        "generato_il": _valore(timezone.now()),
        "account": _account(user),
        "volontario": _volontario(volontario),
        "servizi": [
            {
                "id": s.pk,
                "progetto": s.posto.progetto.titolo,
                "codice_progetto": s.posto.progetto.codice_helios,
                "ente": s.posto.sede.ente.denominazione,
                "sede": s.posto.sede.denominazione,
                "indirizzo_sede": f"{s.posto.sede.indirizzo} {s.posto.sede.civico}, {s.posto.sede.comune.nome}",
                "olp": f"{s.olp.nome} {s.olp.cognome}",
                "tipo_posto": s.tipo_posto,
                "gmo": s.gmo,
                "stato": s.stato,
                "data_inizio": _valore(s.data_inizio),
                "data_fine_prevista": _valore(s.data_fine_prevista),
                "data_fine": _valore(s.data_fine),
                "motivo_interruzione": s.motivo_interruzione,
                "interruzione_comunicata_il": _valore(s.interruzione_comunicata_il),
                "interruzione_documentata": s.interruzione_documentata,
                "assegno_mensile": _assegno(s, assegni),
                "presenze": presenze.get(s.pk, []),
                "chiusure_mensili": chiusure.get(s.pk, []),
                "questionari": questionari.get(s.pk, []),
                "relazioni_olp": relazioni.get(s.pk, []),
            }
            for s in servizi
        ],
        "eventi": _eventi(user, volontario, ids, id_chiusure, id_questionari),
    }
    return documento, righe_csv


def _assegni() -> list[tuple[datetime.date, datetime.date | None, Decimal]]:
    """The monthly allowance (the same for every volunteer) as periods: (from, to, amount),
    each valid until the next one starts."""
    righe = list(AssegnoMensile.objects.order_by("valido_dal").values_list("valido_dal", "importo"))
    return [
        (dal, righe[i + 1][0] - datetime.timedelta(days=1) if i + 1 < len(righe) else None, importo)
        for i, (dal, importo) in enumerate(righe)
    ]


def _assegno(servizio: Servizio, assegni) -> list[dict]:
    """The allowances in force during the service."""
    return [
        {"importo_mensile_eur": _valore(importo), "dal": _valore(dal), "al": _valore(al)}
        for dal, al, importo in assegni
        if dal <= servizio.data_fine and (al is None or al >= servizio.data_inizio)
    ]


def _csv(righe: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(INTESTAZIONE_PRESENZE)
    for riga in righe:
        writer.writerow([cella_sicura(c) for c in riga])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")  # the BOM tells Excel it is UTF-8


def archivio(volontario: Volontario) -> bytes:
    """The ZIP: `dati.json` (everything) and `presenze.csv` (the days, formula-safe)."""
    documento, righe = raccogli(volontario)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("dati.json", json.dumps(documento, ensure_ascii=False, indent=1, default=str))
        z.writestr("presenze.csv", _csv(righe))
    return buffer.getvalue()
