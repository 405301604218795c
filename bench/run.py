"""`make bench`: the benchmark suite. Every figure is the median of several runs and is set
against a baseline measured in the same run, on the same machine, so that the ratio means
something even when absolute times drift. Results go to docs/benchmarks.md.

    .venv/bin/python bench/run.py [--runs 3] [--seconds 8]

Needs PostgreSQL and Redis (started by `make bench` if down), wrk and nginx (installed by
`make bench` if missing). Builds the national-size database `scu_bench` and the demo-size
`scu_bench_demo` with `seed_bench` the first time (about 4 minutes); later runs reuse them.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
# Another database of the same shape (a copy made with CREATE DATABASE ... TEMPLATE, with a
# branch's migrations applied) can stand in for either: BENCH_DB_NAZIONALE (or BENCH_DB) and
# BENCH_DB_DEMO. The run migrates the databases it uses.
NAZIONALE = f"{PG}/{os.environ.get('BENCH_DB_NAZIONALE') or os.environ.get('BENCH_DB', 'scu_bench')}"
DEMO = f"{PG}/{os.environ.get('BENCH_DB_DEMO', 'scu_bench_demo')}"

from bench import soak as soak_  # noqa: E402
from bench.servizi import ambiente, gunicorn, nginx, wrk  # noqa: E402


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def manage(database_url: str, *args, cattura=False) -> str:
    r = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=ambiente(database_url, REDIS), check=True,
        capture_output=cattura, text=True,
    )  # fmt: skip
    return r.stdout if cattura else ""


def psql(database_url: str, sql: str) -> str:
    base, nome = database_url.rsplit("/", 1)
    r = subprocess.run(
        ["psql", f"{base}/{nome}", "-tAc", sql], capture_output=True, text=True, check=False
    )  # fmt: skip
    return r.stdout.strip() if r.returncode == 0 else ""


def prepara(database_url: str, scala: str) -> None:
    """Create, migrate and seed the database once; reuse it afterwards."""
    base, nome = database_url.rsplit("/", 1)
    esiste = subprocess.run(["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{nome}'"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    if esiste != "1":
        subprocess.run(["psql", f"{base}/postgres", "-c", f"CREATE DATABASE {nome}"], check=True, capture_output=True)
    manage(database_url, "migrate", "--noinput", "-v0")
    if (psql(database_url, "SELECT count(*) FROM enti_ente") or "0") == "0":
        log(f"seeding {nome} at {scala} scale (first run only)")
        manage(database_url, "seed_bench", "--scale", scala, "--no-progress")
    # A database seeded before the register's rollup existed: build it once.
    if (psql(database_url, "SELECT count(*) FROM volontari_riepilogomensile") or "0") == "0" and (
        psql(database_url, "SELECT 1 FROM volontari_presenza LIMIT 1") == "1"
    ):
        log(f"building the register's rollup of {nome} (first run only)")
        manage(database_url, "ricostruisci_riepiloghi")
        psql(database_url, "ANALYZE volontari_riepilogomensile")


def mediana(valori):
    return statistics.median(valori)


def p95(valori):
    ordinati = sorted(valori)
    return ordinati[min(len(ordinati) - 1, round(0.95 * (len(ordinati) - 1)))]


# 1. Public counters under load ---------------------------------------------------------------


def istruzioni_sql(cartella: Path) -> int:
    """SQL statements the workers sent so far (bench/urls.py writes one line per statement)."""
    return sum(len(f.read_text().splitlines()) for f in cartella.iterdir())


def contatori(args) -> dict:
    out = {}
    cartella = Path(tempfile.mkdtemp(prefix="bench-sql-"))
    with gunicorn(NAZIONALE, REDIS, workers=2, env_extra={"BENCH_SQL_DIR": str(cartella)}) as base:
        home = urllib.request.urlopen(base + "/").read()  # warms the cache too
        urllib.request.urlopen(base + "/dati/v1/contatori.json").read()
        url = {"nudo": base + "/bench/nudo/", "home": base + "/", "contatori": base + "/dati/v1/contatori.json"}
        risultati = {k: [] for k in ("nudo", "home", "contatori", "nginx")}
        sql = {}
        with nginx(home) as statico:
            url["nginx"] = statico
            for giro in range(args.runs):
                for k in ("nudo", "home", "contatori", "nginx"):
                    prima = istruzioni_sql(cartella)
                    r = wrk(url[k], secondi=args.seconds)
                    if k in ("home", "contatori"):
                        sql[k] = max(sql.get(k, 0), istruzioni_sql(cartella) - prima)
                    assert r["non_2xx"] == 0 and r["socket_errors"] == 0, (k, r)
                    risultati[k].append(r["rps"])
                    log(f"wrk {k} run {giro + 1}: {r['rps']:.0f} req/s")
        for k, v in risultati.items():
            out[k] = mediana(v)
        out["sql_home"], out["sql_contatori"] = sql.get("home"), sql.get("contatori")
    return out


# 2. Indicators against hand-written SQL -------------------------------------------------------


def indicatori(args) -> list[dict]:
    codice = r"""
import json, statistics, sys, time, datetime
import django; django.setup()
from django.db.models import Count
from django.utils import timezone
from enti.models import Nodo
from monitoraggio import indicatori
from bench.indicatori_sql import calcola_sql, come_calcola
runs = int(sys.argv[1])
oggi = timezone.localdate(); a = oggi.replace(day=1) - datetime.timedelta(days=1); da = a.replace(day=1)
grande = Nodo.objects.annotate(n=Count("enti")).order_by("-n").first()
out = []
for nome, nodo in (("rete", None), (grande.nome, grande)):
    servizi = indicatori.servizi_ambito(nodo=nodo) if nodo else indicatori.servizi_ambito()
    t_orm, t_sql, per_query = [], [], []
    for _ in range(runs):
        t = time.perf_counter(); orm = indicatori.calcola(servizi, da, a, oggi); t_orm.append(time.perf_counter() - t)
        t = time.perf_counter(); sql, tempi = calcola_sql(nodo.pk if nodo else None, da, a, oggi)
        t_sql.append(time.perf_counter() - t); per_query.append(tempi)
    assert come_calcola(orm) == sql, (nome, come_calcola(orm), sql)
    out.append({"ambito": nome, "orm": statistics.median(t_orm), "sql": statistics.median(t_sql),
                "query": {k: statistics.median(p[k] for p in per_query) for k in per_query[0]},
                "volontari": sql["volontari"]})
print(json.dumps(out))
"""
    r = subprocess.run([sys.executable, "-c", codice, str(args.runs)], cwd=ROOT, env=ambiente(NAZIONALE, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


# 3. PDF reports: time and peak memory --------------------------------------------------------


def report(args) -> list[dict]:
    out = []
    for tipo in ("ente", "nodo"):
        tempi, memorie, cpu, carichi = [], [], [], []
        for _ in range(args.runs):
            r = subprocess.run([sys.executable, "bench/report_nodo.py", "--runs", "1", "--tipo", tipo, "--json"],
                               cwd=ROOT, env=ambiente(NAZIONALE, REDIS), capture_output=True, text=True, check=True)  # fmt: skip
            d = json.loads(r.stdout.strip().splitlines()[-1])
            tempi.append(d["secondi"])
            memorie.append(d["picco_mib"])
            cpu.append(d["cpu_s"])
            carichi.append(d["carico"])
            nome = d["ambito"]
        out.append({"tipo": tipo, "ambito": nome, "secondi": mediana(tempi), "picco_mib": max(memorie),
                    "cpu_s": mediana(cpu), "carico": max(carichi)})  # fmt: skip
        log(f"report {tipo} {nome}: {mediana(tempi):.1f} s, CPU {mediana(cpu):.1f} s, load {max(carichi):.1f}, "
            f"{max(memorie)} MiB")  # fmt: skip
    return out


# 4. The register: month grid and month save through HTTP --------------------------------------


def registro(args, n=100) -> dict:
    """The demo OLP (4 volunteers) loads the month grid and saves the whole previous month,
    alternating two valid fillings so that every save writes rows."""
    import re

    preparazione = r"""
import datetime, json
import django; django.setup()
from django.test import Client
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from volontari.models import ChiusuraMensile, Servizio
user = get_user_model().objects.get(email="olp@demo.example")
oggi = timezone.localdate(); mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
servizi = list(Servizio.objects.filter(olp__user=user, data_inizio__lte=mese, data_fine__gte=oggi).values_list("pk", flat=True))
ChiusuraMensile.objects.filter(servizio_id__in=servizi, mese=mese).delete()  # the month is open again
c = Client(); c.force_login(user)
print(json.dumps({"cookie": c.cookies[settings.SESSION_COOKIE_NAME].value, "mese": f"{mese:%Y-%m}", "servizi": servizi}))
"""
    carichi = [os.getloadavg()[0]]  # the machine's load average: how noisy the figures are
    r = subprocess.run([sys.executable, "-c", preparazione], cwd=ROOT, env=ambiente(NAZIONALE, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    d = json.loads(r.stdout.strip().splitlines()[-1])
    mese = datetime.datetime.strptime(d["mese"], "%Y-%m").date()
    giorni = [
        mese + datetime.timedelta(days=i) for i in range(31) if (mese + datetime.timedelta(days=i)).month == mese.month
    ]
    with gunicorn(NAZIONALE, REDIS, workers=2) as base:
        # Cookies by hand: the session of the preparation plus the CSRF cookie of the first page.
        url = f"{base}/registro/?mese={d['mese']}"
        primo = urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": f"sessionid={d['cookie']}"}))
        jar = CookieJar()
        jar.extract_cookies(primo, urllib.request.Request(url))
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={d['cookie']}; csrftoken={csrf}")]
        carica, salva, nudo = [], [], []
        html = ""
        for _ in range(n):
            # The bare view with the same cookies, interleaved: the floor of any request here.
            t = time.perf_counter()
            opener.open(f"{base}/bench/nudo/").read()
            nudo.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            html = opener.open(url).read().decode()
            carica.append((time.perf_counter() - t) * 1000)
            assert 'id="griglia"' in html, "the session cookie did not open the month grid"
        for i in range(n):
            campi = {"mese": d["mese"], "csrfmiddlewaretoken": csrf}
            for pk in d["servizi"]:
                ver = re.search(rf'name="ver-{pk}" value="([^"]*)"', html)
                campi[f"ver-{pk}"] = ver.group(1) if ver else ""
                for g in giorni:
                    chiave = f"{pk}-{g:%Y%m%d}"
                    if g.weekday() >= 5:
                        campi[f"c-{chiave}"], campi[f"o-{chiave}"] = "NL", ""
                    else:
                        ore = "4.5" if (g.weekday() == 4 and i % 2) else "5"
                        campi[f"c-{chiave}"], campi[f"a-{chiave}"], campi[f"o-{chiave}"] = "P", "servizio", ore
            corpo = urllib.parse.urlencode(campi).encode()
            richiesta = urllib.request.Request(url, data=corpo, headers={"X-CSRFToken": csrf, "Referer": url})
            t = time.perf_counter()
            risposta = opener.open(richiesta)
            html = risposta.read().decode()
            salva.append((time.perf_counter() - t) * 1000)
            assert risposta.status == 200 and "is-invalid" not in html, html[:2000]
            if i % 20 == 0:
                carichi.append(os.getloadavg()[0])
    carichi.append(os.getloadavg()[0])
    return {"carica_med": mediana(carica), "carica_p95": p95(carica), "salva_med": mediana(salva),
            "salva_p95": p95(salva), "nudo_med": mediana(nudo), "nudo_p95": p95(nudo), "n": n,
            "carico_macchina": [min(carichi), max(carichi)],
            "volontari": len(d["servizi"]), "giorni": len(giorni)}  # fmt: skip


# 5. CSV import of a month for an ente with 100 volunteers -------------------------------------


def importazione(args) -> dict:
    codice = r"""
import datetime, json, statistics, sys, time
import django; django.setup()
from django.db.models import Count
from django.contrib.auth import get_user_model
from django.utils import timezone
from enti.models import Ente, Membership
from volontari import helios
from volontari.models import ChiusuraMensile, Servizio
runs = int(sys.argv[1])
oggi = timezone.localdate(); mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
fine = oggi.replace(day=1) - datetime.timedelta(days=1)
ente = (Ente.objects.filter(sedi__posti__servizi__stato="in_servizio").annotate(n=Count("sedi__posti__servizi"))
        .filter(n__gte=100).order_by("n").first())
servizi = list(Servizio.objects.filter(posto__sede__ente=ente, data_inizio__lte=mese, data_fine__gte=fine)
               .select_related("volontario").order_by("pk")[:100])
ChiusuraMensile.objects.filter(servizio__in=servizi, mese=mese).delete()
User = get_user_model()
user, _ = User.objects.get_or_create(email=f"bench.import.{ente.pk}@bench.example")
Membership.objects.get_or_create(user=user, ente=ente, ruolo="referente", defaults={"attiva": True})
righe = ["CodiceVolontario;Cognome;Nome;Giorno;Causale;Note"]
g = mese
while g <= fine:
    for s in servizi:
        causale = "NL" if g.weekday() >= 5 else "P"
        righe.append(f"{s.volontario.codice_volontario};{s.volontario.cognome};{s.volontario.nome};{g:%d/%m/%Y};{causale};")
    g += datetime.timedelta(days=1)
dati = ("\r\n".join(righe) + "\r\n").encode()
tempi = []
for _ in range(runs):
    t = time.perf_counter(); n = helios.importa_presenze(acting_user=user, ente=ente, dati=dati)
    tempi.append(time.perf_counter() - t)
print(json.dumps({"ente": ente.denominazione, "volontari": len(servizi), "righe": len(righe) - 1,
                  "secondi": statistics.median(tempi), "primo": tempi[0]}))
"""
    r = subprocess.run([sys.executable, "-c", codice, str(args.runs)], cwd=ROOT, env=ambiente(NAZIONALE, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


# 7. A bounded load run: public pages and the month grid, no errors allowed -------------------


def sessione_olp(database_url: str) -> tuple[str, str]:
    """A signed-in session of the demo OLP (cookie value) and last month as YYYY-MM."""
    codice = r"""
import datetime, json
import django; django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
oggi = timezone.localdate(); mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
c = Client(HTTP_HOST="localhost"); c.force_login(get_user_model().objects.get(email="olp@demo.example"))
print(json.dumps({"cookie": c.cookies[settings.SESSION_COOKIE_NAME].value, "mese": f"{mese:%Y-%m}"}))
"""
    r = subprocess.run([sys.executable, "-c", codice], cwd=ROOT, env=ambiente(database_url, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    d = json.loads(r.stdout.strip().splitlines()[-1])
    return d["cookie"], d["mese"]


PAGINE_CARICO = ["/", "/rete/", "/rete/lombardia/", "/numeri/", "/notizie/", "/dati/", "/dati/v1/contatori.json",
                 "/dati/v1/storico.csv", "/catalogo/"]  # fmt: skip


def carico(args) -> dict:
    """wrk (2 threads, 16 connections) on each public page, then on the OLP's month grid with
    a session cookie; every answer must be a 2xx with no socket errors. Then the grid and the
    bare view `/bench/nudo/` (with the same cookie) in turns, `args.runs` times each: the
    grid's throughput as a share of the bare view's, both measured in this run."""
    cookie, mese = sessione_olp(NAZIONALE)
    out = []
    rapporto = {"nudo": [], "nudo_sessione": [], "griglia": []}
    carichi = [os.getloadavg()[0]]
    with gunicorn(NAZIONALE, REDIS, workers=2) as base:
        bersagli = [(p, base + p, ()) for p in PAGINE_CARICO]
        griglia = f"{base}/registro/?mese={mese}"
        # wrk counts only 4xx/5xx as errors: make sure the cookie opens the grid, not a sign-in redirect.
        prova = urllib.request.urlopen(urllib.request.Request(griglia, headers={"Cookie": f"sessionid={cookie}"}))
        assert prova.url == griglia and 'id="griglia"' in prova.read().decode(), prova.url
        for p in PAGINE_CARICO:
            assert urllib.request.urlopen(base + p).url == base + p, p
        bersagli.append(("/registro/ (OLP, month grid)", griglia, (f"Cookie: sessionid={cookie}",)))
        for nome, url, intestazioni in bersagli:
            time.sleep(3)  # let the workers finish what the previous run left queued
            r = wrk(url, secondi=args.seconds, intestazioni=intestazioni)
            log(f"load {nome}: {r['rps']:.0f} req/s, p99 {r['p99_ms']} ms, errors {r['non_2xx'] + r['socket_errors']}")
            out.append({"pagina": nome, **r})
        sessione = (f"Cookie: sessionid={cookie}",)
        for giro in range(args.runs):
            for k, url, intestazioni in (("nudo", base + "/bench/nudo/", ()),
                                         ("nudo_sessione", base + "/bench/nudo/", sessione),
                                         ("griglia", griglia, sessione)):  # fmt: skip
                time.sleep(3)
                r = wrk(url, secondi=args.seconds, intestazioni=intestazioni)
                assert r["non_2xx"] == 0 and r["socket_errors"] == 0, (k, r)
                rapporto[k].append(r["rps"])
                carichi.append(os.getloadavg()[0])
                log(f"turn {giro + 1}, {k}: {r['rps']:.0f} req/s")
    m = {k: mediana(v) for k, v in rapporto.items()}
    log(f"month grid {m['griglia']:.0f} req/s, bare view {m['nudo']:.0f} req/s (signed in: {m['nudo_sessione']:.0f}): "
        f"ratio {m['griglia'] / m['nudo']:.3f}")  # fmt: skip
    return {"pagine": out, **m, "rapporto": m["griglia"] / m["nudo"], "giri": rapporto,
            "carico_macchina": [min(carichi), max(carichi)]}  # fmt: skip


# 8. Public pages through the caching proxy of the production stack --------------------------


def proxy_pubblico(args) -> dict:
    from bench.proxy import misura

    return misura(NAZIONALE, REDIS, runs=args.runs, secondi=args.seconds, log=log)


# 6. Query counts of every page at both scales ------------------------------------------------


def conteggi_query() -> dict:
    out = {}
    for nome, db in (("demo", DEMO), ("nazionale", NAZIONALE)):
        r = subprocess.run([sys.executable, "bench/query_counts.py"], cwd=ROOT, env=ambiente(db, REDIS),
                           capture_output=True, text=True, check=True)  # fmt: skip
        out[nome] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


def piani() -> list[dict]:
    r = subprocess.run([sys.executable, "bench/piani.py"], cwd=ROOT, env=ambiente(NAZIONALE, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


# 8. Every page of the authorization matrix, each persona, national database ----------------


def pagine(args) -> list[dict]:
    """bench/pagine.py: the personas' sessions and pages (built in Django), then each page
    through gunicorn, production settings, `--richieste` timed requests after a warm-up."""
    from bench import pagine as modulo

    r = subprocess.run([sys.executable, "bench/pagine.py"], cwd=ROOT, env=ambiente(NAZIONALE, REDIS),
                       capture_output=True, text=True, check=True)  # fmt: skip
    persone = json.loads(r.stdout.strip().splitlines()[-1])
    # The monitoring dashboard of the whole network takes longer than gunicorn's default 30 s.
    with gunicorn(NAZIONALE, REDIS, workers=2, env_extra={"GUNICORN_CMD_ARGS": "--timeout 600"}) as base:
        return modulo.misura(base, persone, richieste=args.richieste, log=log)


# The report ----------------------------------------------------------------------------------


def sezione_proxy(px: dict | None, ok) -> list[str]:
    if not px:
        return []
    nomi = {
        "home": "home page",
        "nodo": "a nodo's page",
        "contatori": "update endpoint",
        "csv": "largest open-data CSV",
    }
    righe = [
        "## Public pages through the caching proxy (requests per second, wrk, same run)",
        "",
        "nginx with the shipped configuration (`deploy/nginx/portale.conf.template`) in front of gunicorn (2 "
        "workers, production settings). Each page through the proxy is set against nginx serving the same bytes "
        "as a static file, and through gunicorn directly against the bare Django view "
        f"(`/bench/nudo/`: {px['nudo']:.0f} req/s), all in the same run.",
        "",
        "| page | through the proxy | nginx, same bytes as a static file | ratio | budget ≥ 0.8 | "
        "gunicorn directly | ratio to the bare view | budget ≥ 0.8 |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for k, percorso in px["pagine"].items():
        a, s, d = px["proxy"][k], px["statico"][k], px["diretto"][k]
        righe.append(
            f"| {nomi[k]} `{percorso}` | {a:.0f} | {s:.0f} | {a / s:.2f} | {ok(a / s >= 0.8)} | "
            f"{d:.0f} | {d / px['nudo']:.2f} | {ok(d / px['nudo'] >= 0.8)} |"
        )
    peggiore = max(px["latenza_s"])
    righe += [
        "",
        f"The largest CSV is `{px['csv']['nome']}.csv`, {px['csv']['byte'] / 1e6:.1f} MB. From a change committed "
        "in the register (a service ending) to the new figure on the home page through the proxy: "
        + ", ".join(f"{s:.1f}" for s in px["latenza_s"])
        + f" s (budget ≤ 10 s: {ok(peggiore <= 10)}).",
        "",
    ]
    return righe


def scrivi(risultati: dict, args) -> str:
    c, ind, rep, reg, imp, q, pi, ca = (
        risultati[k] for k in ("contatori", "indicatori", "report", "registro", "import", "query", "piani", "carico")
    )
    ok = lambda cond: "holds" if cond else "**missed**"  # noqa: E731
    righe = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` on {datetime.date.today():%d/%m/%Y}: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL and Redis on loopback. Each figure "
        f"is the median of {args.runs} runs; each is set against a baseline measured in the same run.",
        "",
        f"National scale (`seed_bench --scale national`): {psql(NAZIONALE, 'SELECT count(*) FROM enti_ente')} enti, "
        f"{psql(NAZIONALE, 'SELECT count(*) FROM enti_sede')} sedi, "
        f"{psql(NAZIONALE, 'SELECT count(*) FROM enti_olp')} OLP, "
        f"{psql(NAZIONALE, chr(39).join(['SELECT count(*) FROM volontari_servizio WHERE stato=', 'in_servizio', '']))} "
        f"volunteers in service, {int(psql(NAZIONALE, 'SELECT count(*) FROM volontari_presenza')):,} presenze; "
        f"database {psql(NAZIONALE, 'SELECT pg_size_pretty(pg_database_size(current_database()))')}.",
        "",
        "## Public counters (requests per second, wrk, 2 threads, 16 connections, gunicorn with 2 workers, "
        "production settings)",
        "",
        "| what | req/s | baseline | ratio | budget |",
        "| --- | ---: | --- | ---: | --- |",
        f"| bare Django view `/bench/nudo/` | {c['nudo']:.0f} | nginx, static file: {c['nginx']:.0f} | "
        f"{c['nudo'] / c['nginx']:.2f} | |",
        f"| home page `/` | {c['home']:.0f} | bare Django view | {c['home'] / c['nudo']:.2f} | ≥ 0.8: "
        f"{ok(c['home'] / c['nudo'] >= 0.8)} |",
        f"| update endpoint `/dati/v1/contatori.json` | {c['contatori']:.0f} | bare Django view | "
        f"{c['contatori'] / c['nudo']:.2f} | ≥ 0.8: {ok(c['contatori'] / c['nudo'] >= 0.8)} |",
        f"| home page `/` | {c['home']:.0f} | nginx, the same HTML as a static file | {c['home'] / c['nginx']:.2f} "
        "| (the physical ceiling) |",
        "",
        f"SQL statements the workers sent during the home page's load runs: {c['sql_home']}; during the update "
        f"endpoint's: {c['sql_contatori']} (counted in the workers by `bench/urls.py`; budget, none on a cache hit: "
        f"{ok(c['sql_home'] == 0 and c['sql_contatori'] == 0)}).",
        "",
        *sezione_proxy(risultati.get("proxy"), ok),
        "## Indicators at national scale (seconds)",
        "",
        "The portal computes all the indicators of a scope together (`monitoraggio.indicatori.calcola`: the services, "
        "one read of the register's monthly rollup `volontari.RiepilogoMensile`, a few small queries). The baseline is "
        "one hand-written PostgreSQL query per indicator over the register itself (`bench/indicatori_sql.py`), and the "
        "run checks the figures are identical.",
        "",
        "| scope | volunteers | portal, all indicators | hand-written SQL, sum | ratio | budget ≤ 1.5 |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *[
            f"| {i['ambito']} | {i['volontari']:,} | {i['orm']:.2f} | {i['sql']:.2f} | {i['orm'] / i['sql']:.2f} | "
            f"{ok(i['orm'] / i['sql'] <= 1.5)} |"
            for i in ind
        ],
        "",
        "All the indicators of the network in at most 0.3 s (issue 16): "
        + ", ".join(f"{i['orm']:.2f} s, {ok(i['orm'] <= 0.3)}" for i in ind if i["ambito"] == "rete")
        + ".",
        "",
        "Hand-written queries, one by one (seconds): "
        + "; ".join(f"{i['ambito']}: " + ", ".join(f"{k} {v:.2f}" for k, v in i["query"].items()) for i in ind),
        "",
        "## Monthly PDF reports",
        "",
        "The report has a cover, a summary against the previous month and the same month a year before (three "
        "computations of the indicators), the charts, top and bottom tables and the full table in an annex; it is "
        "tagged PDF/UA-1 and its table is attached as CSV and XLSX.",
        "",
        "| report | scope | time (s) | CPU of the process (s) | load average | peak memory (MiB) | budget (largest "
        "nodo: 20 s, 500 MiB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        *[
            f"| {r['tipo']} | {r['ambito']} | {r['secondi']:.1f} | {r['cpu_s']:.1f} | {r['carico']:.1f} | "
            f"{r['picco_mib']} | "
            f"{ok(r['secondi'] <= 20 and r['picco_mib'] <= 500) if r['tipo'] == 'nodo' else ''} |"
            for r in rep
        ],
        "",
        "## The register at national scale (through HTTP, gunicorn, production settings)",
        "",
        f"The demo OLP's {reg['volontari']} volunteers, the whole previous month ({reg['giorni']} days each), "
        f"{reg['n']} requests each, one at a time; the bare view `/bench/nudo/` with the same cookies is requested "
        "before each load of the grid. The machine's load average during these requests: "
        f"{reg['carico_macchina'][0]:.1f}-{reg['carico_macchina'][1]:.1f} (on {os.cpu_count()} cores; above that, "
        "other work shared the machine and the times grow with it).",
        "",
        "| request | median (ms) | p95 (ms) | budget p95 |",
        "| --- | ---: | ---: | --- |",
        f"| bare Django view (signed in) | {reg['nudo_med']:.1f} | {reg['nudo_p95']:.1f} | |",
        f"| load the month grid | {reg['carica_med']:.1f} | {reg['carica_p95']:.1f} | ≤ 20 ms: "
        f"{ok(reg['carica_p95'] <= 20)} |",
        f"| save the full month | {reg['salva_med']:.1f} | {reg['salva_p95']:.1f} | ≤ 50 ms: "
        f"{ok(reg['salva_p95'] <= 50)} |",
        "",
        f"Under load (wrk, 2 threads, 16 connections, {args.seconds} s, the grid and the bare view in turns, "
        f"{args.runs} turns, medians): the month grid {ca['griglia']:.0f} req/s, the bare view {ca['nudo']:.0f} "
        f"req/s, the bare view with the OLP's session cookie {ca['nudo_sessione']:.0f} req/s. The grid makes "
        f"**{ca['rapporto']:.2f}** of the bare view's throughput (budget ≥ 0.15: {ok(ca['rapporto'] >= 0.15)}) and "
        f"{ca['griglia'] / ca['nudo_sessione']:.2f} of a signed-in request that does nothing (turns: grid "
        f"{', '.join(f'{x:.0f}' for x in ca['giri']['griglia'])}; bare "
        f"{', '.join(f'{x:.0f}' for x in ca['giri']['nudo'])}; bare signed in "
        f"{', '.join(f'{x:.0f}' for x in ca['giri']['nudo_sessione'])}; load average "
        f"{ca['carico_macchina'][0]:.1f}-{ca['carico_macchina'][1]:.1f}).",
        "",
        "## CSV import (Helios attendance layout)",
        "",
        f"{imp['ente']}: {imp['volontari']} volunteers, {imp['righe']:,} lines (a month): first import "
        f"{imp['primo']:.1f} s, median {imp['secondi']:.1f} s.",
        "",
        "## Plans of the hot queries at national scale (EXPLAIN ANALYZE)",
        "",
        "Every query the month grid and the counters send to the hot tables, as PostgreSQL runs it on the national "
        "database. The test suite checks on a small database that these queries can use these indexes "
        "(`tests/volontari/test_explain_indici.py`).",
        "",
        "| request | tables read, and how | ms |",
        "| --- | --- | ---: |",
        *[f"| {p['pagina']} | {'; '.join(p['letture'])} | {p['ms']:.2f} |" for p in pi],
        "",
        "## Bounded load run (wrk, 2 threads, 16 connections, production settings, national database)",
        "",
        f"Each page for {args.seconds} s; the run fails on any 4xx/5xx answer or socket error.",
        "",
        "| page | req/s | p99 (ms) | errors |",
        "| --- | ---: | ---: | ---: |",
        *[
            f"| `{x['pagina']}` | {x['rps']:.0f} | {x['p99_ms']:.0f} | {x['non_2xx'] + x['socket_errors']} |"
            for x in ca["pagine"]
        ],
        "",
        *(soak_.sezione(risultati["soak"]) if "soak" in risultati else []),
        "## What it took to meet the budgets",
        "",
        "- **Counters page and endpoint.** The first run gave the home page about 4 % of the bare view's throughput "
        "and the endpoint about 16 %: the page was rendered from its template on every request (about 20 ms) and "
        "each answer made two or three Redis round trips, each dearer than the whole bare view. Now the anonymous "
        "home page is kept rendered under its ETag (figures, language, news), the endpoint's encoded file likewise, "
        "the figures carry their fingerprint, and each worker process keeps these reads for one second "
        "(`infra.memoria`, `DJANGO_CACHE_LOCALE_SECONDI`): a hit touches neither PostgreSQL nor Redis. A change "
        "committed in a process is seen there at once and in the others within the second "
        "(`tests/pubblico/test_memoria.py`).",
        "- **Other public pages.** The first load run served the catalogue at 7 req/s (p99 2.5 s) and a nodo's page "
        "at 13 req/s: rendered on every request, with the catalogue's open-places query costing 75 ms plus 50 ms of "
        "PostgreSQL JIT compilation. JIT is now off on the portal's connections (`DJANGO_PG_JIT_OFF`), and "
        "`pubblico.pagine` keeps these pages rendered for anonymous visitors under a generation of the public data "
        "that every change replaces (`tests/pubblico/test_pagine.py`): a hit runs no SQL.",
        "- **Indicators.** The scope (network, nodo, ente, project) reaches the attendance query as a subquery, "
        "never as a list of ids, and every indicator comes out of one grouped pass over the month's presenze; the "
        "hand-written SQL needs one pass per indicator, hence a ratio under 1.",
        "- **Register.** `Presenza` and `ChiusuraMensile` lost their single-column `servizio` index: the unique "
        "`(servizio, giorno)` / `(servizio, mese)` indexes lead with the same column, so the planner now reads the "
        "month through them (see the plans above) and every saved day updates one index fewer. The grid loads and "
        "saves a month for all of an OLP's volunteers in a fixed number of queries. The first national run measured "
        "165 ms (load) and 231 ms (save) medians: the OLP's services were found by a sequential scan, because the "
        "visibility filter ORed a join (now a one-row subquery on the service's own column, so PostgreSQL ORs two "
        "indexes); `Presenza`'s default ordering by its `servizio` relation joined and hashed all 125,650 services "
        "into every aggregate (now ordered by the column); and each of the 124 cells rendered its option lists "
        "(now rendered once per process by `volontari/templatetags/griglia.py`).",
        "- **Register, second round (issue 15: load p95 ≤ 20 ms, save p95 ≤ 50 ms).** Measured first, in the "
        "process (bench settings, national database): a load was 23 ms (13 queries; the session-tracking "
        "middleware's transaction 2.2 ms, roles 1.9, the services 4.2, the cells 5.3, the template 6.0, half of "
        "it the grid's body), a full-month save 64 ms (25 queries; `salva_griglia` 27, of which Django's "
        "`bulk_update` 14 ms of CPU for the 18 days a save changes, 84 ms for a whole month). The cells were no "
        "longer form widgets (`griglia.cella` since the first round). Now: allauth's session tracking, a "
        "five-statement transaction on every signed-in request, writes at most once a minute per session and "
        "client (`network.middleware.UserSessionsMiddleware`); changed days go in one `UPDATE ... FROM UNNEST`; "
        "the days outside the month in one query (was three); no savepoint around the writes; the page after a "
        "save is built from what was written (no read back); the grid's body in one pass "
        "(`griglia.righe_griglia`). A load runs 8 queries, a save 14; in the process, on the same busy "
        "machine, CPU per load 27-30 → 20-21 ms, per save 58-66 → 33-35 ms.",
        "- **The grid under load.** A signed-in request that does nothing (the bare view with the OLP's session "
        "cookie) reads the session, the user, the memberships, the OLP and the volunteer row before any view "
        "runs: five round trips to PostgreSQL and about 5 ms of CPU, where the anonymous bare view needs none and "
        "0.2 ms. That floor alone is a few hundredths of the anonymous bare view's throughput, so the grid "
        "cannot reach 0.15 of it without serving signed-in pages from a cache; its share of the signed-in floor "
        "is the figure that its own code moves (above).",
        "- **Query counts.** Every page runs the same number of queries at both scales: lists paginate in SQL, "
        "related rows come with `select_related`/`prefetch_related`, figures are aggregated in the database "
        "(`tests/network/test_query_counts_pagine.py` checks every page of the authorization matrix).",
        "",
        *(sezione_pagine(risultati["pagine"], args) if "pagine" in risultati else []),
        *sezione_query(q),
    ]
    return "\n".join(righe)


def sezione_query(q: dict) -> list[str]:
    pagine = sorted(set(q["demo"]) | set(q["nazionale"]))
    return [
        "## SQL queries per page, demo and national scale",
        "",
        'Every page of "Every page, each persona" below, for the same people, plus the public pages for an anonymous visitor '
        "(`bench/query_counts.py`; a page missing at one scale answered something else than 200 there).",
        "",
        "| page | demo | national | equal |",
        "| --- | ---: | ---: | --- |",
        *[
            f"| `{p}` | {q['demo'].get(p)} | {q['nazionale'].get(p)} | "
            f"{'yes' if q['demo'].get(p) == q['nazionale'].get(p) else '**no**'} |"
            for p in pagine
        ],
        "",
    ]


def sezione_pagine(righe: list[dict], args) -> list[str]:
    """Every page of every persona: the table, then each page over budget with its reason."""
    from bench.pagine import BUDGET_KB, BUDGET_MS, PERSONE, motivo

    misurate = [r for r in righe if r["stato"] == 200]
    carichi = [r["carico"] for r in misurate if "carico" in r]
    # The floor of the run: allauth's account pages run a handful of queries and render a small
    # form; what they take is what the machine's load adds to every page.
    conti = sorted(r["p95_ms"] for r in misurate if r["pagina"].startswith("account_"))
    pavimento = conti[len(conti) // 2] if conti else 0
    fuori = [r for r in misurate if r["fuori"]]
    altre = sorted({(r["pagina"], r["stato"]) for r in righe if r["stato"] != 200})
    out = [
        "## Every page, each persona (national database, gunicorn, production settings)",
        "",
        "`bench/pagine.py`: every URL name of the authorization matrix each person may open, arguments filled with "
        "a real row of their scope (the largest ente they see, its largest project, one of its volunteers); the "
        "monitoring dashboard at national, nodo (ANCI Lombardia), ente and project scope. People: "
        + ", ".join(f"{k} (`{v}`)" for k, v in PERSONE.items())
        + f". Each page: one warm-up request, then {args.richieste} timed ones (2 when the warm-up took over 5 s), "
        "one at a time, signed in (so the public pages are rendered, not served from the anonymous cache). "
        f"Budget: p95 ≤ {BUDGET_MS} ms, and ≤ {BUDGET_KB} KB for HTML pages (files are downloads: their size is "
        "their content).",
        "",
        f"**The machine is shared** ({os.cpu_count()} cores; "
        + (
            f"1-minute load average between {min(carichi):.1f} and {max(carichi):.1f}"
            if carichi
            else "load not recorded"
        )
        + " during the run, other jobs included): "
        "with a load above the cores, absolute times are inflated by a factor that varies from page to page and "
        "minute to minute. A page over budget by little may be noise; one over by ten times is not. The floor of "
        "this run: allauth's account pages (a small form, a handful of queries) took "
        f"{conti[0] if conti else 0:.0f} ms at best and {pavimento:.0f} ms at the median (p95 of each).",
        "",
        f"{len(misurate)} pages timed, {len(fuori)} over budget; {len(righe) - len(misurate)} answered something "
        "else than 200 and were not timed (" + ", ".join(f"`{n}` {st}" for n, st in altre[:60]) + ").",
        "",
        "### Pages over budget, and why",
        "",
        "| persona | page | p95 (ms) | KB | misses | reason | who fixes it |",
        "| --- | --- | ---: | ---: | --- | --- | --- |",
    ]
    for r in fuori:
        perche, chi = motivo(r, misurate)
        out.append(
            f"| {r['persona']} | `{r['url']}` | {r['p95_ms']:.0f} | {r['kb']:.0f} | {', '.join(r['fuori'])} | "
            f"{perche} | {chi} |"
        )
    out += [
        "",
        "### What was fixed",
        "",
        "The first run of this section (same machine, as busy) found, besides the dashboard and the forms above:",
        "",
        "- **Volunteers list**: 1.2 s for national staff (980 ms in one query): PostgreSQL joined the services in "
        "service with their volunteer, project, sede, ente and OLP, then sorted all 60,000 by name to show 50. An "
        "index on `Volontario (cognome, nome)` lets it walk the names in order and stop after the page: 26 ms "
        "(EXPLAIN ANALYZE on the national database; 58 ms for ANCI Lombardia). Deep pages still sort "
        "(`tests/volontari/test_explain_indici.py`).",
        "- **Projects list**: 460 ms in one query grouping every project with its places for a count the page "
        "never showed; without it 133 ms, and with an index on `aggiornato_il` (the list is latest-first) 11-15 ms "
        "(`tests/progetti/test_lista_indice.py`).",
        "- **Monthly close of an ente**: the Comune di Milano's 632 volunteers in one table, each month read and "
        "checked: 3.7-5.4 s and 312 KB. Now paged, 50 volunteers a page, only the page's months read "
        "(`tests/volontari/test_chiusura_ente_pagine.py`); the general confirmation still covers the whole ente.",
        "- **Catalogue, signed in**: 470-960 ms (0.3 s counting and 0.2 s reading the open projects, each weighing "
        "every project's places and volunteers). The ordered ids of the open projects are now kept for every "
        "visitor under the public data's generation (`pubblico.pagine.dati`), and the page reads only its 20 "
        "projects (`tests/pubblico/test_catalogo.py`).",
        "- **A nodo's public page, signed in**: 0.4-1.8 s, mostly rendering Lombardia's thousand members; the "
        "rendered list is now kept the same way (`tests/pubblico/test_pubblico.py`).",
        "",
        "### Every page timed",
        "",
        "| persona | page | URL | median (ms) | p95 (ms) | KB | budget |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
        *[
            f"| {r['persona']} | `{r['pagina']}` | `{r['url']}` | {r['med_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['kb']:.0f} | {'**' + ', '.join(r['fuori']) + '**' if r['fuori'] else 'holds'} |"
            for r in misurate
        ],
        "",
    ]
    return out


def sostituisci_sezione(documento: Path, titolo: str, righe: list[str]) -> None:
    """Replace the section `titolo` (up to the next "## " heading) of `documento`, or append it."""
    testo = documento.read_text() if documento.exists() else "# Benchmarks\n"
    nuova = "\n".join(righe).rstrip("\n") + "\n"
    inizio = testo.find(f"\n{titolo}")
    if inizio < 0:
        documento.write_text(testo.rstrip("\n") + "\n\n" + nuova)
        return
    fine = testo.find("\n## ", inizio + 1)
    documento.write_text(testo[: inizio + 1] + nuova + ("\n" + testo[fine + 1 :] if fine >= 0 else ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--richieste", type=int, default=5, help="timed requests per page in the pagine section")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--soak-seconds", type=int, default=60)
    parser.add_argument("--only", nargs="*", help="run these sections and print their JSON; writes no document")
    args = parser.parse_args()
    prepara(DEMO, "demo")
    manage(DEMO, "collectstatic", "--noinput", "-v0")
    prepara(NAZIONALE, "national")
    risultati = {}
    for nome, funzione in (("query", lambda: conteggi_query()), ("contatori", lambda: contatori(args)),
                           ("indicatori", lambda: indicatori(args)), ("report", lambda: report(args)),
                           ("registro", lambda: registro(args)), ("import", lambda: importazione(args)),
                           ("piani", lambda: piani()), ("carico", lambda: carico(args)),
                           ("proxy", lambda: proxy_pubblico(args)),
                           ("pagine", lambda: pagine(args)),
                           ("soak", lambda: soak_.soak(PG, REDIS, ROOT, secondi=args.soak_seconds, log=log))):  # fmt: skip
        if args.only and nome not in args.only:
            continue
        log(f"{nome}...")
        t = time.monotonic()
        risultati[nome] = funzione()
        log(f"{nome} done in {time.monotonic() - t:.0f} s")
    if args.only:
        print(json.dumps(risultati, indent=1, default=str))
        # These two sections stand alone: a partial run refreshes them in the document.
        if "pagine" in risultati:
            sostituisci_sezione(
                Path(args.out), "## Every page, each persona", sezione_pagine(risultati["pagine"], args)
            )
            (ROOT / "bench" / "ultimo_pagine.json").write_text(json.dumps(risultati["pagine"], indent=1))
        if "query" in risultati:
            sostituisci_sezione(Path(args.out), "## SQL queries per page", sezione_query(risultati["query"]))
        if "proxy" in risultati:
            ok = lambda cond: "holds" if cond else "**missed**"  # noqa: E731
            sostituisci_sezione(
                Path(args.out), "## Public pages through the caching proxy", sezione_proxy(risultati["proxy"], ok)
            )
        s = risultati.get("soak")
        if s and (s["errori"] or s["righe_mancanti"] or s["righe_diverse"]):
            sys.exit("the soak had errors or lost rows")
        return
    Path(args.out).write_text(scrivi(risultati, args) + "\n")
    (ROOT / "bench" / "ultimo.json").write_text(json.dumps(risultati, indent=1, default=str))
    log(f"written {args.out}")
    errori = sum(x["non_2xx"] + x["socket_errors"] for x in risultati["carico"]["pagine"])
    if errori:
        sys.exit(f"the load run had {errori} errors: see {args.out}")
    s = risultati["soak"]
    if s["errori"] or s["righe_mancanti"] or s["righe_diverse"]:
        persi = s["righe_mancanti"] + s["righe_diverse"]
        sys.exit(f"the soak had {s['errori']} errors and {persi} rows lost: see {args.out}")


if __name__ == "__main__":
    main()
