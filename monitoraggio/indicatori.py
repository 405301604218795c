"""Quality indicators of the network, for any scope and period.

Each indicator is defined once, in INDICATORI below (the docs list the same definitions).
The sums run in the database and come back as counts per indicator, not rows per service:
over whole months (the period's edges and yesterday, when it falls in the period, are months'
ends) the register's rules are one conditional aggregate over the scope's services joined to
the rollup rows holding their running totals at those edges (`_registro_sql`); on any other
edges each service's totals are read from the rollup (volontari.riepiloghi) and summed here,
one row per service (`_registro_python`). The counts of services (renounced, interrupted,
replacements, reports due...), the OLP over their maximum (progetti.carico_olp), the
questionnaires and reports are aggregates too: the number of queries is fixed, whatever the
scope's size or the days recorded."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, NullIf
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infra.mesi import ultimo_del_mese
from progetti import carico_olp, rules
from progetti import rules as progetti_rules
from progetti.models import IncaricoEsperto, PostoSede, Progetto
from volontari import questionari, riepiloghi
from volontari.models import ChiusuraMensile, Presenza, RiepilogoMensile, Servizio
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
    vivi = nel_periodo.exclude(stato=Servizio.Stato.RINUNCIA)
    if all(_fine_mese(g) for g in (a, da - datetime.timedelta(days=1), fino_a)):
        r = _registro_sql(vivi, da, a, fino_a)
        r["spec_tardi"] += _specifica_due(vivi, a)
    else:
        r = _registro_python(vivi, da, a, fino_a, oggi)
    r = {k: 0 if v is None else v for k, v in r.items()}  # a sum over no service is 0
    # Counts of the scope's services, one conditional aggregate (the months of the period already
    # ended count the monthly OLP reports due).
    mese = a.replace(day=1)
    scadenza = (a.replace(day=28) + datetime.timedelta(days=4)).replace(day=10)
    fine_mese = (mese + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    mesi = questionari.mesi_relazioni(da, a, oggi)
    vivo = ~Q(stato=Servizio.Stato.RINUNCIA)
    interrotto = Q(stato=Servizio.Stato.INTERROTTO, data_fine__gte=da, data_fine__lte=a)
    c = nel_periodo.aggregate(
        volontari=Count("pk", filter=vivo),
        rinunce=Count("pk", filter=Q(stato=Servizio.Stato.RINUNCIA, data_inizio__gte=da, data_inizio__lte=a)),
        interrotti=Count("pk", filter=interrotto),
        in_ritardo=Count(
            "pk",
            filter=interrotto
            & GreaterThan(
                Giorni(F("interruzione_comunicata_il"), F("data_fine")), rules.INTERRUZIONE_COMUNICAZIONE_GIORNI
            ),
        ),
        subentri=Count("pk", filter=vivo & Q(subentra_a__isnull=False, data_inizio__gte=da, data_inizio__lte=a)),
        alla_fine=Count("pk", filter=vivo & Q(data_inizio__lte=a, data_fine__gte=a)),
        nel_mese=Count("pk", filter=vivo & Q(data_inizio__lte=fine_mese, data_fine__gte=mese)),
        **{
            f"relazioni_{i}": Count("pk", filter=vivo & Q(data_inizio__lte=ultimo_del_mese(m), data_fine__gte=m))
            for i, m in enumerate(mesi)
        },
    )
    relazioni_dovute = sum(c[f"relazioni_{i}"] for i in range(len(mesi)))
    ore_fatte, ore_previste = r["ore_fatte"] or Decimal(0), r["ore_previste"] or Decimal(0)
    proiezione, piano_totale = r["proiezione"] or Decimal(0), r["piano_totale"] or Decimal(0)

    # Months not confirmed by the 10th: the month of the period's end, once its 10th has passed.
    non_confermati = 0
    if oggi > scadenza:
        confermati = ChiusuraMensile.objects.filter(
            servizio__in=vivi.filter(data_inizio__lte=fine_mese, data_fine__gte=mese).values("pk"),
            mese=mese,
            stato=ChiusuraMensile.Stato.CONFERMATA,
            confermata_il__date__lte=scadenza,
        ).aggregate(n=Count("servizio_id", distinct=True))["n"]
        non_confermati = c["nel_mese"] - confermati

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
    q = questionari.conteggi(servizi, mesi, da, a, oggi) | {"relazioni_dovute": relazioni_dovute}
    incarichi = IncaricoEsperto.objects.filter(progetto__in=servizi.values("posto__progetto_id")).aggregate(
        richiesti=Count("pk"), assegnati=Count("pk", filter=Q(stato=IncaricoEsperto.Stato.ASSEGNATO))
    )

    v = {
        "volontari": Valore(PER_CHIAVE["volontari"], c["volontari"]),
        "ore": Valore(PER_CHIAVE["ore"], ore_fatte.quantize(Decimal("1")), ore_previste.quantize(Decimal("1"))),
        "proiezione": Valore(
            PER_CHIAVE["proiezione"], proiezione.quantize(Decimal("1")), piano_totale.quantize(Decimal("1"))
        ),
        "giorni_senza_codice": Valore(PER_CHIAVE["giorni_senza_codice"], r["senza_codice"]),
        "mesi_non_confermati": Valore(PER_CHIAVE["mesi_non_confermati"], non_confermati),
        "formazione_generale": Valore(PER_CHIAVE["formazione_generale"], r["gen_tardi"]),
        "formazione_specifica": Valore(PER_CHIAVE["formazione_specifica"], r["spec_tardi"]),
        "permessi": Valore(PER_CHIAVE["permessi"], r["permessi_quasi"]),
        "malattia": Valore(PER_CHIAVE["malattia"], r["malattia_oltre"]),
        "rinunce": Valore(PER_CHIAVE["rinunce"], c["rinunce"]),
        "interruzioni": Valore(PER_CHIAVE["interruzioni"], c["interrotti"]),
        "interruzioni_in_ritardo": Valore(PER_CHIAVE["interruzioni_in_ritardo"], c["in_ritardo"]),
        "subentri": Valore(PER_CHIAVE["subentri"], c["subentri"]),
        "posti": Valore(PER_CHIAVE["posti"], c["alla_fine"], posti),
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


def _registro_python(vivi_qs, da, a, fino_a, oggi) -> dict:
    """The register's figures of the services `vivi_qs` (not renounced), one row per service
    summed here: the general case, any edges (see `_registro_sql` for whole months)."""
    vivi = list(
        vivi_qs.values(
            "pk", "data_inizio", "data_fine", "data_fine_prevista",
            "posto__progetto__modello_orario", "posto__progetto__ore_settimanali",
            "posto__progetto__monte_ore", "posto__progetto__durata_mesi", "posto__progetto__formazione_generale_ore",
            "posto__progetto__formazione_specifica_ore", "posto__progetto__bando__formazione_specifica_entro_giorni",
            "posto__progetto__formazione_specifica_tranche", "posto__progetto__bando__permessi_pro_rata",
        )
    )  # fmt: skip
    ids = vivi_qs.values("pk")
    entro_specifica = {
        s["posto__progetto__bando__formazione_specifica_entro_giorni"]
        for s in vivi
        if s["posto__progetto__formazione_specifica_tranche"] == Progetto.TrancheSpecifica.DUE
    }
    # The totals of the register come from its monthly rollup (volontari.riepiloghi): the
    # running totals at the period's end, at the day before its start and at yesterday.
    prima = da - datetime.timedelta(days=1)
    al_giorno = riepiloghi.totali_al(ids, [a, prima, fino_a], oggi)
    al_termine, al_prima, a_ieri = al_giorno[a], al_giorno[prima], al_giorno[fino_a]
    zero = riepiloghi.ZERO
    entro_prima = _entro_prima(vivi_qs, a, entro_specifica) if entro_specifica else {}

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

    return {
        "ore_fatte": ore_fatte, "ore_previste": ore_previste, "proiezione": proiezione,
        "piano_totale": piano_totale, "senza_codice": senza_codice, "gen_tardi": gen_tardi,
        "spec_tardi": spec_tardi, "permessi_quasi": permessi_quasi, "malattia_oltre": malattia_oltre,
    }  # fmt: skip


# The register's figures summed in the database ----------------------------------------------
#
# When the period's edges are months' ends (a whole month or more, ended before yesterday: the
# benchmark's and the reports' usual case), each service's running totals at them are single rows
# of the rollup, joined to the service; every per-service rule below is then one conditional
# aggregate, and the database returns one row of counts and sums instead of one row per service.
# The same arithmetic as the Python path (`_registro_python`), in numeric (PostgreSQL) or
# floating point (SQLite) before the final rounding; tests/monitoraggio/test_indicatori.py runs
# both paths on the same data.


class Giorni(Func):
    """Whole days from the second date to the first (fine - inizio)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        (fine, p1), (inizio, p2) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({fine} - {inizio})", [*p1, *p2]

    def as_sqlite(self, compiler, connection, **extra):
        (fine, p1), (inizio, p2) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({fine}) - julianday({inizio}) AS INTEGER)", [*p1, *p2]


class Numerico(Func):
    """An exact number in PostgreSQL (numeric), a float in SQLite: division keeps its fraction."""

    output_field = DecimalField()
    template = "CAST(%(expressions)s AS numeric)"
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra)


def _data(d: datetime.date):
    return Value(d, output_field=DateField())


def _piano(inizio, fine):
    """Planned hours of a service for the days inizio..fine (see `_ore_previste`)."""
    giorni = Giorni(fine, inizio) + 1
    return Case(
        When(
            posto__progetto__modello_orario="monte_ore",
            then=Numerico(F("posto__progetto__monte_ore"))
            * giorni
            / (Giorni(F("data_fine_prevista"), F("data_inizio")) + 1),
        ),
        default=Numerico(Coalesce(NullIf(F("posto__progetto__ore_settimanali"), 0), rules.ORE_SETTIMANALI))
        * giorni
        / 7,
        output_field=DecimalField(),
    )


def _fine_mese(giorno: datetime.date) -> bool:
    return (giorno + datetime.timedelta(days=1)).day == 1


def _al(giorno: datetime.date) -> FilteredRelation:
    """A service's rollup row holding its running totals at the month's end `giorno`: the row of
    that month, or its last row when every month it has is before (none: nothing yet)."""
    mese = giorno.replace(day=1)
    return FilteredRelation(
        "riepiloghi", condition=Q(riepiloghi__mese=mese) | Q(riepiloghi__ultimo=True, riepiloghi__mese__lt=mese)
    )


def _registro_sql(vivi, da, a, fino_a) -> dict:
    """The register's figures of the services `vivi` (not renounced) in one aggregate query;
    `a`, `fino_a` and the day before `da` are months' ends."""
    qs = vivi.annotate(r_a=_al(a), r_p=_al(da - datetime.timedelta(days=1)))
    r_f = "r_a"
    if fino_a != a:
        qs, r_f = qs.annotate(r_f=_al(fino_a)), "r_f"

    def t(campo, r="r_a"):
        return Coalesce(F(f"{r}__tot_{campo}"), 0, output_field=RiepilogoMensile._meta.get_field(f"tot_{campo}"))

    inizio_p, fine_p = Greatest(F("data_inizio"), _data(da)), Least(F("data_fine"), _data(a))
    fine_c = Least(F("data_fine"), _data(fino_a))
    giorno_n = Giorni(Least(_data(a), F("data_fine")), F("data_inizio")) + 1
    tetto = Case(
        When(
            posto__progetto__bando__permessi_pro_rata=True,
            posto__progetto__durata_mesi__lt=12,
            then=progetti_rules.PERMESSI_GIORNI_PER_12_MESI * F("posto__progetto__durata_mesi") / 12,
        ),
        default=progetti_rules.PERMESSI_GIORNI_PER_12_MESI,
        output_field=IntegerField(),
    )
    senza = Giorni(fine_c, inizio_p) + 1 - (t("giorni", r_f) - t("giorni", "r_p"))
    due = Q(posto__progetto__formazione_specifica_tranche=Progetto.TrancheSpecifica.DUE)
    zero = Value(0, output_field=DecimalField())
    return qs.aggregate(
        ore_fatte=Sum(t("ore") - t("ore", "r_p"), output_field=DecimalField()),
        ore_previste=Sum(_piano(inizio_p, fine_p)),
        piano_totale=Sum(_piano(F("data_inizio"), F("data_fine"))),
        proiezione=Sum(
            Case(
                When(
                    r_a__tot_giorni__gt=0,
                    then=Numerico(F("r_a__tot_ore"))
                    * (Giorni(F("data_fine"), F("data_inizio")) + 1)
                    / F("r_a__tot_giorni"),
                ),
                default=zero,
            )
        ),
        senza_codice=Sum(
            Case(
                When(
                    GreaterThanOrEqual(Giorni(fine_c, inizio_p), 0) & GreaterThan(senza, 0),
                    then=senza,
                ),
                default=0,
                output_field=IntegerField(),
            )
        ),
        gen_tardi=Count(
            "pk",
            filter=GreaterThan(giorno_n, rules.FORMAZIONE_GENERALE_ENTRO_GIORNI)
            & LessThan(t("ore_generale"), F("posto__progetto__formazione_generale_ore")),
        ),
        spec_tardi=Count(
            "pk",
            filter=~due
            & GreaterThan(giorno_n, F("posto__progetto__bando__formazione_specifica_entro_giorni"))
            & LessThan(t("ore_specifica"), F("posto__progetto__formazione_specifica_ore")),
        ),
        permessi_quasi=Count("pk", filter=GreaterThan(tetto, 0) & GreaterThanOrEqual(t("permessi") * 10, tetto * 9)),
        malattia_oltre=Count("pk", filter=GreaterThan(t("malattia"), rules.MALATTIA_GIORNI_RETRIBUITI)),
    )


def _specifica_due(vivi, a) -> int:
    """Specific training late for the services whose project gives it in two tranches: the hours
    given by the call's deadline are a day of each service's own, read from the register."""
    servizi = list(
        vivi.filter(posto__progetto__formazione_specifica_tranche=Progetto.TrancheSpecifica.DUE)
        .annotate(r_a=_al(a), specifica=Coalesce(F("r_a__tot_ore_specifica"), Value(Decimal(0))))
        .values(
            "pk", "data_inizio", "data_fine", "specifica", "posto__progetto__formazione_specifica_ore",
            "posto__progetto__formazione_specifica_tranche",
            "posto__progetto__bando__formazione_specifica_entro_giorni",
        )
    )  # fmt: skip
    if not servizi:
        return 0
    entro_prima = _entro_prima(
        vivi, a, {s["posto__progetto__bando__formazione_specifica_entro_giorni"] for s in servizi}
    )
    n = 0
    for s in servizi:
        ag = {"specifica": s["specifica"], **entro_prima.get(s["pk"], {})}
        if _specifica_in_ritardo(s, ag, (min(a, s["data_fine"]) - s["data_inizio"]).days + 1):
            n += 1
    return n


def _entro_prima(vivi, a, entro_specifica) -> dict[int, dict]:
    """Specific training given by each call's deadline (a day of each service's own), per service
    whose project gives it in two tranches: one sum per deadline the scope's calls use."""
    prima_tranche = {
        f"specifica_entro_{n}": Sum("ore", filter=Q(giorno__lt=F("servizio__data_inizio") + datetime.timedelta(days=n)))
        for n in sorted(entro_specifica)
    }
    out = {}
    for r in (
        Presenza.objects.filter(
            servizio__in=vivi.filter(
                posto__progetto__formazione_specifica_tranche=Progetto.TrancheSpecifica.DUE
            ).values("pk"),
            attivita=Presenza.Attivita.FORMAZIONE_SPECIFICA,
            giorno__lte=a,
        )
        .order_by()
        .values("servizio_id")
        .annotate(**prima_tranche)
    ):
        out[r.pop("servizio_id")] = r
    return out
