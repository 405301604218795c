"""Faults: PostgreSQL restarts during traffic. It costs only the requests that need the
database while it is down (a fraction of a second), and leaves no half-written month nor a
broken index.

The test never touches the shared PostgreSQL: it starts a cluster of its own (initdb into a
temporary folder, fsync off), migrates it, serves the portal from it under gunicorn with the
production settings (persistent connections with health checks), sends a stream of requests
(public pages, and an OLP loading and saving whole months for two volunteers), restarts the
cluster mid-stream (`pg_ctl restart -m fast`), goes on, then checks the data."""

import datetime
import glob
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench.servizi import ambiente, aspetta, porta_libera
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
CSRF = ("guastipostgres" * 3)[:32]  # any 32 letters: the cookie and the form field must match
PRIMA, DOPO = 3.0, 4.0  # seconds of traffic at least before and after the restart
TOLLERANZA = 0.5  # seconds after the restart in which a request queued during it may still fail

PREPARA = r"""
import datetime, json
import django; django.setup()
from django.conf import settings
from django.test import Client
from django.utils import timezone
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari import rules
oggi = timezone.localdate()
mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
mondo = costruisci_mondo()
a = mondo.oggetti["servizi"]["a"]
a.data_inizio = oggi - datetime.timedelta(days=200)
a.data_fine = a.data_fine_prevista = oggi + datetime.timedelta(days=100)
a.save()
b = ServizioFactory(posto=a.posto, olp=a.olp, data_inizio=a.data_inizio, data_fine=a.data_fine,
                    data_fine_prevista=a.data_fine_prevista)
c = Client()
c.force_login(mondo.users["olp_a"])
print(json.dumps({
    "cookie": c.cookies[settings.SESSION_COOKIE_NAME].value,
    "mese": f"{mese:%Y-%m}",
    "servizi": {s.pk: [g.isoformat() for g in rules.giorni_di_servizio(s, mese)] for s in (a, b)},
}))
"""


def _bin() -> Path | None:
    cartelle = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for cartella in reversed(cartelle):
        if all((Path(cartella) / b).exists() for b in ("initdb", "pg_ctl", "pg_amcheck")):
            return Path(cartella)
    return None


class Cluster:
    """A PostgreSQL cluster of the test's own; as root, run as the postgres user (initdb
    refuses root)."""

    def __init__(self, bin_: Path, cartella: Path):
        self.bin, self.cartella, self.porta = bin_, cartella, porta_libera()
        self.dati = cartella / "dati"
        self.come = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.come:
            utente = pwd.getpwnam("postgres")
            os.chown(cartella, utente.pw_uid, utente.pw_gid)
        self.url = f"postgres://postgres@127.0.0.1:{self.porta}/postgres"

    def _pg(self, *args, **kwargs):
        return subprocess.run(
            [*self.come, *args], cwd=self.cartella, check=True, capture_output=True, text=True, **kwargs
        )

    def _opzioni(self) -> str:
        return f"-p {self.porta} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.cartella} -c fsync=off"

    def init(self):
        self._pg(
            str(self.bin / "initdb"), "-D", str(self.dati), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )

    def pg_ctl(self, azione: str, *extra):
        self._pg(str(self.bin / "pg_ctl"), "-D", str(self.dati), "-l", str(self.cartella / "log"), "-w",
                 *extra, "-o", self._opzioni(), azione)  # fmt: skip

    def amcheck(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / "pg_amcheck"), "-h", "127.0.0.1", "-p", str(self.porta), "-U", "postgres", "-d", "postgres",
             "--install-missing", "--heapallindexed"],
            capture_output=True, text=True,
        )  # fmt: skip


@contextmanager
def gunicorn(env: dict, log: Path):
    porta = porta_libera()
    with log.open("w") as errori:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "network.wsgi:application", "--bind", f"127.0.0.1:{porta}",
             "--workers", "2", "--timeout", "30", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errori,
        )  # fmt: skip
        base = f"http://127.0.0.1:{porta}"
        try:
            aspetta(base + "/bench/nudo/")
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def richiesta(url: str, *, dati: dict | None = None, cookie: str = "") -> tuple[float, float, int | str, str]:
    """(start, end, status or error class, body) of one request; never raises."""
    intestazioni = {"Cookie": cookie} if cookie else {}
    corpo = urllib.parse.urlencode(dati).encode() if dati is not None else None
    inizio = time.monotonic()
    try:
        r = urllib.request.Request(url, data=corpo, headers=intestazioni)  # noqa: S310 - loopback http only
        with urllib.request.urlopen(r, timeout=20) as r:  # noqa: S310
            return inizio, time.monotonic(), r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return inizio, time.monotonic(), e.code, ""
    except OSError as e:
        return inizio, time.monotonic(), type(e).__name__, ""


def test_a_postgresql_restart_costs_only_the_requests_in_flight(tmp_path):
    bin_ = _bin()
    need(bin_ is not None, "PostgreSQL server binaries (initdb, pg_ctl, pg_amcheck) are not installed")
    if os.geteuid() == 0:  # initdb refuses root
        need(shutil.which("runuser") is not None, "runuser is needed to run initdb as postgres")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            need(False, "there is no postgres user to run initdb as")
    cluster = Cluster(bin_, Path(tempfile.mkdtemp(prefix="scu-guasti-pg-")))
    env = ambiente(cluster.url, "")
    env["DJANGO_SETTINGS_MODULE"] = "tests.network.guasti_settings"
    try:
        cluster.init()
        cluster.pg_ctl("start")
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        preparato = subprocess.run([sys.executable, "-c", PREPARA], cwd=ROOT, env=env, check=True,
                                   capture_output=True, text=True)  # fmt: skip
        d = json.loads(preparato.stdout.strip().splitlines()[-1])
        with gunicorn(env, tmp_path / "gunicorn.log") as base:
            esiti, finestra = traffico(base, cluster, d)
        controlla_risposte(esiti, finestra, tmp_path / "gunicorn.log")
        controlla_dati(cluster, d, esiti)
    finally:
        subprocess.run([*cluster.come, str(cluster.bin / "pg_ctl"), "-D", str(cluster.dati), "-m", "immediate", "stop"],
                       cwd=cluster.cartella, capture_output=True)  # fmt: skip
        shutil.rmtree(cluster.cartella, ignore_errors=True)


def traffico(base: str, cluster: Cluster, d: dict):
    """Two visitors reading public pages and the OLP saving two volunteers' months, one
    thread each, until told to stop; PostgreSQL restarts in the middle."""
    fine = threading.Event()
    esiti: dict[str, list] = {}
    cookie = f"sessionid={d['cookie']}; csrftoken={CSRF}"
    griglia = f"{base}/registro/?mese={d['mese']}"

    def visitatore(nome, pagine):
        esiti[nome] = []
        while not fine.is_set():
            for p in pagine:
                esiti[nome].append((*richiesta(base + p)[:3], "get", None))

    def olp(pk: str, giorni: list[str]):
        esiti[pk] = []
        i = 0
        while not fine.is_set():
            inizio, termine, stato, html = richiesta(griglia, cookie=cookie)
            esiti[pk].append((inizio, termine, stato, "get", None))
            versione = re.search(rf'name="ver-{pk}" value="([^"]*)"', html)
            if stato != 200 or versione is None:
                continue
            ore = ("5", "4")[i % 2]
            campi = {"mese": d["mese"], "csrfmiddlewaretoken": CSRF, f"ver-{pk}": versione.group(1)}
            for g in map(datetime.date.fromisoformat, giorni):
                chiave = f"{pk}-{g:%Y%m%d}"
                feriale = g.weekday() < 5
                campi |= {f"c-{chiave}": "P" if feriale else "NL", f"o-{chiave}": ore if feriale else "",
                          f"a-{chiave}": "servizio"}  # fmt: skip
            inizio, termine, stato, html = richiesta(griglia, dati=campi, cookie=cookie)
            # "Salvato: 21 giorni inseriti.", or "Niente da salvare" when the month already held
            # these hours (a save before it committed though its answer was lost).
            scritti = re.search(r"Salvato: (\d+) giorn[oi]", html)
            n = int(scritti.group(1)) if scritti else (0 if "Niente da salvare" in html else None)
            esiti[pk].append((inizio, termine, stato, ore, n))
            i += 1

    fili = [
        threading.Thread(target=visitatore, args=("pubbliche", ["/", "/dati/v1/contatori.json"])),
        threading.Thread(target=visitatore, args=("rete", ["/rete/", "/numeri/"])),
        *[threading.Thread(target=olp, args=(pk, giorni)) for pk, giorni in d["servizi"].items()],
    ]
    nomi = ["pubbliche", "rete", *d["servizi"]]

    def finche(condizione, minimo: float, massimo: float = 120) -> None:
        """Let the traffic run at least `minimo` seconds and until `condizione()` holds, as long
        as a loaded machine needs (up to `massimo`): a fixed time was a race with the load."""
        inizio = time.monotonic()
        while time.monotonic() - inizio < massimo:
            if time.monotonic() - inizio >= minimo and condizione():
                return
            time.sleep(0.05)

    for f in fili:
        f.start()
    finche(lambda: all(any(e[2] == 200 for e in list(esiti.get(n, []))) for n in nomi), PRIMA)
    t0 = time.monotonic()
    cluster.pg_ctl("restart", "-m", "fast")
    t1 = time.monotonic()
    finche(
        lambda: all(
            sum(1 for e in list(esiti.get(n, [])) if e[2] == 200 and e[0] > t1 + TOLLERANZA) >= 2 for n in nomi
        ),
        DOPO,
    )
    fine.set()
    for f in fili:
        f.join(30)
    return esiti, (t0, t1)


def controlla_risposte(esiti: dict, finestra: tuple[float, float], log: Path) -> None:
    t0, t1 = finestra
    tutte = [(nome, *e) for nome, lista in esiti.items() for e in lista]
    assert any(e[1] <= t1 and e[2] >= t0 for e in tutte), "no request was in flight during the restart"
    fallite = [e for e in tutte if e[3] != 200]
    # Every failure was in flight while the server restarted ...
    fuori = [e for e in fallite if not (e[1] <= t1 + TOLLERANZA and e[2] >= t0)]
    assert not fuori, (fuori, finestra, log.read_text()[-3000:])
    # ... and traffic went on around the restart: each stream answered before it and after it.
    for nome, lista in esiti.items():
        assert any(e[2] == 200 and e[1] < t0 for e in lista), nome
        assert sum(1 for e in lista if e[2] == 200 and e[0] > t1 + TOLLERANZA) >= 2, nome


def controlla_dati(cluster: Cluster, d: dict, esiti: dict) -> None:
    import psycopg

    mese = datetime.date.fromisoformat(d["mese"] + "-01")
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        for pk, giorni in d["servizi"].items():
            salvataggi = [e for e in esiti[pk] if e[3] != "get"]
            riusciti = [e for e in salvataggi if e[2] == 200]
            ultimo = salvataggi[-1]
            assert ultimo[2] == 200, ultimo  # after the restart, so it must have succeeded
            righe = conn.execute(
                "SELECT codice, ore FROM volontari_presenza WHERE servizio_id = %s AND giorno >= %s AND giorno < %s",
                [int(pk), mese, (mese + datetime.timedelta(days=32)).replace(day=1)],
            ).fetchall()
            # The whole month, from one save: no half-written month, nothing mixed.
            assert len(righe) == len(giorni), (pk, len(righe), len(giorni))
            assert {str(int(ore)) for codice, ore in righe if codice == "P"} == {ultimo[3]}, pk
            # One audit event per committed save that wrote days, with the count the answer
            # reported; saves in flight during the restart may have committed or not.
            eventi = [
                n for (n,) in conn.execute(
                    "SELECT (data->>'giorni')::int FROM accounts_auditevent"
                    " WHERE verb = 'presenze.salvate' AND target_id = %s ORDER BY id",
                    [pk],
                )
            ]  # fmt: skip
            riportati = [e[4] for e in riusciti if e[4]]
            assert all(e[4] is not None for e in riusciti), riusciti
            in_volo = len(salvataggi) - len(riusciti)
            assert len(riportati) <= len(eventi) <= len(riportati) + in_volo, (pk, eventi, riportati, in_volo)
            if not in_volo:
                assert eventi == riportati, (pk, eventi, riportati)
            assert sum(riportati) <= sum(eventi) <= sum(riportati) + in_volo * len(giorni), (pk, eventi, riportati)
        (doppi,) = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM volontari_presenza GROUP BY servizio_id, giorno HAVING count(*) > 1) x"
        ).fetchone()
        assert doppi == 0
    # Tables and indexes are sound (heap and B-tree checks, every index entry found in its table).
    controllo = cluster.amcheck()
    assert controllo.returncode == 0, controllo.stdout + controllo.stderr
