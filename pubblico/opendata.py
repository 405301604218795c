"""The network's open data: four datasets, each in JSON and CSV, under a versioned address
(/dati/v1/...) with a documented schema that does not change within a version, and the
CC BY 4.0 licence. Public data only: no person is named, no personal data.

A new field or dataset is added within v1; renaming or removing a field, or changing its
meaning or type, needs v2 (both served while users move).
"""

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enti.models import Ente
from infra.csv_sicuro import cella_sicura
from progetti.models import PostoSede, Progetto

from . import counters
from .models import Istantanea

VERSIONE = "1"
LICENZA = "CC-BY-4.0"
LICENZA_URL = "https://creativecommons.org/licenses/by/4.0/deed.it"
FONTE = "Rete Servizio Civile dei Comuni (ANCI)"
STATI_PROGETTO_PUBBLICI = (Progetto.Stato.APPROVATO, Progetto.Stato.FINANZIATO, Progetto.Stato.IN_CORSO)


@dataclass(frozen=True)
class Campo:
    nome: str
    tipo: str  # string, integer, date (ISO 8601)
    descrizione: str


@dataclass(frozen=True)
class Dataset:
    nome: str
    titolo: str
    descrizione: str
    campi: list[Campo]
    righe: Callable[[], list[dict]]


def righe_contatori(c: counters.Contatori | None = None) -> list[dict]:
    """The counters as rows: the network, then each node (from the cache unless given)."""
    c = c or counters.get()
    righe = [{"livello": "rete", "nodo": "", "nome": "", "giorno": c["giorno"], **c["rete"]}]
    righe += [
        {"livello": "nodo", "nodo": n["slug"], "nome": n["nome"], "giorno": c["giorno"],
         "enti": n["enti"], "olp": n["olp"], "volontari": n["volontari"]}
        for n in c["nodi"]
    ]  # fmt: skip
    return righe


def _storico() -> list[dict]:
    righe = []
    for i in Istantanea.objects.order_by("giorno"):
        righe.append({"giorno": i.giorno.isoformat(), "livello": "rete", "nodo": "", "enti": i.enti, "olp": i.olp,
                      "volontari": i.volontari})  # fmt: skip
        for n in i.nodi:
            righe.append({"giorno": i.giorno.isoformat(), "livello": "nodo", "nodo": n["slug"], "enti": n["enti"],
                          "olp": n["olp"], "volontari": n["volontari"]})  # fmt: skip
    return righe


def _enti() -> list[dict]:
    qs = (
        Ente.objects.aderenti()
        .select_related("comune__provincia__regione", "nodo")
        .order_by("comune__provincia__regione__nome", "comune__provincia__sigla", "denominazione")
    )
    return [
        {
            "codice_fiscale": e.codice_fiscale,
            "denominazione": e.denominazione,
            "tipo": e.tipo,
            "comune_istat": e.comune.codice_istat,
            "comune": e.comune.nome,
            "provincia": e.comune.provincia.sigla,
            "regione": e.comune.provincia.regione.nome,
            "nodo": e.nodo.slug,
            "aderente_dal": e.data_adesione.isoformat() if e.data_adesione else "",
        }
        for e in qs
    ]


def _progetti() -> list[dict]:
    posti = (
        PostoSede.objects.filter(progetto=OuterRef("pk"))
        .order_by()
        .values("progetto")
        .annotate(n=Sum("posti_vitto_alloggio") + Sum("posti_solo_vitto") + Sum("posti_senza_vitto_alloggio"))
        .values("n")
    )
    qs = (
        Progetto.objects.filter(stato__in=STATI_PROGETTO_PUBBLICI)
        .annotate(posti_totali=Coalesce(Subquery(posti, output_field=IntegerField()), 0), n_sedi=Count("posti"))
        .select_related("ente", "settore", "area__settore")
        .prefetch_related("posti__sede__comune")
        .order_by("pk")
    )
    return [
        {
            "id": p.pk,
            "codice_helios": p.codice_helios or "",
            "titolo": p.titolo,
            "ente_codice_fiscale": p.ente.codice_fiscale,
            "ente": p.ente.denominazione,
            "settore": p.settore.codice,
            "area": p.area.codice,
            "stato": p.stato,
            "posti": p.posti_totali,
            "comuni_sedi": "|".join(sorted({ps.sede.comune.codice_istat for ps in p.posti.all()})),
            "data_avvio": p.data_avvio.isoformat() if p.data_avvio else "",
            "durata_mesi": p.durata_mesi,
        }
        for p in qs
    ]


_NUMERI = [
    Campo("enti", "integer", _("members of the network on that day")),
    Campo("olp", "integer", _("OLP with at least one volunteer in service on that day")),
    Campo("volontari", "integer", _("volunteers in service on that day")),
]

DATASETS = {
    d.nome: d
    for d in [
        Dataset(
            "contatori", _("The network's counters today"),
            _("The three public figures for the whole network and for each node, as on the home page."),
            [
                Campo("livello", "string", _("'rete' for the whole network, 'nodo' for a node")),
                Campo("nodo", "string", _("the node's short name (empty for the network)")),
                Campo("nome", "string", _("the node's name (empty for the network)")),
                Campo("giorno", "date", _("the day the figures refer to")),
                *_NUMERI,
            ],
            righe_contatori,
        ),
        Dataset(
            "storico", _("History of the counters"),
            _("The counters at the end of each day, kept every night, for the network and each node."),
            [
                Campo("giorno", "date", _("the day")),
                Campo("livello", "string", _("'rete' for the whole network, 'nodo' for a node")),
                Campo("nodo", "string", _("the node's short name (empty for the network)")),
                *_NUMERI,
            ],
            _storico,
        ),
        Dataset(
            "enti", _("Member bodies"),
            _("The bodies whose membership of the network is active today, with where they are."),
            [
                Campo("codice_fiscale", "string", _("the body's tax code")),
                Campo("denominazione", "string", _("the body's name")),
                Campo("tipo", "string", _("comune, unione_comuni, comunita_montana, consorzio, ...")),
                Campo("comune_istat", "string", _("ISTAT code of the comune where it has its seat")),
                Campo("comune", "string", _("name of that comune")),
                Campo("provincia", "string", _("province abbreviation")),
                Campo("regione", "string", _("region")),
                Campo("nodo", "string", _("short name of the node it belongs to")),
                Campo("aderente_dal", "date", _("member since")),
            ],
            _enti,
        ),
        Dataset(
            "progetti", _("Approved projects"),
            _("Projects approved, funded or running, with their places and the comuni of their sites."),
            [
                Campo("id", "integer", _("the project's number in this portal (stable)")),
                Campo("codice_helios", "string", _("the project's code in the Department's system, if known")),
                Campo("titolo", "string", _("title")),
                Campo("ente_codice_fiscale", "string", _("tax code of the lead body")),
                Campo("ente", "string", _("name of the lead body")),
                Campo("settore", "string", _("sector, A to G")),
                Campo("area", "string", _("area of intervention, e.g. A-1")),
                Campo("stato", "string", _("approvato, finanziato or in_corso")),
                Campo("posti", "integer", _("places for volunteers")),
                Campo("comuni_sedi", "string", _("ISTAT codes of the comuni of its sites, separated by |")),
                Campo("data_avvio", "date", _("start date, if set")),
                Campo("durata_mesi", "integer", _("duration in months")),
            ],
            _progetti,
        ),
    ]
}  # fmt: skip


def come_json(dataset: Dataset, righe: list[dict]) -> bytes:
    documento = {
        "dataset": dataset.nome,
        "titolo": str(dataset.titolo),
        "versione_schema": VERSIONE,
        "licenza": LICENZA,
        "licenza_url": LICENZA_URL,
        "fonte": FONTE,
        "generato_il": timezone.now().isoformat(timespec="seconds"),
        "campi": [{"nome": c.nome, "tipo": c.tipo, "descrizione": str(c.descrizione)} for c in dataset.campi],
        "dati": righe,
    }
    return json.dumps(documento, ensure_ascii=False, indent=1).encode()


def come_csv(dataset: Dataset, righe: list[dict]) -> bytes:
    """RFC 4180: UTF-8, comma-separated, a header row with the field names."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=[c.nome for c in dataset.campi], lineterminator="\r\n")
    writer.writeheader()
    for r in righe:
        # Text a spreadsheet would run as a formula (= + - @ first) gets a leading apostrophe,
        # as documented on the open-data page; the JSON keeps it exactly.
        writer.writerow({k: cella_sicura(v) if isinstance(v, str) else v for k, v in r.items()})
    return buffer.getvalue().encode()


# Files built once per change ----------------------------------------------------------------
#
# The archived datasets (every one but the live counters) are written to OPENDATA_ROOT when
# their data change, not encoded per request: a change to a model they show queues
# `network.tasks.genera_opendata` through the outbox in the same transaction (once per
# transaction, `segna_cambiati`), a worker builds the files, and the page serves them as files
# with their ETag. Until the new files exist the previous ones are served (stale by at most the
# time of one build); only the very first request of a deployment, with no file yet, builds
# them itself. Beat runs the same task every ten minutes as a safety net for changes that send
# no signal (bulk updates) and for the day turning (membership is "active today").
#
# Each file's name carries its ETag, and the index (`indice.json`, written last, atomically)
# names the current ones, so a reader never pairs an ETag with another build's content.

INDICE = "indice.json"
ARCHIVIATI = ("storico", "enti", "progetti")
GENERA_OPENDATA = "network.tasks.genera_opendata"


def cartella() -> Path:
    return Path(settings.OPENDATA_ROOT)


def indice() -> dict | None:
    try:
        return json.loads((cartella() / INDICE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _scrivi_atomico(percorso: Path, corpo: bytes) -> None:
    """Write beside, then rename: a reader sees the old file or the new one, never half of it.
    The temporary name is unique to this write (two threads of one process may build at once)."""
    descrittore, nome = tempfile.mkstemp(dir=percorso.parent, prefix=f".{percorso.name}.", suffix=".tmp")
    try:
        with os.fdopen(descrittore, "wb") as f:
            f.write(corpo)
        os.chmod(nome, 0o644)
        os.replace(nome, percorso)
    except BaseException:
        Path(nome).unlink(missing_ok=True)
        raise


def costruisci() -> dict:
    """Write every archived dataset in every format (the JSON once per language: its titles and
    descriptions are translated) and the index naming them; returns the index. A file whose
    content did not change keeps its name, hence its ETag: clients and proxies revalidate it
    with a 304."""
    attuale = indice()
    base = cartella()
    base.mkdir(parents=True, exist_ok=True)
    file = {}
    for nome in ARCHIVIATI:
        d = DATASETS[nome]
        righe = d.righe()
        corpi = {"csv": come_csv(d, righe)}
        for lingua, _nome in settings.LANGUAGES:
            with translation.override(lingua):
                corpi[f"json:{lingua}"] = come_json(d, righe)
        for chiave, corpo in corpi.items():
            etag = hashlib.sha256(corpo).hexdigest()[:20]
            formato = chiave.split(":")[0]
            nome_file = f"{nome}-{etag}.{formato}"
            if not (base / nome_file).exists():
                _scrivi_atomico(base / nome_file, corpo)
            file[f"{nome}:{chiave}"] = {"file": nome_file, "etag": etag}
    nuovo = {"costruito_il": timezone.now().isoformat(), "file": file}
    _scrivi_atomico(base / INDICE, json.dumps(nuovo).encode())
    _pulisci(base, {v["file"] for v in file.values()} | {v["file"] for v in (attuale or {}).get("file", {}).values()})
    return nuovo


def _pulisci(base: Path, da_tenere: set[str]) -> None:
    """Files of older builds go; the previous build's stay a while for requests in flight."""
    for f in base.iterdir():
        if f.name != INDICE and f.name not in da_tenere and not f.name.startswith("."):
            f.unlink(missing_ok=True)


def file_corrente(nome: str, formato: str, lingua: str) -> tuple[Path, str] | None:
    """The current file of a dataset and its ETag; None when none was ever built."""
    i = indice()
    if i is None:
        return None
    voce = i["file"].get(f"{nome}:csv" if formato == "csv" else f"{nome}:json:{lingua}")
    if voce is None or not (cartella() / voce["file"]).exists():
        return None
    return cartella() / voce["file"], voce["etag"]


def segna_cambiati(sender=None, **kwargs) -> None:
    """A public model changed: queue one rebuild of the files with the transaction that
    changed it (through the outbox: sent when the transaction commits, and only then), once
    however many rows the transaction writes."""
    if kwargs.get("raw") or not settings.OPENDATA_SU_MODIFICA:
        return
    if connection.in_atomic_block:
        if any(func is _accodato for _sids, func, _robust in connection.run_on_commit):
            return
        transaction.on_commit(_accodato)
    from infra.outbox import accoda

    accoda(GENERA_OPENDATA)


def _accodato() -> None:
    """The mark of a transaction that already queued the rebuild (does nothing itself)."""
