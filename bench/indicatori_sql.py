"""The baseline of the indicators: each computed by one hand-written PostgreSQL query, the
database's own limit. `monitoraggio.indicatori.calcola` computes them all together through the
ORM; the benchmark compares its time with the sum of these, and checks that the figures are
the same (tests/monitoraggio/test_indicatori_sql.py does the same on a small fixture)."""

import datetime
import time
from decimal import Decimal

from django.db import connection

# The services of the scope that overlap the period, not renounced, with their project's
# and call's parameters. %(nodo)s NULL means the whole network.
SCOPE = """
WITH s AS (
  SELECT sv.id, sv.stato, sv.data_inizio, sv.data_fine, sv.data_fine_prevista, sv.olp_id, sv.subentra_a_id,
         sv.interruzione_comunicata_il, p.modello_orario, p.ore_settimanali, p.monte_ore, p.durata_mesi,
         p.formazione_generale_ore, p.formazione_specifica_ore, p.formazione_specifica_tranche,
         b.formazione_specifica_entro_giorni,
         b.max_volontari_per_olp, b.permessi_pro_rata
  FROM volontari_servizio sv
  JOIN progetti_postosede ps ON ps.id = sv.posto_id
  JOIN enti_sede se ON se.id = ps.sede_id
  JOIN enti_ente e ON e.id = se.ente_id
  JOIN progetti_progetto p ON p.id = ps.progetto_id
  JOIN progetti_bando b ON b.id = p.bando_id
  WHERE sv.data_inizio <= %(a)s AND sv.data_fine >= %(da)s AND sv.stato <> 'rinuncia'
    AND (%(nodo)s::bigint IS NULL OR e.nodo_id = %(nodo)s::bigint)
)
"""

PIANO = """CASE WHEN s.modello_orario = 'monte_ore'
  THEN s.monte_ore::numeric * ({fine} - {inizio} + 1) / (s.data_fine_prevista - s.data_inizio + 1)
  ELSE COALESCE(s.ore_settimanali, 25)::numeric * ({fine} - {inizio} + 1) / 7 END"""

QUERIES = {
    "volontari": "SELECT count(*) FROM s",
    "ore": f"""
        SELECT (SELECT COALESCE(sum(pr.ore), 0) FROM volontari_presenza pr
                WHERE pr.servizio_id IN (SELECT id FROM s) AND pr.giorno BETWEEN %(da)s AND %(a)s),
               (SELECT COALESCE(sum({
        PIANO.format(fine="LEAST(s.data_fine, %(a)s::date)", inizio="GREATEST(s.data_inizio, %(da)s::date)")
    }), 0) FROM s)""",
    "proiezione": f"""
        SELECT COALESCE(sum(x.ore * (s.data_fine - s.data_inizio + 1) / x.giorni), 0),
               (SELECT COALESCE(sum({PIANO.format(fine="s.data_fine", inizio="s.data_inizio")}), 0) FROM s)
        FROM s JOIN (SELECT servizio_id, sum(ore) AS ore, count(*) AS giorni FROM volontari_presenza
                     WHERE servizio_id IN (SELECT id FROM s) AND giorno <= %(a)s GROUP BY servizio_id) x
          ON x.servizio_id = s.id""",
    "giorni_senza_codice": """
        SELECT COALESCE(sum(GREATEST(LEAST(s.data_fine, %(fino_a)s::date) - GREATEST(s.data_inizio, %(da)s::date) + 1
                                     - COALESCE(c.n, 0), 0)), 0)
        FROM s LEFT JOIN (SELECT servizio_id, count(*) AS n FROM volontari_presenza
                          WHERE servizio_id IN (SELECT id FROM s) AND giorno BETWEEN %(da)s AND %(fino_a)s
                          GROUP BY servizio_id) c ON c.servizio_id = s.id
        WHERE LEAST(s.data_fine, %(fino_a)s::date) >= GREATEST(s.data_inizio, %(da)s::date)""",
    "mesi_non_confermati": """
        SELECT CASE WHEN %(oggi)s::date > %(scadenza)s::date THEN count(*) ELSE 0 END FROM s
        WHERE s.data_inizio <= %(fine_mese)s AND s.data_fine >= %(mese)s AND NOT EXISTS (
          SELECT 1 FROM volontari_chiusuramensile c WHERE c.servizio_id = s.id AND c.mese = %(mese)s
            AND c.stato = 'confermata' AND (c.confermata_il AT TIME ZONE %(tz)s)::date <= %(scadenza)s)""",
    "formazione": """
        SELECT count(*) FILTER (WHERE LEAST(%(a)s::date, s.data_fine) - s.data_inizio + 1 > 180
                                  AND COALESCE(f.generale, 0) < s.formazione_generale_ore),
               count(*) FILTER (WHERE CASE WHEN s.formazione_specifica_tranche = 'due'
                 THEN (LEAST(%(a)s::date, s.data_fine) - s.data_inizio + 1 > s.formazione_specifica_entro_giorni
                       AND COALESCE(f.specifica_prima, 0) < 0.7 * s.formazione_specifica_ore)
                   OR (LEAST(%(a)s::date, s.data_fine) - s.data_inizio + 1 > 270
                       AND COALESCE(f.specifica, 0) < s.formazione_specifica_ore)
                 ELSE LEAST(%(a)s::date, s.data_fine) - s.data_inizio + 1 > s.formazione_specifica_entro_giorni
                      AND COALESCE(f.specifica, 0) < s.formazione_specifica_ore END)
        FROM s LEFT JOIN (SELECT pr.servizio_id,
                                 sum(pr.ore) FILTER (WHERE pr.attivita = 'formazione_generale') AS generale,
                                 sum(pr.ore) FILTER (WHERE pr.attivita = 'formazione_specifica') AS specifica,
                                 sum(pr.ore) FILTER (WHERE pr.attivita = 'formazione_specifica'
                                   AND pr.giorno < s2.data_inizio + s2.formazione_specifica_entro_giorni)
                                   AS specifica_prima
                          FROM volontari_presenza pr JOIN s s2 ON s2.id = pr.servizio_id
                          WHERE pr.giorno <= %(a)s
                            AND pr.attivita IN ('formazione_generale', 'formazione_specifica')
                          GROUP BY pr.servizio_id) f ON f.servizio_id = s.id""",
    "permessi_malattia": """
        SELECT count(*) FILTER (WHERE x.permessi > 0 AND x.permessi >= 0.9 *
                 CASE WHEN s.permessi_pro_rata AND s.durata_mesi < 12 THEN 20 * s.durata_mesi / 12 ELSE 20 END),
               count(*) FILTER (WHERE x.malattia > 15)
        FROM s JOIN (SELECT servizio_id, count(*) FILTER (WHERE codice = 'PR') AS permessi,
                            count(*) FILTER (WHERE codice = 'MAL') AS malattia
                     FROM volontari_presenza WHERE servizio_id IN (SELECT id FROM s) AND giorno <= %(a)s
                       AND codice IN ('PR', 'MAL') GROUP BY servizio_id) x ON x.servizio_id = s.id""",
    "esiti": """
        SELECT (SELECT count(*) FROM volontari_servizio sv JOIN progetti_postosede ps ON ps.id = sv.posto_id
                JOIN enti_sede se ON se.id = ps.sede_id JOIN enti_ente e ON e.id = se.ente_id
                WHERE sv.stato = 'rinuncia' AND sv.data_inizio BETWEEN %(da)s AND %(a)s AND sv.data_fine >= %(da)s
                  AND (%(nodo)s::bigint IS NULL OR e.nodo_id = %(nodo)s::bigint)),
               count(*) FILTER (WHERE s.stato = 'interrotto' AND s.data_fine BETWEEN %(da)s AND %(a)s),
               count(*) FILTER (WHERE s.stato = 'interrotto' AND s.data_fine BETWEEN %(da)s AND %(a)s
                                  AND s.interruzione_comunicata_il - s.data_fine > 5),
               count(*) FILTER (WHERE s.subentra_a_id IS NOT NULL AND s.data_inizio BETWEEN %(da)s AND %(a)s)
        FROM s""",
    # The OLP's load as progetti.carico_olp defines it, on the period's last day: per place row,
    # the larger of her whole share of a live project's places and the services assigned to her
    # there; the OLP over the strictest maximum of the calls making her load.
    "olp_oltre": """
        , ambito AS (
          SELECT sv.olp_id FROM volontari_servizio sv
          JOIN progetti_postosede ps ON ps.id = sv.posto_id
          JOIN enti_sede se ON se.id = ps.sede_id
          JOIN enti_ente e ON e.id = se.ente_id
          WHERE sv.stato <> 'rinuncia' AND sv.data_fine >= %(a)s
            AND (%(nodo)s::bigint IS NULL OR e.nodo_id = %(nodo)s::bigint)
          UNION
          SELECT po.olp_id FROM progetti_postosede_olp po
          JOIN progetti_postosede ps ON ps.id = po.postosede_id
          JOIN progetti_progetto p ON p.id = ps.progetto_id
          WHERE p.stato IN ('presentato', 'in_valutazione', 'da_integrare', 'approvato', 'finanziato', 'in_corso')
            AND p.id IN (SELECT ps2.progetto_id FROM volontari_servizio sv2
                         JOIN progetti_postosede ps2 ON ps2.id = sv2.posto_id
                         JOIN enti_sede se2 ON se2.id = ps2.sede_id
                         JOIN enti_ente e2 ON e2.id = se2.ente_id
                         WHERE %(nodo)s::bigint IS NULL OR e2.nodo_id = %(nodo)s::bigint)
        ), quote AS (
          SELECT po.olp_id, po.postosede_id AS posto_id, p.bando_id, p.settore_id,
                 ceil((ps.posti_vitto_alloggio + ps.posti_solo_vitto + ps.posti_senza_vitto_alloggio)::numeric
                      / (SELECT count(*) FROM progetti_postosede_olp x WHERE x.postosede_id = po.postosede_id)) AS n
          FROM progetti_postosede_olp po
          JOIN progetti_postosede ps ON ps.id = po.postosede_id
          JOIN progetti_progetto p ON p.id = ps.progetto_id
          WHERE p.stato IN ('presentato', 'in_valutazione', 'da_integrare', 'approvato', 'finanziato', 'in_corso')
            AND po.olp_id IN (SELECT olp_id FROM ambito)
        ), assegnati AS (
          SELECT sv.olp_id, sv.posto_id, p.bando_id, p.settore_id, count(*) AS n
          FROM volontari_servizio sv
          JOIN progetti_postosede ps ON ps.id = sv.posto_id
          JOIN progetti_progetto p ON p.id = ps.progetto_id
          WHERE sv.stato <> 'rinuncia' AND sv.data_fine >= %(a)s AND sv.olp_id IN (SELECT olp_id FROM ambito)
          GROUP BY sv.olp_id, sv.posto_id, p.bando_id, p.settore_id
        ), voci AS (
          SELECT COALESCE(q.olp_id, a.olp_id) AS olp_id, GREATEST(COALESCE(q.n, 0), COALESCE(a.n, 0)) AS n,
                 COALESCE(q.bando_id, a.bando_id) AS bando_id, COALESCE(q.settore_id, a.settore_id) AS settore_id
          FROM quote q FULL JOIN assegnati a ON a.olp_id = q.olp_id AND a.posto_id = q.posto_id
        )
        SELECT count(*) FROM (
          SELECT v.olp_id FROM voci v
          JOIN progetti_bando b ON b.id = v.bando_id
          LEFT JOIN progetti_limiteolpsettore l ON l.bando_id = v.bando_id AND l.settore_id = v.settore_id
          GROUP BY v.olp_id HAVING sum(v.n) > min(COALESCE(l.max_volontari_per_olp, b.max_volontari_per_olp))) x""",
}


def parametri(nodo_id, da: datetime.date, a: datetime.date, oggi: datetime.date) -> dict:
    from django.conf import settings

    mese = a.replace(day=1)
    fine_mese = (mese + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return {
        "nodo": nodo_id, "da": da, "a": a, "oggi": oggi, "fino_a": min(a, oggi - datetime.timedelta(days=1)),
        "mese": mese, "fine_mese": fine_mese, "tz": settings.TIME_ZONE,
        "scadenza": (a.replace(day=28) + datetime.timedelta(days=4)).replace(day=10),
    }  # fmt: skip


def calcola_sql(nodo_id, da, a, oggi) -> tuple[dict, dict[str, float]]:
    """The figures, keyed as monitoraggio.indicatori.calcola keys them, and each query's time."""
    p = parametri(nodo_id, da, a, oggi)
    risultati, tempi = {}, {}
    with connection.cursor() as c:
        for nome, sql in QUERIES.items():
            inizio = time.perf_counter()
            c.execute(SCOPE + sql, p)
            risultati[nome] = c.fetchone()
            tempi[nome] = time.perf_counter() - inizio
    r = risultati
    valori = {
        "volontari": r["volontari"][0],
        "ore": (Decimal(r["ore"][0]).quantize(Decimal("1")), Decimal(r["ore"][1]).quantize(Decimal("1"))),
        "proiezione": (Decimal(r["proiezione"][0]).quantize(Decimal("1")),
                       Decimal(r["proiezione"][1]).quantize(Decimal("1"))),
        "giorni_senza_codice": r["giorni_senza_codice"][0],
        "mesi_non_confermati": r["mesi_non_confermati"][0],
        "formazione_generale": r["formazione"][0],
        "formazione_specifica": r["formazione"][1],
        "permessi": r["permessi_malattia"][0],
        "malattia": r["permessi_malattia"][1],
        "rinunce": r["esiti"][0],
        "interruzioni": r["esiti"][1],
        "interruzioni_in_ritardo": r["esiti"][2],
        "subentri": r["esiti"][3],
        "olp_oltre": r["olp_oltre"][0],
    }  # fmt: skip
    return valori, tempi


def come_calcola(valori_orm: dict) -> dict:
    """The ORM's figures in the shape of calcola_sql's, for comparison."""
    out = {}
    for chiave in ("volontari", "giorni_senza_codice", "mesi_non_confermati", "formazione_generale",
                   "formazione_specifica", "permessi", "malattia", "rinunce", "interruzioni",
                   "interruzioni_in_ritardo", "subentri", "olp_oltre"):  # fmt: skip
        out[chiave] = valori_orm[chiave].valore
    for chiave in ("ore", "proiezione"):
        out[chiave] = (valori_orm[chiave].valore, valori_orm[chiave].totale)
    return out
