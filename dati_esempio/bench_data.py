"""Benchmark data: the network at national size (or at the demo's size), fast and deterministic.

`BenchBuilder(scala).build()` fills a PostgreSQL database that holds only reference data with a
network shaped like the real one:

- enti of very different sizes: a few large cities with hundreds of volunteers, many small
  comuni with one to four, unions, consortia, provinces; most members, some at the other
  adhesion stages;
- sedi, OLP and projects: every OLP follows at most the call's maximum of volunteers (per
  sector when the call says so) at a sede of their own ente; idle and closed sedi besides;
- services at every stage: in service today, concluded in the past year, interrupted (some
  replaced by a subentro within the call's window), renounced;
- a year of daily attendance (from the first day of the month a year ago to yesterday): one
  row per service per calendar day of service, NL on weekends and public holidays, 25 hours
  a week over 5 or 6 days (or an annual quota), general and specific training in the first
  weeks, paid leave (more in August, at Christmas and at the end of the service), sickness
  runs, blood donations and university exams within the caps of DOMAIN.md;
- the monthly closes of the complete months (mostly confirmed by the 10th, some late, some
  only preliminary), questionnaires and the OLP's monthly reports, adhesion and project
  histories, experts, territorial networks, a year of daily snapshots of the counters.

Every active OLP and volunteer of a node is planned, so the public counters on the reference
day are exactly the scale's figures. Everything is drawn from one `random.Random(seed)` and
dates are relative to the reference day: two builds with the same seed and day give the same
rows (the primary keys come from the tables' sequences, so they depend on the database).

Rows go in with COPY (PostgreSQL only), a transaction per table (per block of rows for the
attendance), with `synchronous_commit` off; no index or constraint is dropped.
"""

import bisect
import datetime
import functools
import math
import random
import sys
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import NamedTuple

from codicefiscale import codicefiscale
from django.db import connection, models, transaction
from django.utils import timezone

from enti.models import Comune, Ente, Esperto, EventoAdesione, Nodo, Olp, Regione, ReteTerritoriale, Sede
from progetti import rules
from progetti.models import (
    AmbitoAzione,
    Area,
    Bando,
    EventoProgetto,
    IncaricoEsperto,
    Obiettivo2030,
    PostoSede,
    Progetto,
    Programma,
    Settore,
)
from pubblico import counters
from volontari import riepiloghi
from volontari.models import (
    ChiusuraMensile,
    Presenza,
    Questionario,
    RelazioneMensile,
    RiepilogoMensile,
    Servizio,
    Volontario,
)
from volontari.questionari import GIORNI_PER_COMPILARE, momenti
from volontari.rules import tetto_permessi_per

from . import storie
from .demo import (
    COGNOMI,
    COMPETENZE_ESPERTI,
    NODI,
    NOMI_F,
    NOMI_M,
    NON_ADERENTI,
    REGIONI_NODO_NAZIONALE,
    SEDI_TIPO,
    SETTORI_PESI,
    TEMI,
    VIE,
    add_months,
    codice_fiscale_ente,
    fine_servizio,
    first_of_month,
    requisiti_olp,
)

SEED = 20261101

# --- Scales ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PianoNodo:
    """What one node holds on the reference day."""

    slug: str
    nome: str
    regioni: tuple[str, ...]  # the regions it covers (Nodo.regioni)
    bacino: tuple[str, ...]  # the regions its member enti come from
    aderenti: int  # member enti: the 'Enti e Comuni' counter
    olp: int  # OLP with a volunteer in service: the 'OLP attivi' counter
    volontari: int  # services in progress: the 'Volontari attivi' counter
    altri: int = 0  # member enti that are not comuni (unions, consortia, provinces...)
    non_aderenti: tuple[tuple[str, int], ...] = ()  # enti at the other adhesion stages


@dataclass(frozen=True)
class Scala:
    nome: str
    nodi: tuple[PianoNodo, ...]
    sedi: int  # sedi in all, active and idle
    quota_ospitanti: float  # at most this share of a node's members host volunteers today
    utenti: bool = True  # the demo's named accounts (dati_esempio.demo.DemoBuilder._utenti_demo)

    @property
    def attesi(self) -> dict[str, int]:
        """The public counters of the whole network on the reference day."""
        return {
            "enti": sum(n.aderenti for n in self.nodi),
            "olp": sum(n.olp for n in self.nodi),
            "volontari": sum(n.volontari for n in self.nodi),
        }


def _non_aderenti(n: int) -> tuple[tuple[str, int], ...]:
    """n enti spread over the other adhesion stages, requests and ceased ones first."""
    ciclo = ["richiesta", "cessato", "in_istruttoria", "sospeso", "da_integrare"] * 2 + ["richiesta", "cessato"]
    conta: dict[str, int] = defaultdict(int)
    for k in range(n):
        conta[ciclo[k % len(ciclo)]] += 1
    return tuple(conta.items())


# (slug, region, member enti, of which not comuni, active OLP, active volunteers): about 8,000
# enti, 18,500 active OLP and 60,000 volunteers; Lombardia biggest. The national node holds
# the comuni of the one region without a regional node and the network's national bodies.
_NAZIONALE = [
    ("lombardia", "Lombardia", 1570, 143, 3877, 12600),
    ("piemonte", "Piemonte", 1117, 102, 1477, 4800),
    ("veneto", "Veneto", 530, 48, 1292, 4200),
    ("campania", "Campania", 520, 47, 1662, 5400),
    ("calabria", "Calabria", 382, 35, 738, 2400),
    ("sicilia", "Sicilia", 370, 34, 1477, 4800),
    ("lazio", "Lazio", 357, 32, 1477, 4800),
    ("sardegna", "Sardegna", 356, 32, 646, 2100),
    ("emilia-romagna", "Emilia-Romagna", 312, 28, 923, 3000),
    ("abruzzo", "Abruzzo", 288, 26, 462, 1500),
    ("trentino-alto-adige", "Trentino-Alto Adige/Südtirol", 267, 24, 277, 900),
    ("toscana", "Toscana", 259, 24, 923, 3000),
    ("puglia", "Puglia", 243, 22, 1108, 3600),
    ("liguria", "Liguria", 221, 20, 369, 1200),
    ("marche", "Marche", 213, 19, 462, 1500),
    ("friuli-venezia-giulia", "Friuli-Venezia Giulia", 203, 18, 369, 1200),
    ("molise", "Molise", 129, 12, 185, 600),
    ("basilicata", "Basilicata", 124, 11, 277, 900),
    ("umbria", "Umbria", 87, 8, 277, 900),
]


def _scala_nazionale() -> Scala:
    nodi = [
        PianoNodo(
            slug="anci",
            nome="ANCI nazionale",
            regioni=(),
            bacino=("Valle d'Aosta/Vallée d'Aoste",),
            aderenti=91,
            altri=24,
            olp=185,
            volontari=600,
            non_aderenti=_non_aderenti(4),
        )
    ]
    for slug, regione, aderenti, altri, olp, volontari in _NAZIONALE:
        nome = regione.split("/")[0].replace("-", " ") if "Giulia" in regione else regione.split("/")[0]
        nodi.append(
            PianoNodo(
                slug=slug,
                nome=f"ANCI {nome}",
                regioni=(regione,),
                bacino=(regione,),
                aderenti=aderenti,
                altri=altri,
                olp=olp,
                volontari=volontari,
                non_aderenti=_non_aderenti(round(aderenti * 0.04)),
            )
        )
    return Scala(nome="national", nodi=tuple(nodi), sedi=30_000, quota_ospitanti=0.75)


def _scala_demo() -> Scala:
    """The nodes and figures of dati_esempio.demo (1,308 enti, 1,240 OLP, 1,756 volunteers)."""
    nodi = []
    for slug, nome, regioni, aderenti, olp, volontari in NODI:
        nodi.append(
            PianoNodo(
                slug=slug,
                nome=nome,
                regioni=tuple(regioni),
                bacino=tuple(regioni or REGIONI_NODO_NAZIONALE),
                aderenti=aderenti,
                altri=aderenti // 20 if slug == "lombardia" else 0,
                olp=olp,
                volontari=volontari,
                non_aderenti=tuple(NON_ADERENTI.get(slug, {}).items()),
            )
        )
    return Scala(nome="demo", nodi=tuple(nodi), sedi=1_700, quota_ospitanti=1.0)


def _scala_tiny() -> Scala:
    """A few dozen rows per table, for the tests."""
    return Scala(
        nome="tiny",
        nodi=(
            PianoNodo("anci", "ANCI nazionale", (), ("Lazio",), aderenti=3, olp=2, volontari=4, altri=1),
            PianoNodo(
                "lombardia", "ANCI Lombardia", ("Lombardia",), ("Lombardia",), aderenti=14, olp=9, volontari=24,
                altri=2, non_aderenti=(("richiesta", 1), ("sospeso", 1), ("cessato", 1)),
            ),
            PianoNodo(
                "umbria", "ANCI Umbria", ("Umbria",), ("Umbria",), aderenti=5, olp=3, volontari=7,
                non_aderenti=(("in_istruttoria", 1),),
            ),
        ),
        sedi=40,
        quota_ospitanti=0.8,
        utenti=False,
    )  # fmt: skip


SCALE = {"national": _scala_nazionale, "demo": _scala_demo, "tiny": _scala_tiny}


def scala(nome: str) -> Scala:
    try:
        return SCALE[nome]()
    except KeyError:
        raise ValueError(f"unknown scale {nome!r}: one of {', '.join(SCALE)}") from None


# --- Shape of the data ----------------------------------------------------------------------

# Approximate inhabitants of the largest cities; other capoluoghi and comuni are drawn.
GRANDI_CITTA = {
    "Roma": 2_750_000, "Milano": 1_370_000, "Napoli": 910_000, "Torino": 840_000, "Palermo": 630_000,
    "Genova": 560_000, "Bologna": 390_000, "Firenze": 360_000, "Bari": 315_000, "Catania": 295_000,
    "Verona": 255_000, "Venezia": 250_000, "Messina": 220_000, "Padova": 206_000, "Trieste": 199_000,
    "Parma": 196_000, "Brescia": 196_000, "Prato": 195_000, "Taranto": 189_000, "Modena": 184_000,
    "Reggio di Calabria": 172_000, "Reggio nell'Emilia": 171_000, "Perugia": 162_000, "Ravenna": 156_000,
    "Livorno": 154_000, "Cagliari": 149_000, "Foggia": 147_000, "Rimini": 150_000, "Salerno": 127_000,
}  # fmt: skip
# OLP go to enti by size ** ESPONENTE: a few large cities with hundreds of volunteers, many
# small comuni with one to four.
ESPONENTE = 0.9
# Where volunteers not born in their province's capoluogo were born (cadastral codes).
LUOGHI_NASCITA_ALTRI = ["H501", "F205", "F839", "L219", "G273", "D969", "A944"]

ALTRI_TIPI = [
    (Ente.Tipo.UNIONE_COMUNI, 35),
    (Ente.Tipo.COMUNITA_MONTANA, 10),
    (Ente.Tipo.CONSORZIO, 15),
    (Ente.Tipo.AZIENDA_SPECIALE, 12),
    (Ente.Tipo.AZIENDA_SERVIZI, 10),
    (Ente.Tipo.PROVINCIA, 6),
    (Ente.Tipo.ASSOCIAZIONE_ENTI, 5),
    (Ente.Tipo.ALTRO, 7),
]
DENOMINAZIONI = {
    Ente.Tipo.UNIONE_COMUNI: "Unione dei Comuni di {} e dintorni",
    Ente.Tipo.COMUNITA_MONTANA: "Comunità Montana di {}",
    Ente.Tipo.CONSORZIO: "Consorzio Servizi Sociali di {}",
    Ente.Tipo.AZIENDA_SPECIALE: "Azienda Speciale Consortile {}",
    Ente.Tipo.AZIENDA_SERVIZI: "Azienda Servizi alla Persona di {}",
    Ente.Tipo.PROVINCIA: "Provincia di {}",
    Ente.Tipo.ASSOCIAZIONE_ENTI: "Associazione dei Comuni del territorio di {}",
    Ente.Tipo.ALTRO: "Istituzione Biblioteche di {}",
}
# Sedi per project: mostly a few, sometimes many in large bodies.
SEDI_PER_PROGETTO = [1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 8]
# Months since the start of the running projects (0 = this month), and their weights.
MESI_AVVIO = list(range(12))
PESI_MESI_AVVIO = [4, 6, 8, 10, 12, 10, 8, 8, 8, 10, 8, 8]
DURATE = [(8, 1), (10, 1), (12, 4)]
# Months between the end of a project and the start of the next one at the same sedi.
PAUSE = [(0, 45), (1, 35), (2, 14), (3, 6)]
MOTIVI_INTERRUZIONE = [
    ("Assunzione con contratto di lavoro", False),
    ("Trasferimento in altra città", False),
    ("Rinuncia per motivi di studio", False),
    ("Motivi di salute documentati", True),
    ("Motivi familiari", False),
]
STATI_IN_ARRIVO = [
    Progetto.Stato.BOZZA,
    Progetto.Stato.PRESENTATO,
    Progetto.Stato.IN_VALUTAZIONE,
    Progetto.Stato.DA_INTEGRARE,
    Progetto.Stato.APPROVATO,
    Progetto.Stato.FINANZIATO,
    Progetto.Stato.RESPINTO,
]


def pasqua(anno: int) -> datetime.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = anno % 19, anno // 100, anno % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    mese, giorno = divmod(h + ll - 7 * m + 114, 31)
    return datetime.date(anno, mese, giorno + 1)


def festivi(anni: Iterable[int]) -> set[datetime.date]:
    """Italy's national public holidays: no service on them (NL)."""
    giorni = set()
    for anno in anni:
        for mese, giorno in ((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)):
            giorni.add(datetime.date(anno, mese, giorno))
        giorni.add(pasqua(anno) + datetime.timedelta(days=1))
    return giorni


class _Comune(NamedTuple):
    id: int
    nome: str
    catastale: str
    capoluogo: bool
    provincia_id: int
    provincia: str
    regione: str


@dataclass(eq=False)
class _Ente:
    obj: Ente
    n: int  # the ente's number: tax code, Helios codes
    comune: _Comune
    nodo: str
    peso: float  # inhabitants ** 0.7: how many OLP it gets
    n_olp: int = 0
    sedi: list = field(default_factory=list)  # Sede objects, the first is the main one
    sedi_attive: list = field(default_factory=list)  # [(Sede, [Olp, ...])]
    n_progetti: int = 0
    puntuale: bool = True  # confirms its months by the 10th


@dataclass(eq=False)
class _Gruppo:
    """A running project with its sedi, their OLP and the volunteers each OLP follows."""

    ente: _Ente
    progetto: Progetto
    sedi: list  # [(Sede, [Olp, ...], [n volunteers per OLP])]


# --- Writing rows ---------------------------------------------------------------------------


class Progresso:
    """A progress line on stderr, rewritten in place: rows done, rate, time left."""

    def __init__(self, out, etichetta: str, totale: int):
        self.out, self.etichetta, self.totale = out, etichetta, max(totale, 1)
        self.fatti = 0
        self.inizio = self.ultimo = time.perf_counter()

    def __call__(self, n: int = 1) -> None:
        self.fatti += n
        adesso = time.perf_counter()
        if self.out is not None and adesso - self.ultimo >= 0.25:
            self.ultimo = adesso
            self._scrivi(adesso)

    def _scrivi(self, adesso: float, fine: str = "") -> None:
        trascorso = max(adesso - self.inizio, 1e-6)
        ritmo = self.fatti / trascorso
        resto = (self.totale - self.fatti) / ritmo if ritmo and self.fatti < self.totale else 0
        quota = min(self.fatti / self.totale, 1)
        barra = "#" * int(quota * 30)
        tempo = f"{trascorso:6.1f}s" if fine else f"ETA {int(resto) // 60:2d}:{int(resto) % 60:02d}"
        self.out.write(
            f"\r{self.etichetta:<36} [{barra:<30}] {self.fatti:>11,}/{self.totale:<11,} {ritmo:>10,.0f}/s {tempo}{fine}"
        )
        self.out.flush()

    def chiudi(self) -> float:
        adesso = time.perf_counter()
        self.totale = self.fatti  # the estimate, if it was one, is now the count
        if self.out is not None:
            self._scrivi(adesso, "\n")
        return adesso - self.inizio


class _Ids:
    """Primary keys reserved from a table's sequence, a growing block at a time, so that rows
    can point at each other before they are written."""

    def __init__(self, model: type[models.Model]):
        self.model, self.coda, self.blocco = model, deque(), 500

    def __call__(self) -> int:
        if not self.coda:
            meta = self.model._meta
            with connection.cursor() as c:
                c.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, self.blocco],
                )
                self.coda.extend(r[0] for r in c.fetchall())
            self.blocco = min(self.blocco * 4, 50_000)
        return self.coda.popleft()


MESI_CF = "ABCDEHLMPRST"
_codice_nome = functools.cache(codicefiscale.encode_firstname)
_codice_cognome = functools.cache(codicefiscale.encode_lastname)


def _auto_now(f) -> bool:
    return bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))


# --- The builder ----------------------------------------------------------------------------


class BenchBuilder:
    def __init__(
        self,
        scala_: Scala | str = "national",
        *,
        today: datetime.date | None = None,
        seed: int = SEED,
        out=sys.stderr,
    ):
        self.scala = scala(scala_) if isinstance(scala_, str) else scala_
        self.today = today or timezone.localdate()
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        self.out = out
        self.ieri = self.today - datetime.timedelta(days=1)
        # The attendance window: from the first day of the month a year ago to yesterday.
        self.finestra = add_months(first_of_month(self.today), -12)
        # Timestamps the model sets itself (auto_now): the evening before the reference day.
        self.adesso = self._ora(self.ieri, 20)
        self.tempi: dict[str, tuple[int, float]] = {}
        self.cf_usati: set[str] = set()
        self.tappe: set[str] = set()  # the stages of services the network has so far
        self.n_persona = 0
        self.ids = {
            m: _Ids(m) for m in (Ente, Sede, Olp, Programma, Progetto, PostoSede, Volontario, Servizio, Esperto)
        }

    # --- helpers -----------------------------------------------------------------------------

    def _ora(self, giorno: datetime.date, ora: int, minuti: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(giorno, datetime.time(ora, minuti)))

    def _pesato(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def _persona(self) -> tuple[str, str, str]:
        self.n_persona += 1
        sesso = self.rng.choice("FM")
        return self.rng.choice(NOMI_F if sesso == "F" else NOMI_M), self.rng.choice(COGNOMI), sesso

    def _luogo_nascita(self, comune: _Comune) -> tuple[str, str]:
        """(cadastral code, name): the capoluogo of the sede's province, where most are born,
        or one of the large cities; a code not valid over the birth years falls back to Milano."""
        if self.rng.random() < 0.85 and comune.provincia_id in self.capoluogo_di:
            codice = self.capoluogo_di[comune.provincia_id]
        else:
            codice = self.rng.choice(LUOGHI_NASCITA_ALTRI)
        if codice not in self.luoghi_validi:
            valido = True
            for anni in (17, 40):
                nascita = datetime.datetime.combine(self.today, datetime.time()) - datetime.timedelta(days=anni * 365)
                try:
                    valido = valido and codicefiscale.encode_birthplace(codice, nascita) == codice
                except ValueError:
                    valido = False
            self.luoghi_validi[codice] = valido
        if not self.luoghi_validi[codice]:
            codice = "F205"
        return codice, self.nome_catastale.get(codice, "Milano")

    def _codice_fiscale(self, nome, cognome, sesso, nascita: datetime.date, luogo: str) -> tuple[str, datetime.date]:
        """A valid tax code, as codicefiscale.encode makes it (which is too slow for 100,000 people):
        names and places are encoded once, a clash moves the birth date by a day."""
        nomi = _codice_cognome(cognome) + _codice_nome(nome)
        for _ in range(60):
            giorno = nascita.day + (40 if sesso == "F" else 0)
            cf = f"{nomi}{nascita.year % 100:02d}{MESI_CF[nascita.month - 1]}{giorno:02d}{luogo}"
            cf += codicefiscale.encode_cin(cf)
            if cf not in self.cf_usati:
                self.cf_usati.add(cf)
                return cf, nascita
            nascita += datetime.timedelta(days=1)
        raise RuntimeError("could not make a unique tax code")

    def _misura(self, etichetta: str, righe: int, secondi: float) -> None:
        vecchie = self.tempi.get(etichetta, (0, 0.0))
        self.tempi[etichetta] = (vecchie[0] + righe, vecchie[1] + secondi)

    def _copy(self, model, colonne: list[str], righe: Iterable[tuple], totale: int, etichetta: str = "") -> int:
        """COPY rows into the model's table, one transaction. Columns of the table not named
        get the model's default (auto_now ones the builder's timestamp)."""
        meta = model._meta
        etichetta = etichetta or meta.db_table
        per_nome = {f.attname: f for f in meta.concrete_fields}
        dati = [per_nome[c] for c in colonne]
        altre = [f for f in meta.concrete_fields if f.attname not in colonne and not f.primary_key]
        costanti = tuple(self.adesso if _auto_now(f) else f.get_default() for f in altre)
        nomi = ", ".join(connection.ops.quote_name(f.column) for f in [*dati, *altre])
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({nomi}) FROM STDIN"
        barra = Progresso(self.out, etichetta, totale)
        n = 0
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET LOCAL synchronous_commit TO OFF")
            with c.connection.cursor().copy(sql) as copy:
                for riga in righe:
                    copy.write_row(riga + costanti if costanti else riga)
                    n += 1
                    if n % 2000 == 0:
                        barra(2000)
            barra(n % 2000)
        self._misura(etichetta, n, barra.chiudi())
        return n

    def _copy_oggetti(self, model, oggetti: list, etichetta: str = "") -> int:
        """COPY model instances (primary keys already set), every concrete field as it is."""
        campi = list(model._meta.concrete_fields)
        preparare = [isinstance(f, (models.FileField, models.JSONField)) for f in campi]
        adesso = self.adesso

        def righe():
            for o in oggetti:
                riga = []
                for f, prep in zip(campi, preparare, strict=True):
                    v = getattr(o, f.attname)
                    if v is None and _auto_now(f):
                        v = adesso
                    elif prep:
                        v = f.get_db_prep_save(v, connection)
                    riga.append(v)
                yield tuple(riga)

        return self._copy(model, [f.attname for f in campi], righe(), len(oggetti), etichetta)

    # --- build -------------------------------------------------------------------------------

    def build(self) -> dict[str, tuple[int, float]]:
        if connection.vendor != "postgresql":
            raise RuntimeError("The benchmark data is written with COPY: it needs PostgreSQL.")
        self.bando = Bando.objects.order_by("-anno").first()
        if self.bando is None or not Comune.objects.exists():
            raise RuntimeError("No reference data: run `manage.py load_reference` first.")
        inizio = time.perf_counter()
        self._riferimenti()
        self._nodi()
        self._enti()
        self._ospitanti()
        self._sedi()
        self._progetti_in_corso()
        self._volontari_per_olp()
        self._servizi_in_corso()
        self._generazioni_passate()
        self._solo_passato()
        self._progetti_in_arrivo()
        self._programmi()
        self._misura("(plan in memory)", 0, time.perf_counter() - inizio)
        self._scrivi_rete()
        self._presenze()
        self._riepiloghi()
        self._chiusure()
        self._questionari_e_relazioni()
        self._storie()
        self._esperti_e_reti()
        self._istantanee_e_notizie()
        if self.scala.utenti:
            self._utenti()
        # Statistics for the planner and, outside a transaction, the visibility map and hint
        # bits too: without them index-only scans read the heap and the first reads write, so
        # benchmarks would change once (auto)vacuum passes (it may be off, as on the bench box).
        t = time.perf_counter()
        comando = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as c:
            for model in (Ente, Sede, Olp, Progetto, PostoSede, PostoSede.olp.through, Volontario, Servizio, Presenza,
                          RiepilogoMensile, ChiusuraMensile, Questionario, RelazioneMensile, EventoAdesione,
                          EventoProgetto):  # fmt: skip
                c.execute(f"{comando} {connection.ops.quote_name(model._meta.db_table)}")
        self._misura(f"({comando.lower()})", 0, time.perf_counter() - t)
        t = time.perf_counter()
        if connection.in_atomic_block:
            counters.schedule_refresh()
        else:
            counters.refresh(self.today)
        self._misura("(counters refresh)", 0, time.perf_counter() - t)
        return self.tempi

    # --- plan: reference, nodes, enti ---------------------------------------------------------

    def _riferimenti(self) -> None:
        self.max_olp = self.bando.max_volontari_per_olp
        self.limiti = {x.settore_id: x.max_volontari_per_olp for x in self.bando.limiti_olp.all()}
        self.settori = {s.codice: s for s in Settore.objects.order_by("codice")}
        self.aree = defaultdict(list)
        for area in Area.objects.select_related("settore").order_by("settore__codice", "numero"):
            self.aree[area.settore.codice].append(area)
        self.ambiti = list(AmbitoAzione.objects.order_by("codice"))
        self.comuni_per_regione: dict[str, list[_Comune]] = defaultdict(list)
        self.capoluogo_di: dict[int, str] = {}
        self.nome_catastale: dict[str, str] = {}
        righe = Comune.objects.order_by("codice_istat").values_list(
            "id", "nome", "codice_catastale", "capoluogo", "provincia_id", "provincia__nome", "provincia__regione__nome"
        )
        for riga in righe:
            c = _Comune(*riga)
            self.comuni_per_regione[c.regione].append(c)
            self.nome_catastale[c.catastale] = c.nome
            if c.capoluogo:
                self.capoluogo_di.setdefault(c.provincia_id, c.catastale)
        mancanti = {r for n in self.scala.nodi for r in (*n.regioni, *n.bacino)} - set(self.comuni_per_regione)
        if mancanti:
            raise RuntimeError(f"Regions not in the reference data: {', '.join(sorted(mancanti))}")
        self.luoghi_validi: dict[str, bool] = {}

    def _nodi(self) -> None:
        t = time.perf_counter()
        regioni = {r.nome: r for r in Regione.objects.all()}
        self.nodi: dict[str, Nodo] = {}
        for ordine, piano in enumerate(self.scala.nodi):
            nodo = Nodo.objects.create(
                slug=piano.slug,
                nome=piano.nome,
                livello=Nodo.Livello.NAZIONALE if not piano.regioni else Nodo.Livello.REGIONALE,
                ordine=ordine,
                email=f"serviziocivile@{piano.slug}.anci.example",
            )
            nodo.regioni.set([regioni[n] for n in piano.regioni])
            self.nodi[piano.slug] = nodo
        self._misura(Nodo._meta.db_table, len(self.nodi), time.perf_counter() - t)

    def _abitanti(self, comune: _Comune, tipo: str) -> int:
        if tipo == Ente.Tipo.COMUNE:
            if comune.nome in GRANDI_CITTA:
                return GRANDI_CITTA[comune.nome]
            if comune.capoluogo:
                return int(min(max(self.rng.lognormvariate(math.log(80_000), 0.45), 25_000), 160_000))
            return int(min(max(self.rng.lognormvariate(math.log(2_400), 1.15), 40), 120_000))
        if tipo == Ente.Tipo.PROVINCIA:
            return self.rng.randint(180_000, 1_100_000)
        return self.rng.randint(8_000, 90_000)

    def _enti(self) -> None:
        today = self.today
        self.enti: list[_Ente] = []
        self.aderenti: dict[str, list[_Ente]] = defaultdict(list)
        self.enti_per_provincia: dict[tuple[str, int], list[_Ente]] = defaultdict(list)
        province_usate: set[int] = set()
        for piano in self.scala.nodi:
            pool = [c for r in piano.bacino for c in self.comuni_per_regione[r]]
            tutti = list(pool)
            self.rng.shuffle(pool)
            pool.sort(key=lambda c: not c.capoluogo)  # every node has its large cities
            stati = [Ente.StatoAdesione.ADERENTE] * (piano.aderenti - piano.altri)
            stati += [s for s, k in piano.non_aderenti for _ in range(k)]
            piani = [(stato, pool[i] if i < len(pool) else None) for i, stato in enumerate(stati)]
            piani += [(Ente.StatoAdesione.ADERENTE, None)] * piano.altri
            for stato, comune in piani:
                tipo = Ente.Tipo.COMUNE
                if comune is None:
                    tipo = self._pesato(ALTRI_TIPI)
                    comune = self.rng.choice(tutti)
                    if tipo == Ente.Tipo.PROVINCIA:
                        if comune.provincia_id in province_usate or comune.provincia_id not in self.capoluogo_di:
                            tipo = Ente.Tipo.UNIONE_COMUNI
                        else:
                            province_usate.add(comune.provincia_id)
                            capoluogo = self.capoluogo_di[comune.provincia_id]
                            comune = next(c for c in tutti if c.catastale == capoluogo)
                n = len(self.enti) + 1
                if tipo == Ente.Tipo.COMUNE:
                    denominazione = f"Comune di {comune.nome}"
                elif tipo == Ente.Tipo.PROVINCIA:
                    denominazione = DENOMINAZIONI[tipo].format(comune.provincia)
                else:
                    denominazione = DENOMINAZIONI[tipo].format(comune.nome)
                abitanti = self._abitanti(comune, tipo)
                # Most joined years ago; a few in the last two years.
                anzianita = self.rng.randint(730, 3200) if self.rng.random() < 0.85 else self.rng.randint(30, 729)
                data_richiesta = today - datetime.timedelta(days=anzianita)
                nome, cognome, _s = self._persona()
                ente = Ente(
                    pk=self.ids[Ente](),
                    denominazione=denominazione,
                    tipo=tipo,
                    codice_fiscale=codice_fiscale_ente(n),
                    codice_helios=f"SU{n:05d}A01",
                    comune_id=comune.id,
                    nodo_id=self.nodi[piano.slug].pk,
                    stato_adesione=stato,
                    data_richiesta=data_richiesta,
                    pec=f"protocollo.{n}@pec.comune.example",
                    rappresentante_legale=f"{nome} {cognome}",
                    abitanti=abitanti,
                )
                if stato in (Ente.StatoAdesione.ADERENTE, Ente.StatoAdesione.SOSPESO, Ente.StatoAdesione.CESSATO):
                    ente.data_adesione = min(data_richiesta + datetime.timedelta(days=self.rng.randint(10, 60)), today)
                if stato == Ente.StatoAdesione.CESSATO:
                    ente.data_cessazione = min(
                        ente.data_adesione + datetime.timedelta(days=self.rng.randint(200, 700)), today
                    )
                # How many OLP it gets: by size, though the bodies that are not comuni host fewer
                # than their inhabitants would say.
                taglia = abitanti if tipo == Ente.Tipo.COMUNE else self.rng.randint(5_000, 60_000)
                e = _Ente(ente, n, comune, piano.slug, taglia**ESPONENTE, puntuale=self.rng.random() < 0.9)
                self.enti.append(e)
                if stato == Ente.StatoAdesione.ADERENTE:
                    self.aderenti[piano.slug].append(e)
                    if tipo == Ente.Tipo.COMUNE:
                        self.enti_per_provincia[(piano.slug, comune.provincia_id)].append(e)

    # --- plan: who hosts, sedi and OLP --------------------------------------------------------

    def _ospitanti(self) -> None:
        """Which members host volunteers today and how many OLP each: every hosting ente one,
        the others by size (inhabitants ** 0.7), so large cities get hundreds."""
        self.ospitanti: dict[str, list[_Ente]] = {}
        for piano in self.scala.nodi:
            aderenti = self.aderenti[piano.slug]
            n = max(1, min(len(aderenti), round(len(aderenti) * self.scala.quota_ospitanti), round(piano.olp * 0.7)))
            if piano.olp < n or not aderenti:
                raise RuntimeError(f"{piano.slug}: {piano.olp} OLP for {n} hosting enti")
            per_peso = sorted(aderenti, key=lambda e: -e.peso)
            scelti = per_peso[: n // 3] + self.rng.sample(per_peso[n // 3 :], n - n // 3)
            scelti.sort(key=lambda e: e.n)
            for e in scelti:
                e.n_olp = 1
            cumulati = list(accumulate(e.peso for e in scelti))
            for e in self.rng.choices(scelti, cum_weights=cumulati, k=piano.olp - n):
                e.n_olp += 1
            self.ospitanti[piano.slug] = scelti

    def _nuova_sede(self, e: _Ente, comune_id: int | None = None) -> Sede:
        k = len(e.sedi)
        principale = k == 0
        if e.obj.tipo == Ente.Tipo.COMUNE:
            denominazione = "Municipio" if principale else f"{SEDI_TIPO[k % len(SEDI_TIPO)]} {k}"
            indirizzo = "Piazza Municipio" if principale else VIE[k % len(VIE)]
        else:
            denominazione = "Sede legale" if principale else f"{SEDI_TIPO[k % len(SEDI_TIPO)]} {k}"
            indirizzo = VIE[k % len(VIE)]
        sede = Sede(
            pk=self.ids[Sede](),
            ente_id=e.obj.pk,
            denominazione=denominazione,
            comune_id=comune_id or e.comune.id,
            indirizzo=indirizzo,
            civico=str(1 + 2 * k),
            cap="",
            codice_helios=f"S{e.n:05d}{k:04d}",
        )
        sede.comune_bench = e.comune  # where its volunteers are born, near enough
        e.sedi.append(sede)
        return sede

    def _nuovo_olp(self, e: _Ente, attivo: bool = True) -> Olp:
        nome, cognome, _s = self._persona()
        olp = Olp(
            pk=self.ids[Olp](),
            ente_id=e.obj.pk,
            nome=nome,
            cognome=cognome,
            email=f"olp{self.n_persona}@comune.example",
            titolo_o_esperienza=self.rng.choice(
                [
                    "Laurea in scienze dell'educazione",
                    "Esperienza biennale nel settore",
                    "Laurea in lettere",
                    "Laurea in servizio sociale",
                    "Laurea in scienze politiche",
                ]
            ),
            corso_olp_il=self.today - datetime.timedelta(days=self.rng.randint(200, 1800)),
            ore_settimanali_sede=rules.OLP_ORE_SETTIMANALI_MIN + self.n_persona % 11,
            attivo=attivo,
        )
        requisiti_olp(olp, self.today)
        self.olp.append(olp)
        return olp

    def _sedi(self) -> None:
        """Active sedi for the hosting enti (one to three OLP each), a main sede for every
        ente, and idle sedi (some closed) up to the scale's total."""
        self.sedi: list[Sede] = []
        self.olp: list[Olp] = []
        comuni_provincia = defaultdict(list)
        for lista in self.comuni_per_regione.values():
            for c in lista:
                comuni_provincia[c.provincia_id].append(c.id)
        for e in self.enti:
            if not e.n_olp:
                continue
            n_sedi = max(1, min(e.n_olp, round(e.n_olp * self.rng.uniform(0.55, 0.95))))
            olp = [self._nuovo_olp(e) for _ in range(e.n_olp)]
            per_sede = [[o] for o in olp[:n_sedi]]
            for o in olp[n_sedi:]:
                self.rng.choice(per_sede).append(o)
            for olp_sede in per_sede:
                comune_id = None
                if e.obj.tipo != Ente.Tipo.COMUNE and e.sedi:
                    comune_id = self.rng.choice(comuni_provincia[e.comune.provincia_id])
                e.sedi_attive.append((self._nuova_sede(e, comune_id), olp_sede))
        for e in self.enti:
            if not e.sedi:
                self._nuova_sede(e)
        n_sedi = sum(len(e.sedi) for e in self.enti)
        idonei = [e for e in self.enti if e.obj.stato_adesione == Ente.StatoAdesione.ADERENTE]
        cumulati = list(accumulate(math.sqrt(e.obj.abitanti) for e in idonei))
        for e in self.rng.choices(idonei, cum_weights=cumulati, k=max(0, self.scala.sedi - n_sedi)):
            sede = self._nuova_sede(e)
            if self.rng.random() < 0.15:
                sede.data_chiusura = self.today - datetime.timedelta(days=self.rng.randint(20, 900))
        for e in self.enti:
            self.sedi.extend(e.sedi)

    # --- plan: projects and services ---------------------------------------------------------

    def _nuovo_progetto(
        self, e: _Ente, stato: str, avvio: datetime.date | None, durata: int, settore: str | None = None
    ) -> Progetto:
        codice = settore or self._pesato(SETTORI_PESI)
        monte_ore = self.rng.random() < 0.2
        e.n_progetti += 1
        progetto = Progetto(
            pk=self.ids[Progetto](),
            titolo=f"{self.rng.choice(TEMI[codice])} - {e.comune.nome}",
            codice_helios=f"PTX{e.n:05d}{e.n_progetti:04d}{codice}",
            ente_id=e.obj.pk,
            bando_id=self.bando.pk,
            settore_id=self.settori[codice].pk,
            area_id=self.rng.choice(self.aree[codice]).pk,
            stato=stato,
            descrizione="Progetto della rete (dati per i benchmark).",
            durata_mesi=durata,
            modello_orario=Progetto.ModelloOrario.MONTE_ORE if monte_ore else Progetto.ModelloOrario.SETTIMANALE,
            ore_settimanali=None if monte_ore else rules.ORE_SETTIMANALI,
            monte_ore=rules.monte_ore_per_durata(durata) if monte_ore else None,
            giorni_settimana=self.rng.choice([5, 5, 5, 6]),
            formazione_generale_ore=self.rng.choice([30, 36, 42]),
            formazione_specifica_ore=self.rng.choice([50, 60, 72]),
            data_avvio=avvio,
        )
        progetto.nodo_bench = e.nodo
        progetto.ente_bench = e
        # Created some months before the start; updated at the last change of state.
        creato = (avvio or self.today) - datetime.timedelta(days=self.rng.randint(150, 400))
        progetto.creato_il = self._ora(min(creato, self.ieri), 11)
        progetto.aggiornato_il = self._ora(min(avvio or self.ieri, self.ieri), 12)
        self.progetti.append(progetto)
        if avvio is not None and e.obj.data_adesione and e.obj.data_adesione > avvio - datetime.timedelta(days=60):
            # It was a member before its projects started.
            e.obj.data_adesione = avvio - datetime.timedelta(days=self.rng.randint(60, 400))
            e.obj.data_richiesta = e.obj.data_adesione - datetime.timedelta(days=self.rng.randint(10, 60))
        return progetto

    def _capienza(self, progetto: Progetto) -> int:
        return self.limiti.get(progetto.settore_id, self.max_olp)

    def _progetti_in_corso(self) -> None:
        """The hosting enti's active sedi grouped into running projects, each started on the
        first day of a month within the last year and ending after today."""
        self.progetti: list[Progetto] = []
        self.gruppi: list[_Gruppo] = []
        for e in self.enti:
            attive = list(e.sedi_attive)
            while attive:
                k = self.rng.choice(SEDI_PER_PROGETTO)
                blocco, attive = attive[:k], attive[k:]
                mesi_fa = self.rng.choices(MESI_AVVIO, weights=PESI_MESI_AVVIO)[0]
                durata = self._pesato([(d, w) for d, w in DURATE if d > mesi_fa])
                avvio = add_months(first_of_month(self.today), -mesi_fa)
                progetto = self._nuovo_progetto(e, Progetto.Stato.IN_CORSO, avvio, durata)
                self.gruppi.append(_Gruppo(e, progetto, [(s, olp, [0] * len(olp)) for s, olp in blocco]))

    def _volontari_per_olp(self) -> None:
        """Each node's active volunteers over its active OLP: one each, the rest drawn over the
        free places below each OLP's maximum (the call's, or its sector's)."""
        for piano in self.scala.nodi:
            gettoni = []
            conti = []
            for g in self.gruppi:
                if g.ente.nodo != piano.slug:
                    continue
                capienza = self._capienza(g.progetto)
                for _sede, olp, n in g.sedi:
                    for i in range(len(olp)):
                        n[i] = 1
                        conti.append(n)
                        gettoni.extend([(n, i)] * (capienza - 1))
            extra = piano.volontari - len(conti)
            if extra < 0 or extra > len(gettoni):
                raise RuntimeError(f"{piano.slug}: {piano.volontari} volunteers do not fit its OLP")
            for n, i in self.rng.sample(gettoni, extra):
                n[i] += 1

    def _servizio(self, progetto: Progetto, posto: PostoSede, sede: Sede, olp: Olp, inizio: datetime.date) -> Servizio:
        nome, cognome, sesso = self._persona()
        eta_giorni = self.rng.randint(rules.ETA_MIN * 365 + 120, (rules.ETA_MAX + 1) * 365 - 120)
        luogo, nome_luogo = self._luogo_nascita(sede.comune_bench)
        cf, nascita = self._codice_fiscale(nome, cognome, sesso, inizio - datetime.timedelta(days=eta_giorni), luogo)
        v = Volontario(
            pk=self.ids[Volontario](),
            codice_fiscale=cf,
            codice_volontario=f"VOL{self.n_persona:09d}",
            nome=nome,
            cognome=cognome,
            data_nascita=nascita,
            sesso=sesso,
            luogo_nascita=nome_luogo,
            email=f"volontario{self.n_persona}@mail.example",
        )
        fine_prevista = fine_servizio(progetto.data_avvio, progetto.durata_mesi)
        s = Servizio(
            pk=self.ids[Servizio](),
            volontario_id=v.pk,
            posto_id=posto.pk,
            olp_id=olp.pk,
            tipo_posto=Servizio.TipoPosto.SENZA_VITTO_ALLOGGIO,
            stato=Servizio.Stato.IN_SERVIZIO if fine_prevista >= self.today else Servizio.Stato.CONCLUSO,
            data_inizio=inizio,
            data_fine_prevista=fine_prevista,
            data_fine=fine_prevista,
        )
        s.progetto_bench = progetto
        self.volontari.append(v)
        self.servizi.append(s)
        return s

    def _interrompi(self, s: Servizio, ultimo_giorno: datetime.date) -> None:
        motivo, documentato = self.rng.choice(MOTIVI_INTERRUZIONE)
        s.stato = Servizio.Stato.INTERROTTO
        s.data_fine = ultimo_giorno
        s.motivo_interruzione = motivo
        s.interruzione_documentata = documentato
        s.interruzione_comunicata_il = min(ultimo_giorno + datetime.timedelta(days=self.rng.randint(1, 5)), self.ieri)

    def _posto(self, progetto: Progetto, sede: Sede, olp: list[Olp], n: list[int], vacanti: int) -> PostoSede:
        totale = min(sum(n) + vacanti, len(olp) * self._capienza(progetto))
        posto = PostoSede(pk=self.ids[PostoSede](), progetto_id=progetto.pk, sede_id=sede.pk)
        posto.posti_senza_vitto_alloggio = totale
        if totale >= 3 and self.rng.random() < 0.4:
            posto.posti_gmo = 1
        self.posti.append(posto)
        self.posto_olp.extend((posto.pk, o.pk) for o in olp)
        return posto

    def _occupa(self, progetto, posto, sede, olp, n, *, quota_interrotti, quota_subentri, quota_rinunce) -> None:
        """The services of one place: n[i] volunteers with olp[i] from the project's start,
        some of them replacing someone who left in the first weeks (a subentro, within the
        call's window), plus extra ones who left early or renounced. Each of these stages
        happens at least once in the network, the first time it can, whatever the scale."""
        avvio = progetto.data_avvio
        fine = fine_servizio(avvio, progetto.durata_mesi)
        giorni = (min(fine, self.ieri) - avvio).days
        finestra = self.bando.finestra_subentro_giorni
        capienza = self._capienza(progetto)
        primo = True
        for o, k in zip(olp, n, strict=True):
            for _ in range(k):
                inizio = avvio
                if giorni > 80 and self._capita("subentro", quota_subentri):
                    uscita = avvio + datetime.timedelta(days=self.rng.randint(20, 50))
                    vecchio = self._servizio(progetto, posto, sede, o, avvio)
                    self._interrompi(vecchio, uscita)
                    inizio = min(
                        uscita + datetime.timedelta(days=self.rng.randint(7, 20)),
                        avvio + datetime.timedelta(days=finestra),
                    )
                    nuovo = self._servizio(progetto, posto, sede, o, inizio)
                    nuovo.subentra_a_id = vecchio.pk
                else:
                    nuovo = self._servizio(progetto, posto, sede, o, inizio)
                if primo and posto.posti_gmo:
                    nuovo.gmo = True
                primo = False
        # Who left early without a replacement held a place and the OLP's time: room for both.
        liberi = [o for o, k in zip(olp, n, strict=True) if k < capienza]
        if liberi and giorni > 45 and self._capita("interrotto", quota_interrotti):
            s = self._servizio(progetto, posto, sede, self.rng.choice(liberi), avvio)
            self._interrompi(s, avvio + datetime.timedelta(days=self.rng.randint(30, giorni - 5)))
            posto.posti_senza_vitto_alloggio = max(posto.posti_senza_vitto_alloggio, sum(n) + 1)
        if self._capita("rinuncia", quota_rinunce):
            s = self._servizio(progetto, posto, sede, self.rng.choice(olp), avvio)
            s.stato = Servizio.Stato.RINUNCIA
            s.data_fine = s.data_inizio
            posto.posti_senza_vitto_alloggio = max(posto.posti_senza_vitto_alloggio, sum(n) + 1)

    def _capita(self, tappa: str, quota: float) -> bool:
        """Whether a random event happens: with probability `quota`, or surely if the network
        has none yet."""
        if self.rng.random() < quota or tappa not in self.tappe:
            self.tappe.add(tappa)
            return True
        return False

    def _servizi_in_corso(self) -> None:
        self.posti: list[PostoSede] = []
        self.posto_olp: list[tuple[int, int]] = []
        self.volontari: list[Volontario] = []
        self.servizi: list[Servizio] = []
        for g in self.gruppi:
            for sede, olp, n in g.sedi:
                posto = self._posto(g.progetto, sede, olp, n, vacanti=self.rng.choice([0, 0, 0, 1]))
                self._occupa(
                    g.progetto, posto, sede, olp, n, quota_interrotti=0.15, quota_subentri=1 / 25, quota_rinunce=0.08
                )

    def _generazioni_passate(self) -> None:
        """Before each running project, the projects that ran at the same sedi with (mostly)
        the same OLP, back to the start of the attendance window."""
        for g in self.gruppi:
            avvio_dopo = g.progetto.data_avvio
            sedi = g.sedi
            for _generazione in range(4):
                durata = self._pesato(DURATE)
                pausa = self._pesato(PAUSE)
                avvio = add_months(avvio_dopo, -(durata + pausa))
                if fine_servizio(avvio, durata) < self.finestra:
                    break
                progetto = self._nuovo_progetto(g.ente, Progetto.Stato.CONCLUSO, avvio, durata)
                capienza = self._capienza(progetto)
                prima = []
                for sede, olp, n in sedi:
                    olp_prima = [o if self.rng.random() > 0.08 else self._nuovo_olp(g.ente) for o in olp]
                    n_prima = [max(1, min(capienza, k + self.rng.choice([-1, 0, 0, 1]))) for k in n]
                    posto = self._posto(progetto, sede, olp_prima, n_prima, vacanti=self.rng.choice([0, 0, 1]))
                    self._occupa(
                        progetto, posto, sede, olp_prima, n_prima,
                        quota_interrotti=0.2, quota_subentri=1 / 30, quota_rinunce=0.06,
                    )  # fmt: skip
                    prima.append((sede, olp_prima, n_prima))
                avvio_dopo, sedi = avvio, prima

    def _solo_passato(self) -> None:
        """Members hosting nobody today, some of which had volunteers in the past year."""
        for slug, aderenti in self.aderenti.items():
            ospitanti = {e.n for e in self.ospitanti[slug]}
            for e in aderenti:
                if e.n in ospitanti or self.rng.random() >= 0.12:
                    continue
                durata = self._pesato(DURATE)
                avvio = add_months(first_of_month(self.today), -self.rng.randint(durata, durata + 11))
                progetto = self._nuovo_progetto(e, Progetto.Stato.CONCLUSO, avvio, durata)
                olp = [self._nuovo_olp(e, attivo=self.rng.random() < 0.7)]
                n = [self.rng.randint(1, self._capienza(progetto))]
                posto = self._posto(progetto, e.sedi[0], olp, n, vacanti=0)
                self._occupa(
                    progetto, posto, e.sedi[0], olp, n, quota_interrotti=0.15, quota_subentri=0, quota_rinunce=0.06
                )

    def _progetti_in_arrivo(self) -> None:
        """Projects on their way (draft to funded, or rejected): places, no volunteers yet."""
        k = 0
        for slug in self.aderenti:
            for e in self.aderenti[slug]:
                if self.rng.random() >= 0.08:
                    continue
                stato = STATI_IN_ARRIVO[k % len(STATI_IN_ARRIVO)]
                k += 1
                progetto = self._nuovo_progetto(e, stato, None, self.rng.choice([8, 10, 12]))
                posto = PostoSede(pk=self.ids[PostoSede](), progetto_id=progetto.pk, sede_id=e.sedi[0].pk)
                posto.posti_senza_vitto_alloggio = self.rng.randint(1, 4)
                self.posti.append(posto)
        # Some running projects of unions and consortia are co-designed with member comuni.
        self.coprogettanti: list[tuple[int, int]] = []
        for g in self.gruppi:
            e = g.ente
            if e.obj.tipo == Ente.Tipo.COMUNE or self.rng.random() >= 0.5:
                continue
            vicini = [x for x in self.enti_per_provincia[(e.nodo, e.comune.provincia_id)] if x is not e]
            for x in self.rng.sample(vicini, min(len(vicini), self.rng.randint(1, 3))):
                self.coprogettanti.append((g.progetto.pk, x.obj.pk))

    def _programmi(self) -> None:
        """Each node's projects grouped by sector into programmes of up to 25 projects."""
        self.programmi: list[Programma] = []
        per_chiave = defaultdict(list)
        for p in self.progetti:
            per_chiave[(p.nodo_bench, p.settore_id)].append(p)
        settori = {s.pk: s for s in self.settori.values()}
        for (slug, settore_id), lista in per_chiave.items():
            for inizio in range(0, len(lista), 25):
                blocco = lista[inizio : inizio + 25]
                if len(blocco) < rules.PROGRAMMA_PROGETTI_MIN:
                    continue
                programma = Programma(
                    pk=self.ids[Programma](),
                    titolo=f"{self.nodi[slug].nome} - {settori[settore_id].nome[:60]} {inizio // 25 + 1}",
                    nodo_id=self.nodi[slug].pk,
                    bando_id=self.bando.pk,
                    obiettivo_2030=self.rng.choice(
                        [Obiettivo2030.ISTRUZIONE, Obiettivo2030.DISUGUAGLIANZE, Obiettivo2030.CITTA]
                    ),
                    ambito_id=self.rng.choice(self.ambiti).pk,
                )
                self.programmi.append(programma)
                for p in blocco:
                    p.programma_id = programma.pk

    # --- write: the network -----------------------------------------------------------------

    def _scrivi_rete(self) -> None:
        self._copy_oggetti(Ente, [e.obj for e in self.enti])
        self._copy_oggetti(Sede, self.sedi)
        self._copy_oggetti(Olp, self.olp)
        self._copy_oggetti(Programma, self.programmi)
        self._copy_oggetti(Progetto, self.progetti)
        through = Progetto.enti_coprogettanti.through
        self._copy(through, ["progetto_id", "ente_id"], iter(self.coprogettanti), len(self.coprogettanti))
        self._copy_oggetti(PostoSede, self.posti)
        through = PostoSede.olp.through
        self._copy(through, ["postosede_id", "olp_id"], iter(self.posto_olp), len(self.posto_olp))
        self._copy_oggetti(Volontario, self.volontari)
        self.servizi.sort(key=lambda s: s.pk)
        self._copy_oggetti(Servizio, self.servizi)

    # --- write: attendance, closes, questionnaires ------------------------------------------

    def _giorni_servizio(self, s: Servizio) -> tuple[int, int] | None:
        """The window's day indexes of a service's attendance (first, last), or None."""
        if s.stato == Servizio.Stato.RINUNCIA:
            return None
        a = max((s.data_inizio - self.finestra).days, 0)
        b = min((s.data_fine - self.finestra).days, (self.ieri - self.finestra).days)
        return (a, b) if a <= b else None

    def _riepiloghi(self) -> None:
        """The register's monthly rollup, from the attendance just written: one INSERT ... SELECT."""
        t = time.perf_counter()
        n = riepiloghi.ricostruisci()
        self._misura(RiepilogoMensile._meta.db_table, n, time.perf_counter() - t)

    def _presenze(self) -> None:
        """One row per service per calendar day of service in the window, built as COPY text
        (the rows of a service are one string join) and sent in blocks of about two million
        rows, a transaction each."""
        from psycopg.copy import QueuedLibpqWriter

        rng = self.rng
        w0 = self.finestra
        n_giorni = (self.today - w0).days
        giorni = [w0 + datetime.timedelta(days=i) for i in range(n_giorni)]
        rossi = festivi(range(w0.year, self.today.year + 1))
        ds = [g.isoformat() for g in giorni]
        settimana = [7 if g in rossi else g.weekday() for g in giorni]  # 7: a public holiday
        ts = [f"{d} 17:30:00+00" for d in ds]

        def coda(codice, attivita="", ore="0"):
            return [f"{d}\t{codice}\t{attivita}\t{ore}\t\t{t}" for d, t in zip(ds, ts, strict=True)]

        nl, pr, mal, ds_, eu = coda("NL"), coda("PR"), coda("MAL"), coda("DS"), coda("EU")
        code_p: dict[tuple[str, str], list[str]] = {}

        def p(attivita, ore):
            chiave = (attivita, ore)
            if chiave not in code_p:
                code_p[chiave] = coda("P", attivita, ore)
            return code_p[chiave]

        # Paid leave: more in August and between Christmas and New Year.
        prob_pr = [0.12 if g.month == 8 else 0.10 if (g.month == 12 and g.day >= 23) else 0.025 for g in giorni]
        limite_mal = rules.MALATTIA_GIORNI_RETRIBUITI + rules.MALATTIA_GIORNI_NON_RETRIBUITI
        pro_rata = self.bando.permessi_pro_rata

        lavori = []
        totale = 0
        for s in self.servizi:
            intervallo = self._giorni_servizio(s)
            if intervallo:
                lavori.append((s, *intervallo))
                totale += intervallo[1] - intervallo[0] + 1
        colonne = "servizio_id, giorno, codice, attivita, ore, nota, aggiornata_il"
        sql = f"COPY {connection.ops.quote_name(Presenza._meta.db_table)} ({colonne}) FROM STDIN"
        barra = Progresso(self.out, Presenza._meta.db_table, totale)
        fatti = 0
        k = 0
        while k < len(lavori):
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SET LOCAL synchronous_commit TO OFF")
                cur = c.connection.cursor()
                with cur.copy(sql, writer=QueuedLibpqWriter(cur)) as copy:
                    nel_blocco = 0
                    buffer = []
                    dimensione = 0
                    while k < len(lavori) and nel_blocco < 2_000_000:
                        s, a, b = lavori[k]
                        k += 1
                        progetto = s.progetto_bench
                        gs = progetto.giorni_settimana
                        if progetto.ore_settimanali:
                            ore = "5.00" if gs == 5 else "4.17"
                            serv, fg, fs = (
                                p("servizio", ore),
                                p("formazione_generale", ore),
                                p("formazione_specifica", ore),
                            )
                            variabili = None
                        else:  # annual quota: 20 to 36 hours a week
                            scelte = ["4.00", "5.00", "6.00", "7.00"] if gs == 5 else ["4.00", "5.00", "6.00"]
                            variabili = [p("servizio", h) for h in scelte]
                            fg, fs = p("formazione_generale", "5.00"), p("formazione_specifica", "5.00")
                        inizio = (s.data_inizio - w0).days
                        ultimi = (s.data_fine_prevista - w0).days - 30 if s.stato == Servizio.Stato.CONCLUSO else 10**9
                        tetto_pr = tetto_permessi_per(progetto.durata_mesi, pro_rata)
                        studente = rng.random() < 0.3
                        n_pr = n_mal = di_fila = 0
                        righe = []
                        aggiungi = righe.append
                        for i in range(a, b + 1):
                            wd = settimana[i]
                            if wd >= gs:
                                aggiungi(nl[i])
                                continue
                            n = i - inizio
                            if n < 42 and wd == 0:
                                aggiungi(fg[i])
                            elif n < 70 and wd == 2:
                                aggiungi(fs[i])
                            elif di_fila:
                                aggiungi(mal[i])
                                di_fila -= 1
                                n_mal += 1
                            else:
                                r = rng.random()
                                soglia = 0.3 if i > ultimi else prob_pr[i]  # leave left is used at the end
                                if r < soglia and n_pr < tetto_pr:
                                    aggiungi(pr[i])
                                    n_pr += 1
                                elif r >= 0.95 and r < 0.957 and n_mal + 3 <= limite_mal:
                                    aggiungi(mal[i])
                                    n_mal += 1
                                    di_fila = rng.randint(0, 2)
                                elif r >= 0.957 and r < 0.959 and not (righe and righe[-1] is ds_[i - 1]):
                                    aggiungi(ds_[i])  # one day per donation: never two in a row
                                elif studente and r >= 0.959 and r < 0.963:
                                    aggiungi(eu[i])
                                elif variabili is None:
                                    aggiungi(serv[i])
                                else:
                                    aggiungi(variabili[int(r * 1000) % len(variabili)][i])
                        prefisso = f"{s.pk}\t"
                        testo = prefisso + ("\n" + prefisso).join(righe) + "\n"
                        buffer.append(testo)
                        dimensione += len(testo)
                        nel_blocco += len(righe)
                        if dimensione > 4_000_000:
                            copy.write("".join(buffer))
                            barra(nel_blocco - fatti)
                            fatti = nel_blocco
                            buffer, dimensione = [], 0
                    copy.write("".join(buffer))
                barra(nel_blocco - fatti)
                fatti = 0
        self.n_presenze = totale
        self._misura(Presenza._meta.db_table, totale, barra.chiudi())

    def _mesi_chiusi(self, s: Servizio) -> Iterator[datetime.date]:
        """The complete months of the window a service was in (the current one is open)."""
        if s.stato == Servizio.Stato.RINUNCIA:
            return
        mese = max(first_of_month(s.data_inizio), self.finestra)
        questo = first_of_month(self.today)
        while mese < questo and mese <= s.data_fine:
            yield mese
            mese = add_months(mese, 1)

    def _chiusure(self) -> None:
        """Monthly closes: confirmed in the first days of the next month by most enti, later by
        some; the last month still only preliminarily confirmed by a few, or not at all."""
        rng = self.rng
        ultimo = add_months(first_of_month(self.today), -1)
        puntuale = {e.obj.pk: e.puntuale for e in self.enti}
        progetto_di_posto = {p.pk: p.progetto_id for p in self.posti}
        ente_di_progetto = {p.pk: p.ente_id for p in self.progetti}
        CM = ChiusuraMensile.Stato

        def righe():
            for s in self.servizi:
                in_orario = puntuale[ente_di_progetto[progetto_di_posto[s.posto_id]]]
                for mese in self._mesi_chiusi(s):
                    dopo = add_months(mese, 1)
                    r = rng.random()
                    if mese == ultimo and self.today.day <= 10:
                        if r < 0.03:
                            continue
                        stato = CM.CONFERMATA if r < 0.4 else CM.CONFERMA_PRELIMINARE
                        giorno = dopo.replace(day=rng.randint(1, max(1, self.today.day - 1)))
                    elif mese == ultimo and r < 0.02 + (0.1 if not in_orario else 0):
                        continue  # not closed yet: the 'month not confirmed' alert
                    else:
                        preliminare = r < (0.06 if mese == ultimo else 0.01)
                        tardi = (not in_orario and r < 0.5) or r > 0.96
                        giorno = dopo.replace(day=rng.randint(11, 27) if tardi else rng.randint(2, 9))
                        stato = CM.CONFERMA_PRELIMINARE if preliminare else CM.CONFERMATA
                    giorno = min(giorno, self.ieri)
                    prima = self._ora(giorno, rng.randint(9, 17))
                    confermata = (
                        prima + datetime.timedelta(hours=rng.randint(0, 30)) if stato == CM.CONFERMATA else None
                    )
                    if confermata is not None:
                        confermata = min(confermata, self.adesso)
                    yield (s.pk, mese, stato, prima, confermata)

        totale = sum(1 for s in self.servizi for _ in self._mesi_chiusi(s))
        self._copy(
            ChiusuraMensile,
            ["servizio_id", "mese", "stato", "conferma_preliminare_il", "confermata_il"],
            righe(),
            totale,
        )

    def _questionari_e_relazioni(self) -> None:
        """The questionnaires sent so far (most answered) and the OLP's monthly reports of
        the complete months of the window (most written)."""
        rng = self.rng
        today = self.today

        def questionari():
            for s in self.servizi:
                if s.stato == Servizio.Stato.RINUNCIA:
                    continue
                for tipo, giorno in momenti(s).items():
                    if giorno > today or giorno > s.data_fine:
                        continue
                    scadenza = giorno + datetime.timedelta(days=GIORNI_PER_COMPILARE)
                    quando = giorno + datetime.timedelta(days=rng.randint(1, 20))
                    if quando < today and rng.random() < 0.85:
                        base = rng.choice([3, 4, 4, 5])
                        voti = tuple(max(1, min(5, base + rng.choice([-1, 0, 0, 1]))) for _ in range(5))
                        yield (s.pk, tipo, giorno, scadenza, self._ora(quando, 18), *voti)
                    else:
                        yield (s.pk, tipo, giorno, scadenza, None, None, None, None, None, None)

        def relazioni():
            for s in self.servizi:
                for mese in self._mesi_chiusi(s):
                    if rng.random() < 0.9:
                        criticita = rng.random() < 0.03
                        nota = "Assenze ripetute da chiarire con il volontario." if criticita else ""
                        quando = self._ora(min(add_months(mese, 1).replace(day=rng.randint(1, 12)), self.ieri), 16)
                        yield (s.pk, mese, rng.choice([3, 4, 4, 5]), rng.choice([3, 4, 4, 5]), criticita, nota, quando)

        campi = ["attivita", "olp", "formazione", "accoglienza", "soddisfazione"]
        stima = sum(1 for s in self.servizi if s.stato != Servizio.Stato.RINUNCIA) * 2
        self._copy(
            Questionario,
            ["servizio_id", "tipo", "inviato_il", "scadenza", "compilato_il", *campi],
            questionari(),
            stima,
        )
        stima = int(sum(1 for s in self.servizi for _ in self._mesi_chiusi(s)) * 0.9)
        self._copy(
            RelazioneMensile,
            ["servizio_id", "mese", "andamento", "obiettivi", "criticita", "note", "compilata_il"],
            relazioni(),
            stima,
        )

    # --- write: histories, experts, networks, snapshots -------------------------------------

    def _storie(self) -> None:
        """The adhesion and assessment history behind each ente's and project's state."""
        A, P = Ente.StatoAdesione, Progetto.Stato

        def eventi_enti():
            for e in self.enti:
                ente = e.obj
                quando = ente.data_richiesta
                for prima, stato, motivo in storie.storia_ente(ente.stato_adesione):
                    if stato == A.ADERENTE:
                        quando = ente.data_adesione
                    elif stato == A.CESSATO:
                        quando = ente.data_cessazione
                    elif stato != A.RICHIESTA:
                        quando = min(quando + datetime.timedelta(days=5), self.ieri)
                    yield (ente.pk, prima, stato, motivo, self._ora(quando, 10))

        def eventi_progetti():
            for p in self.progetti:
                quando = p.creato_il
                passo = datetime.timedelta(days=20)
                for prima, stato, motivo in storie.storia_progetto(p.stato):
                    if stato == P.IN_CORSO:
                        quando = self._ora(p.data_avvio, 9)
                    elif stato == P.CONCLUSO:
                        quando = self._ora(fine_servizio(p.data_avvio, p.durata_mesi) + datetime.timedelta(days=1), 9)
                    else:
                        quando = min(quando + passo, self.adesso)
                    yield (p.pk, prima, stato, motivo, quando)

        colonne = ["ente_id", "da_stato", "a_stato", "motivo", "creato_il"]
        totale = sum(len(storie.PERCORSI_ENTI[e.obj.stato_adesione]) for e in self.enti)
        self._copy(EventoAdesione, colonne, eventi_enti(), totale)
        colonne = ["progetto_id", "da_stato", "a_stato", "motivo", "creato_il"]
        totale = sum(len(storie.PERCORSI_PROGETTI[p.stato]) for p in self.progetti)
        self._copy(EventoProgetto, colonne, eventi_progetti(), totale)

    def _esperti_e_reti(self) -> None:
        t = time.perf_counter()
        esperti = []
        per_nodo = defaultdict(list)
        for piano in self.scala.nodi:
            for k in range(max(3, piano.aderenti // 40)):
                nome, cognome, _s = self._persona()
                esperto = Esperto(
                    pk=self.ids[Esperto](),
                    nodo_id=self.nodi[piano.slug].pk,
                    nome=nome,
                    cognome=cognome,
                    email=f"esperto{self.n_persona}@rete.example",
                    formatore=k % 4 == 0,
                    selettore=k % 4 == 1,
                    esperto_monitoraggio=k % 4 == 2,
                    tutor=k % 4 == 3,
                    competenze=self.rng.choice(COMPETENZE_ESPERTI),
                    disponibilita_ore_mese=self.rng.choice([10, 20, 40]),
                )
                esperti.append(esperto)
                if esperto.esperto_monitoraggio:
                    per_nodo[piano.slug].append(esperto)
        incarichi = []
        for g in self.gruppi:
            pool = per_nodo[g.ente.nodo]
            if pool and self.rng.random() < 0.5:
                incarichi.append(
                    IncaricoEsperto(
                        progetto_id=g.progetto.pk,
                        ruolo=IncaricoEsperto.Ruolo.ESPERTO_MONITORAGGIO,
                        esperto_id=self.rng.choice(pool).pk,
                        stato=IncaricoEsperto.Stato.ASSEGNATO,
                        assegnato_il=self._ora(g.progetto.data_avvio, 12),
                    )
                )
        reti, membri = [], []
        tipi = list(ReteTerritoriale.Tipo)
        for piano in self.scala.nodi:
            aderenti = self.aderenti[piano.slug]
            for k in range(max(1, piano.aderenti // 150)):
                capofila = self.rng.choice(aderenti)
                tipo = tipi[k % len(tipi)]
                rete = ReteTerritoriale(
                    nome=f"{tipo.label.capitalize()} di {capofila.comune.nome} ({k + 1})",
                    tipo=tipo,
                    nodo_id=self.nodi[piano.slug].pk,
                )
                reti.append(rete)
                membri.append(self.rng.sample(aderenti, min(len(aderenti), 12)))
        with transaction.atomic():
            Esperto.objects.bulk_create(esperti, batch_size=2000)
            IncaricoEsperto.objects.bulk_create(incarichi, batch_size=2000)
            ReteTerritoriale.objects.bulk_create(reti, batch_size=2000)
            through = ReteTerritoriale.enti.through
            through.objects.bulk_create(
                [
                    through(reteterritoriale_id=r.pk, ente_id=e.obj.pk)
                    for r, m in zip(reti, membri, strict=True)
                    for e in m
                ],
                batch_size=5000,
            )
        n = len(esperti) + len(incarichi) + len(reti)
        self._misura("esperti, incarichi, reti", n, time.perf_counter() - t)

    def _istantanee_e_notizie(self) -> None:
        """A year of daily snapshots of the counters, as the nightly job would have kept them,
        computed from the plan with the counters' definitions (pubblico.counters.calcola)."""
        from pubblico.models import Istantanea, Notizia

        t = time.perf_counter()
        primo = self.today - datetime.timedelta(days=365)
        n = 365
        slugs = [p.slug for p in self.scala.nodi]
        adesioni = defaultdict(list)
        for e in self.enti:
            if e.obj.stato_adesione == Ente.StatoAdesione.ADERENTE:
                adesioni[e.nodo].append((e.obj.data_adesione - primo).days)
        for lista in adesioni.values():
            lista.sort()
        nodo_di_ente = {e.obj.pk: e.nodo for e in self.enti}
        ente_di_olp = {o.pk: o.ente_id for o in self.olp}
        volontari = {s: [0] * (n + 1) for s in slugs}
        olp_attivi = {s: [0] * (n + 1) for s in slugs}
        periodi_olp = defaultdict(list)
        for s in self.servizi:
            if s.stato == Servizio.Stato.RINUNCIA:
                continue
            a, b = max((s.data_inizio - primo).days, 0), min((s.data_fine - primo).days, n - 1)
            if a > b:
                continue
            slug = nodo_di_ente[ente_di_olp[s.olp_id]]
            volontari[slug][a] += 1
            volontari[slug][b + 1] -= 1
            periodi_olp[s.olp_id].append((a, b))
        for olp_id, periodi in periodi_olp.items():
            slug = nodo_di_ente[ente_di_olp[olp_id]]
            periodi.sort()
            a0, b0 = periodi[0]
            for a, b in [*periodi[1:], (n + 2, n + 2)]:
                if a > b0 + 1:
                    olp_attivi[slug][a0] += 1
                    olp_attivi[slug][b0 + 1] -= 1
                    a0, b0 = a, b
                else:
                    b0 = max(b0, b)
        istantanee = []
        corrente = {s: [0, 0] for s in slugs}
        for i in range(n):
            nodi = []
            for piano in self.scala.nodi:
                c = corrente[piano.slug]
                c[0] += volontari[piano.slug][i]
                c[1] += olp_attivi[piano.slug][i]
                enti = bisect.bisect_right(adesioni[piano.slug], i)
                nodi.append({"slug": piano.slug, "nome": piano.nome, "enti": enti, "olp": c[1], "volontari": c[0]})
            istantanee.append(
                Istantanea(
                    giorno=primo + datetime.timedelta(days=i),
                    enti=sum(x["enti"] for x in nodi),
                    olp=sum(x["olp"] for x in nodi),
                    volontari=sum(x["volontari"] for x in nodi),
                    nodi=nodi,
                )
            )
        notizie = [
            ("Aperto il nuovo bando per operatori volontari", "bench-nuovo-bando",
             "I giovani tra 18 e 28 anni possono candidarsi ai progetti dei Comuni della rete.", None, 3),
            ("Formazione generale: il calendario dei corsi", "bench-formazione-generale",
             "Le giornate di formazione generale organizzate dal nodo per i volontari avviati.", "lombardia", 12),
            ("Monitoraggio: online i nuovi indicatori", "bench-indicatori",
             "Il cruscotto mostra questionari, relazioni mensili degli OLP e criticità segnalate.", None, 25),
        ]  # fmt: skip
        with transaction.atomic():
            Istantanea.objects.bulk_create(istantanee)
            Notizia.objects.bulk_create(
                [
                    Notizia(
                        titolo=titolo, slug=slug, sommario=sommario, testo=sommario,
                        nodo=self.nodi.get(nodo) if nodo else None, pubblicata=True,
                        pubblicata_il=self._ora(self.today - datetime.timedelta(days=giorni), 9),
                    )
                    for titolo, slug, sommario, nodo, giorni in notizie
                ]
            )  # fmt: skip
        self._misura("istantanee, notizie", len(istantanee) + len(notizie), time.perf_counter() - t)

    def _utenti(self) -> None:
        """The demo's named accounts (README personas), so that benchmark scripts sign in as
        the same people at every scale."""
        from .demo import DemoBuilder

        t = time.perf_counter()
        demo = DemoBuilder(today=self.today, seed=self.seed)
        demo.nodi = self.nodi
        with transaction.atomic():
            demo._utenti_demo()
        self._misura("utenti demo", demo.stats["utenti"], time.perf_counter() - t)


# --- Entry points ---------------------------------------------------------------------------


def network_present() -> bool:
    return Ente.objects.exists()


def svuota() -> None:
    """Remove everything but reference data, as dati_esempio.demo.delete_demo does; the big
    tables, which nothing references, are truncated first (deleting 22 million rows one by
    one would take longer than writing them)."""
    from .demo import delete_demo

    tabelle = [m._meta.db_table for m in (RiepilogoMensile, Presenza, ChiusuraMensile, Questionario, RelazioneMensile)]
    with transaction.atomic(), connection.cursor() as c:
        c.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(t) for t in tabelle)}")
    delete_demo()


def build_bench(
    scala_: Scala | str = "national", *, today: datetime.date | None = None, seed: int = SEED, out=sys.stderr
) -> BenchBuilder:
    builder = BenchBuilder(scala_, today=today, seed=seed, out=out)
    builder.build()
    return builder
