"""The rules of DOMAIN.md for projects and programmes, each with its message at the field
that breaks it. Forms call the part they show; submission calls them all."""

from django.utils import timezone
from django.utils.translation import gettext as _

from . import carico_olp, rules

Errori = dict[str, list[str]]


def _add(errori: Errori, campo: str, messaggio: str) -> None:
    errori.setdefault(campo, []).append(messaggio)


def errori_orario(
    *,
    durata_mesi,
    modello_orario,
    ore_settimanali,
    monte_ore,
    giorni_settimana,
    ore_settimana_min=rules.ORE_SETTIMANA_MIN,
    ore_settimana_max=rules.ORE_SETTIMANA_MAX,
) -> Errori:
    errori: Errori = {}
    # The weekly band (used with an annual quota): within 20 to 36 hours, minimum <= maximum.
    banda = {"min": rules.ORE_SETTIMANA_MIN, "max": rules.ORE_SETTIMANA_MAX}
    if ore_settimana_min is None or not rules.ORE_SETTIMANA_MIN <= ore_settimana_min <= rules.ORE_SETTIMANA_MAX:
        _add(errori, "ore_settimana_min", _("The weekly minimum is from %(min)s to %(max)s hours.") % banda)
    if ore_settimana_max is None or not rules.ORE_SETTIMANA_MIN <= ore_settimana_max <= rules.ORE_SETTIMANA_MAX:
        _add(errori, "ore_settimana_max", _("The weekly maximum is from %(min)s to %(max)s hours.") % banda)
    if not errori and ore_settimana_min > ore_settimana_max:
        _add(
            errori,
            "ore_settimana_min",
            _("The weekly minimum (%(min)s hours) cannot be above the weekly maximum (%(max)s hours).")
            % {"min": ore_settimana_min, "max": ore_settimana_max},
        )
    if durata_mesi is None or not rules.DURATA_MIN_MESI <= durata_mesi <= rules.DURATA_MAX_MESI:
        _add(
            errori,
            "durata_mesi",
            _("A project lasts from %(min)s to %(max)s months.")
            % {"min": rules.DURATA_MIN_MESI, "max": rules.DURATA_MAX_MESI},
        )
    if modello_orario == "settimanale":
        if ore_settimanali != rules.ORE_SETTIMANALI:
            _add(
                errori,
                "ore_settimanali",
                _("With a weekly timetable the hours are %(ore)s a week.") % {"ore": rules.ORE_SETTIMANALI},
            )
        if monte_ore:
            _add(errori, "monte_ore", _("Leave the annual quota empty with a weekly timetable."))
    elif modello_orario == "monte_ore":
        if ore_settimanali:
            _add(errori, "ore_settimanali", _("Leave the weekly hours empty with an annual quota."))
        if "durata_mesi" not in errori:
            atteso = rules.monte_ore_per_durata(durata_mesi)
            if monte_ore != atteso:
                _add(
                    errori,
                    "monte_ore",
                    _(
                        "For %(mesi)s months the annual quota is %(ore)s hours (from 765 h at 8 months to 1,145 h at "
                        "12, pro rata), with 20 to 36 hours in any week."
                    )
                    % {"mesi": durata_mesi, "ore": atteso},
                )
    else:
        _add(errori, "modello_orario", _("Choose the hours model."))
    if giorni_settimana not in rules.GIORNI_SETTIMANA:
        _add(errori, "giorni_settimana", _("Volunteers serve 5 or 6 days a week."))
    return errori


def errori_formazione(*, formazione_generale_ore, formazione_specifica_ore) -> Errori:
    errori: Errori = {}
    g, s = formazione_generale_ore or 0, formazione_specifica_ore or 0
    if g < rules.FORMAZIONE_GENERALE_MIN:
        _add(
            errori,
            "formazione_generale_ore",
            _("General training is at least %(n)s hours.") % {"n": rules.FORMAZIONE_GENERALE_MIN},
        )
    if s < rules.FORMAZIONE_SPECIFICA_MIN:
        _add(
            errori,
            "formazione_specifica_ore",
            _("Specific training is at least %(n)s hours.") % {"n": rules.FORMAZIONE_SPECIFICA_MIN},
        )
    if not rules.FORMAZIONE_TOTALE_MIN <= g + s <= rules.FORMAZIONE_TOTALE_MAX:
        _add(
            errori,
            "formazione_specifica_ore",
            _("General and specific training together are %(min)s to %(max)s hours (now %(tot)s).")
            % {"min": rules.FORMAZIONE_TOTALE_MIN, "max": rules.FORMAZIONE_TOTALE_MAX, "tot": g + s},
        )
    return errori


def errori_misure(*, mesi_estero, mesi_tutoraggio, ore_tutoraggio, ore_tutoraggio_individuali) -> Errori:
    errori: Errori = {}
    if mesi_estero and mesi_tutoraggio:
        _add(errori, "mesi_tutoraggio", _("A project offers either months in an EU country or tutoring, not both."))
    if mesi_estero and not 0 < mesi_estero <= rules.ESTERO_MESI_MAX:
        _add(errori, "mesi_estero", _("Up to %(n)s months in an EU country.") % {"n": rules.ESTERO_MESI_MAX})
    if mesi_tutoraggio:
        if not rules.TUTORAGGIO_MESI_MIN <= mesi_tutoraggio <= rules.TUTORAGGIO_MESI_MAX:
            _add(errori, "mesi_tutoraggio", _("Tutoring lasts 1 to 3 months."))
        if (ore_tutoraggio or 0) < rules.TUTORAGGIO_ORE_MIN:
            _add(
                errori,
                "ore_tutoraggio",
                _("Tutoring is at least %(n)s hours in all.") % {"n": rules.TUTORAGGIO_ORE_MIN},
            )
        if (ore_tutoraggio_individuali or 0) < rules.TUTORAGGIO_ORE_INDIVIDUALI_MIN:
            _add(
                errori,
                "ore_tutoraggio_individuali",
                _("At least %(n)s hours of tutoring are individual.") % {"n": rules.TUTORAGGIO_ORE_INDIVIDUALI_MIN},
            )
        elif (ore_tutoraggio_individuali or 0) > (ore_tutoraggio or 0):
            _add(errori, "ore_tutoraggio_individuali", _("Individual hours are part of the tutoring hours."))
    elif ore_tutoraggio or ore_tutoraggio_individuali:
        _add(errori, "mesi_tutoraggio", _("Give the months of tutoring, or no tutoring hours."))
    return errori


# States in which a project's places hold its OLP's time (the load is defined in carico_olp).
STATI_CON_POSTI_IMPEGNATI = carico_olp.STATI_CON_POSTI_IMPEGNATI


def carichi_con_righe(progetto, righe, *, giorno=None) -> dict[int, carico_olp.Carico]:
    """Each OLP's load with the project's places replaced by `righe`, [(total places, [OLP])]."""
    ids = {o.pk for _totale, olp in righe for o in olp}
    carico_olp.blocca_olp(ids)
    return carico_olp.carichi_olp(
        ids,
        giorno=giorno or timezone.localdate(),
        escludi_progetto_id=progetto.pk,
        righe=[(totale, olp, progetto.bando_id, progetto.settore_id) for totale, olp in righe],
    )


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
    elif olp.ore_settimanali_sede < rules.OLP_ORE_SETTIMANALI_MIN:
        mancanti.append(
            _("%(ore)s hours a week at the site, at least %(min)s are needed")
            % {"ore": olp.ore_settimanali_sede, "min": rules.OLP_ORE_SETTIMANALI_MIN}
        )
    return mancanti


def errori_posto(*, progetto, sede, totale, gmo, olp, max_per_olp, enti_ammessi, carichi=None) -> Errori:
    """One row of places at a sede. `olp` is the list of OLP named there; `carichi` their loads
    with this project's rows counted (`carichi_con_righe`)."""
    errori: Errori = {}
    if sede is not None and sede.ente_id not in enti_ammessi:
        _add(errori, "sede", _("This site is not of the lead body nor of a co-designing body."))
    if sede is not None and not sede.attiva:
        _add(errori, "sede", _("This site is closed."))
    if totale <= 0:
        _add(errori, "posti_senza_vitto_alloggio", _("Give at least one place at this site."))
    if gmo > totale:
        _add(
            errori, "posti_gmo", _("Places reserved for young people with fewer opportunities are part of the places.")
        )
    minimo = rules.olp_minimi(totale, max_per_olp)
    if len(olp) < minimo:
        _add(
            errori,
            "olp",
            _("With %(posti)s places this site needs at least %(n)s OLP (at most %(max)s volunteers each).")
            % {"posti": totale, "n": minimo, "max": max_per_olp},
        )
    for o in olp:
        if o.ente_id not in enti_ammessi:
            _add(errori, "olp", _("%(olp)s works for another body.") % {"olp": o})
    for o in olp:
        mancanti = requisiti_olp_mancanti(o)
        if mancanti:
            _add(
                errori,
                "olp",
                _("%(olp)s does not meet the OLP requirements: %(mancanti)s. Record them on the OLP's page.")
                % {"olp": o, "mancanti": "; ".join(mancanti)},
            )
    for o in olp:
        c = (carichi or {}).get(o.pk, carico_olp.NESSUN_CARICO)
        massimo = c.con_massimo(max_per_olp)
        if c.volontari > massimo:
            _add(
                errori,
                "olp",
                _("%(olp)s would follow %(n)s volunteers across projects: the maximum is %(max)s.")
                % {"olp": o, "n": c.volontari, "max": massimo},
            )
    return errori


def errori_progetto(progetto) -> Errori:
    """Every rule, for a project about to be submitted."""
    errori: Errori = {}
    if progetto.area_id and progetto.area.settore_id != progetto.settore_id:
        _add(errori, "area", _("The area does not belong to the chosen sector."))
    for blocco in (
        errori_orario(
            durata_mesi=progetto.durata_mesi,
            modello_orario=progetto.modello_orario,
            ore_settimanali=progetto.ore_settimanali,
            monte_ore=progetto.monte_ore,
            giorni_settimana=progetto.giorni_settimana,
            ore_settimana_min=progetto.ore_settimana_min,
            ore_settimana_max=progetto.ore_settimana_max,
        ),
        errori_formazione(
            formazione_generale_ore=progetto.formazione_generale_ore,
            formazione_specifica_ore=progetto.formazione_specifica_ore,
        ),
        errori_misure(
            mesi_estero=progetto.mesi_estero,
            mesi_tutoraggio=progetto.mesi_tutoraggio,
            ore_tutoraggio=progetto.ore_tutoraggio,
            ore_tutoraggio_individuali=progetto.ore_tutoraggio_individuali,
        ),
    ):
        for campo, messaggi in blocco.items():
            errori.setdefault(campo, []).extend(messaggi)
    posti = list(progetto.posti.select_related("sede").prefetch_related("olp"))
    if not posti:
        _add(errori, "posti", _("Add at least one site with its places."))
    max_per_olp = progetto.bando.max_volontari_olp(progetto.settore)
    enti_ammessi = {progetto.ente_id, *progetto.enti_coprogettanti.values_list("pk", flat=True)}
    carichi = carichi_con_righe(progetto, [(p.posti_totali, list(p.olp.all())) for p in posti])
    for posto in posti:
        riga = errori_posto(
            progetto=progetto,
            sede=posto.sede,
            totale=posto.posti_totali,
            gmo=posto.posti_gmo,
            olp=list(posto.olp.all()),
            max_per_olp=max_per_olp,
            enti_ammessi=enti_ammessi,
            carichi=carichi,
        )
        for messaggi in riga.values():
            for m in messaggi:
                _add(errori, "posti", f"{posto.sede.denominazione}: {m}")
    return errori


def errori_programma(programma) -> list[str]:
    errori = []
    progetti = list(programma.progetti.exclude(stato="respinto").prefetch_related("posti"))
    if len(progetti) < rules.PROGRAMMA_PROGETTI_MIN:
        errori.append(_("A programme groups at least %(n)s projects.") % {"n": rules.PROGRAMMA_PROGETTI_MIN})
    volontari = sum(p.posti_totali for pr in progetti for p in pr.posti.all())
    if volontari < rules.PROGRAMMA_VOLONTARI_MIN:
        errori.append(
            _("A programme asks for at least %(n)s volunteers (now %(tot)s places).")
            % {"n": rules.PROGRAMMA_VOLONTARI_MIN, "tot": volontari}
        )
    if any(p.bando_id != programma.bando_id for p in progetti):
        errori.append(_("All the projects of a programme belong to the programme's call."))
    return errori
