"""The register's monthly rollup (RiepilogoMensile): reading running totals at any day, and
rebuilding and checking the table from scratch.

The table is kept by every write of Presenza in the same transaction (volontari.models:
PresenzaQuerySet, Presenza.save/delete, `riepiloghi_rinviati` in the register's actions); this
module reads it and rebuilds it (`manage.py ricostruisci_riepiloghi [--check]`, seed_bench).
"""

import datetime
from collections import namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from infra.mesi import primo_del_mese, ultimo_del_mese

from .models import Presenza, RiepilogoMensile

CAMPI = RiepilogoMensile.CAMPI
# The running totals of one service at one day (days recorded, hours, training hours, days of
# leave and of sickness).
Totali = namedtuple("Totali", CAMPI)
ZERO = Totali._make([0] * len(CAMPI))


def _mese_prima(mese: datetime.date) -> datetime.date:
    return (mese - datetime.timedelta(days=1)).replace(day=1)


def _mese_dopo(mese: datetime.date) -> datetime.date:
    return (mese + datetime.timedelta(days=32)).replace(day=1)


@dataclass
class _Punto:
    """How the totals at one day are read: the running totals at the end of `mese` (from the row
    of `mese`, or of the month after it minus that month's own figures), then, when the day is
    not a month's end, plus the days from the month's start (`da`..`a`, segno +1) or minus those
    after it to the month's end (segno -1)."""

    giorno: datetime.date
    mese: datetime.date
    correzione: tuple[datetime.date, datetime.date] | None = None
    segno: int = 1
    riga: datetime.date | None = field(default=None)  # the month whose row is read


def _punto(giorno: datetime.date, oggi: datetime.date | None) -> _Punto:
    mese, fine = primo_del_mese(giorno), ultimo_del_mese(giorno)
    if giorno == fine:
        return _Punto(giorno, mese)
    testa = (giorno - mese).days + 1
    coda = (fine - giorno).days
    # Days after today cannot be recorded (volontari.rules): a tail in the future is empty.
    if (oggi is not None and giorno >= oggi - datetime.timedelta(days=1)) or coda < testa:
        return _Punto(giorno, mese, (giorno + datetime.timedelta(days=1), fine), -1)
    return _Punto(giorno, _mese_prima(mese), (mese, giorno), 1)


def totali_al(servizi, giorni, oggi: datetime.date | None = None) -> dict[datetime.date, dict[int, Totali]]:
    """The running totals (`Totali`) of each service of `servizi` (a queryset of their ids: it is
    used as a subquery) from its first day recorded up to and including each day of `giorni`.

    One query on the rollup, plus one on the register for the days that are not a month's end
    (the part of their month before them, or after them when that is shorter or in the future).
    A service without any day up to a day is missing from that day's dict: its totals are 0."""
    punti = [_punto(g, oggi) for g in sorted(set(giorni))]
    # The rows to read: one month serves its own end and the end of the month before it.
    letti: set[datetime.date] = set()
    for p in sorted(punti, key=lambda p: p.mese, reverse=True):
        if p.mese in letti:
            p.riga = p.mese
        elif _mese_dopo(p.mese) in letti:
            p.riga = _mese_dopo(p.mese)
        else:
            letti.add(p.mese)
            p.riga = p.mese
    righe: dict[datetime.date, dict[int, tuple]] = {m: {} for m in letti}
    ultime: dict[int, tuple] = {}
    colonne = ["servizio_id", "mese", "ultimo", *CAMPI, *(f"tot_{c}" for c in CAMPI)]
    for r in (
        RiepilogoMensile.objects.filter(servizio__in=servizi)
        .filter(Q(mese__in=letti) | Q(ultimo=True, mese__lt=max(letti)))
        .order_by()
        .values_list(*colonne)
    ):
        if r[1] in righe:
            righe[r[1]][r[0]] = r
        if r[2]:
            ultime[r[0]] = r

    n = len(CAMPI)
    out: dict[datetime.date, dict[int, Totali]] = {}
    for p in punti:
        della_riga = righe[p.riga]
        if p.riga == p.mese:
            tot = {sid: Totali._make(r[3 + n :]) for sid, r in della_riga.items()}
        else:  # the row is of the month after: take its own month away
            tot = {
                sid: Totali._make([r[3 + n + i] - r[3 + i] for i in range(n)])
                for sid, r in della_riga.items()
                if r[3 + n] - r[3]  # no day before that month: nothing yet
            }
        # No row at the month read: every month of the service is before it (the totals are
        # those of its last month) or after it (nothing yet).
        for sid, r in ultime.items():
            if r[1] < p.riga and sid not in della_riga:
                tot[sid] = Totali._make(r[3 + n :])
        out[p.giorno] = tot

    correzioni = [p for p in punti if p.correzione]
    if correzioni:
        annotazioni, filtro = {}, Q()
        for k, p in enumerate(correzioni):
            nel = Q(giorno__gte=p.correzione[0], giorno__lte=p.correzione[1])
            filtro |= nel
            annotazioni |= {
                f"giorni_{k}": Count("pk", filter=nel),
                f"ore_{k}": Sum("ore", filter=nel),
                f"ore_generale_{k}": Sum("ore", filter=nel & Q(attivita=Presenza.Attivita.FORMAZIONE_GENERALE)),
                f"ore_specifica_{k}": Sum("ore", filter=nel & Q(attivita=Presenza.Attivita.FORMAZIONE_SPECIFICA)),
                f"permessi_{k}": Count("pk", filter=nel & Q(codice=Presenza.Codice.PR)),
                f"malattia_{k}": Count("pk", filter=nel & Q(codice=Presenza.Codice.MAL)),
            }
        for r in (
            Presenza.objects.filter(filtro, servizio__in=servizi)
            .order_by()
            .values("servizio_id")
            .annotate(**annotazioni)
        ):
            for k, p in enumerate(correzioni):
                tot = out[p.giorno]
                prima = tot.get(r["servizio_id"], ZERO)
                nuovi = Totali._make(v + p.segno * (r[f"{c}_{k}"] or 0) for c, v in zip(CAMPI, prima, strict=True))
                if nuovi.giorni:
                    tot[r["servizio_id"]] = nuovi
                else:  # every day of the service up to there was taken away
                    tot.pop(r["servizio_id"], None)
    return out


# Rebuilding ------------------------------------------------------------------------------------

# PostgreSQL builds the whole table in one statement: the months of each service from its first
# to its last recorded, with the running totals (a window). RiepilogoMensile.objects.attese is
# the definition; `ricostruisci_riepiloghi --check` compares the two.
RICOSTRUZIONE_SQL = """
INSERT INTO volontari_riepilogomensile (
  servizio_id, mese, ultimo, giorni, ore, ore_generale, ore_specifica, permessi, malattia,
  tot_giorni, tot_ore, tot_ore_generale, tot_ore_specifica, tot_permessi, tot_malattia)
WITH g AS (
  SELECT servizio_id, date_trunc('month', giorno)::date AS mese, count(*) AS giorni, sum(ore) AS ore,
         COALESCE(sum(ore) FILTER (WHERE attivita = 'formazione_generale'), 0) AS ore_generale,
         COALESCE(sum(ore) FILTER (WHERE attivita = 'formazione_specifica'), 0) AS ore_specifica,
         count(*) FILTER (WHERE codice = 'PR') AS permessi, count(*) FILTER (WHERE codice = 'MAL') AS malattia
  FROM volontari_presenza GROUP BY 1, 2
), estremi AS (
  SELECT servizio_id, min(mese) AS primo, max(mese) AS ultimo FROM g GROUP BY 1
), griglia AS (
  SELECT e.servizio_id, m::date AS mese, m::date = e.ultimo AS ultimo
  FROM estremi e, generate_series(e.primo, e.ultimo, interval '1 month') AS m
)
SELECT gr.servizio_id, gr.mese, gr.ultimo,
       COALESCE(g.giorni, 0), COALESCE(g.ore, 0), COALESCE(g.ore_generale, 0), COALESCE(g.ore_specifica, 0),
       COALESCE(g.permessi, 0), COALESCE(g.malattia, 0),
       sum(COALESCE(g.giorni, 0)) OVER w, sum(COALESCE(g.ore, 0)) OVER w, sum(COALESCE(g.ore_generale, 0)) OVER w,
       sum(COALESCE(g.ore_specifica, 0)) OVER w, sum(COALESCE(g.permessi, 0)) OVER w,
       sum(COALESCE(g.malattia, 0)) OVER w
FROM griglia gr LEFT JOIN g ON g.servizio_id = gr.servizio_id AND g.mese = gr.mese
WINDOW w AS (PARTITION BY gr.servizio_id ORDER BY gr.mese)
"""


@transaction.atomic
def ricostruisci() -> int:
    """Empty the rollup and build it again from the register; returns the rows written."""
    RiepilogoMensile.objects.all()._raw_delete(RiepilogoMensile.objects.db)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(RICOSTRUZIONE_SQL)
            return c.rowcount
    n, lotto = 0, []
    for r in RiepilogoMensile.objects.attese():
        lotto.append(RiepilogoMensile(**r))
        if len(lotto) == 5000:
            n += len(RiepilogoMensile.objects.bulk_create(lotto))
            lotto = []
    return n + len(RiepilogoMensile.objects.bulk_create(lotto))


@dataclass
class Differenze:
    righe: int = 0  # rows compared
    mancanti: list = field(default_factory=list)  # (servizio_id, mese) expected, not in the table
    in_piu: list = field(default_factory=list)  # in the table, not expected
    diverse: list = field(default_factory=list)  # (servizio_id, mese, field, in the table, expected)

    @property
    def nessuna(self) -> bool:
        return not (self.mancanti or self.in_piu or self.diverse)


def verifica() -> Differenze:
    """Compare the table with the rollup computed from scratch from the register, row by row."""
    d = Differenze()
    colonne = ["ultimo", *CAMPI, *(f"tot_{c}" for c in CAMPI)]
    tabella = (
        RiepilogoMensile.objects.order_by("servizio_id", "mese")
        .values_list("servizio_id", "mese", *colonne)
        .iterator(chunk_size=5000)
    )
    attese = RiepilogoMensile.objects.attese()
    t, a = next(tabella, None), next(attese, None)
    while t is not None or a is not None:
        chiave_a = (a["servizio_id"], a["mese"]) if a is not None else None
        if a is None or (t is not None and t[:2] < chiave_a):
            d.in_piu.append(t[:2])
            t = next(tabella, None)
            continue
        if t is None or t[:2] > chiave_a:
            d.mancanti.append(chiave_a)
            a = next(attese, None)
            continue
        d.righe += 1
        for nome, valore in zip(colonne, t[2:], strict=True):
            atteso = a[nome]
            if (Decimal(valore) if isinstance(atteso, Decimal) else valore) != atteso:
                d.diverse.append((*chiave_a, nome, valore, atteso))
        t, a = next(tabella, None), next(attese, None)
    return d
