"""The caching proxy of the production stack (deploy/nginx/portale.conf.template) in front of
the served portal: public pages come from its cache, nothing private is ever stored or served
from it, and the language variants never mix. Needs nginx (CI installs it)."""

import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from bench.servizi import configura_proxy, proxy
from tests.conftest import need
from tests.factories import ServizioFactory, UserFactory

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


class SenzaRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


APRI = urllib.request.build_opener(SenzaRedirect)


def chiedi(url: str, *, cookie: str = "", metodo: str = "GET", corpo: bytes | None = None):
    """(status, headers, body) of one request, errors included."""
    richiesta = urllib.request.Request(url, method=metodo, data=corpo)  # noqa: S310 (http on loopback)
    if cookie:
        richiesta.add_header("Cookie", cookie)
    try:
        with APRI.open(richiesta, timeout=20) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


@pytest.fixture
def dietro_il_proxy(live_server):
    need(NGINX is not None, "nginx is not installed (apt install nginx-light)")
    upstream = live_server.url.removeprefix("http://")
    with proxy(upstream, static_root=settings.STATIC_ROOT) as base:
        yield base


def test_the_shipped_configuration_passes_nginx_t():
    need(NGINX is not None, "nginx is not installed (apt install nginx-light)")
    with tempfile.TemporaryDirectory() as nome:
        cartella = Path(nome)
        (cartella / "cache").mkdir()
        conf = configura_proxy(cartella, upstream="127.0.0.1:8000", porta=18080, static_root="/srv/static")
        r = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_compose_mounts_the_same_file_for_the_official_image():
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    assert "./deploy/nginx/portale.conf.template:/etc/nginx/templates/portale.conf.template" in compose
    modello = (settings.BASE_DIR / "deploy" / "nginx" / "portale.conf.template").read_text()
    # The official image substitutes only the variables it is given: every one the file uses.
    usate = set(re.findall(r"\$\{([A-Z_]+)\}", modello))
    assert usate == {"PORTALE_UPSTREAM", "NGINX_LISTEN", "NGINX_CACHE_DIR", "STATIC_ROOT", "NGINX_REAL_IP_FROM"}
    for nome in usate:
        assert f"{nome}:" in compose, nome


@pytest.mark.django_db(transaction=True)
def test_anonymous_public_pages_come_from_the_cache(dietro_il_proxy):
    for percorso in ("/", "/rete/", "/dati/v1/contatori.json", "/dati/v1/enti.csv"):
        prima = chiedi(dietro_il_proxy + percorso)
        seconda = chiedi(dietro_il_proxy + percorso)
        assert prima[0] == seconda[0] == 200, percorso
        assert prima[1]["X-Cache"] == "MISS" and seconda[1]["X-Cache"] == "HIT", percorso
        assert prima[2] == seconda[2]
        assert "s-maxage=" in seconda[1]["Cache-Control"] and "stale-while-revalidate=" in seconda[1]["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_are_never_stored_nor_served_from_the_cache(dietro_il_proxy):
    utente = UserFactory(email="referente.privata@example.org")
    client = Client()
    client.force_login(utente)
    sessione = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    # Signed in first, on a page nobody opened yet: it passes through and is not kept.
    for _ in range(2):
        stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/rete/", cookie=sessione)
        assert stato == 200 and intestazioni["X-Cache"] == "BYPASS"
        assert "Area personale" in corpo and "csrfmiddlewaretoken" in corpo  # the sign-out form
    stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/rete/")
    assert intestazioni["X-Cache"] == "MISS" and "Area personale" not in corpo and "csrfmiddlewaretoken" not in corpo

    # A page in the cache is not served to a signed-in visitor either.
    assert chiedi(dietro_il_proxy + "/rete/")[1]["X-Cache"] == "HIT"
    stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/rete/", cookie=sessione)
    assert intestazioni["X-Cache"] == "BYPASS" and "Area personale" in corpo


@pytest.mark.django_db(transaction=True)
def test_answers_that_set_a_cookie_or_carry_a_csrf_token_are_never_stored(dietro_il_proxy):
    # The sign-in form: a CSRF token in the page and its cookie in the answer.
    token = set()
    for _ in range(3):
        stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/accounts/login/")
        assert stato == 200 and intestazioni["X-Cache"] != "HIT"
        assert "csrftoken" in (intestazioni.get("Set-Cookie") or "")
        token.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', corpo).group(1))
    assert len(token) == 3  # each visitor got their own
    # A visitor holding a CSRF cookie (a form opened before) is never answered from the cache.
    chiedi(dietro_il_proxy + "/")
    assert chiedi(dietro_il_proxy + "/")[1]["X-Cache"] == "HIT"
    assert chiedi(dietro_il_proxy + "/", cookie="csrftoken=abc")[1]["X-Cache"] == "BYPASS"
    # The language switch sets a cookie: every visitor reaches the portal and gets it.
    for _ in range(2):
        stato, intestazioni, _corpo = chiedi(dietro_il_proxy + "/lingua/en/?next=/")
        assert stato == 302 and "django_language=en" in intestazioni["Set-Cookie"]
        assert intestazioni["X-Cache"] != "HIT"


@pytest.mark.django_db(transaction=True)
def test_non_get_requests_never_use_the_cache(dietro_il_proxy):
    assert chiedi(dietro_il_proxy + "/")[0] == 200
    assert chiedi(dietro_il_proxy + "/")[1]["X-Cache"] == "HIT"
    for metodo in ("POST", "PUT", "DELETE"):
        stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/", metodo=metodo, corpo=b"x=1")
        assert stato in (403, 405), metodo  # the portal's answer, not the cached page
        assert intestazioni.get("X-Cache", "") in ("", "BYPASS"), metodo
        assert 'data-contatore="volontari"' not in corpo
    # ... and their answers are not kept for the next GET.
    assert chiedi(dietro_il_proxy + "/")[0] == 200


@pytest.mark.django_db(transaction=True)
def test_language_variants_never_mix(dietro_il_proxy):
    lingue = ["en", "it", "", "en", "", "it", "en"]
    for lingua in lingue:
        cookie = f"django_language={lingua}" if lingua else ""
        stato, intestazioni, corpo = chiedi(dietro_il_proxy + "/", cookie=cookie)
        atteso = lingua or settings.LANGUAGE_CODE
        assert stato == 200 and f'<html lang="{atteso}"' in corpo, (lingua, intestazioni["X-Cache"])
    # A language the portal does not offer gets the default, like the portal itself.
    corpo = chiedi(dietro_il_proxy + "/", cookie="django_language=fr")[2]
    assert f'<html lang="{settings.LANGUAGE_CODE}"' in corpo


@pytest.mark.django_db(transaction=True)
def test_a_change_reaches_the_public_page_through_the_proxy(dietro_il_proxy):
    def volontari() -> str:
        corpo = chiedi(dietro_il_proxy + "/")[2]
        return re.search(r'data-contatore="volontari"[^>]*>([^<]*)<', corpo).group(1)

    assert volontari() == "0" and volontari() == "0"  # now in the cache
    ServizioFactory()  # committed: the counters move
    fine = time.monotonic() + 60  # a bound for a busy machine; the benchmark measures the time
    while volontari() != "1":
        assert time.monotonic() < fine, "the new figure never reached the page through the proxy"
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_the_client_address_reaches_the_portal_in_x_real_ip(dietro_il_proxy):
    """The TLS terminator's X-Real-IP names the client, believed from its address only (here
    loopback); the proxy passes it on in X-Real-IP, the header the portal reads for sign-in
    throttling and the audit log (DJANGO_CLIENT_IP_HEADER). Without one, the connection's."""
    from django.core.signals import request_started

    visti = []

    def al_via(sender, environ, **kwargs):
        visti.append(environ.get("HTTP_X_REAL_IP"))

    request_started.connect(al_via)
    try:
        for intestazioni in ({"X-Real-IP": "203.0.113.7"}, {}):
            richiesta = urllib.request.Request(dietro_il_proxy + "/accounts/login/", headers=intestazioni)  # noqa: S310
            APRI.open(richiesta, timeout=20).read()
    finally:
        request_started.disconnect(al_via)
    assert visti == ["203.0.113.7", "127.0.0.1"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_for_one_page_reach_the_portal_once(dietro_il_proxy):
    from concurrent.futures import ThreadPoolExecutor

    url = dietro_il_proxy + "/rete/?visita=contemporanea"  # a key nobody filled yet
    with ThreadPoolExecutor(max_workers=12) as pool:
        risposte = list(pool.map(lambda _i: chiedi(url), range(12)))
    assert all(stato == 200 for stato, _h, _c in risposte)
    stati = sorted(h["X-Cache"] for _s, h, _c in risposte)
    assert stati.count("MISS") == 1, stati  # the others waited for that answer (proxy_cache_lock)
