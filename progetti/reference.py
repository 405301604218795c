"""Reference data of projects: sectors and areas, ambiti di azione, the default call and
the monthly allowance. Starting values only: loading adds what is missing and updates
names, it never deletes what an administrator added."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import AmbitoAzione, Area, AssegnoMensile, Bando, Settore

DATA = Path(__file__).resolve().parent / "data"

BANDO_DEFAULT = "Bando ordinario 2025"
# EUR 519.47 a month from 1 May 2025 (DOMAIN.md); earlier amounts are added in the admin
# with their own validity dates.
ASSEGNO_DEFAULT = (datetime.date(2025, 5, 1), Decimal("519.47"))


@transaction.atomic
def load_settori() -> dict[str, int]:
    settori = json.loads((DATA / "settori.json").read_text(encoding="utf-8"))
    n_aree = 0
    for s in settori:
        settore, _ = Settore.objects.update_or_create(codice=s["codice"], defaults={"nome": s["nome"]})
        for numero, nome in enumerate(s["aree"], start=1):
            Area.objects.update_or_create(settore=settore, numero=numero, defaults={"nome": nome})
            n_aree += 1
    for a in json.loads((DATA / "ambiti.json").read_text(encoding="utf-8")):
        AmbitoAzione.objects.update_or_create(codice=a["codice"], defaults={"nome": a["nome"]})
    return {"settori": len(settori), "aree": n_aree}


@transaction.atomic
def load_parametri() -> Bando:
    """The default call with DOMAIN.md's parameter defaults, and the current allowance."""
    bando, _ = Bando.objects.get_or_create(nome=BANDO_DEFAULT, defaults={"anno": 2025})
    valido_dal, importo = ASSEGNO_DEFAULT
    AssegnoMensile.objects.get_or_create(valido_dal=valido_dal, defaults={"importo": importo})
    return bando
