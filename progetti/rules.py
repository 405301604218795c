"""The fixed rules of Servizio Civile Universale (DOMAIN.md), named once.

Values that change between calls are not here: they are fields of `Bando` with their
defaults. These are the ones set by law and the Department's circulars; database
constraints, form validation and services all read them from this module.
"""

import math

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
