"""The fixed rules of Servizio Civile Universale (DOMAIN.md), named once.

Values that change between calls are not here: they are fields of `Bando` with their
defaults. These are the ones set by law and the Department's circulars; database
constraints, form validation and services all read them from this module.
"""

import math

from django.utils.translation import gettext as _

# Project duration, in months.
DURATA_MIN_MESI = 8
DURATA_MAX_MESI = 12

# Hours: either a fixed weekly timetable, or an annual quota pro rata by months.
ORE_SETTIMANALI = 25
MONTE_ORE_MIN = 765  # 8 months
MONTE_ORE_MAX = 1145  # 12 months
ORE_SETTIMANA_MIN = 20  # with a monte ore, in any single week
ORE_SETTIMANA_MAX = 36
GIORNI_SETTIMANA = (5, 6)

# Training hours.
FORMAZIONE_GENERALE_MIN = 30
FORMAZIONE_SPECIFICA_MIN = 50
FORMAZIONE_TOTALE_MIN = 80
FORMAZIONE_TOTALE_MAX = 150
FORMAZIONE_GENERALE_ENTRO_GIORNI = 180
# Alternative: 80% within day 180 and the remaining 20% between day 210 and day 270.
FORMAZIONE_GENERALE_TRANCHE_QUOTA = 0.8
FORMAZIONE_GENERALE_SECONDA_TRANCHE = (210, 270)
# Specific training: all within the call's deadline (90 days), or, when the project says so,
# 70% within it and the remaining 30% by day 270.
FORMAZIONE_SPECIFICA_TRANCHE_QUOTA = 0.7
FORMAZIONE_SPECIFICA_SECONDA_TRANCHE_ENTRO_GIORNI = 270

# Optional additional measures.
ESTERO_MESI_MAX = 3
TUTORAGGIO_MESI_MIN = 1
TUTORAGGIO_MESI_MAX = 3
TUTORAGGIO_ORE_MIN = 20
TUTORAGGIO_ORE_INDIVIDUALI_MIN = 4

# Volunteers: 18 to 28 years and 364 days old on the application date.
ETA_MIN = 18
ETA_MAX = 28

# Leave and absences.
PERMESSI_GIORNI_PER_12_MESI = 20
MALATTIA_GIORNI_RETRIBUITI = 15
MALATTIA_GIORNI_NON_RETRIBUITI = 15
DONAZIONE_SANGUE_GIORNI = 1
AUTORITA_GIUDIZIARIA_GIORNI = 1
LUTTO_GIORNI_MAX = 3
P104_GIORNI_MESE_MAX = 3
DIRITTO_VOTO_GIORNI_MAX = 2
# Leave counted as service that comes in runs of consecutive days: the longest run of each code.
GIORNI_DI_FILA_MAX = {
    "L": LUTTO_GIORNI_MAX,
    "DS": DONAZIONE_SANGUE_GIORNI,
    "T": AUTORITA_GIUDIZIARIA_GIORNI,
    "DV": DIRITTO_VOTO_GIORNI_MAX,
}
# Day-based absences that only go on a day the volunteer would serve: on the project's
# non-working days the code is NL. Sickness, injury and maternity follow the certificate's
# calendar days instead.
ASSENZE_NEI_GIORNI_DI_SERVIZIO = frozenset({"PR", "P104", "DS", "DV", "T", "L", "EU", "AR"})
INTERRUZIONE_COMUNICAZIONE_GIORNI = 5
CERTIFICATO_INTERRUZIONE_MESI_MIN = 6

# Programmes.
PROGRAMMA_PROGETTI_MIN = 2
PROGRAMMA_VOLONTARI_MIN = 12

# An OLP is present at the sede at least this many hours a week.
OLP_ORE_SETTIMANALI_MIN = 10

# Places per sede, by type.
TIPO_POSTO_VITTO_ALLOGGIO = 1
TIPO_POSTO_SOLO_VITTO = 2
TIPO_POSTO_SENZA_VITTO_ALLOGGIO = 3


def monte_ore_per_durata(mesi: int) -> int:
    """The annual hour quota of a project of `mesi` months: 765 h at 8 months to 1,145 h at
    12, the same number of hours for each month in between."""
    if not DURATA_MIN_MESI <= mesi <= DURATA_MAX_MESI:
        raise ValueError(f"duration out of range: {mesi}")
    step = (MONTE_ORE_MAX - MONTE_ORE_MIN) / (DURATA_MAX_MESI - DURATA_MIN_MESI)
    return round(MONTE_ORE_MIN + step * (mesi - DURATA_MIN_MESI))


def giorno_di_servizio(giorno, giorni_settimana: int) -> bool:
    """With 5 service days a week Saturday and Sunday are off; with 6, Sunday."""
    return giorno.weekday() < giorni_settimana


def olp_minimi(posti: int, max_per_olp: int) -> int:
    """At least ceil(places at the sede / max volunteers per OLP) OLP at a sede."""
    return math.ceil(posti / max_per_olp) if posti > 0 else 0


# The checks: each rule with its message at the field that breaks it. Forms call the part
# they show; submission calls them all.
Errori = dict[str, list[str]]


def aggiungi_errore(errori: Errori, campo: str, messaggio: str) -> None:
    errori.setdefault(campo, []).append(messaggio)


def errori_orario(
    *,
    durata_mesi,
    modello_orario,
    ore_settimanali,
    monte_ore,
    giorni_settimana,
    ore_settimana_min=ORE_SETTIMANA_MIN,
    ore_settimana_max=ORE_SETTIMANA_MAX,
) -> Errori:
    errori: Errori = {}
    # The weekly band (used with an annual quota): within 20 to 36 hours, minimum <= maximum.
    banda = {"min": ORE_SETTIMANA_MIN, "max": ORE_SETTIMANA_MAX}
    if ore_settimana_min is None or not ORE_SETTIMANA_MIN <= ore_settimana_min <= ORE_SETTIMANA_MAX:
        aggiungi_errore(errori, "ore_settimana_min", _("The weekly minimum is from %(min)s to %(max)s hours.") % banda)
    if ore_settimana_max is None or not ORE_SETTIMANA_MIN <= ore_settimana_max <= ORE_SETTIMANA_MAX:
        aggiungi_errore(errori, "ore_settimana_max", _("The weekly maximum is from %(min)s to %(max)s hours.") % banda)
    if not errori and ore_settimana_min > ore_settimana_max:
        aggiungi_errore(
            errori,
            "ore_settimana_min",
            _("The weekly minimum (%(min)s hours) cannot be above the weekly maximum (%(max)s hours).")
            % {"min": ore_settimana_min, "max": ore_settimana_max},
        )
    if durata_mesi is None or not DURATA_MIN_MESI <= durata_mesi <= DURATA_MAX_MESI:
        aggiungi_errore(
            errori,
            "durata_mesi",
            _("A project lasts from %(min)s to %(max)s months.") % {"min": DURATA_MIN_MESI, "max": DURATA_MAX_MESI},
        )
    if modello_orario == "settimanale":
        if ore_settimanali != ORE_SETTIMANALI:
            aggiungi_errore(
                errori,
                "ore_settimanali",
                _("With a weekly timetable the hours are %(ore)s a week.") % {"ore": ORE_SETTIMANALI},
            )
        if monte_ore:
            aggiungi_errore(errori, "monte_ore", _("Leave the annual quota empty with a weekly timetable."))
    elif modello_orario == "monte_ore":
        if ore_settimanali:
            aggiungi_errore(errori, "ore_settimanali", _("Leave the weekly hours empty with an annual quota."))
        if "durata_mesi" not in errori:
            atteso = monte_ore_per_durata(durata_mesi)
            if monte_ore != atteso:
                aggiungi_errore(
                    errori,
                    "monte_ore",
                    _(
                        "For %(mesi)s months the annual quota is %(ore)s hours (from 765 h at 8 months to 1,145 h at "
                        "12, pro rata), with 20 to 36 hours in any week."
                    )
                    % {"mesi": durata_mesi, "ore": atteso},
                )
    else:
        aggiungi_errore(errori, "modello_orario", _("Choose the hours model."))
    if giorni_settimana not in GIORNI_SETTIMANA:
        aggiungi_errore(errori, "giorni_settimana", _("Volunteers serve 5 or 6 days a week."))
    return errori


def errori_formazione(*, formazione_generale_ore, formazione_specifica_ore) -> Errori:
    errori: Errori = {}
    g, s = formazione_generale_ore or 0, formazione_specifica_ore or 0
    if g < FORMAZIONE_GENERALE_MIN:
        aggiungi_errore(
            errori,
            "formazione_generale_ore",
            _("General training is at least %(n)s hours.") % {"n": FORMAZIONE_GENERALE_MIN},
        )
    if s < FORMAZIONE_SPECIFICA_MIN:
        aggiungi_errore(
            errori,
            "formazione_specifica_ore",
            _("Specific training is at least %(n)s hours.") % {"n": FORMAZIONE_SPECIFICA_MIN},
        )
    if not FORMAZIONE_TOTALE_MIN <= g + s <= FORMAZIONE_TOTALE_MAX:
        aggiungi_errore(
            errori,
            "formazione_specifica_ore",
            _("General and specific training together are %(min)s to %(max)s hours (now %(tot)s).")
            % {"min": FORMAZIONE_TOTALE_MIN, "max": FORMAZIONE_TOTALE_MAX, "tot": g + s},
        )
    return errori


def errori_misure(*, mesi_estero, mesi_tutoraggio, ore_tutoraggio, ore_tutoraggio_individuali) -> Errori:
    errori: Errori = {}
    if mesi_estero and mesi_tutoraggio:
        aggiungi_errore(
            errori, "mesi_tutoraggio", _("A project offers either months in an EU country or tutoring, not both.")
        )
    if mesi_estero and not 0 < mesi_estero <= ESTERO_MESI_MAX:
        aggiungi_errore(errori, "mesi_estero", _("Up to %(n)s months in an EU country.") % {"n": ESTERO_MESI_MAX})
    if mesi_tutoraggio:
        if not TUTORAGGIO_MESI_MIN <= mesi_tutoraggio <= TUTORAGGIO_MESI_MAX:
            aggiungi_errore(errori, "mesi_tutoraggio", _("Tutoring lasts 1 to 3 months."))
        if (ore_tutoraggio or 0) < TUTORAGGIO_ORE_MIN:
            aggiungi_errore(
                errori,
                "ore_tutoraggio",
                _("Tutoring is at least %(n)s hours in all.") % {"n": TUTORAGGIO_ORE_MIN},
            )
        if (ore_tutoraggio_individuali or 0) < TUTORAGGIO_ORE_INDIVIDUALI_MIN:
            aggiungi_errore(
                errori,
                "ore_tutoraggio_individuali",
                _("At least %(n)s hours of tutoring are individual.") % {"n": TUTORAGGIO_ORE_INDIVIDUALI_MIN},
            )
        elif (ore_tutoraggio_individuali or 0) > (ore_tutoraggio or 0):
            aggiungi_errore(errori, "ore_tutoraggio_individuali", _("Individual hours are part of the tutoring hours."))
    elif ore_tutoraggio or ore_tutoraggio_individuali:
        aggiungi_errore(errori, "mesi_tutoraggio", _("Give the months of tutoring, or no tutoring hours."))
    return errori


CAMPI_ORARIO = frozenset({"durata_mesi", "modello_orario", "ore_settimanali", "monte_ore", "giorni_settimana",
                          "ore_settimana_min", "ore_settimana_max"})  # fmt: skip
CAMPI_FORMAZIONE = frozenset({"formazione_generale_ore", "formazione_specifica_ore"})
CAMPI_MISURE = frozenset({"mesi_estero", "mesi_tutoraggio", "ore_tutoraggio", "ore_tutoraggio_individuali"})


def errori_dati(progetto, campi: set[str] | None = None) -> Errori:
    """The rules on a project's own figures (timetable, training, measures), for the groups that
    `campi` touches (every group when None)."""
    errori: Errori = {}
    for gruppo, regola in (
        (CAMPI_ORARIO, errori_orario), (CAMPI_FORMAZIONE, errori_formazione), (CAMPI_MISURE, errori_misure)
    ):  # fmt: skip
        if campi is None or campi & gruppo:
            for campo, messaggi in regola(**{c: getattr(progetto, c) for c in gruppo}).items():
                errori.setdefault(campo, []).extend(messaggi)
    return errori


def requisiti_olp_mancanti(olp) -> list[str]:
    """What an OLP lacks to be named on a project: a relevant degree or two years' experience,
    the OLP course, at least OLP_ORE_SETTIMANALI_MIN hours a week at the sede. Rows recorded
    before these were asked for lack them until someone fills them in."""
    mancanti = []
    if not olp.requisito:
        mancanti.append(_("the relevant degree or the two years' experience is not recorded"))
    if olp.corso_olp_il is None:
        mancanti.append(_("the date of the OLP course is not recorded"))
    if olp.ore_settimanali_sede is None:
        mancanti.append(_("the weekly hours at the site are not recorded"))
    elif olp.ore_settimanali_sede < OLP_ORE_SETTIMANALI_MIN:
        mancanti.append(
            _("%(ore)s hours a week at the site, at least %(min)s are needed")
            % {"ore": olp.ore_settimanali_sede, "min": OLP_ORE_SETTIMANALI_MIN}
        )
    return mancanti


def errori_posto(*, progetto, sede, totale, gmo, olp, max_per_olp, enti_ammessi, carichi=None) -> Errori:
    """One row of places at a sede. `olp` is the list of OLP named there; `carichi` their loads
    with this project's rows counted (`carico_olp.carichi_con_righe`)."""
    errori: Errori = {}
    if sede is not None and sede.ente_id not in enti_ammessi:
        aggiungi_errore(errori, "sede", _("This site is not of the lead body nor of a co-designing body."))
    if sede is not None and not sede.attiva:
        aggiungi_errore(errori, "sede", _("This site is closed."))
    if totale <= 0:
        aggiungi_errore(errori, "posti_senza_vitto_alloggio", _("Give at least one place at this site."))
    if gmo > totale:
        aggiungi_errore(
            errori, "posti_gmo", _("Places reserved for young people with fewer opportunities are part of the places.")
        )
    minimo = olp_minimi(totale, max_per_olp)
    if len(olp) < minimo:
        aggiungi_errore(
            errori,
            "olp",
            _("With %(posti)s places this site needs at least %(n)s OLP (at most %(max)s volunteers each).")
            % {"posti": totale, "n": minimo, "max": max_per_olp},
        )
    for o in olp:
        if o.ente_id not in enti_ammessi:
            aggiungi_errore(errori, "olp", _("%(olp)s works for another body.") % {"olp": o})
    for o in olp:
        mancanti = requisiti_olp_mancanti(o)
        if mancanti:
            aggiungi_errore(
                errori,
                "olp",
                _("%(olp)s does not meet the OLP requirements: %(mancanti)s. Record them on the OLP's page.")
                % {"olp": o, "mancanti": "; ".join(mancanti)},
            )
    for o in olp:
        c = (carichi or {}).get(o.pk)
        if c is None:  # no load yet
            continue
        massimo = c.con_massimo(max_per_olp)
        if c.volontari > massimo:
            aggiungi_errore(
                errori,
                "olp",
                _("%(olp)s would follow %(n)s volunteers across projects: the maximum is %(max)s.")
                % {"olp": o, "n": c.volontari, "max": massimo},
            )
    return errori


def errori_programma(programma) -> list[str]:
    errori = []
    progetti = list(programma.progetti.exclude(stato="respinto").prefetch_related("posti"))
    if len(progetti) < PROGRAMMA_PROGETTI_MIN:
        errori.append(_("A programme groups at least %(n)s projects.") % {"n": PROGRAMMA_PROGETTI_MIN})
    volontari = sum(p.posti_totali for pr in progetti for p in pr.posti.all())
    if volontari < PROGRAMMA_VOLONTARI_MIN:
        errori.append(
            _("A programme asks for at least %(n)s volunteers (now %(tot)s places).")
            % {"n": PROGRAMMA_VOLONTARI_MIN, "tot": volontari}
        )
    if any(p.bando_id != programma.bando_id for p in progetti):
        errori.append(_("All the projects of a programme belong to the programme's call."))
    return errori
