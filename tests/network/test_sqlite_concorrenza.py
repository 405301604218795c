"""SQLite as shipped serves many signed-in people at once (issue 19).

The portal is served (pytest-django's live server: Django's threaded WSGI server, as
runserver, on the test database file with the options of network/settings/base.py) and
24 signed-in clients, each its own thread with its own cookies, sign in through the form,
then browse and save together: 12 referenti each add sedi, 12 OLP each save a month of
their volunteer's register. allauth's session list writes on every signed-in request, so
every request writes. Not one request may fail ("database is locked" was a 500)."""

import datetime
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from enti.models import Membership, Sede
from enti.roles import Ruolo
from tests.factories import OlpFactory, ServizioFactory
from tests.personas import costruisci_mondo, utente
from tests.volontari.test_griglia import dati_mese
from volontari import rules
from volontari.models import Presenza

PASSWORD = "password-for-tests"
REFERENTI = 12
OLP = 12
GIRI = 3


class Cliente:
    """One person's browser: its own cookies, the CSRF token read from each form."""

    def __init__(self, base: str):
        self.base = base
        self.apri = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())).open
        self.esiti: list[tuple[str, int | str]] = []

    def _chiedi(self, metodo: str, percorso: str, dati: dict | None = None, headers: dict | None = None) -> str:
        corpo = urllib.parse.urlencode(dati).encode() if dati is not None else None
        richiesta = urllib.request.Request(  # noqa: S310 (the live server's http:// address)
            self.base + percorso, data=corpo, method=metodo, headers=headers or {}
        )
        try:
            with self.apri(richiesta, timeout=120) as risposta:
                self.esiti.append((f"{metodo} {percorso}", risposta.status))
                return risposta.read().decode()
        except urllib.error.HTTPError as exc:
            self.esiti.append((f"{metodo} {percorso}", exc.code))
            return exc.read().decode(errors="replace")
        except Exception as exc:  # the connection itself failed
            self.esiti.append((f"{metodo} {percorso}", type(exc).__name__))
            return ""

    def get(self, percorso: str) -> str:
        return self._chiedi("GET", percorso)

    def post(self, percorso: str, dati: dict, *, modulo: str | None = None, headers: dict | None = None) -> str:
        pagina = self.get(modulo or percorso)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pagina)
        return self._chiedi("POST", percorso, {**dati, "csrfmiddlewaretoken": token.group(1) if token else ""}, headers)

    def entra(self, email: str) -> None:
        self.post(reverse("account_login"), {"login": email, "password": PASSWORD})

    def errori(self) -> list:
        return [(cosa, stato) for cosa, stato in self.esiti if not (isinstance(stato, int) and stato < 400)]


@pytest.mark.django_db(transaction=True)
def test_twenty_four_signed_in_people_browse_and_save_at_once_on_sqlite(live_server):
    if connection.vendor != "sqlite":  # CI runs it again on SQLite, on its own (.ci/run)
        pytest.skip("this test is about SQLite")
    opzioni = settings.DATABASES["default"]["OPTIONS"]
    assert opzioni["transaction_mode"] == "IMMEDIATE" and "journal_mode=WAL" in opzioni["init_command"]
    mondo = costruisci_mondo()
    ente = mondo.oggetti["enti"]["a"]
    a = mondo.oggetti["servizi"]["a"]
    oggi = timezone.localdate()
    inizio, fine = oggi - datetime.timedelta(days=200), oggi + datetime.timedelta(days=100)
    referenti = []
    for i in range(REFERENTI):
        user = utente(f"referente{i}.a@example.org")
        Membership.objects.create(user=user, ruolo=Ruolo.REFERENTE, ente=ente)
        referenti.append(user.email)
    olp = []
    for i in range(OLP):
        user = utente(f"olp{i}.a@example.org")
        servizio = ServizioFactory(
            posto=a.posto, olp=OlpFactory(ente=ente, user=user), data_inizio=inizio, data_fine=fine,
            data_fine_prevista=fine,
        )  # fmt: skip
        olp.append((user.email, servizio))
    mesi = [oggi.replace(day=1)]
    for _ in range(GIRI):
        mesi.append((mesi[-1] - datetime.timedelta(days=1)).replace(day=1))
    mesi = mesi[1:]  # months already over, each saved once
    comune = Sede.objects.filter(ente=ente).first().comune.codice_istat
    sedi_prima = Sede.objects.filter(ente=ente).count()

    partenza = threading.Barrier(REFERENTI + OLP, timeout=120)
    clienti = []

    def referente(email: str, n: int) -> None:
        c = Cliente(live_server.url)
        clienti.append(c)
        c.entra(email)
        partenza.wait()
        for giro in range(GIRI):
            c.get(reverse("dashboard"))
            c.get(reverse("catalogo:lista"))
            c.get(reverse("enti:dettaglio", args=[ente.pk]))
            dati = {
                "denominazione": f"Sede {n}-{giro}", "comune": comune, "indirizzo": f"Via Prova {n}",
                "civico": str(giro + 1), "cap": "24100", "codice_helios": "",
            }  # fmt: skip
            c.post(reverse("sedi:nuova", args=[ente.pk]), dati)

    def olp_registro(email: str, servizio) -> None:
        c = Cliente(live_server.url)
        clienti.append(c)
        c.entra(email)
        partenza.wait()
        for mese in mesi:
            c.get(reverse("dashboard"))
            c.get(reverse("catalogo:lista"))
            c.post(
                reverse("registro:griglia"), dati_mese([servizio], mese),
                modulo=reverse("registro:griglia") + f"?mese={mese:%Y-%m}", headers={"HX-Request": "true"},
            )  # fmt: skip

    inizio_prova = time.monotonic()
    fili = [threading.Thread(target=referente, args=(email, n)) for n, email in enumerate(referenti)]
    fili += [threading.Thread(target=olp_registro, args=persona) for persona in olp]
    for f in fili:
        f.start()
    for f in fili:
        f.join(300)
    assert not any(f.is_alive() for f in fili)

    richieste = sum(len(c.esiti) for c in clienti)
    print(f"{richieste} requests by {len(clienti)} signed-in clients in {time.monotonic() - inizio_prova:.1f} s")
    errori = [e for c in clienti for e in c.errori()]
    assert richieste >= (REFERENTI + OLP) * GIRI * 4
    assert errori == []
    # Every save was written, and every client was signed in (a signed-out one would have
    # been sent to the sign-in page, and saved nothing).
    assert Sede.objects.filter(ente=ente).count() == sedi_prima + REFERENTI * GIRI
    for _email, servizio in olp:
        attesi = sum(len(rules.giorni_di_servizio(servizio, mese)) for mese in mesi)
        assert Presenza.objects.filter(servizio=servizio).count() == attesi
