"""The register: writing days, closing months. One function per state change, atomic, with
the acting user and the audit log; a bounded number of queries whatever the number of days
or volunteers saved at once."""

import dataclasses
import datetime
import secrets
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Evento, NuovoEvento, record_event, record_events
from accounts.files import PdfNonAccettabile, verifica_pdf
from enti import policy
from enti.access import ambito
from infra.mesi import primo_del_mese, ultimo_del_mese

from . import rules
from .models import ChiusuraMensile, Presenza, Servizio, Volontario, riepiloghi_rinviati
from .rules import Voce


class Scritti(dict):
    """How many days were written per service; `avvisi` maps service id -> day -> the notices
    of the saved month (they do not stop a save: unpaid sickness, a week under the minimum).
    `righe` and `chiusure` are the saved services' month and closes as they are now in the
    database (what `carica_mese` and a read of the closes would return), for the page that
    shows the month again without reading it back."""

    def __init__(self, *args, avvisi=None, righe=None, chiusure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.avvisi: dict[int, dict[datetime.date, list[str]]] = avvisi or {}
        self.righe: dict[int, dict[datetime.date, Presenza]] = righe or {}
        self.chiusure: dict[int, ChiusuraMensile] = chiusure or {}


class ErroriGriglia(ValidationError):
    """The save was refused. `giorni` maps service id -> day -> messages; `servizi` maps
    service id -> messages about the whole month (e.g. changed meanwhile)."""

    def __init__(self, giorni, servizi):
        super().__init__(_("Nothing was saved: correct the days marked in red."))
        self.giorni = giorni
        self.servizi = servizi


def finestra_settimane(mese: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month widened to whole weeks (Monday to Sunday): weekly hour rules need them."""
    inizio, fine = primo_del_mese(mese), ultimo_del_mese(mese)
    return inizio - datetime.timedelta(days=inizio.weekday()), fine + datetime.timedelta(days=6 - fine.weekday())


def versione(righe) -> str:
    """A token for the month as the user saw it: it changes whenever a day is written."""
    if not righe:
        return "0"
    ultimo = max(r.aggiornata_il for r in righe)
    return f"{len(righe)}-{ultimo.isoformat()}"


def carica_mese(servizi_ids, mese: datetime.date) -> dict[int, dict[datetime.date, Presenza]]:
    per_servizio: dict[int, dict[datetime.date, Presenza]] = defaultdict(dict)
    for p in Presenza.objects.filter(
        servizio_id__in=servizi_ids, giorno__gte=primo_del_mese(mese), giorno__lte=ultimo_del_mese(mese)
    ):
        per_servizio[p.servizio_id][p.giorno] = p
    return per_servizio


def finestra_vicini(mese: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days around the month the rules read: its whole weeks (weekly hours) and at least
    `rules.FINESTRA_GIORNI` each side (runs of consecutive days across the month's edges)."""
    da, a = finestra_settimane(mese)
    margine = datetime.timedelta(days=rules.FINESTRA_GIORNI)
    return min(da, primo_del_mese(mese) - margine), max(a, ultimo_del_mese(mese) + margine)


def carica_vicini(servizi_ids, mese: datetime.date) -> dict[int, dict[datetime.date, Voce]]:
    """The days written just outside the month (`finestra_vicini`), in one query."""
    inizio, fine = primo_del_mese(mese), ultimo_del_mese(mese)
    da, a = finestra_vicini(mese)
    vicini: dict[int, dict[datetime.date, Voce]] = defaultdict(dict)
    for servizio_id, giorno, codice, attivita, ore in (
        Presenza.objects.filter(servizio_id__in=servizi_ids, giorno__gte=da, giorno__lte=a)
        .exclude(giorno__gte=inizio, giorno__lte=fine)
        .order_by()
        .values_list("servizio_id", "giorno", "codice", "attivita", "ore")
    ):
        vicini[servizio_id][giorno] = Voce(giorno, codice, attivita, ore)
    return vicini


def _fuori_dal_mese(servizi, mese: datetime.date) -> dict[int, rules.Fuori]:
    """Caps, training, weekly hours and the neighbouring days from outside the month, for all
    the services in one query: the days outside the month that are leave or sickness (counted
    against the caps), training (counted towards its deadlines) or in `finestra_vicini` (weeks
    and runs of days across the month's edges). One walk of each service's days by its
    `(servizio, giorno)` index; the save paid three of them, a round trip each (docs/benchmarks.md).

    None joins the services: the first 180 days of each are known here, and a join made
    PostgreSQL hash the whole services table at national scale (docs/benchmarks.md)."""
    inizio, fine = primo_del_mese(mese), ultimo_del_mese(mese)
    da, a = finestra_vicini(mese)
    settimane = finestra_settimane(mese)
    ids = [s.pk for s in servizi]
    fuori = {s.pk: rules.Fuori() for s in servizi}
    entro_180 = {s.pk: s.data_inizio + datetime.timedelta(days=179) for s in servizi}
    entro_specifica = {
        s.pk: s.data_inizio + datetime.timedelta(days=s.posto.progetto.bando.formazione_specifica_entro_giorni - 1)
        for s in servizi
    }
    for servizio_id, giorno, codice, attivita, ore in (
        Presenza.objects.filter(servizio_id__in=ids)
        .exclude(giorno__gte=inizio, giorno__lte=fine)
        .filter(
            Q(codice__in=("PR", "MAL"))
            | Q(attivita__in=("formazione_generale", "formazione_specifica"))
            | Q(giorno__gte=da, giorno__lte=a)
        )
        .order_by()
        .values_list("servizio_id", "giorno", "codice", "attivita", "ore")
    ):
        f = fuori[servizio_id]
        if codice == "PR":
            f.permessi += 1
        elif codice == "MAL":
            f.malattia += 1
        if attivita == "formazione_generale" and giorno <= entro_180[servizio_id]:
            f.generale_entro_180 += ore
        if attivita == "formazione_specifica" and giorno <= entro_specifica[servizio_id]:
            f.specifica_prima_tranche += ore
        if da <= giorno <= a:
            f.vicini[giorno] = Voce(giorno, codice, attivita, ore)
            if settimane[0] <= giorno <= settimane[1]:
                lunedi = giorno - datetime.timedelta(days=giorno.weekday())
                f.ore_settimana[lunedi] = f.ore_settimana.get(lunedi, Decimal(0)) + ore
    return fuori


def _servizi_scrivibili(acting_user, ids, *, per_aggiornare: bool):
    qs = (
        Servizio.objects.visible_to(acting_user)
        .filter(pk__in=ids)
        .select_related("posto__progetto__bando", "posto__sede")
    )
    if per_aggiornare:
        qs = qs.select_for_update(of=("self",))
    servizi = list(qs)
    if len(servizi) != len(set(ids)):
        raise PermissionDenied(_("One of these volunteers is not yours."))
    for s in servizi:
        if not policy.puo_scrivere_presenze(
            acting_user, olp_id=s.olp_id, ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id
        ):
            raise PermissionDenied(_("Your role reads this register but does not write it."))
    return servizi


def _aggiorna(righe: list[Presenza], campi: list[str]) -> None:
    """Write these fields of these rows in one statement. On PostgreSQL the new values travel
    as one array per column (UPDATE ... FROM UNNEST): Django's bulk_update builds a CASE WHEN
    per row and field, whose Python cost grew with the rows (14 ms of CPU for the 18 days a
    typical save changes, 84 ms for a whole month of 4 volunteers, against under 2 ms here:
    docs/benchmarks.md). Elsewhere (SQLite) bulk_update."""
    if connection.vendor != "postgresql":
        Presenza.objects.bulk_update(righe, campi)
        return
    meta = Presenza._meta
    pk = meta.pk
    colonne = [meta.get_field(c) for c in campi]
    assegna = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}" for f in colonne
    )
    tipi = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *colonne])
    nomi = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *colonne])
    tabella = connection.ops.quote_name(meta.db_table)
    # Names and types come from the model's metadata, quoted; every value is a parameter.
    chiave = connection.ops.quote_name(pk.column)
    sql = f"UPDATE {tabella} AS p SET {assegna} FROM UNNEST({tipi}) AS v({nomi}) WHERE p.{chiave} = v.{chiave}"  # noqa: S608
    valori = [[f.get_db_prep_value(getattr(r, f.attname), connection) for r in righe] for f in [pk, *colonne]]
    with connection.cursor() as cursor:
        cursor.execute(sql, valori)


@transaction.atomic
def salva_griglia(
    *,
    acting_user,
    mese: datetime.date,
    modifiche: dict[int, dict[datetime.date, Voce | None]],
    versioni: dict[int, str],
    ip_address=None,
) -> Scritti:
    """Write the days of one month for one or more services, all together or not at all.

    `modifiche[servizio_id][giorno]` is the new entry, or None to clear the day. `versioni`
    carries the token each month had when the user opened it: if someone saved it in the
    meantime the save is refused for that volunteer, so that nothing typed by either is lost
    silently. Returns how many days were written per service, with the month's notices.
    """
    mese = primo_del_mese(mese)
    servizi = _servizi_scrivibili(acting_user, list(modifiche), per_aggiornare=True)
    per_id = {s.pk: s for s in servizi}
    chiusure = {c.servizio_id: c for c in ChiusuraMensile.objects.filter(servizio_id__in=per_id, mese=mese)}
    esistenti = carica_mese(per_id, mese)
    fuori = _fuori_dal_mese(servizi, mese)
    oggi = timezone.localdate()
    errori_giorni: dict[int, dict] = {}
    errori_servizi: dict[int, list[str]] = defaultdict(list)
    finali: dict[int, dict[datetime.date, Voce]] = {}
    avvisi: dict[int, dict[datetime.date, list[str]]] = {}

    for sid, cambi in modifiche.items():
        servizio = per_id[sid]
        chiusura = chiusure.get(sid)
        if chiusura is not None and chiusura.stato == ChiusuraMensile.Stato.CONFERMATA:
            errori_servizi[sid].append(_("This month is confirmed: it is read-only until network staff reopen it."))
            continue
        if versioni.get(sid) is not None and versioni[sid] != versione(list(esistenti[sid].values())):
            errori_servizi[sid].append(
                _("Someone else saved this volunteer's month while you were writing: reload the page and check.")
            )
            continue
        voci = {g: Voce(p.giorno, p.codice, p.attivita, p.ore, p.nota) for g, p in esistenti[sid].items()}
        for giorno, voce in cambi.items():
            if primo_del_mese(giorno) != mese:
                errori_servizi[sid].append(_("A day of another month was sent with this one."))
            elif voce is None:
                voci.pop(giorno, None)
            else:
                if voce.nota is None:
                    presente = esistenti[sid].get(giorno)
                    voce = dataclasses.replace(voce, nota=presente.nota if presente else "")
                voci[giorno] = voce
        progetto = servizio.posto.progetto
        esito = rules.verifica_mese(
            servizio=servizio, bando=progetto.bando, progetto=progetto, voci=voci, fuori=fuori[sid], oggi=oggi
        )
        # Only the days being typed can be wrong: older ones were checked when written.
        errori = {g: m for g, m in esito.errori.items() if g in cambi}
        if errori:
            errori_giorni[sid] = errori
        if esito.avvisi:
            avvisi[sid] = esito.avvisi
        finali[sid] = voci

    if errori_giorni or errori_servizi:
        raise ErroriGriglia(errori_giorni, dict(errori_servizi))

    da_creare, da_aggiornare, da_cancellare = [], [], []
    scritti = Scritti(avvisi=avvisi)
    for sid, cambi in modifiche.items():
        scritti[sid] = 0
        for giorno in cambi:
            voce = finali[sid].get(giorno)
            presente = esistenti[sid].get(giorno)
            if voce is None:
                if presente is not None:
                    da_cancellare.append(presente.pk)
                    del esistenti[sid][giorno]
                    scritti[sid] += 1
                continue
            if presente is None:
                nuova = Presenza(
                    servizio_id=sid,
                    giorno=giorno,
                    codice=voce.codice,
                    attivita=voce.attivita,
                    ore=voce.ore,
                    nota=voce.nota,
                    inserita_da=acting_user,
                )
                da_creare.append(nuova)
                esistenti[sid][giorno] = nuova
            elif (presente.codice, presente.attivita, presente.ore, presente.nota) != (
                voce.codice,
                voce.attivita,
                voce.ore,
                voce.nota,
            ):
                presente.codice, presente.attivita, presente.ore, presente.nota = (
                    voce.codice, voce.attivita, voce.ore, voce.nota,
                )  # fmt: skip
                presente.inserita_da = acting_user
                presente.aggiornata_il = timezone.now()
                da_aggiornare.append(presente)
            else:
                continue
            scritti[sid] += 1
    # No savepoint of its own (two round trips): an IntegrityError ends the save at once, and
    # salva_griglia's atomic block rolls back everything it wrote.
    try:
        # The rollup of the services written is recomputed once, after the three writes.
        with riepiloghi_rinviati([sid for sid, n in scritti.items() if n]):
            if da_cancellare:
                Presenza.objects.filter(pk__in=da_cancellare).delete()
            if da_aggiornare:
                _aggiorna(da_aggiornare, ["codice", "attivita", "ore", "nota", "inserita_da", "aggiornata_il"])
            if da_creare:
                Presenza.objects.bulk_create(da_creare)
    except IntegrityError as exc:  # a day written at the same instant by someone else
        raise ErroriGriglia(
            {},
            {
                sid: [_("Someone else saved this month at the same time: reload the page and check.")]
                for sid in modifiche
            },
        ) from exc

    # A change after the preliminary confirmation takes it back: the sheet must be signed again.
    riprese = [
        c for sid, c in chiusure.items() if scritti.get(sid) and c.stato == ChiusuraMensile.Stato.CONFERMA_PRELIMINARE
    ]
    if riprese:
        ChiusuraMensile.objects.filter(pk__in=[c.pk for c in riprese]).update(
            stato=ChiusuraMensile.Stato.APERTA, conferma_preliminare_il=None, conferma_preliminare_da=None
        )
        for c in riprese:
            c.stato, c.conferma_preliminare_il, c.conferma_preliminare_da = ChiusuraMensile.Stato.APERTA, None, None
    eventi = []
    for sid, n in scritti.items():
        if not n:
            continue
        servizio = per_id[sid]
        chiusura = chiusure.get(sid)
        eventi.append(
            NuovoEvento(
                verb=Evento.PRESENZE_MESE_RIAPERTO_MODIFICATO
                if chiusura is not None and chiusura.riaperta
                else Evento.PRESENZE_SALVATE,
                target=servizio,
                target_repr=f"{servizio.volontario_id}/{mese:%m-%Y}",
                data={"mese": mese.isoformat(), "giorni": n},
                ente_id=servizio.posto.sede.ente_id,
            )
        )
    record_events(eventi, acting_user=acting_user, ip_address=ip_address)  # one INSERT
    # The rows written carry what the database holds: the created ones their id and
    # aggiornata_il (bulk_create sets both), the updated ones the aggiornata_il written above.
    scritti.righe = {sid: esistenti[sid] for sid in per_id}
    scritti.chiusure = chiusure
    return scritti


def stato_mese(servizio, mese: datetime.date, righe: dict[datetime.date, Presenza]) -> dict:
    giorni = rules.giorni_di_servizio(servizio, mese)
    mancanti = [g for g in giorni if g not in righe and g <= timezone.localdate()]
    futuri = [g for g in giorni if g > timezone.localdate()]
    return {"giorni": giorni, "mancanti": mancanti, "completo": not mancanti and not futuri}


@transaction.atomic
def conferma_preliminare(
    *, acting_user, servizio: Servizio, mese: datetime.date, certificato_continuo: bool | None = None, ip_address=None
) -> ChiusuraMensile:
    """The OLP or the ente confirm one volunteer's month once every day of service has a code.
    Sickness or maternity broken only by a weekend needs an answer: was the certificate
    continuous? If so Saturday and Sunday take the same code."""
    mese = primo_del_mese(mese)
    (servizio,) = _servizi_scrivibili(acting_user, [servizio.pk], per_aggiornare=True)
    chiusura, _created = ChiusuraMensile.objects.select_for_update().get_or_create(servizio=servizio, mese=mese)
    if chiusura.stato == ChiusuraMensile.Stato.CONFERMATA:
        raise ValidationError(_("This month is already confirmed."))
    # Two people confirming at once: the service row lock above makes the second wait, and it
    # then finds the month confirmed (one confirmation, one audit event).
    if chiusura.stato == ChiusuraMensile.Stato.CONFERMA_PRELIMINARE:
        raise ValidationError(_("This volunteer's month has already been confirmed: reload the page."))
    righe = carica_mese([servizio.pk], mese)[servizio.pk]
    stato = stato_mese(servizio, mese, righe)
    if not stato["completo"]:
        mancanti = ", ".join(g.strftime("%d/%m") for g in stato["mancanti"]) or _("days still to come")
        raise ValidationError(
            _("Every day of service needs its code first. Missing: %(giorni)s.") % {"giorni": mancanti}
        )
    voci = {g: Voce(p.giorno, p.codice, p.attivita, p.ore, p.nota) for g, p in righe.items()}
    # A certificate may start the month before or end in the next one: the days around count.
    ponti = rules.ponti_malattia(voci, carica_vicini([servizio.pk], mese)[servizio.pk])
    if ponti and certificato_continuo is None:
        raise ValidationError(
            {
                "certificato_continuo": _(
                    "Sickness or maternity continues after a weekend: was it one continuous certificate?"
                )
            }
        )
    if ponti and certificato_continuo:
        with riepiloghi_rinviati([servizio.pk]):
            for sabato, domenica, codice in ponti:
                for giorno in (sabato, domenica):
                    if giorno in righe and servizio.data_inizio <= giorno <= servizio.data_fine:
                        Presenza.objects.filter(pk=righe[giorno].pk).update(
                            codice=codice, attivita="", ore=0, inserita_da=acting_user, aggiornata_il=timezone.now()
                        )
    chiusura.stato = ChiusuraMensile.Stato.CONFERMA_PRELIMINARE
    chiusura.conferma_preliminare_il = timezone.now()
    chiusura.conferma_preliminare_da = acting_user
    chiusura.save()
    record_event(
        verb=Evento.MESE_CONFERMA_PRELIMINARE,
        acting_user=acting_user,
        target=chiusura,
        data={"certificato_continuo": certificato_continuo} if ponti else {},
        ip_address=ip_address,
        ente_id=servizio.posto.sede.ente_id,
    )
    return chiusura


# Why a signed sheet is refused (accounts.files.verifica_pdf), as the person reads it at the field.
MOTIVI_PDF_RIFIUTATO = {
    "illeggibile": lambda: _("This file is not a PDF: save or scan the signed sheet as a PDF and upload it."),
    "cifrato": lambda: _(
        "This PDF is protected by a password or encrypted: save the signed sheet without protection and "
        "upload it again."
    ),
    "javascript": lambda: _(
        "This PDF contains JavaScript, which is not accepted: scan the signed sheet, or print it to a new "
        "PDF, and upload that."
    ),
    "avvio": lambda: _(
        "This PDF contains an action that starts other programs, which is not accepted: scan the signed "
        "sheet, or print it to a new PDF, and upload that."
    ),
    "allegati": lambda: _(
        "This PDF contains attached files, which are not accepted: scan the signed sheet, or print it to "
        "a new PDF, and upload that."
    ),
}


def foglio_max_bytes() -> int:
    return settings.FOGLIO_FIRMATO_MAX_MB * 1024 * 1024


@transaction.atomic
def carica_foglio_firmato(
    *, acting_user, servizio: Servizio, mese: datetime.date, file, ip_address=None
) -> ChiusuraMensile:
    """The monthly sheet signed by the volunteer and the referente: a PDF by its content (the
    name and the type the browser claims prove nothing), of at most FOGLIO_FIRMATO_MAX_MB,
    stored under a random name (it is downloaded as PRESENZE_..., see views_registro)."""
    mese = primo_del_mese(mese)
    (servizio,) = _servizi_scrivibili(acting_user, [servizio.pk], per_aggiornare=False)
    chiusura = ChiusuraMensile.objects.select_for_update().filter(servizio=servizio, mese=mese).first()
    if chiusura is None or chiusura.stato == ChiusuraMensile.Stato.APERTA:
        raise ValidationError({"file": _("Confirm the month first: the sheet to sign is printed after it.")})
    if chiusura.stato == ChiusuraMensile.Stato.CONFERMATA:
        raise ValidationError({"file": _("This month is already confirmed.")})
    if file.size > foglio_max_bytes():
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB: scan the sheet at a lower resolution.")
                     % {"mb": settings.FOGLIO_FIRMATO_MAX_MB}}
        )  # fmt: skip
    try:
        verifica_pdf(file)
    except PdfNonAccettabile as exc:
        raise ValidationError({"file": MOTIVI_PDF_RIFIUTATO[exc.motivo]()}) from None
    if chiusura.foglio_firmato:
        chiusura.foglio_firmato.delete(save=False)
    chiusura.foglio_firmato.save("foglio.pdf", file, save=True)
    record_event(
        verb=Evento.MESE_FOGLIO_CARICATO, acting_user=acting_user, target=chiusura, ip_address=ip_address,
        ente_id=servizio.posto.sede.ente_id,
    )  # fmt: skip
    return chiusura


def scadenza_conferma(mese: datetime.date) -> datetime.date:
    """The general confirmation of a month is due by the 10th of the next one."""
    prossimo = ultimo_del_mese(mese) + datetime.timedelta(days=1)
    return prossimo.replace(day=10)


@transaction.atomic
def conferma_generale(*, acting_user, ente, mese: datetime.date, ip_address=None) -> list[ChiusuraMensile]:
    """The ente confirms a month for all its volunteers in service that month, allowed only
    when each has every day coded, the preliminary confirmation and the signed sheet."""
    mese = primo_del_mese(mese)
    if not policy.puo_confermare_mese(acting_user, ente_id=ente.pk):
        raise PermissionDenied(_("The general confirmation is given by the body's referent or staff."))
    if ultimo_del_mese(mese) >= timezone.localdate():
        raise ValidationError(_("A month is confirmed once it has ended."))
    servizi = list(
        Servizio.objects.filter(posto__sede__ente=ente, data_inizio__lte=ultimo_del_mese(mese), data_fine__gte=mese)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("volontario")
        .select_for_update(of=("self",))
    )
    chiusure = {
        c.servizio_id: c for c in ChiusuraMensile.objects.select_for_update().filter(servizio__in=servizi, mese=mese)
    }
    righe = carica_mese([s.pk for s in servizi], mese)
    problemi = []
    for s in servizi:
        nome = f"{s.volontario.cognome} {s.volontario.nome}"
        c = chiusure.get(s.pk)
        if not stato_mese(s, mese, righe[s.pk])["completo"]:
            problemi.append(_("%(nome)s: some days of service have no code.") % {"nome": nome})
        elif c is None or c.stato == ChiusuraMensile.Stato.APERTA:
            problemi.append(_("%(nome)s: the preliminary confirmation is missing.") % {"nome": nome})
        elif not c.foglio_firmato:
            problemi.append(_("%(nome)s: the signed sheet has not been uploaded.") % {"nome": nome})
    if not servizi:
        problemi.append(_("No volunteer was in service in this month."))
    if problemi:
        raise ValidationError(problemi)
    adesso = timezone.now()
    confermate = []
    for s in servizi:
        c = chiusure[s.pk]
        if c.stato == ChiusuraMensile.Stato.CONFERMATA:
            continue
        c.stato, c.confermata_il, c.confermata_da = ChiusuraMensile.Stato.CONFERMATA, adesso, acting_user
        confermate.append(c)
    # Confirmed meanwhile by someone else (the service rows' lock made this call wait for them):
    # refused, so that the month has one confirmation and one audit event.
    if not confermate:
        raise ValidationError(_("This month is already confirmed."))
    ChiusuraMensile.objects.bulk_update(confermate, ["stato", "confermata_il", "confermata_da"])
    record_event(
        verb=Evento.MESE_CONFERMA_GENERALE,
        acting_user=acting_user,
        target=ente,
        data={
            "mese": mese.isoformat(),
            "volontari": len(servizi),
            "in_ritardo": timezone.localdate() > scadenza_conferma(mese),
            "chiusure": [c.pk for c in confermate],  # every close that changed state, by id
        },
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return confermate


@transaction.atomic
def riapri_mese(*, acting_user, chiusura: ChiusuraMensile, motivo: str, ip_address=None) -> ChiusuraMensile:
    """Network staff reopen a confirmed month; the reason stays in the audit log and every
    later edit of the month is logged."""
    chiusura = (
        ChiusuraMensile.objects.select_for_update().select_related("servizio__posto__sede__ente").get(pk=chiusura.pk)
    )
    ente = chiusura.servizio.posto.sede.ente
    a = ambito(acting_user)
    if not (a.nazionale or ente.nodo_id in a.nodi):
        raise PermissionDenied(_("Only network staff reopen a confirmed month."))
    if chiusura.stato != ChiusuraMensile.Stato.CONFERMATA:
        raise ValidationError(_("Only a confirmed month can be reopened."))
    if not motivo.strip():
        raise ValidationError({"motivo": _("Write why the month is reopened: it stays in the audit log.")})
    chiusura.stato = ChiusuraMensile.Stato.APERTA
    chiusura.riaperta = True
    chiusura.conferma_preliminare_il = None
    chiusura.confermata_il = None
    chiusura.save()
    record_event(
        verb=Evento.MESE_RIAPERTO,
        acting_user=acting_user,
        target=chiusura,
        data={"motivo": motivo.strip(), "mese": chiusura.mese.isoformat()},
        ip_address=ip_address,
        nodo_id=ente.nodo_id,
        ente_id=ente.pk,
    )
    return chiusura


def totali(servizi_ids) -> dict[int, dict]:
    """Hours and days by kind over the whole service, in one query."""
    out = {sid: {} for sid in servizi_ids}
    for row in (
        Presenza.objects.filter(servizio_id__in=servizi_ids)
        .order_by()  # Meta.ordering would join the services for nothing
        .values("servizio_id")
        .annotate(
            ore_servizio=Sum("ore", filter=Q(attivita="servizio")),
            ore_generale=Sum("ore", filter=Q(attivita="formazione_generale")),
            ore_specifica=Sum("ore", filter=Q(attivita="formazione_specifica")),
            permessi=Count("pk", filter=Q(codice="PR")),
            malattia=Count("pk", filter=Q(codice="MAL")),
            ultimo=Max("giorno"),
        )
    ):
        out[row["servizio_id"]] = {k: v or 0 for k, v in row.items() if k != "servizio_id"}
    return out


def piano_ore(servizio, oggi: datetime.date | None = None) -> dict:
    """Hours done against the plan to date, and the total projected at the end of service at
    the pace kept so far (service and training hours together)."""
    oggi = oggi or timezone.localdate()
    progetto = servizio.posto.progetto
    giorni_totali = (servizio.data_fine_prevista - servizio.data_inizio).days + 1
    if progetto.modello_orario == "monte_ore":
        totale = Decimal(progetto.monte_ore)
    else:
        totale = Decimal(progetto.ore_settimanali) * giorni_totali / 7
    fine_conteggio = min(oggi - datetime.timedelta(days=1), servizio.data_fine)
    trascorsi = max((fine_conteggio - servizio.data_inizio).days + 1, 0)
    fatte = Presenza.objects.filter(servizio=servizio, giorno__lte=fine_conteggio).aggregate(h=Sum("ore"))[
        "h"
    ] or Decimal(0)
    previste = (totale * trascorsi / giorni_totali) if giorni_totali else Decimal(0)
    proiezione = (fatte * giorni_totali / trascorsi) if trascorsi else Decimal(0)
    return {
        "totale": totale.quantize(Decimal("1")),
        "fatte": fatte,
        "previste_ad_oggi": previste.quantize(Decimal("1")),
        "proiezione": proiezione.quantize(Decimal("1")),
        "scarto": (fatte - previste).quantize(Decimal("1")),
    }


@transaction.atomic
def nuovo_calendario(*, acting_user, volontario: Volontario, ip_address=None) -> Volontario:
    """The volunteer's calendar feed gets a new secret address (the first one, or a new one
    that revokes the old: e.g. shared by mistake). Only the volunteer asks for it, by POST;
    the audit event says which, never the key."""
    volontario = Volontario.objects.select_for_update().get(pk=volontario.pk)
    if volontario.user_id is None or volontario.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied(_("Only the volunteer makes the address of their calendar."))
    verb = Evento.CALENDARIO_RINNOVATO if volontario.ical_token else Evento.CALENDARIO_CREATO
    volontario.ical_token = secrets.token_urlsafe(32)
    volontario.save(update_fields=["ical_token"])
    record_event(verb=verb, acting_user=acting_user, target=volontario, ip_address=ip_address)
    return volontario
