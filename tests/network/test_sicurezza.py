"""Security: the headers of every response, templates the Content-Security-Policy can serve
as they are, charts without style attributes, stored reports served only through their view,
logs without secrets or personal data, and Django's deployment checks."""

import datetime
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from gunicorn.config import Config

from infra import grafici
from monitoraggio.models import Report
from network.gunicorn_log import AccessLogSenzaDatiPersonali
from network.logfilters import RedactSecretsFilter, indirizzo_per_i_log
from tests.personas import client_per, costruisci_mondo

ROOT = Path(__file__).resolve().parents[2]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


# --- Headers ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "indirizzo",
    ["/", "/numeri/", "/dati/v1/contatori.json", "/accounts/login/", "/admin/login/", "/pagina-che-non-esiste/"],
)
def test_every_response_carries_the_security_headers(client, indirizzo):
    response = client.get(indirizzo)
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_the_favicon_is_served_so_that_no_page_logs_a_missing_one(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")


def test_the_policy_comes_from_the_setting(settings, rf):
    from network.middleware import SecurityHeadersMiddleware

    settings.SECURE_CSP = {"default-src": ["'self'"], "img-src": ["'self'", "https://tiles.example.org"]}
    settings.PERMISSIONS_POLICY = {"geolocation": ["self"]}
    from django.http import HttpResponse

    response = SecurityHeadersMiddleware(lambda r: HttpResponse())(rf.get("/"))
    assert response["Content-Security-Policy"] == "default-src 'self'; img-src 'self' https://tiles.example.org"
    assert response["Permissions-Policy"] == "geolocation=(self)"


# --- Templates and scripts the CSP can serve as they are ------------------------------------

# Rendered only by WeasyPrint into PDF, never sent to a browser: their <style> element is how
# a PDF gets its layout, and the CSP does not apply.
SOLO_PDF = re.compile(r"_pdf\.html$")
PROIBITI = {
    "inline <script> (scripts come from static files)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "event-handler attribute (on...=)": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style attribute (use a class in static/css)": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def templates_del_progetto() -> list[Path]:
    cartelle = [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]
    cartelle += [ROOT / app / "templates" for app in ("accounts", "enti", "progetti", "volontari", "network")]
    return sorted(p for c in cartelle if c.is_dir() for p in c.rglob("*.html"))


def test_templates_have_no_inline_scripts_handlers_or_styles():
    modelli = templates_del_progetto()
    assert len(modelli) > 50
    trovati = []
    for modello in modelli:
        testo = modello.read_text(encoding="utf-8")
        for nome, regola in PROIBITI.items():
            trovati += [f"{modello.relative_to(ROOT)}: {nome}: {m.group(0)[:80]}" for m in regola.finditer(testo)]
        if not SOLO_PDF.search(modello.name) and STYLE_ELEMENT.search(testo):
            trovati.append(f"{modello.relative_to(ROOT)}: <style> element (use static/css)")
    assert trovati == [], "\n".join(trovati)


def test_the_portals_scripts_use_no_eval_or_style_attributes():
    trovati = []
    for script in sorted((ROOT / "static" / "js").rglob("*.js")):
        testo = script.read_text(encoding="utf-8")
        for regola in (r"\beval\s*\(", r"new\s+Function\s*\(", r"setAttribute\(\s*['\"]style", r"<style", r"<script"):
            if re.search(regola, testo):
                trovati.append(f"{script.relative_to(ROOT)}: {regola}")
    assert trovati == []


def test_htmx_injects_no_style_element():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert ".htmx-indicator" in (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8")


def test_charts_draw_with_attributes_not_styles():
    oggi = datetime.date(2025, 6, 1)
    disegni = [
        grafici.grafico_barre([("gen", 3), ("feb", 5)], titolo="t"),
        grafici.grafico_orizzontale([("Comune di Alfa", 3)], titolo="t"),
        grafici.grafico_linee([("Volontari", [(oggi, 3), (oggi + datetime.timedelta(days=40), 5)])], titolo="t"),
    ]
    for svg in disegni:
        assert svg.startswith("<svg") and "style" not in svg


# --- Stored files ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_is_served_through_its_view_only_under_a_random_name(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mondo = costruisci_mondo()
    oggi = datetime.date.today()
    report = Report.objects.create(
        tipo="mensile_ente", ente=mondo.oggetti["enti"]["a"], periodo_inizio=oggi.replace(day=1), periodo_fine=oggi
    )
    report.file.save("report.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    report.stato = Report.Stato.COMPLETATO
    report.save()
    assert re.fullmatch(r"report/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", report.file.name)
    response = client_per(client, mondo, "referente_a").get(reverse("report:scarica", args=[report.pk]))
    assert response.status_code == 200
    assert f'filename="report_{report.pk}_mensile_ente_{oggi:%Y_%m}.pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_per(client, mondo, "referente_b").get(reverse("report:scarica", args=[report.pk])).status_code == 404
    assert client_per(client, mondo, "referente_a").get(settings.MEDIA_URL + report.file.name).status_code == 404


def test_no_url_pattern_serves_media():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "report/2025/01/" + "0" * 32 + ".pdf")


# --- Logs -----------------------------------------------------------------------------------


def test_the_calendar_key_is_redacted_like_the_other_secrets():
    import logging

    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/volontari/calendario/KEY123.ics",), None
    )
    RedactSecretsFilter().filter(record)
    assert "KEY123" not in record.getMessage()


@pytest.mark.parametrize(
    ("indirizzo", "atteso"),
    [
        ("/volontari/?q=RSSMRA80A01H501U&page=2", "/volontari/?q=…&page=…"),
        ("/inviti/accetta/SEGRETO/?email=mario@example.org", "/inviti/accetta/[…]/?email=…"),
        ("/accounts/password/reset/key/1-abc-def/", "/accounts/password/reset/key/[…]/"),
        ("/volontari/calendario/CHIAVE.ics", "/volontari/calendario/[…]"),
        ("https://portale.example.org/registro/?mese=2025-01", "https://portale.example.org/registro/?mese=…"),
        ("/numeri/", "/numeri/"),
    ],
)
def test_addresses_for_the_logs(indirizzo, atteso):
    assert indirizzo_per_i_log(indirizzo) == atteso


def test_gunicorn_access_log_carries_no_query_values_nor_secrets():
    logger = AccessLogSenzaDatiPersonali(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/inviti/accetta/SEGRETO/?email=mario.rossi@example.org",
        "PATH_INFO": "/inviti/accetta/SEGRETO/",
        "QUERY_STRING": "email=mario.rossi@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://portale.example.org/volontari/?q=RSSMRA80A01H501U",
        "HTTP_COOKIE": "sessionid=abc",
    }
    risposta = types.SimpleNamespace(status="200 OK", sent=10, headers=[("Location", "/x/?email=a@b.it")])
    richiesta = types.SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("COOKIE", "sessionid=abc")])
    atoms = logger.atoms(risposta, richiesta, environ, datetime.timedelta(milliseconds=5))
    riga = logger.cfg.access_log_format % atoms
    for dato in ("SEGRETO", "mario.rossi", "RSSMRA80A01H501U"):
        assert dato not in riga
    assert '"GET /inviti/accetta/[…]/?email=… HTTP/1.1"' in riga
    assert "RSSMRA" not in atoms["{referer}i"] and atoms["{cookie}i"] == "-" and "a@b.it" not in atoms["{location}o"]
    assert atoms["q"] == "email=…"


def test_gunicorn_uses_that_logger():
    config = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    assert 'logger_class = "network.gunicorn_log.AccessLogSenzaDatiPersonali"' in config


# --- Deployment -----------------------------------------------------------------------------


def test_production_cookies_are_secure_and_http_only_with_hsts():
    from tests.network.test_settings import settings_value

    valori = (
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SECURE, "
        "settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_HTTPONLY, settings.LANGUAGE_COOKIE_HTTPONLY, "
        "settings.SECURE_HSTS_SECONDS >= 31536000, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_SSL_REDIRECT"
    )
    risultato = settings_value(
        "network.settings.production", valori, DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="example.org"
    )
    assert risultato.stdout.strip() == repr((True,) * 9), risultato.stderr


def test_check_deploy_is_clean_under_production_settings():
    ambiente = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    ambiente |= {
        "DJANGO_SETTINGS_MODULE": "network.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-Zq9#x7@" + "w" * 30,
        "DJANGO_ALLOWED_HOSTS": "portale.example.org",
    }
    risultato = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=ambiente, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert risultato.returncode == 0, risultato.stdout + risultato.stderr


# Settings that take a secret read it from the environment with an empty default or none,
# outside the development and test settings. DEMO_PASSWORD is not a secret: README publishes
# it, and seed_demo sets it only when DEBUG is on.
SEGRETO = re.compile(r"^([A-Z_]*(?:SECRET_KEY|PASSWORD|TOKEN|API_KEY)(?:_FALLBACKS)?)\s*=\s*(.+)$", re.M)
VUOTO = re.compile(r"^env(?:\.[a-z]+)?\(\s*\"[A-Z_]+\"\s*(?:,\s*default=(?:\"\"|\[\]))?\s*\)$")
CREDENZIALI_IN_URL = re.compile(r"://[^/\s:@\"']+:[^@\s\"']+@")


def test_secrets_come_only_from_the_environment():
    trovati = []
    for modulo in ("base.py", "production.py"):
        testo = (ROOT / "network" / "settings" / modulo).read_text(encoding="utf-8")
        for nome, valore in SEGRETO.findall(testo):
            if nome != "DEMO_PASSWORD" and not VUOTO.match(valore.strip()):
                trovati.append(f"{modulo}: {nome} = {valore}")
        trovati += [f"{modulo}: credentials in a URL" for _m in CREDENZIALI_IN_URL.finditer(testo)]
    assert trovati == []
