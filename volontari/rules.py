"""The rules of the daily register (DOMAIN.md), checked on a whole month of one service.

`verifica_mese` takes the month as it would be after the save (the days already written
merged with the ones being typed) plus what the rules need from outside the month, and
returns the errors by day, with the message the OLP reads next to the cell, and the notices
that do not stop the save (unpaid sickness, a week short of hours).
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from progetti import rules as progetti_rules

CODICI_CON_ORE = {"P"}
ATTIVITA = {"servizio", "formazione_generale", "formazione_specifica"}


@dataclass(frozen=True)
class Voce:
    giorno: datetime.date
    codice: str
    attivita: str = ""
    ore: Decimal = Decimal(0)
    nota: str | None = ""  # None: keep the note the day already has


@dataclass
class Fuori:
    """What counts towards the caps from outside the month being checked."""

    permessi: int = 0  # PR days of the whole service
    malattia: int = 0  # MAL days of the whole service
    generale_entro_180: Decimal = Decimal(0)  # general training hours up to day 180
    ore_settimana: dict[datetime.date, Decimal] = field(default_factory=dict)  # week's Monday -> hours outside month
    specifica_prima_tranche: Decimal = Decimal(0)  # specific training hours up to the call's deadline
    # The days written just outside the month (FINESTRA_GIORNI each side at least): rules over
    # consecutive days (bereavement, one-day leave, a certificate over a weekend) count them.
    vicini: dict[datetime.date, "Voce"] = field(default_factory=dict)


@dataclass
class Esito:
    errori: dict[datetime.date, list[str]] = field(default_factory=lambda: defaultdict(list))
    avvisi: dict[datetime.date, list[str]] = field(default_factory=lambda: defaultdict(list))
    errori_mese: list[str] = field(default_factory=list)

    @property
    def valido(self) -> bool:
        return not self.errori and not self.errori_mese


# The years a page or a file of the register may name: wide enough for any service, far from
# the ends of the calendar, where the arithmetic around a month (its weeks, the month after)
# overflows.
PRIMO_ANNO, ULTIMO_ANNO = 2000, 2100


# How far outside a month the consecutive-day rules look: the longest run allowed, and a
# Friday-to-Monday certificate over a weekend.
FINESTRA_GIORNI = max(*progetti_rules.GIORNI_DI_FILA_MAX.values(), 3)


def file_di_giorni(voci: dict[datetime.date, "Voce"], codice: str) -> list[list[datetime.date]]:
    """The runs of consecutive calendar days that carry `codice`, in date order."""
    file: list[list[datetime.date]] = []
    for g in sorted(d for d, v in voci.items() if v.codice == codice):
        if file and file[-1][-1] == g - datetime.timedelta(days=1):
            file[-1].append(g)
        else:
            file.append([g])
    return file


def _messaggio_di_fila(codice: str, fila: list[datetime.date], massimo: int) -> str:
    valori = {"max": massimo, "n": len(fila), "dal": f"{fila[0]:%d/%m/%Y}", "al": f"{fila[-1]:%d/%m/%Y}"}
    if codice == "L":
        return _("Bereavement leave is up to %(max)s days in a row: %(dal)s-%(al)s are %(n)s.") % valori
    if codice == "DS":
        return _("Blood donation counts %(max)s day per donation: %(dal)s-%(al)s are %(n)s days in a row.") % valori
    if codice == "T":
        return (
            _("A summons by a judicial authority counts %(max)s day: %(dal)s-%(al)s are %(n)s days in a row.") % valori
        )
    return _("Voting leave is 1 or %(max)s days, by distance: %(dal)s-%(al)s are %(n)s days in a row.") % valori


def ore_testo(ore) -> str:
    """Hours as a person writes them: 35, 4,5 in Italian (never 8.00: PostgreSQL's sums and the
    call's maximum carry two decimals), with the language's decimal separator."""
    return f"{Decimal(ore or 0).normalize():f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def leggi_mese(valore: str) -> datetime.date | None:
    """A month typed as yyyy-mm, or None if it is not one (or lies outside those years)."""
    try:
        mese = datetime.datetime.strptime(valore, "%Y-%m").date()
    except ValueError:
        return None
    return mese if PRIMO_ANNO <= mese.year <= ULTIMO_ANNO else None


def giorno_ammesso(giorno: datetime.date) -> bool:
    return PRIMO_ANNO <= giorno.year <= ULTIMO_ANNO


def giorni_del_mese(mese: datetime.date) -> list[datetime.date]:
    return [mese.replace(day=d) for d in range(1, calendar.monthrange(mese.year, mese.month)[1] + 1)]


def giorni_di_servizio(servizio, mese: datetime.date) -> list[datetime.date]:
    """The days of the month that fall within the service."""
    return [g for g in giorni_del_mese(mese) if servizio.data_inizio <= g <= servizio.data_fine]


def tetto_permessi_per(durata_mesi: int, pro_rata: bool) -> int:
    """Paid leave: 20 days per 12 months of service; shorter services the months' share,
    rounded down, unless the call says otherwise."""
    if not pro_rata or durata_mesi >= 12:
        return progetti_rules.PERMESSI_GIORNI_PER_12_MESI
    return progetti_rules.PERMESSI_GIORNI_PER_12_MESI * durata_mesi // 12


def tetto_permessi(servizio, bando) -> int:
    return tetto_permessi_per(servizio.posto.progetto.durata_mesi, bando.permessi_pro_rata)


def numero_giorno(servizio, giorno: datetime.date) -> int:
    """Day 1 is the first day of service."""
    return (giorno - servizio.data_inizio).days + 1


def verifica_mese(*, servizio, bando, progetto, voci: dict[datetime.date, Voce], fuori: Fuori, oggi) -> Esito:
    esito = Esito()
    ore_max = Decimal(bando.ore_max_giorno)
    ordinati = sorted(voci.values(), key=lambda v: v.giorno)

    for v in ordinati:
        e = esito.errori[v.giorno]
        if v.giorno < servizio.data_inizio or v.giorno > servizio.data_fine:
            periodo = {"inizio": f"{servizio.data_inizio:%d/%m/%Y}", "fine": f"{servizio.data_fine:%d/%m/%Y}"}
            e.append(_("This day is outside the service (%(inizio)s - %(fine)s).") % periodo)
        if v.giorno > oggi:
            e.append(_("This day has not come yet: it can be written from that day on."))
        if v.codice in CODICI_CON_ORE:
            if v.attivita not in ATTIVITA:
                e.append(_("Say whether the day was service, general training or specific training."))
            if v.ore <= 0:
                e.append(_("A day of presence has its hours."))
            elif v.ore > ore_max:
                e.append(
                    _("At most %(max)s hours in one day: extra hours are recovered within the next month.")
                    % {"max": ore_testo(ore_max)}
                )
        elif v.ore:
            e.append(_("Hours go only on days of presence (P); leave and absences are whole days."))
        if v.codice == "P" and v.attivita == "formazione_generale":
            n = numero_giorno(servizio, v.giorno)
            inizio_2, fine_2 = progetti_rules.FORMAZIONE_GENERALE_SECONDA_TRANCHE
            if n > progetti_rules.FORMAZIONE_GENERALE_ENTRO_GIORNI:
                entro = progetti_rules.FORMAZIONE_GENERALE_ENTRO_GIORNI
                prima_tranche = fuori.generale_entro_180 + sum(
                    x.ore
                    for x in ordinati
                    if x.attivita == "formazione_generale" and numero_giorno(servizio, x.giorno) <= entro
                )
                quota = (
                    Decimal(str(progetti_rules.FORMAZIONE_GENERALE_TRANCHE_QUOTA)) * progetto.formazione_generale_ore
                )
                if not (inizio_2 <= n <= fine_2 and prima_tranche >= quota):
                    e.append(
                        _(
                            "General training is given by day 180 of service, or 80%% of it by day 180 and the "
                            "rest between day 210 and day 270 (this is day %(n)s)."
                        )
                        % {"n": n}
                    )
        if v.codice == "P" and v.attivita == "formazione_specifica":
            n = numero_giorno(servizio, v.giorno)
            entro = bando.formazione_specifica_entro_giorni
            if n > entro and progetto.formazione_specifica_tranche == progetto.TrancheSpecifica.DUE:
                prima_tranche = fuori.specifica_prima_tranche + sum(
                    x.ore
                    for x in ordinati
                    if x.attivita == "formazione_specifica" and numero_giorno(servizio, x.giorno) <= entro
                )
                quota = (
                    Decimal(str(progetti_rules.FORMAZIONE_SPECIFICA_TRANCHE_QUOTA)) * progetto.formazione_specifica_ore
                )
                fine_2 = progetti_rules.FORMAZIONE_SPECIFICA_SECONDA_TRANCHE_ENTRO_GIORNI
                if not (n <= fine_2 and prima_tranche >= quota):
                    e.append(
                        _(
                            "This project gives specific training in two tranches: %(quota)s%% of it within "
                            "%(giorni)s days of the start, the rest by day %(fine)s (this is day %(n)s, %(fatte)s of "
                            "%(ore)s hours were given by day %(giorni)s)."
                        )
                        % {
                            "quota": round(progetti_rules.FORMAZIONE_SPECIFICA_TRANCHE_QUOTA * 100),
                            "giorni": entro,
                            "fine": fine_2,
                            "n": n,
                            "fatte": ore_testo(prima_tranche),
                            "ore": progetto.formazione_specifica_ore,
                        }
                    )
            elif n > entro:
                e.append(
                    _("Specific training is given within %(giorni)s days of the start (this is day %(n)s).")
                    % {"giorni": entro, "n": n}
                )
        if v.codice in progetti_rules.ASSENZE_NEI_GIORNI_DI_SERVIZIO and not progetti_rules.giorno_di_servizio(
            v.giorno, progetto.giorni_settimana
        ):
            e.append(
                _("This project serves %(n)s days a week and this is not one of them: write NL, not %(codice)s.")
                % {"n": progetto.giorni_settimana, "codice": v.codice}
            )

    # Caps over the whole service, counted in day order so the day that breaks them is named.
    tetto_pr = tetto_permessi(servizio, bando)
    permessi, malattia = fuori.permessi, fuori.malattia
    p104_mese: dict[tuple[int, int], int] = defaultdict(int)
    for v in ordinati:
        if v.codice == "PR":
            permessi += 1
            if permessi > tetto_pr:
                esito.errori[v.giorno].append(
                    _("Paid leave is used up: %(n)s days for this service.") % {"n": tetto_pr}
                )
        if v.codice == "MAL":
            malattia += 1
            limite_pagati = progetti_rules.MALATTIA_GIORNI_RETRIBUITI
            limite = limite_pagati + progetti_rules.MALATTIA_GIORNI_NON_RETRIBUITI
            if malattia > limite:
                esito.errori[v.giorno].append(
                    _("Sickness beyond %(n)s days: the service must end (interruption).") % {"n": limite}
                )
            elif malattia > limite_pagati:
                esito.avvisi[v.giorno].append(
                    _("Sickness day %(n)s: beyond the %(pagati)s paid days, the allowance is cut for it.")
                    % {"n": malattia, "pagati": limite_pagati}
                )
        if v.codice == "P104":
            chiave = (v.giorno.year, v.giorno.month)
            p104_mese[chiave] += 1
            if p104_mese[chiave] > progetti_rules.P104_GIORNI_MESE_MAX:
                esito.errori[v.giorno].append(
                    _("At most %(n)s days a month of leave under Law 104/92.")
                    % {"n": progetti_rules.P104_GIORNI_MESE_MAX}
                )

    # Runs of consecutive days, counted with the days written just outside the month, so that a
    # run across the month's edge is one run whichever month is saved first.
    intorno = fuori.vicini | voci
    for codice, massimo in progetti_rules.GIORNI_DI_FILA_MAX.items():
        for fila in file_di_giorni(intorno, codice):
            if len(fila) > massimo:
                messaggio = _messaggio_di_fila(codice, fila, massimo)
                for g in fila:
                    if g in voci:
                        esito.errori[g].append(messaggio)

    # With an annual quota, every week holds the project's minimum to maximum hours (20 to 36
    # at most): above the maximum the save is refused; a week ended under the minimum is a notice.
    if progetto.modello_orario == "monte_ore":
        settimana = datetime.timedelta(days=7)
        settimane: dict[datetime.date, Decimal] = defaultdict(Decimal)
        for v in ordinati:
            settimane[v.giorno - datetime.timedelta(days=v.giorno.weekday())] += v.ore
        for lunedi, ore in settimane.items():
            totale = ore + fuori.ore_settimana.get(lunedi, Decimal(0))
            if totale > progetto.ore_settimana_max:
                ultimo = max(v.giorno for v in ordinati if lunedi <= v.giorno < lunedi + settimana)
                esito.errori[ultimo].append(
                    _("The week of %(lunedi)s reaches %(ore)s hours: this project's maximum is %(max)s a week.")
                    % {"lunedi": lunedi.strftime("%d/%m"), "ore": ore_testo(totale), "max": progetto.ore_settimana_max}
                )
        if ordinati:
            primo = ordinati[0].giorno.replace(day=1)
            ultimo_del_mese = giorni_del_mese(primo)[-1]
            lunedi = primo - datetime.timedelta(days=primo.weekday())
            while lunedi <= ultimo_del_mese:
                domenica = lunedi + datetime.timedelta(days=6)
                completa = domenica < oggi and servizio.data_inizio <= lunedi and domenica <= servizio.data_fine
                totale = settimane.get(lunedi, Decimal(0)) + fuori.ore_settimana.get(lunedi, Decimal(0))
                if completa and totale < progetto.ore_settimana_min:
                    esito.avvisi[min(domenica, ultimo_del_mese)].append(
                        _("The week of %(lunedi)s has %(ore)s hours: this project's minimum is %(min)s a week.")
                        % {
                            "lunedi": lunedi.strftime("%d/%m"),
                            "ore": ore_testo(totale),
                            "min": progetto.ore_settimana_min,
                        }
                    )
                lunedi += settimana

    esito.errori = {g: m for g, m in esito.errori.items() if m}
    esito.avvisi = {g: m for g, m in esito.avvisi.items() if m}
    return esito


def ponti_malattia(
    voci: dict[datetime.date, Voce], vicini: dict[datetime.date, Voce] | None = None
) -> list[tuple[datetime.date, datetime.date, str]]:
    """Sickness or maternity interrupted only by a weekend: (Saturday, Sunday, code) for each
    Friday-Monday pair with the same code and the weekend not coded the same, with at least
    one day of the weekend in the month (`voci`). `vicini` are the days written just outside
    the month: a Friday or a Monday there counts too."""
    intorno = (vicini or {}) | voci
    out = []
    for g, v in sorted(intorno.items()):
        if v.codice not in ("MAL", "MAT") or g.weekday() != 4:
            continue
        sabato, domenica, lunedi = (g + datetime.timedelta(days=d) for d in (1, 2, 3))
        if not _nel_mese(voci, sabato, domenica):
            continue
        dopo = intorno.get(lunedi)
        if dopo is not None and dopo.codice == v.codice:
            fine_settimana = [intorno.get(sabato), intorno.get(domenica)]
            if any(x is None or x.codice != v.codice for x in fine_settimana):
                out.append((sabato, domenica, v.codice))
    return out


def _nel_mese(voci: dict[datetime.date, Voce], *giorni: datetime.date) -> bool:
    """Whether any of `giorni` falls in the month of `voci` (a weekend day not yet written)."""
    mesi = {(g.year, g.month) for g in voci}
    return any((g.year, g.month) in mesi for g in giorni)
