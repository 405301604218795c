"""An OLP's load: one whole number of volunteers, the same wherever it is read.

The project's sedi step and submission (`actions.errori_progetto`, `actions.salva_posti`),
a service's start and replacement (`volontari.ciclo`) and the indicator "OLP over the
maximum" (`monitoraggio.indicatori`) all read it from `carichi_olp`.

Definition, on a day G (today when saving):
- every place at a sede is followed by one OLP, so the places of a PostoSede of a live
  project (`STATI_CON_POSTI_IMPEGNATI`) are apportioned among the OLP named there in whole
  volunteers, rounded up: ceil(places / OLP named). One place shared by four OLP counts one
  for each of them, and no fraction can hide a volunteer;
- the services not renounced and not ended on G (in progress or still to start) count for
  the OLP they are assigned to (`Servizio.olp`);
- at each PostoSede an OLP carries the larger of the two: her share of its places, or the
  volunteers actually assigned to her there (a sede where she is not named counts only the
  latter). The load is the sum over every PostoSede.

The load never grows by itself: a service that ends, renounces or is interrupted only lowers
it, and so does a project leaving the live states. It grows only through a save that checks
it: places and OLP saved at the sedi step, a project submitted, a service started or replaced.
The maximum of an OLP is the strictest call maximum (`Bando.max_volontari_olp(settore)`) of
the places and services that make her load, and of the project being saved.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from enti.models import Olp

from .models import Bando, PostoSede

# States in which a project's places hold its OLP's time.
STATI_CON_POSTI_IMPEGNATI = ("presentato", "in_valutazione", "da_integrare", "approvato", "finanziato", "in_corso")


@dataclass(frozen=True)
class Carico:
    volontari: int
    massimo: int | None  # the strictest maximum of the calls making the load; None with no load

    def con_massimo(self, massimo: int) -> int:
        return massimo if self.massimo is None else min(massimo, self.massimo)


NESSUN_CARICO = Carico(0, None)


def quota(posti: int, n_olp: int) -> int:
    """The volunteers each of the `n_olp` OLP named at a sede follows of its `posti` places."""
    return math.ceil(posti / n_olp) if posti > 0 and n_olp > 0 else 0


def carichi_olp(
    olp_ids,
    *,
    giorno,
    escludi_progetto_id=None,
    righe=(),
    nuovo_servizio=None,
) -> dict[int, Carico]:
    """The load of each OLP in `olp_ids` (ids, or a queryset of ids) on `giorno`.

    `escludi_progetto_id` leaves out a project's places and services, replaced by `righe`:
    (total places, [OLP], bando_id, settore_id) of the rows being saved. `nuovo_servizio`
    is (olp_id, posto_id, bando_id, settore_id) of a service about to start. Four queries
    whatever the data size.
    """
    Servizio = apps.get_model("volontari", "Servizio")  # volontari depends on progetti, not the reverse
    Through = PostoSede.olp.through
    # (olp, posto) -> [share, assigned services, bando, settore]
    voci: dict[tuple, list] = {}

    n_olp = (
        Through.objects.filter(postosede_id=OuterRef("postosede_id"))
        .values("postosede_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    nominati = (
        Through.objects.filter(olp_id__in=olp_ids, postosede__progetto__stato__in=STATI_CON_POSTI_IMPEGNATI)
        .exclude(postosede__progetto_id=escludi_progetto_id)
        .annotate(
            n_olp=Subquery(n_olp),
            totale=F("postosede__posti_vitto_alloggio")
            + F("postosede__posti_solo_vitto")
            + F("postosede__posti_senza_vitto_alloggio"),
        )
        .values_list(
            "olp_id", "postosede_id", "totale", "n_olp", "postosede__progetto__bando_id",
            "postosede__progetto__settore_id",
        )
    )  # fmt: skip
    for olp_id, posto_id, totale, n, bando_id, settore_id in nominati:
        voci[(olp_id, posto_id)] = [quota(totale, n), 0, bando_id, settore_id]
    for i, (totale, olp, bando_id, settore_id) in enumerate(righe):
        for o in olp:
            # A row of the project being saved has no id yet: keyed by its position.
            voci[(o.pk, ("riga", i))] = [quota(totale, len(olp)), 0, bando_id, settore_id]

    servizi = (
        Servizio.objects.filter(olp_id__in=olp_ids, data_fine__gte=giorno)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .exclude(posto__progetto_id=escludi_progetto_id)
        .values_list("olp_id", "posto_id", "posto__progetto__bando_id", "posto__progetto__settore_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for olp_id, posto_id, bando_id, settore_id, n in servizi:
        voci.setdefault((olp_id, posto_id), [0, 0, bando_id, settore_id])[1] += n
    if nuovo_servizio is not None:
        olp_id, posto_id, bando_id, settore_id = nuovo_servizio
        voci.setdefault((olp_id, posto_id), [0, 0, bando_id, settore_id])[1] += 1

    bandi = {b.pk: b for b in Bando.objects.filter(pk__in={v[2] for v in voci.values()}).prefetch_related("limiti_olp")}
    volontari: dict[int, int] = defaultdict(int)
    massimi: dict[int, int] = {}
    for (olp_id, _posto), (share, assegnati, bando_id, settore_id) in voci.items():
        volontari[olp_id] += max(share, assegnati)
        massimo = _massimo(bandi[bando_id], settore_id)
        massimi[olp_id] = min(massimi.get(olp_id, massimo), massimo)
    return {olp_id: Carico(n, massimi[olp_id]) for olp_id, n in volontari.items()}


def blocca_olp(olp_ids) -> None:
    """Lock the OLP rows until the end of the transaction, so that two saves naming the same
    OLP (two projects, two services) are checked one after the other, never both against the
    load before either. Outside a transaction (a page showing the errors) there is nothing to lock."""
    if transaction.get_connection().in_atomic_block:
        list(Olp.objects.select_for_update().filter(pk__in=olp_ids).order_by("pk").values_list("pk", flat=True))


def _massimo(bando: Bando, settore_id: int) -> int:
    limite = next((x for x in bando.limiti_olp.all() if x.settore_id == settore_id), None)
    return limite.max_volontari_per_olp if limite else bando.max_volontari_per_olp


def carichi_con_righe(progetto, righe, *, giorno=None) -> dict[int, "Carico"]:
    """Each OLP's load with the project's places replaced by `righe`, [(total places, [OLP])]."""
    ids = {o.pk for _totale, olp in righe for o in olp}
    blocca_olp(ids)
    return carichi_olp(
        ids,
        giorno=giorno or timezone.localdate(),
        escludi_progetto_id=progetto.pk,
        righe=[(totale, olp, progetto.bando_id, progetto.settore_id) for totale, olp in righe],
    )


# Every table the count below reads, by its model (no table name is written by hand).
def _tabelle() -> dict[str, str]:
    Servizio = apps.get_model("volontari", "Servizio")
    return {
        "through": PostoSede.olp.through._meta.db_table,
        "postosede": PostoSede._meta.db_table,
        "progetto": apps.get_model("progetti", "Progetto")._meta.db_table,
        "bando": Bando._meta.db_table,
        "limite": apps.get_model("progetti", "LimiteOlpSettore")._meta.db_table,
        "servizio": Servizio._meta.db_table,
    }


# The same load as `carichi_olp` (without rows being saved), summed in the database: one row per
# (OLP, PostoSede) with her share of its places and the services assigned to her there, then per
# OLP the sum of the larger of the two and the strictest maximum. Plain SQL that PostgreSQL and
# SQLite both run (integer division for the rounding up, CASE for the larger of two).
_OLTRE_SQL = """
WITH ids AS ({ids}),
voci AS (
  SELECT x.olp_id, x.posto_id, CASE WHEN x.totale > 0 THEN (x.totale + x.n - 1) / x.n ELSE 0 END AS quota,
         0 AS assegnati
  FROM (
    SELECT t.olp_id, t.postosede_id AS posto_id,
           ps.posti_vitto_alloggio + ps.posti_solo_vitto + ps.posti_senza_vitto_alloggio AS totale,
           (SELECT COUNT(*) FROM {through} t2 WHERE t2.postosede_id = t.postosede_id) AS n
    FROM {through} t
    JOIN {postosede} ps ON ps.id = t.postosede_id
    JOIN {progetto} p ON p.id = ps.progetto_id
    WHERE t.olp_id IN (SELECT * FROM ids) AND p.stato IN ({stati})
  ) x
  UNION ALL
  SELECT s.olp_id, s.posto_id, 0, COUNT(*)
  FROM {servizio} s
  WHERE s.olp_id IN (SELECT * FROM ids) AND s.data_fine >= %s AND s.stato <> %s
  GROUP BY s.olp_id, s.posto_id
),
per_posto AS (
  SELECT olp_id, posto_id, MAX(quota) AS quota, SUM(assegnati) AS assegnati FROM voci GROUP BY olp_id, posto_id
),
per_olp AS (
  SELECT v.olp_id,
         SUM(CASE WHEN v.quota > v.assegnati THEN v.quota ELSE v.assegnati END) AS volontari,
         MIN(COALESCE(l.max_volontari_per_olp, b.max_volontari_per_olp)) AS massimo
  FROM per_posto v
  JOIN {postosede} ps ON ps.id = v.posto_id
  JOIN {progetto} p ON p.id = ps.progetto_id
  JOIN {bando} b ON b.id = p.bando_id
  LEFT JOIN {limite} l ON l.bando_id = p.bando_id AND l.settore_id = p.settore_id
  GROUP BY v.olp_id
)
SELECT COUNT(*) FROM per_olp WHERE volontari > massimo
"""


def quanti_oltre_massimo(olp_ids, *, giorno) -> int:
    """How many OLP of `olp_ids` (a queryset of ids) carry on `giorno` a load above their
    maximum, as `carichi_olp` defines both, counted in one query without a row per OLP."""
    Servizio = apps.get_model("volontari", "Servizio")
    try:
        ids_sql, ids_params = olp_ids.query.sql_with_params()
    except EmptyResultSet:  # a scope that cannot hold anyone (a filter matching nothing)
        return 0
    sql = _OLTRE_SQL.format(ids=ids_sql, stati=", ".join(["%s"] * len(STATI_CON_POSTI_IMPEGNATI)), **_tabelle())
    params = [*ids_params, *STATI_CON_POSTI_IMPEGNATI, giorno, Servizio.Stato.RINUNCIA]
    with connections[olp_ids.db].cursor() as c:
        c.execute(sql, params)
        return c.fetchone()[0]
