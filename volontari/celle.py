"""The register grid's input, out of the views: the typed cells of a POST read into the
changes `actions.salva_griglia` takes (`leggi_celle`), and the days "fill" writes with the
project's usual pattern (`giorni_da_riempire`). Plain data in, plain data out; the views only
pass the request's data. (Not in actions.py: the note is checked against the Helios file,
and helios.py imports actions.)"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from . import actions, helios, rules
from .models import ChiusuraMensile, Presenza
from .rules import Voce


def ore_usuali(progetto) -> Decimal:
    """The hours of a usual service day of the project: its weekly hours (or its annual
    quota spread over the weeks of service) over its service days a week."""
    if progetto.ore_settimanali:
        ore = Decimal(progetto.ore_settimanali) / progetto.giorni_settimana
    else:
        ore = Decimal(progetto.monte_ore) / (Decimal(52) * progetto.durata_mesi / 12) / progetto.giorni_settimana
    return ore.quantize(Decimal("0.01"))


def voce_usuale(progetto, giorno: datetime.date) -> Voce:
    """The project's usual pattern for a day: a service day with its usual hours, or not working."""
    if giorno.weekday() < progetto.giorni_settimana:
        return Voce(giorno, "P", "servizio", ore_usuali(progetto))
    return Voce(giorno, "NL")


def _ore(testo: str) -> Decimal | None:
    """Hours as typed, or None if the register cannot keep them: not a number, not finite
    (NaN, 1e400) or finer than hundredths (0.001)."""
    try:
        ore = Decimal(testo or "0")
        return ore if ore.is_finite() and ore == ore.quantize(Decimal("0.01")) else None
    except InvalidOperation:
        return None


def leggi_celle(dati: Mapping[str, str], servizi_ids: Iterable[int], mese: datetime.date) -> tuple[dict, dict, dict]:
    """The typed cells of the form data `dati` (the POST) for these services and month:
    modifiche for salva_griglia, raw values to show back, parse errors."""
    modifiche: dict[int, dict] = {}
    valori: dict[str, dict] = {}
    errori: dict[int, dict] = {}
    codici = set(Presenza.Codice.values)
    for sid in servizi_ids:
        if dati.get(f"ver-{sid}") is None:
            continue
        cambi = {}
        for g in rules.giorni_del_mese(mese):
            chiave = f"{sid}-{g:%Y%m%d}"
            if f"c-{chiave}" not in dati:
                continue
            codice = dati.get(f"c-{chiave}", "").strip().upper()
            attivita = dati.get(f"a-{chiave}", "").strip()
            ore_scritte = dati.get(f"o-{chiave}", "").strip()
            if codice not in rules.CODICI_CON_ORE:
                # Hours and activity belong to P days: a code changed from P to PR leaves them
                # in the row; they are dropped here, so that the only error shown is a real one.
                attivita, ore_scritte = "", ""
            ore_testo = ore_scritte.replace(",", ".")
            # Cells without a note field (the grid) keep the day's note as it is.
            nota_inviata = dati.get(f"n-{chiave}")
            nota = None if nota_inviata is None else nota_inviata.strip()
            valori[chiave] = {"codice": codice, "attivita": attivita, "ore": ore_scritte, "nota": nota or ""}
            if not codice:
                cambi[g] = None
                continue
            try:
                # PostgreSQL refuses NUL in text; the note has a length the page also enforces.
                for testo in (codice, attivita, ore_testo, nota or ""):
                    ProhibitNullCharactersValidator()(testo)
                MaxLengthValidator(Presenza._meta.get_field("nota").max_length)(nota or "")
                helios.verifica_nota(nota or "")  # the note goes to the Department's file as typed
            except ValidationError as exc:
                errori.setdefault(sid, {})[g] = exc.messages
                continue
            if codice not in codici:
                errori.setdefault(sid, {})[g] = [_("Unknown day code: %(c)s.") % {"c": codice}]
                continue
            ore = _ore(ore_testo)
            if ore is None:
                errori.setdefault(sid, {})[g] = [_("Hours are a number, e.g. 5 or 4,5.")]
                continue
            if codice == "P" and not attivita:
                attivita = "servizio"
            if codice != "P":
                attivita = ""
            cambi[g] = Voce(g, codice, attivita, ore, nota)
        modifiche[sid] = cambi
    return modifiche, valori, errori


def giorni_della_settimana(settimana: str, mese: datetime.date) -> list[datetime.date]:
    """The seven days from the Monday `settimana` (YYYY-MM-DD) as sent by the page, or the
    whole month when it is missing or not a day."""
    try:
        lunedi = datetime.datetime.strptime(settimana, "%Y-%m-%d").date()
        if not rules.giorno_ammesso(lunedi):  # 9999-12-31 + 6 days overflows
            raise ValueError(lunedi)
        return [lunedi + datetime.timedelta(days=i) for i in range(7)]
    except ValueError:
        return rules.giorni_del_mese(mese)


def giorni_da_riempire(
    servizi,
    giorni: Iterable[datetime.date],
    *,
    mese: datetime.date,
    oggi: datetime.date,
    scritti: Mapping[int, Iterable[datetime.date]],
    confermati: set[int],
) -> dict[int, dict[datetime.date, Voce]]:
    """The changes "fill" makes: for each service whose month is not confirmed, each of
    `giorni` in the month, not after `oggi`, inside the service and not yet written
    (`scritti[servizio_id]`), gets the project's usual day."""
    giorni = list(giorni)
    modifiche = {}
    for s in servizi:
        if s.pk in confermati:  # a confirmed month is read-only: nothing to fill there
            continue
        gia = scritti.get(s.pk, ())
        cambi = {}
        for g in giorni:
            if g.month != mese.month or g > oggi or not (s.data_inizio <= g <= s.data_fine) or g in gia:
                continue
            cambi[g] = voce_usuale(s.posto.progetto, g)
        if cambi:
            modifiche[s.pk] = cambi
    return modifiche


def da_riempire(servizi, mese: datetime.date, settimana: str, oggi: datetime.date) -> dict[int, dict]:
    """`giorni_da_riempire` for the week the page sent (or the month), reading the days
    already written and the confirmed months."""
    ids = [s.pk for s in servizi]
    righe = actions.carica_mese(ids, mese)
    confermati = {
        c.servizio_id
        for c in ChiusuraMensile.objects.filter(servizio_id__in=ids, mese=mese, stato=ChiusuraMensile.Stato.CONFERMATA)
    }
    return giorni_da_riempire(
        servizi, giorni_della_settimana(settimana, mese), mese=mese, oggi=oggi, scritti=righe, confermati=confermati
    )
