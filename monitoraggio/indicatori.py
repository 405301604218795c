"""Quality indicators of the network, for any scope and period.

Each indicator is defined once, in INDICATORI below (the docs list the same definitions).
The heavy sums run in the database: one query for the services of the scope, one on the
register's monthly rollup (volontari.riepiloghi: each service's running totals at the period's
edges, read from one row per service and edge), a few small ones for closes, places and experts;
whatever the number of days recorded, the number of queries is fixed. Arithmetic on the per-service rows
(plan to date, projections) is done on those rows, one per service.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from progetti import carico_olp, rules
from progetti.models import IncaricoEsperto, PostoSede, Progetto
from volontari import questionari, riepiloghi
from volontari.models import ChiusuraMensile, Presenza, Servizio
from volontari.rules import tetto_permessi_per


@dataclass(frozen=True)
class Definizione:
    chiave: str
    nome: str
    definizione: str
    # Traffic light: "rapporto" (green at or above `verde`, yellow at or above `giallo`),
    # or "zero" (green when 0, red otherwise), or "" (no light).
    semaforo: str = ""
    verde: float = 0.0
    giallo: float = 0.0


INDICATORI = [
    Definizione("volontari", _("Volunteers in service"), _("Services not renounced that overlap the period.")),
    Definizione(
        "ore", _("Hours done against plan"),
        _("Hours recorded in the period (service and training) divided by the hours planned for the days of "
          "service in it: 25 a week, or the annual quota spread over the days of service."),
        "rapporto", 0.95, 0.85,
    ),
    Definizione(
        "proiezione", _("Projected hours at the end"),
        _("Hours each service would reach at its last day at the pace of the days recorded so far, against the "
          "hours planned for its whole span (an interrupted service ends on its last day)."),
        "rapporto", 0.95, 0.85,
    ),
    Definizione(
        "giorni_senza_codice", _("Days without an entry"),
        _("Days of service up to the end of the period (and before today) with no day code."), "zero",
    ),
    Definizione(
        "mesi_non_confermati", _("Months not confirmed by the 10th"),
        _("Volunteers in service in the period's month whose month was not confirmed by the 10th of the next "
          "month (counted once that day has passed)."), "zero",
    ),
    Definizione(
        "formazione_generale", _("General training late"),
        _("Services past day 180 with fewer general training hours than the project plans."), "zero",
    ),
    Definizione(
        "formazione_specifica", _("Specific training late"),
        _("Services past the call's deadline for specific training with fewer hours than the project plans, or, "
          "when the project gives it in two tranches, with less than 70% by that deadline or less than all of it "
          "by day 270."), "zero",
    ),
    Definizione(
        "permessi", _("Paid leave nearly used"),
        _("Services that have used at least 90% of their paid-leave days."),
    ),
    Definizione(
        "malattia", _("Sickness beyond the paid days"),
        _("Services with more than 15 days of sickness (the allowance is cut beyond them)."), "zero",
    ),
    Definizione("rinunce", _("Renunciations"), _("Services renounced whose start falls in the period.")),
    Definizione("interruzioni", _("Interruptions"), _("Services interrupted whose last day falls in the period.")),
    Definizione(
        "interruzioni_in_ritardo", _("Interruptions reported late"),
        _("Interruptions of the period reported more than 5 days after the last day of service."), "zero",
    ),
    Definizione("subentri", _("Replacements"), _("Services replacing another, started in the period.")),
    Definizione(
        "posti", _("Places filled"),
        _("Volunteers in service at the end of the period divided by the places of the approved, funded and "
          "running projects."), "rapporto", 0.9, 0.7,
    ),
    Definizione(
        "olp_oltre", _("OLP over the maximum"),
        _("OLP whose load on the period's last day (each site's places shared among its OLP in whole volunteers, "
          "or the volunteers assigned to them if more) is above the maximum of their calls."), "zero",
    ),
    Definizione(
        "esperti", _("Experts assigned"),
        _("Shared-expert roles assigned, divided by the roles the projects asked for."), "rapporto", 1.0, 0.5,
    ),
    Definizione(
        "questionari", _("Questionnaires answered"),
        _("Volunteer questionnaires (start, middle, end) whose deadline fell in the period and has passed: "
          "filled in, against sent."), "rapporto", 0.8, 0.5,
    ),
    Definizione(
        "soddisfazione", _("Volunteer satisfaction"),
        _("Average overall satisfaction (1 to 5) of the questionnaires filled in during the period; shown "
          "from 3 answers up, so that no single answer can be read."), "rapporto", 0.7, 0.6,
    ),
    Definizione(
        "relazioni_olp", _("Monthly OLP reports written"),
        _("Monthly reports written by the OLP for the months of the period already ended, against one per "
          "volunteer in service in each of those months."), "rapporto", 0.9, 0.7,
    ),
    Definizione(
        "criticita_olp", _("Problems flagged by the OLP"),
        _("Monthly reports of the period in which the OLP flagged something that needs the body's attention."),
        "zero",
    ),
]  # fmt: skip
PER_CHIAVE = {d.chiave: d for d in INDICATORI}


@dataclass
class Valore:
    definizione: Definizione
    valore: Decimal | int | None  # None: not enough data to show it
    totale: Decimal | int | None = None  # the denominator of a ratio, or the cap

    @property
    def rapporto(self) -> float | None:
        if self.totale in (None, 0) or self.valore is None:
            return None
        return float(self.valore) / float(self.totale)

    @property
    def semaforo(self) -> str:
        d = self.definizione
        if d.semaforo == "zero":
            return "verde" if not self.valore else "rosso"
        if d.semaforo == "rapporto":
            r = self.rapporto
            if r is None:
                return ""
            return "verde" if r >= d.verde else "giallo" if r >= d.giallo else "rosso"
        return ""


def servizi_ambito(*, nodo=None, ente=None, progetto=None, volontario=None):
    qs = Servizio.objects.all()
    if nodo is not None:
        qs = qs.filter(posto__sede__ente__nodo=nodo)
    if ente is not None:
        qs = qs.filter(posto__sede__ente=ente)
    if progetto is not None:
        qs = qs.filter(posto__progetto=progetto)
    if volontario is not None:
        qs = qs.filter(volontario=volontario)
    return qs


def _ore_previste(s: dict, da: datetime.date, a: datetime.date) -> Decimal:
    """Planned hours of one service for the days of [da, a] it covers."""
    inizio, fine = max(s["data_inizio"], da), min(s["data_fine"], a)
    if fine < inizio:
        return Decimal(0)
    giorni = (fine - inizio).days + 1
    if s["posto__progetto__modello_orario"] == "monte_ore":
        totali = (s["data_fine_prevista"] - s["data_inizio"]).days + 1
        return Decimal(s["posto__progetto__monte_ore"]) * giorni / totali
    return Decimal(s["posto__progetto__ore_settimanali"] or rules.ORE_SETTIMANALI) * giorni / 7


def _specifica_in_ritardo(s: dict, ag: dict, giorno_n: int) -> bool:
    """Specific training late, as the project declares it: all by the call's deadline, or 70%
    by then and all by day 270."""
    entro = s["posto__progetto__bando__formazione_specifica_entro_giorni"]
    ore = s["posto__progetto__formazione_specifica_ore"]
    fatte = ag["specifica"] or 0
    if s["posto__progetto__formazione_specifica_tranche"] != Progetto.TrancheSpecifica.DUE:
        return giorno_n > entro and fatte < ore
    entro_prima = ag.get(f"specifica_entro_{entro}") or 0
    quota = Decimal(str(rules.FORMAZIONE_SPECIFICA_TRANCHE_QUOTA)) * ore
    return (giorno_n > entro and entro_prima < quota) or (
        giorno_n > rules.FORMAZIONE_SPECIFICA_SECONDA_TRANCHE_ENTRO_GIORNI and fatte < ore
    )


def calcola(servizi, da: datetime.date, a: datetime.date, oggi: datetime.date | None = None) -> dict[str, Valore]:
    """Every indicator for the services `servizi` (a queryset: the scope) over [da, a]."""
    oggi = oggi or timezone.localdate()
    fino_a = min(a, oggi - datetime.timedelta(days=1))
    nel_periodo = servizi.filter(data_inizio__lte=a, data_fine__gte=da)
    # The scope's services are passed to the next queries as a subquery, never as a list of
    # ids: a national scope holds more services than a query may have parameters.
    vivi_qs = nel_periodo.exclude(stato=Servizio.Stato.RINUNCIA).values("pk")
    righe = list(
        nel_periodo.values(
            "pk", "stato", "data_inizio", "data_fine", "data_fine_prevista", "olp_id", "subentra_a_id",
            "interruzione_comunicata_il", "posto__progetto__modello_orario", "posto__progetto__ore_settimanali",
            "posto__progetto__monte_ore", "posto__progetto__durata_mesi", "posto__progetto__formazione_generale_ore",
            "posto__progetto__formazione_specifica_ore", "posto__progetto__bando__formazione_specifica_entro_giorni",
            "posto__progetto__formazione_specifica_tranche",
            "posto__progetto__bando__max_volontari_per_olp", "posto__progetto__bando__permessi_pro_rata",
        )
    )  # fmt: skip
    vivi = [s for s in righe if s["stato"] != Servizio.Stato.RINUNCIA]
    # Specific training given by the call's deadline, for projects in two tranches: one sum per
    # deadline the scope's calls use (usually one).
    entro_specifica = {
        s["posto__progetto__bando__formazione_specifica_entro_giorni"]
        for s in vivi
        if s["posto__progetto__formazione_specifica_tranche"] == Progetto.TrancheSpecifica.DUE
    }
    # The totals of the register come from its monthly rollup (volontari.riepiloghi): the
    # running totals at the period's end, at the day before its start and at yesterday.
    prima = da - datetime.timedelta(days=1)
    al_giorno = riepiloghi.totali_al(vivi_qs, [a, prima, fino_a], oggi)
    al_termine, al_prima, a_ieri = al_giorno[a], al_giorno[prima], al_giorno[fino_a]
    zero = riepiloghi.ZERO
    # Specific training by the call's deadline (two tranches), per service and deadline.
    entro_prima: dict[int, dict] = {}
    if entro_specifica:
        # Specific training given by the call's deadline: a day of each service's own, read from
        # the register for the services whose project gives it in two tranches.
        prima_tranche = {
            f"specifica_entro_{n}": Sum(
                "ore", filter=Q(giorno__lt=F("servizio__data_inizio") + datetime.timedelta(days=n))
            )
            for n in sorted(entro_specifica)
        }
        for r in (
            Presenza.objects.filter(
                servizio__in=vivi_qs.filter(
                    posto__progetto__formazione_specifica_tranche=Progetto.TrancheSpecifica.DUE
                ),
                attivita=Presenza.Attivita.FORMAZIONE_SPECIFICA,
                giorno__lte=a,
            )
            .order_by()
            .values("servizio_id")
            .annotate(**prima_tranche)
        ):
            entro_prima[r.pop("servizio_id")] = r

    ore_fatte = ore_previste = Decimal(0)
    proiezione = piano_totale = Decimal(0)
    senza_codice = gen_tardi = spec_tardi = permessi_quasi = malattia_oltre = 0
    for s in vivi:
        t, p, f = al_termine.get(s["pk"], zero), al_prima.get(s["pk"], zero), a_ieri.get(s["pk"], zero)
        ag = {"specifica": t.ore_specifica, **entro_prima.get(s["pk"], {})}
        ore_fatte += t.ore - p.ore  # the hours of [da, a]
        ore_previste += _ore_previste(s, da, a)
        # The span of the service as it stands: an interrupted one ends on its last day.
        totali = (s["data_fine"] - s["data_inizio"]).days + 1
        piano = _ore_previste(s, s["data_inizio"], s["data_fine"])
        piano_totale += piano
        # The pace is taken over the days recorded (a day code per calendar day), so that
        # a register started late in the portal does not read as hours not done.
        if t.giorni:
            proiezione += Decimal(t.ore) * totali / t.giorni
        inizio_c, fine_c = max(s["data_inizio"], da), min(s["data_fine"], fino_a)
        if fine_c >= inizio_c:
            senza_codice += max((fine_c - inizio_c).days + 1 - (f.giorni - p.giorni), 0)  # days of [da, fino_a]
        giorno_n = (min(a, s["data_fine"]) - s["data_inizio"]).days + 1
        if (
            giorno_n > rules.FORMAZIONE_GENERALE_ENTRO_GIORNI
            and t.ore_generale < s["posto__progetto__formazione_generale_ore"]
        ):
            gen_tardi += 1
        if _specifica_in_ritardo(s, ag, giorno_n):
            spec_tardi += 1
        tetto = tetto_permessi_per(s["posto__progetto__durata_mesi"], s["posto__progetto__bando__permessi_pro_rata"])
        if tetto and t.permessi >= 0.9 * tetto:
            permessi_quasi += 1
        if t.malattia > rules.MALATTIA_GIORNI_RETRIBUITI:
            malattia_oltre += 1

    # Months not confirmed by the 10th: the month of the period's end, once its 10th has passed.
    mese = a.replace(day=1)
    scadenza = (a.replace(day=28) + datetime.timedelta(days=4)).replace(day=10)
    fine_mese = (mese + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    non_confermati = 0
    if oggi > scadenza:
        nel_mese = [s["pk"] for s in vivi if s["data_inizio"] <= fine_mese and s["data_fine"] >= mese]
        confermati = set(
            ChiusuraMensile.objects.filter(
                servizio__in=vivi_qs.filter(data_inizio__lte=fine_mese, data_fine__gte=mese),
                mese=mese,
                stato=ChiusuraMensile.Stato.CONFERMATA,
                confermata_il__date__lte=scadenza,
            ).values_list("servizio_id", flat=True)
        )
        non_confermati = len(set(nel_mese) - confermati)

    rinunce = sum(1 for s in righe if s["stato"] == Servizio.Stato.RINUNCIA and da <= s["data_inizio"] <= a)
    interrotti = [s for s in righe if s["stato"] == Servizio.Stato.INTERROTTO and da <= s["data_fine"] <= a]
    in_ritardo = sum(
        1
        for s in interrotti
        if s["interruzione_comunicata_il"]
        and (s["interruzione_comunicata_il"] - s["data_fine"]).days > rules.INTERRUZIONE_COMUNICAZIONE_GIORNI
    )
    subentri = sum(1 for s in vivi if s["subentra_a_id"] and da <= s["data_inizio"] <= a)

    alla_fine = [s for s in vivi if s["data_inizio"] <= a <= s["data_fine"]]
    progetti = Progetto.objects.filter(
        pk__in=servizi.values("posto__progetto_id"),
        stato__in=(Progetto.Stato.APPROVATO, Progetto.Stato.FINANZIATO, Progetto.Stato.IN_CORSO),
    )
    posti = (
        PostoSede.objects.filter(progetto__in=progetti).aggregate(
            n=Sum("posti_vitto_alloggio") + Sum("posti_solo_vitto") + Sum("posti_senza_vitto_alloggio")
        )["n"]
        or 0
    )
    # The OLP of the scope (assigned to its services not ended on the period's last day, or named at
    # the sedi of its live projects), each with her load on that day as progetti.carico_olp defines it.
    olp_ambito = (
        servizi.filter(data_fine__gte=a, olp__isnull=False)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .order_by()
        .values("olp_id")
        .union(
            PostoSede.olp.through.objects.filter(
                postosede__progetto__in=servizi.values("posto__progetto_id"),
                postosede__progetto__stato__in=carico_olp.STATI_CON_POSTI_IMPEGNATI,
            )
            .order_by()
            .values("olp_id")
        )
    )
    olp_oltre = carico_olp.quanti_oltre_massimo(olp_ambito, giorno=a)
    q = questionari.conteggi(servizi, [(s["data_inizio"], s["data_fine"]) for s in vivi], da, a, oggi)
    incarichi = IncaricoEsperto.objects.filter(progetto__in=servizi.values("posto__progetto_id")).aggregate(
        richiesti=Count("pk"), assegnati=Count("pk", filter=Q(stato=IncaricoEsperto.Stato.ASSEGNATO))
    )

    v = {
        "volontari": Valore(PER_CHIAVE["volontari"], len(vivi)),
        "ore": Valore(PER_CHIAVE["ore"], ore_fatte.quantize(Decimal("1")), ore_previste.quantize(Decimal("1"))),
        "proiezione": Valore(
            PER_CHIAVE["proiezione"], proiezione.quantize(Decimal("1")), piano_totale.quantize(Decimal("1"))
        ),
        "giorni_senza_codice": Valore(PER_CHIAVE["giorni_senza_codice"], senza_codice),
        "mesi_non_confermati": Valore(PER_CHIAVE["mesi_non_confermati"], non_confermati),
        "formazione_generale": Valore(PER_CHIAVE["formazione_generale"], gen_tardi),
        "formazione_specifica": Valore(PER_CHIAVE["formazione_specifica"], spec_tardi),
        "permessi": Valore(PER_CHIAVE["permessi"], permessi_quasi),
        "malattia": Valore(PER_CHIAVE["malattia"], malattia_oltre),
        "rinunce": Valore(PER_CHIAVE["rinunce"], rinunce),
        "interruzioni": Valore(PER_CHIAVE["interruzioni"], len(interrotti)),
        "interruzioni_in_ritardo": Valore(PER_CHIAVE["interruzioni_in_ritardo"], in_ritardo),
        "subentri": Valore(PER_CHIAVE["subentri"], subentri),
        "posti": Valore(PER_CHIAVE["posti"], len(alla_fine), posti),
        "olp_oltre": Valore(PER_CHIAVE["olp_oltre"], olp_oltre),
        "esperti": Valore(PER_CHIAVE["esperti"], incarichi["assegnati"], incarichi["richiesti"]),
        "questionari": Valore(PER_CHIAVE["questionari"], q["compilati"], q["dovuti"]),
        "soddisfazione": Valore(
            PER_CHIAVE["soddisfazione"],
            Decimal(str(q["soddisfazione"])).quantize(Decimal("0.1"))
            if q["risposte"] >= questionari.MINIMO_RISPOSTE
            else None,
            5,
        ),
        "relazioni_olp": Valore(PER_CHIAVE["relazioni_olp"], q["scritte"], q["relazioni_dovute"]),
        "criticita_olp": Valore(PER_CHIAVE["criticita_olp"], q["criticita"]),
    }
    return v
