"""The soak of `make bench` (`bench/run.py --only soak`): at national scale, 50 OLP sessions
at once, each saving its volunteers' months through HTTP (gunicorn, production settings)
for 60 s, every OLP on a different month at any moment. The run fails on any error (an answer
other than 200, a refused cell, a stale-version refusal, a socket error) and checks afterwards
that every row of every save is in the database as last saved. It works on a copy of the
national database (`CREATE DATABASE scu_soak TEMPLATE scu_bench`, about 3 GB), dropped at the
end: the copy gets 50 OLP accounts and its last months reopened.

Each save posts the whole month grid as the page shows it, with one day per volunteer changed
(its hours moved by half an hour and back), as an OLP correcting a month does.
"""

import datetime
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from http.cookiejar import CookieJar

from bench.servizi import ambiente, gunicorn

MESI = 6  # the months before the current one that each OLP saves in turn

PREPARAZIONE = r"""
import datetime, json, sys
import django; django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min
from django.test import Client
from django.utils import timezone
from enti.models import Olp
from volontari.models import ChiusuraMensile, Servizio
n, quanti_mesi = int(sys.argv[1]), int(sys.argv[2])
oggi = timezone.localdate()
mesi, m = [], oggi.replace(day=1)
for _ in range(quanti_mesi):
    m = (m - datetime.timedelta(days=1)).replace(day=1)
    mesi.append(m)
mesi.reverse()
# OLP whose volunteers were in service through all these months (whole months to save).
olp = list(
    Olp.objects.filter(user__isnull=True, servizi__data_inizio__lte=mesi[0], servizi__data_fine__gte=oggi,
                       servizi__stato="in_servizio")
    .annotate(n=Count("servizi")).filter(n__gte=2).order_by("-n", "pk")[:n]
)
assert len(olp) == n, f"only {len(olp)} OLP fit"
User = get_user_model()
out = []
for i, o in enumerate(olp):
    user = User.objects.create_user(email=f"olp.soak.{i}@bench.example", password=None)
    o.user = user
    o.save(update_fields=["user"])
    servizi = Servizio.objects.filter(olp=o, data_fine__gte=mesi[0]).values_list("pk", flat=True)
    ChiusuraMensile.objects.filter(servizio_id__in=list(servizi), mese__in=mesi).delete()  # open again
    c = Client(HTTP_HOST="localhost"); c.force_login(user)
    out.append({"cookie": c.cookies[settings.SESSION_COOKIE_NAME].value, "olp": o.pk,
                "volontari": len(servizi)})
print(json.dumps({"sessioni": out, "mesi": [f"{m:%Y-%m}" for m in mesi]}))
"""

VERIFICA = r"""
import datetime, json, sys
from decimal import Decimal
import django; django.setup()
from volontari.models import Presenza
atteso = json.load(open(sys.argv[1]))
chiavi = {}
for k, v in atteso.items():
    pk, g = k.split("-")
    chiavi[(int(pk), datetime.datetime.strptime(g, "%Y%m%d").date())] = v
servizi = {pk for pk, _ in chiavi}
righe = {}
for pk, giorno, codice, ore, attivita in Presenza.objects.filter(servizio_id__in=servizi).values_list(
        "servizio_id", "giorno", "codice", "ore", "attivita").iterator(chunk_size=10000):
    righe[(pk, giorno)] = (codice, ore, attivita)
mancanti = diversi = 0
for chiave, (codice, ore, attivita) in chiavi.items():
    riga = righe.get(chiave)
    if not codice:
        diversi += riga is not None
        continue
    if riga is None:
        mancanti += 1
    elif riga != (codice, Decimal(ore), attivita):
        diversi += 1
print(json.dumps({"controllate": len(chiavi), "scritte": sum(1 for v in chiavi.values() if v[0]),
                  "mancanti": mancanti, "diverse": diversi}))
"""

CELLA = re.compile(r'name="c-(\d+-\d{8})" id="c-\1" value="([^"]*)"')
ORE = re.compile(r'name="o-(\d+-\d{8})" value="([^"]*)"')
ATTIVITA = re.compile(r'<select name="a-(\d+-\d{8})"[^>]*>(.*?)</select>', re.S)
SCELTA = re.compile(r'<option value="([^"]*)" selected>')
VERSIONE = re.compile(r'name="(ver-\d+)" value="([^"]*)"')


def _celle(html: str) -> dict[str, list[str]]:
    """The open cells of a month grid as the page shows them: key -> [code, hours, activity]."""
    celle = {k: [v, "", ""] for k, v in CELLA.findall(html)}
    for k, v in ORE.findall(html):
        if k in celle:
            celle[k][1] = v
    for k, opzioni in ATTIVITA.findall(html):
        scelta = SCELTA.search(opzioni)
        if k in celle and scelta:
            celle[k][2] = scelta.group(1)
    return celle


def _numero(ore: str) -> Decimal:
    return Decimal(ore.replace(",", ".")) if ore else Decimal(0)


def _testo(ore: Decimal) -> str:
    return format(ore.normalize(), "f").replace(".", ",")


class Olp(threading.Thread):
    """One OLP: open the month's grid, save it with one day per volunteer changed, next month."""

    def __init__(self, base: str, cookie: str, mesi: list[str], inizio: int, fine: float, barriera):
        super().__init__(daemon=True)
        self.base, self.cookie, self.mesi, self.inizio, self.fine = base, cookie, mesi, inizio, fine
        self.barriera = barriera
        self.salvataggi, self.aperture, self.errori = [], [], []
        self.originali: dict[str, Decimal] = {}
        self.atteso: dict[str, tuple[str, str, str]] = {}

    def _apri(self, url: str, dati: bytes | None = None, intestazioni=None):
        intestazioni = {"Cookie": self.intestazione, **(intestazioni or {})}
        richiesta = urllib.request.Request(url, data=dati, headers=intestazioni)
        try:
            risposta = urllib.request.urlopen(richiesta, timeout=60)
            return risposta.status, risposta.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def run(self):
        url0 = f"{self.base}/registro/?mese={self.mesi[0]}"
        primo = urllib.request.urlopen(urllib.request.Request(url0, headers={"Cookie": f"sessionid={self.cookie}"}))
        jar = CookieJar()
        jar.extract_cookies(primo, urllib.request.Request(url0))
        self.csrf = next(c.value for c in jar if c.name == "csrftoken")
        self.intestazione = f"sessionid={self.cookie}; csrftoken={self.csrf}"
        self.barriera.wait()
        i = self.inizio
        while time.monotonic() < self.fine:
            mese = self.mesi[i % len(self.mesi)]
            i += 1
            url = f"{self.base}/registro/?mese={mese}"
            try:
                t = time.perf_counter()
                stato, html = self._apri(url)
                self.aperture.append((time.perf_counter() - t) * 1000)
                if stato != 200 or 'id="griglia"' not in html:
                    self.errori.append(f"GET {mese}: {stato}")
                    continue
                celle = _celle(html)
                campi = {"mese": mese, "csrfmiddlewaretoken": self.csrf, **dict(VERSIONE.findall(html))}
                cambiati = set()
                for k, (codice, ore, attivita) in sorted(celle.items()):
                    pk = k.split("-")[0]
                    if codice == "P" and attivita == "servizio" and pk not in cambiati and _numero(ore) >= 1:
                        orig = self.originali.setdefault(k, _numero(ore))
                        ore = _testo(orig - Decimal("0.5") if _numero(ore) == orig else orig)
                        cambiati.add(pk)
                    campi[f"c-{k}"], campi[f"o-{k}"], campi[f"a-{k}"] = codice, ore, attivita
                corpo = urllib.parse.urlencode(campi).encode()
                t = time.perf_counter()
                stato, html = self._apri(url, corpo, {"X-CSRFToken": self.csrf, "Referer": url})
                self.salvataggi.append((time.perf_counter() - t) * 1000)
                if stato != 200 or "alert-success" not in html or "cella-errore" in html:
                    motivi = re.findall(r'<p class="mb-[01]">(?:<strong>)?([^<]*)', html)[:4]
                    self.errori.append(f"POST {mese}: {stato} {motivi}")
                    continue
                for k in celle:
                    c, o, a = campi[f"c-{k}"], campi[f"o-{k}"], campi[f"a-{k}"]
                    self.atteso[k] = (c, str(_numero(o)) if c == "P" else "0", a if c == "P" else "")
            except OSError as exc:  # a refused or dropped connection, a timeout
                self.errori.append(f"{mese}: {exc}")


def soak(pg: str, redis: str, root, *, n_olp: int = 50, secondi: int = 60, workers: int = 4, log=print) -> dict:
    copia = f"{pg}/scu_soak"
    for tentativo in range(90):  # other runs of the bench may be reading scu_bench
        subprocess.run(["psql", f"{pg}/postgres", "-qc", "DROP DATABASE IF EXISTS scu_soak"], check=True)
        r = subprocess.run(["psql", f"{pg}/postgres", "-qc", "CREATE DATABASE scu_soak TEMPLATE scu_bench"],
                           capture_output=True, text=True)  # fmt: skip
        if r.returncode == 0:
            break
        log(f"soak: copy of scu_bench not possible yet ({r.stderr.strip()}); retry {tentativo + 1}")
        time.sleep(10)
    else:
        raise RuntimeError("scu_bench stayed busy: no copy for the soak")
    try:
        r = subprocess.run([sys.executable, "-c", PREPARAZIONE, str(n_olp), str(MESI)], cwd=root,
                           env=ambiente(copia, redis), capture_output=True, text=True, check=True)  # fmt: skip
        prep = json.loads(r.stdout.strip().splitlines()[-1])
        with gunicorn(copia, redis, workers=workers) as base:
            fine_prevista = time.monotonic() + 10**6
            barriera = threading.Barrier(n_olp + 1)
            olp = [
                Olp(base, s["cookie"], prep["mesi"], i, fine_prevista, barriera) for i, s in enumerate(prep["sessioni"])
            ]
            for o in olp:
                o.start()
            barriera.wait()
            inizio = time.monotonic()
            for o in olp:
                o.fine = inizio + secondi
            for o in olp:
                o.join()
            durata = time.monotonic() - inizio
        atteso = {k: v for o in olp for k, v in o.atteso.items()}
        with open(root / "bench" / ".soak-atteso.json", "w") as f:
            json.dump(atteso, f)
        r = subprocess.run([sys.executable, "-c", VERIFICA, str(root / "bench" / ".soak-atteso.json")], cwd=root,
                           env=ambiente(copia, redis), capture_output=True, text=True, check=True)  # fmt: skip
        verifica = json.loads(r.stdout.strip().splitlines()[-1])
        (root / "bench" / ".soak-atteso.json").unlink()
    finally:
        subprocess.run(["psql", f"{pg}/postgres", "-qc", "DROP DATABASE IF EXISTS scu_soak"], check=False)
    salvataggi = sorted(x for o in olp for x in o.salvataggi)
    aperture = sorted(x for o in olp for x in o.aperture)
    errori = [e for o in olp for e in o.errori]
    for e in errori[:10]:
        log(f"soak error: {e}")

    def quantile(v, q):
        return v[min(len(v) - 1, round(q * (len(v) - 1)))] if v else 0

    return {
        "olp": n_olp,
        "volontari": sum(s["volontari"] for s in prep["sessioni"]),
        "mesi": prep["mesi"],
        "secondi": round(durata, 1),
        "workers": workers,
        "salvataggi": len(salvataggi),
        "salvataggi_al_secondo": len(salvataggi) / durata,
        "salva_med": quantile(salvataggi, 0.5),
        "salva_p95": quantile(salvataggi, 0.95),
        "salva_max": salvataggi[-1] if salvataggi else 0,
        "apri_med": quantile(aperture, 0.5),
        "apri_p95": quantile(aperture, 0.95),
        "errori": len(errori),
        "esempi_errori": errori[:5],
        **{f"righe_{k}": v for k, v in verifica.items()},
        "giorno": datetime.date.today().isoformat(),
    }


def sezione(s: dict) -> list[str]:
    """The soak's lines of docs/benchmarks.md."""
    esito = "holds" if s["errori"] == 0 and s["righe_mancanti"] == 0 and s["righe_diverse"] == 0 else "**missed**"
    return [
        "## Soak: 50 OLP saving months at once (national database, through HTTP)",
        "",
        f"{s['olp']} OLP sessions ({s['volontari']} volunteers) at once for {s['secondi']:.0f} s against gunicorn "
        f"with {s['workers']} workers (production settings) on a copy of the national database; each OLP opens a "
        f"month's grid and saves it with one day per volunteer changed, then the next month, cycling through "
        f"{s['mesi'][0]} to {s['mesi'][-1]} from a different month than the others (`bench/soak.py`, "
        "`bench/run.py --only soak`).",
        "",
        "| saves | saves/s | save median (ms) | save p95 (ms) | save max (ms) | grid p95 (ms) | errors | "
        "rows checked afterwards | missing or different | budget: 0 errors, every row present |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        f"| {s['salvataggi']:,} | {s['salvataggi_al_secondo']:.1f} | {s['salva_med']:.0f} | {s['salva_p95']:.0f} | "
        f"{s['salva_max']:.0f} | {s['apri_p95']:.0f} | {s['errori']} | {s['righe_controllate']:,} "
        f"({s['righe_scritte']:,} with a code) | {s['righe_mancanti'] + s['righe_diverse']} | {esito} |",
        "",
    ]
