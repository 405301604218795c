"""The processes a benchmark needs: gunicorn with production-like settings, nginx serving a
static copy of a page, and wrk to load them. All on loopback, started and stopped here."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def porta_libera() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aspetta(url: str, secondi: float = 30, attesi=()) -> None:
    """Wait until `url` answers below 500 (or with one of the `attesi` codes)."""
    fine = time.monotonic() + secondi
    while time.monotonic() < fine:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code in attesi:
                return
            if e.code < 500:
                raise RuntimeError(f"{url} answered {e.code}") from e
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {secondi} s")


def ambiente(database_url: str, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        PYTHONPATH=str(ROOT),
    )
    return env


def _ferma(proc: subprocess.Popen, segnale: int, *, attesa: float) -> None:
    """Ask a server to stop with `segnale`; kill it if it is still there after `attesa` seconds."""
    proc.send_signal(segnale)
    try:
        proc.wait(timeout=attesa)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def gunicorn(database_url: str, redis_url: str, workers: int = 2, env_extra: dict | None = None):
    """The portal under gunicorn, production settings, DEBUG off; yields its base URL."""
    porta = porta_libera()
    env = {**ambiente(database_url, redis_url), **(env_extra or {})}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "network.wsgi:application", "--bind", f"127.0.0.1:{porta}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{porta}"
    try:
        aspetta(base + "/bench/nudo/")
        yield base
    finally:
        _ferma(proc, signal.SIGTERM, attesa=20)


@contextmanager
def _nginx_avviato(conf: Path, *aspetta_args, **aspetta_kwargs):
    """nginx run on `conf` until the block ends, once it answers (`aspetta`'s arguments)."""
    eseguibile = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([eseguibile, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        aspetta(*aspetta_args, **aspetta_kwargs)
        yield
    finally:
        _ferma(proc, signal.SIGQUIT, attesa=10)


@contextmanager
def nginx(contenuto: bytes, nome: str = "index.html"):
    """nginx serving one file from a temporary folder; yields the file's URL."""
    porta = porta_libera()
    with tempfile.TemporaryDirectory() as cartella:
        radice = Path(cartella)
        radice.chmod(0o755)  # nginx's workers run as another user when it is started by root
        (radice / "www").mkdir(mode=0o755)
        (radice / "www" / nome).write_bytes(contenuto)
        conf = radice / "nginx.conf"
        conf.write_text(
            f"""
worker_processes 2;
pid {radice}/nginx.pid;
error_log {radice}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {radice}/tmp_body; proxy_temp_path {radice}/tmp_proxy;
  fastcgi_temp_path {radice}/tmp_fcgi; uwsgi_temp_path {radice}/tmp_uwsgi; scgi_temp_path {radice}/tmp_scgi;
  default_type text/html;
  server {{ listen 127.0.0.1:{porta}; root {radice}/www; location / {{ }} }}
}}
"""
        )
        url = f"http://127.0.0.1:{porta}/{nome}"
        with _nginx_avviato(conf, url):
            yield url


MODELLO_PROXY = ROOT / "deploy" / "nginx" / "portale.conf.template"


def configura_proxy(cartella: Path, *, upstream: str, porta: int, static_root: Path | str) -> Path:
    """A complete nginx.conf in `cartella` around the project's proxy file, rendered the way the
    official nginx image renders it (only our ${NAMES} are substituted)."""
    valori = {
        "PORTALE_UPSTREAM": upstream,
        "NGINX_LISTEN": f"127.0.0.1:{porta}",
        "NGINX_CACHE_DIR": str(cartella / "cache"),
        "STATIC_ROOT": str(static_root).rstrip("/"),
        "NGINX_REAL_IP_FROM": "127.0.0.1",
    }
    testo = MODELLO_PROXY.read_text()
    for nome, valore in valori.items():
        testo = testo.replace("${" + nome + "}", valore)
    assert not re.search(r"\$\{[A-Z_]+\}", testo), "a variable of the proxy template is not rendered"
    (cartella / "portale.conf").write_text(testo)
    conf = cartella / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
pid {cartella}/nginx.pid;
error_log {cartella}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  {"include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""}
  client_body_temp_path {cartella}/tmp_body; proxy_temp_path {cartella}/tmp_proxy;
  fastcgi_temp_path {cartella}/tmp_fcgi; uwsgi_temp_path {cartella}/tmp_uwsgi; scgi_temp_path {cartella}/tmp_scgi;
  include {cartella}/portale.conf;
}}
"""
    )
    return conf


@contextmanager
def proxy(upstream: str, *, static_root: Path | str):
    """nginx with the project's proxy configuration in front of `upstream` (host:port);
    yields its base URL."""
    porta = porta_libera()
    with tempfile.TemporaryDirectory() as nome:
        cartella = Path(nome)
        cartella.chmod(0o755)  # nginx's workers run as another user when it is started by root
        conf = configura_proxy(cartella, upstream=upstream, porta=porta, static_root=static_root)
        (cartella / "cache").mkdir(mode=0o777)
        (cartella / "cache").chmod(0o777)
        base = f"http://127.0.0.1:{porta}"
        with _nginx_avviato(conf, base + "/static/", attesi=(403, 404)):
            yield base


def wrk(url: str, *, secondi: int = 8, connessioni: int = 16, thread: int = 2, intestazioni=(), timeout=10) -> dict:
    """Requests per second and non-2xx/3xx answers of one wrk run. A request counts as failed
    after `timeout` seconds (wrk's default, 2 s, would count a queue behind two busy workers
    as errors)."""
    comando = ["wrk", "-t", str(thread), "-c", str(connessioni), "-d", f"{secondi}s", "--latency",
               "--timeout", f"{timeout}s"]  # fmt: skip
    for h in intestazioni:
        comando += ["-H", h]
    out = subprocess.run([*comando, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errori = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_err = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    fattore = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "rps": rps,
        "non_2xx": int(errori.group(1)) if errori else 0,
        "socket_errors": sum(int(x) for x in socket_err.groups()) if socket_err else 0,
        "p99_ms": float(p99.group(1)) * fattore[p99.group(2)] if p99 else None,
    }
