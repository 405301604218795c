"""The public pages through the caching proxy of the production stack
(deploy/nginx/portale.conf.template), against nginx serving the same bytes as a static file in
the same run; the same pages through gunicorn directly against the bare Django view; and the
time a change in the register takes to reach the public page through the proxy."""

import json
import re
import subprocess
import sys
import time
import urllib.request
from statistics import median

from bench.servizi import ROOT, ambiente, gunicorn, nginx, proxy, wrk

PAGINE = {
    "home": "/",
    "nodo": "/rete/lombardia/",
    "contatori": "/dati/v1/contatori.json",
}
DATASET_CSV = ("progetti", "enti", "storico")

# Ends (or restores) one service in progress today, in its own committed transaction, as the
# register's "end of service" does; prints the moment of the commit.
CAMBIA = r"""
import json, sys, time, datetime
import django; django.setup()
from django.utils import timezone
from volontari.models import Servizio
oggi = timezone.localdate()
if sys.argv[1] == "termina":
    s = Servizio.objects.in_corso(oggi).order_by("pk").first()
    prima = s.data_fine
    s.data_fine = oggi - datetime.timedelta(days=1)
    s.save(update_fields=["data_fine"])
    print(json.dumps({"pk": s.pk, "data_fine": prima.isoformat(), "commit": time.time()}))
else:
    s = Servizio.objects.get(pk=int(sys.argv[2]))
    s.data_fine = datetime.date.fromisoformat(sys.argv[3])
    s.save(update_fields=["data_fine"])
    print(json.dumps({"commit": time.time()}))
"""


def _leggi(url: str) -> tuple[bytes, dict]:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read(), dict(r.headers)


def _volontari(url: str) -> str:
    corpo = _leggi(url)[0].decode()
    return re.search(r'data-contatore="volontari"[^>]*>([^<]*)<', corpo).group(1)


def _cambia(database_url: str, redis_url: str, *argomenti) -> dict:
    r = subprocess.run([sys.executable, "-c", CAMBIA, *argomenti], cwd=ROOT, env=ambiente(database_url, redis_url),
                       capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(r.stdout.strip().splitlines()[-1])


def _attesa_nuova_cifra(url: str, vecchia: str, commit: float, limite: float = 60) -> float:
    while time.time() - commit < limite:
        if _volontari(url) != vecchia:
            return time.time() - commit
        time.sleep(0.1)
    return float("inf")


def misura(database_url: str, redis_url: str, *, runs: int, secondi: int, log) -> dict:
    out: dict = {"proxy": {}, "diretto": {}, "latenza_s": []}
    with gunicorn(database_url, redis_url, workers=2) as base:
        # The largest open-data CSV of this database.
        dimensioni = {n: len(_leggi(f"{base}/dati/v1/{n}.csv")[0]) for n in DATASET_CSV}
        piu_grande = max(dimensioni, key=dimensioni.get)
        pagine = {**PAGINE, "csv": f"/dati/v1/{piu_grande}.csv"}
        out["csv"] = {"nome": piu_grande, "byte": dimensioni[piu_grande]}
        with proxy(base.removeprefix("http://"), static_root=ROOT / "staticfiles") as davanti:
            for percorso in pagine.values():  # fill the cache, check the proxy keeps them
                _leggi(davanti + percorso)
                stato = _leggi(davanti + percorso)[1].get("X-Cache")
                assert stato == "HIT", (percorso, stato)
            # Each page against nginx serving the same bytes as a static file, in turn; then each
            # page through gunicorn directly against the bare view.
            risultati: dict[str, list[float]] = {}

            def giro_wrk(chiave: str, url: str, giro: int) -> None:
                r = wrk(url, secondi=secondi)
                assert r["non_2xx"] == 0 and r["socket_errors"] == 0, (chiave, r)
                risultati.setdefault(chiave, []).append(r["rps"])
                log(f"proxy run {giro + 1}, {chiave}: {r['rps']:.0f} req/s")

            for pagina, percorso in pagine.items():
                corpo = _leggi(davanti + percorso)[0]
                with nginx(corpo, nome="pagina" + (".csv" if percorso.endswith(".csv") else ".html")) as statico:
                    for giro in range(runs):
                        giro_wrk(f"statico:{pagina}", statico, giro)
                        giro_wrk(f"proxy:{pagina}", davanti + percorso, giro)
            for giro in range(runs):
                giro_wrk("nudo", base + "/bench/nudo/", giro)
                for pagina, percorso in pagine.items():
                    giro_wrk(f"diretto:{pagina}", base + percorso, giro)
            for chiave, valori in risultati.items():
                if ":" in chiave:
                    dove, pagina = chiave.split(":")
                    out.setdefault(dove, {})[pagina] = median(valori)
                else:
                    out[chiave] = median(valori)
            out["pagine"] = pagine
            # A change in the register reaches the public page through the proxy.
            for _ in range(runs):
                prima = _volontari(davanti + "/")
                cambio = _cambia(database_url, redis_url, "termina")
                out["latenza_s"].append(_attesa_nuova_cifra(davanti + "/", prima, cambio["commit"]))
                log(f"change to public page through the proxy: {out['latenza_s'][-1]:.1f} s")
                dopo = _volontari(davanti + "/")
                ripristino = _cambia(database_url, redis_url, "ripristina", str(cambio["pk"]), cambio["data_fine"])
                _attesa_nuova_cifra(davanti + "/", dopo, ripristino["commit"])
    return out
