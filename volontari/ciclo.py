"""The life of a service: start, renunciation, interruption, replacement, end. One function
per state change, atomic, with the acting user and the audit log."""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Evento, NuovoEvento, record_event, record_events
from enti import policy
from progetti import carico_olp, rules
from progetti.models import PostoSede, Progetto

from .codice_fiscale import decodifica, normalizza
from .models import Presenza, Servizio, Volontario, riepiloghi_rinviati

STATI_AVVIABILI = (Progetto.Stato.APPROVATO, Progetto.Stato.FINANZIATO, Progetto.Stato.IN_CORSO)


def aggiungi_mesi(giorno: datetime.date, mesi: int) -> datetime.date:
    indice = giorno.month - 1 + mesi
    anno, mese = giorno.year + indice // 12, indice % 12 + 1
    return datetime.date(anno, mese, min(giorno.day, calendar.monthrange(anno, mese)[1]))


def eta_ammessa(nascita: datetime.date, domanda: datetime.date) -> bool:
    """18 to 28 years and 364 days old on the application date."""
    return aggiungi_mesi(nascita, 12 * rules.ETA_MIN) <= domanda < aggiungi_mesi(nascita, 12 * (rules.ETA_MAX + 1))


def _richiedi_ente(acting_user, ente_id: int) -> None:
    if not policy.puo_confermare_mese(acting_user, ente_id=ente_id):
        raise PermissionDenied(_("Services are started and ended by the body's referent or staff."))


def _audit(verb, acting_user, servizio, data=None, ip_address=None):
    record_event(
        verb=verb,
        acting_user=acting_user,
        target=servizio,
        data=data or {},
        ip_address=ip_address,
        ente_id=servizio.posto.sede.ente_id,
    )


def _volontario(dati: dict) -> Volontario:
    """The volunteer by tax code: birth date and sex are read from it, never typed."""
    cf = normalizza(dati["codice_fiscale"])
    try:
        letti = decodifica(cf)
    except ValidationError as exc:
        raise ValidationError({"codice_fiscale": exc.messages}) from exc
    defaults = {
        "nome": dati["nome"].strip(),
        "cognome": dati["cognome"].strip(),
        "data_nascita": letti.data_nascita,
        "sesso": letti.sesso,
        "luogo_nascita": letti.luogo_nascita_nome,
        "email": dati.get("email", ""),
        "codice_volontario": dati.get("codice_volontario") or None,
    }
    if not Volontario.objects.filter(codice_fiscale=cf).exists():
        # A new volunteer whose Helios code is already someone else's: said at that field.
        Volontario(codice_fiscale=cf, **defaults).validate_unique(exclude=["codice_fiscale"])
    volontario, _created = Volontario.objects.get_or_create(codice_fiscale=cf, defaults=defaults)
    return volontario


def _verifica_posto(*, posto: PostoSede, olp, tipo_posto: int, gmo: bool, inizio, fine, escludi=None) -> dict:
    errori: dict[str, list[str]] = {}
    progetto = posto.progetto
    if progetto.stato not in STATI_AVVIABILI:
        errori.setdefault("posto", []).append(_("Volunteers start only in approved projects."))
    if not posto.olp.filter(pk=olp.pk).exists():
        errori.setdefault("olp", []).append(_("This OLP is not named at this site of the project."))
    sovrapposti = (
        Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(data_inizio__lte=fine, data_fine__gte=inizio)
        .exclude(pk=escludi.pk if escludi else None)
    )
    posti_del_tipo = {1: posto.posti_vitto_alloggio, 2: posto.posti_solo_vitto, 3: posto.posti_senza_vitto_alloggio}[
        tipo_posto
    ]
    if sovrapposti.filter(posto=posto, tipo_posto=tipo_posto).count() >= posti_del_tipo:
        errori.setdefault("tipo_posto", []).append(_("No place of this kind is free at this site."))
    if gmo and sovrapposti.filter(posto=posto, gmo=True).count() >= posto.posti_gmo:
        errori.setdefault("gmo", []).append(_("No place reserved for young people with fewer opportunities is free."))
    errori_olp = _errori_carico_olp(posto, olp)
    if errori_olp:
        errori.setdefault("olp", []).extend(errori_olp)
    return errori


def _errori_carico_olp(posto: PostoSede, olp) -> list[str]:
    """The OLP's load (progetti.carico_olp) with this service counted, from today on: the load
    only falls as days pass, so today is its highest."""
    progetto = posto.progetto
    carico_olp.blocca_olp([olp.pk])
    c = carico_olp.carichi_olp(
        [olp.pk],
        giorno=timezone.localdate(),
        nuovo_servizio=(olp.pk, posto.pk, progetto.bando_id, progetto.settore_id),
    )[olp.pk]
    massimo = c.con_massimo(progetto.bando.max_volontari_olp(progetto.settore))
    if c.volontari > massimo:
        return [
            _("%(olp)s would follow %(n)s volunteers across projects: the maximum is %(max)s.")
            % {"olp": olp, "n": c.volontari, "max": massimo}
        ]
    return []


@transaction.atomic
def avvia_servizio(
    *,
    acting_user,
    posto: PostoSede,
    olp,
    volontario: dict,
    data_inizio: datetime.date,
    data_domanda: datetime.date,
    tipo_posto: int = Servizio.TipoPosto.SENZA_VITTO_ALLOGGIO,
    gmo: bool = False,
    ip_address=None,
) -> Servizio:
    """Start a volunteer at a place of an approved project."""
    posto = (
        PostoSede.objects.select_for_update()
        .select_related("progetto__bando", "progetto__settore", "sede")
        .get(pk=posto.pk)
    )
    _richiedi_ente(acting_user, posto.sede.ente_id)
    v = _volontario(volontario)
    errori: dict[str, list[str]] = {}
    if not eta_ammessa(v.data_nascita, data_domanda):
        errori["codice_fiscale"] = [
            _("On the application date the volunteer must be 18 to 28 years and 364 days old (born on %(d)s).")
            % {"d": v.data_nascita.strftime("%d/%m/%Y")}
        ]
    if data_domanda > data_inizio:
        errori.setdefault("data_domanda", []).append(_("The application comes before the start."))
    fine = aggiungi_mesi(data_inizio, posto.progetto.durata_mesi) - datetime.timedelta(days=1)
    for campo, messaggi in _verifica_posto(
        posto=posto, olp=olp, tipo_posto=tipo_posto, gmo=gmo, inizio=data_inizio, fine=fine
    ).items():
        errori.setdefault(campo, []).extend(messaggi)
    if (
        Servizio.objects.filter(volontario=v, data_inizio__lte=fine, data_fine__gte=data_inizio)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .exists()
    ):
        errori.setdefault("codice_fiscale", []).append(_("This volunteer is already in service in that period."))
    if errori:
        raise ValidationError(errori)
    servizio = Servizio.objects.create(
        volontario=v, posto=posto, olp=olp, tipo_posto=tipo_posto, gmo=gmo, data_inizio=data_inizio,
        data_fine_prevista=fine, data_fine=fine,
    )  # fmt: skip
    _audit(Evento.SERVIZIO_AVVIATO, acting_user, servizio, {"inizio": data_inizio.isoformat()}, ip_address)
    return servizio


@transaction.atomic
def registra_rinuncia(*, acting_user, servizio: Servizio, motivo: str = "", ip_address=None) -> Servizio:
    """The volunteer declines before serving: no day of service is recorded."""
    servizio = Servizio.objects.select_for_update().select_related("posto__sede").get(pk=servizio.pk)
    _richiedi_ente(acting_user, servizio.posto.sede.ente_id)
    if servizio.stato != Servizio.Stato.IN_SERVIZIO:
        raise ValidationError(_("Only a service not yet ended can be renounced."))
    if Presenza.objects.filter(servizio=servizio, codice="P").exists():
        raise ValidationError(_("The volunteer has already served: record an interruption instead."))
    ProhibitNullCharactersValidator()(motivo)  # PostgreSQL refuses NUL in text
    with riepiloghi_rinviati([servizio.pk]):
        Presenza.objects.filter(servizio=servizio).delete()
    servizio.stato = Servizio.Stato.RINUNCIA
    servizio.data_fine = servizio.data_inizio
    servizio.motivo_interruzione = motivo.strip()
    servizio.save()
    _audit(Evento.SERVIZIO_RINUNCIA, acting_user, servizio, {"motivo": motivo.strip()}, ip_address)
    return servizio


def interruzione_in_ritardo(servizio: Servizio) -> bool:
    """An interruption is reported within 5 days of the last day of service."""
    if servizio.stato != Servizio.Stato.INTERROTTO or servizio.interruzione_comunicata_il is None:
        return False
    return (servizio.interruzione_comunicata_il - servizio.data_fine).days > rules.INTERRUZIONE_COMUNICAZIONE_GIORNI


@transaction.atomic
def interrompi_servizio(
    *,
    acting_user,
    servizio: Servizio,
    ultimo_giorno: datetime.date,
    motivo: str,
    documentata: bool = False,
    ip_address=None,
) -> Servizio:
    """The volunteer stops during service. The report date is today: late reports (more than
    5 days after the last day) stay visible in the record and the audit log."""
    servizio = Servizio.objects.select_for_update().select_related("posto__sede").get(pk=servizio.pk)
    _richiedi_ente(acting_user, servizio.posto.sede.ente_id)
    oggi = timezone.localdate()
    errori = {}
    if servizio.stato != Servizio.Stato.IN_SERVIZIO:
        errori["ultimo_giorno"] = [_("This service has already ended.")]
    elif not servizio.data_inizio <= ultimo_giorno <= min(servizio.data_fine, oggi):
        errori["ultimo_giorno"] = [_("The last day of service falls within the service and not after today.")]
    elif Presenza.objects.filter(servizio=servizio, giorno__gt=ultimo_giorno).exists():
        errori["ultimo_giorno"] = [_("Days are recorded after this date: correct the register first.")]
    if not motivo.strip():
        errori["motivo"] = [_("Write the reason of the interruption.")]
    if errori:
        raise ValidationError(errori)
    servizio.stato = Servizio.Stato.INTERROTTO
    servizio.data_fine = ultimo_giorno
    servizio.motivo_interruzione = motivo.strip()
    servizio.interruzione_comunicata_il = oggi
    servizio.interruzione_documentata = documentata
    servizio.save()
    _audit(
        Evento.SERVIZIO_INTERROTTO,
        acting_user,
        servizio,
        {"ultimo_giorno": ultimo_giorno.isoformat(), "in_ritardo": interruzione_in_ritardo(servizio)},
        ip_address,
    )
    return servizio


@transaction.atomic
def subentro(
    *,
    acting_user,
    uscito: Servizio,
    volontario: dict,
    data_inizio: datetime.date,
    data_domanda: datetime.date,
    ip_address=None,
) -> Servizio:
    """The next suitable candidate of the sede's ranking replaces a volunteer who left early,
    within the call's window from the project's start, on the same place until its end."""
    uscito = (
        Servizio.objects.select_for_update().select_related("posto__progetto__bando", "posto__sede").get(pk=uscito.pk)
    )
    _richiedi_ente(acting_user, uscito.posto.sede.ente_id)
    progetto = uscito.posto.progetto
    errori: dict[str, list[str]] = {}
    if uscito.stato not in (Servizio.Stato.RINUNCIA, Servizio.Stato.INTERROTTO):
        errori["uscito"] = [_("Only a volunteer who renounced or interrupted can be replaced.")]
    elif hasattr(uscito, "subentrato_da"):
        errori["uscito"] = [_("This volunteer has already been replaced.")]
    avvio = progetto.data_avvio or uscito.data_inizio
    limite = avvio + datetime.timedelta(days=progetto.bando.finestra_subentro_giorni)
    if data_inizio > limite:
        errori.setdefault("data_inizio", []).append(
            _("Replacements start within %(n)s days of the project's start (by %(d)s).")
            % {"n": progetto.bando.finestra_subentro_giorni, "d": limite.strftime("%d/%m/%Y")}
        )
    if data_inizio <= uscito.data_fine:
        errori.setdefault("data_inizio", []).append(
            _("The replacement starts after the last day of the volunteer replaced.")
        )
    errori_olp = _errori_carico_olp(uscito.posto, uscito.olp)
    if errori_olp:
        errori.setdefault("olp", []).extend(errori_olp)
    v = _volontario(volontario)
    if not eta_ammessa(v.data_nascita, data_domanda):
        errori.setdefault("codice_fiscale", []).append(
            _("On the application date the volunteer must be 18 to 28 years and 364 days old (born on %(d)s).")
            % {"d": v.data_nascita.strftime("%d/%m/%Y")}
        )
    if errori:
        raise ValidationError(errori)
    fine = uscito.data_fine_prevista
    nuovo = Servizio.objects.create(
        volontario=v, posto=uscito.posto, olp=uscito.olp, tipo_posto=uscito.tipo_posto, gmo=uscito.gmo,
        data_inizio=data_inizio, data_fine_prevista=fine, data_fine=fine, subentra_a=uscito,
    )  # fmt: skip
    _audit(Evento.SERVIZIO_SUBENTRO, acting_user, nuovo, {"sostituisce": uscito.pk}, ip_address)
    return nuovo


@transaction.atomic
def concludi_servizi_terminati(oggi: datetime.date | None = None) -> int:
    """Services past their last day become concluded (run daily by Celery beat): one UPDATE
    and one INSERT of audit events, one event per service (the system acts, no user)."""
    oggi = oggi or timezone.localdate()
    servizi = list(
        Servizio.objects.select_for_update(of=("self",))
        .filter(Q(stato=Servizio.Stato.IN_SERVIZIO), data_fine__lt=oggi)
        .select_related("volontario", "posto__progetto", "posto__sede__ente")
        .order_by("pk")
    )
    if not servizi:
        return 0
    Servizio.objects.filter(pk__in=[s.pk for s in servizi]).update(stato=Servizio.Stato.CONCLUSO)
    record_events(
        NuovoEvento(
            verb=Evento.SERVIZIO_CONCLUSO,
            target=s,
            data={
                "da": Servizio.Stato.IN_SERVIZIO,
                "a": Servizio.Stato.CONCLUSO,
                "ultimo_giorno": s.data_fine.isoformat(),
            },
            nodo_id=s.posto.sede.ente.nodo_id,
            ente_id=s.posto.sede.ente_id,
        )
        for s in servizi
    )
    return len(servizi)


def certificato_disponibile(servizio: Servizio, oggi: datetime.date | None = None) -> bool:
    """At the end of service; or, for a service interrupted for documented health, service or
    force-majeure reasons, after at least 6 months served."""
    oggi = oggi or timezone.localdate()
    if servizio.stato == Servizio.Stato.CONCLUSO or (
        servizio.stato == Servizio.Stato.IN_SERVIZIO and servizio.data_fine < oggi
    ):
        return True
    if servizio.stato == Servizio.Stato.INTERROTTO and servizio.interruzione_documentata:
        sei_mesi = aggiungi_mesi(servizio.data_inizio, rules.CERTIFICATO_INTERRUZIONE_MESI_MIN)
        return sei_mesi <= servizio.data_fine + datetime.timedelta(days=1)
    return False
