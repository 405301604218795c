"""Every persona signs in, lands on the to-do home, follows its first item to the action, does
it, comes back and sees the item gone; at 1366 and 390 px, axe-core finding nothing on the way.
The personal menu replaces the public one. Screenshots: /tmp/da_fare_<persona>_<width>_*.png."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from adesioni.models import RichiestaAccesso
from infra.mesi import primo_del_mese, ultimo_del_mese
from tests.browser.test_accessibilita import (  # noqa: F401
    EMAIL,
    SCHERMATE,
    accedi_dal_modulo,
    browser,
    nessuna_violazione,
)
from tests.factories import ComuneFactory
from tests.personas import code_for, costruisci_mondo, totp_secret
from volontari.models import ChiusuraMensile, Presenza, Questionario, Servizio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mese_scorso() -> datetime.date:
    return primo_del_mese(primo_del_mese(timezone.localdate()) - datetime.timedelta(days=1))


def _mese_registrato(servizio) -> None:
    """Every day of last month coded, so that the month can be confirmed."""
    mese = _mese_scorso()
    giorno, righe = max(mese, servizio.data_inizio), []
    while giorno <= ultimo_del_mese(mese):
        righe.append(Presenza(servizio=servizio, giorno=giorno, codice="P", attivita="servizio", ore=5))
        giorno += datetime.timedelta(days=1)
    Presenza.objects.bulk_create(righe)


def _mondo(persona):
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    # Only comune A's volunteer is in service: B's and V's would add their own items.
    Servizio.objects.filter(pk__in=[mondo.oggetti["servizi"][k].pk for k in ("b", "v")]).update(stato="rinuncia")
    oggi = timezone.localdate()
    if persona == "volontario":
        Questionario.objects.create(
            servizio=a, tipo="inizio", inviato_il=oggi, scadenza=oggi + datetime.timedelta(days=9)
        )
    elif persona == "olp_a":
        _mese_registrato(a)
    elif persona == "referente_a":
        _mese_registrato(a)
        ChiusuraMensile.objects.create(
            servizio=a,
            mese=_mese_scorso(),
            stato=ChiusuraMensile.Stato.CONFERMA_PRELIMINARE,
            conferma_preliminare_il=timezone.now(),
            foglio_firmato="fogli_presenze/firmato.pdf",
        )
    else:
        RichiestaAccesso.objects.create(
            denominazione="Comune di Gamma",
            codice_fiscale="00000000000",
            comune=ComuneFactory(),
            pec="gamma@pec.example.org",
            rappresentante_legale="Gina Gamma",
            nome="Gino",
            cognome="Gamma",
            email="gino.gamma@example.org",
            nodo=mondo.oggetti["nodi"]["lombardia"],
        )
    return mondo


def _entra(page, mondo, persona):
    accedi_dal_modulo(page, EMAIL[persona])
    if page.url.endswith(reverse("mfa_authenticate")):
        page.locator("input[name=code]").fill(code_for(totp_secret(mondo.users[persona])))
        with page.expect_navigation():
            page.locator("main button[type=submit]").first.click()


def _fai(page, persona):
    """The action the first item opens, done as the person would."""
    if persona == "volontario":
        for nome in ("attivita", "olp", "formazione", "accoglienza", "soddisfazione"):
            page.locator(f"input[name={nome}][value='4']").check(force=True)
        page.get_by_role("button", name="Invia le mie risposte").click()
    elif persona == "olp_a":
        page.get_by_role("button", name="Conferma il mese").click()
    elif persona == "referente_a":
        page.get_by_role("button", name="Conferma il mese per l'ente").click()
    else:
        scheda = page.locator(".card", has_text="Comune di Gamma")
        scheda.get_by_label("Respingi").check(force=True)
        scheda.get_by_label("Motivazione (obbligatoria per respingere)").fill("Il comune è già socio tramite l'unione.")
        scheda.get_by_role("button", name="Registra la decisione").click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success").first).to_be_visible()


PRIMA = {
    "volontario": "questionari",
    "olp_a": "mesi_da_preconfermare",
    "referente_a": "mesi_da_confermare",
    "nodo_lombardia": "richieste_accesso",
    "nazionale": "richieste_accesso",
}


@pytest.mark.parametrize("larghezza", [1366, 390])
@pytest.mark.parametrize("persona", list(PRIMA))
def test_the_first_item_is_done_and_disappears(browser, live_server, persona, larghezza):  # noqa: F811
    mondo = _mondo(persona)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": larghezza, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    try:
        _entra(page, mondo, persona)
        assert page.url.endswith(reverse("dashboard")), page.url
        expect(page.get_by_role("heading", name="Da fare")).to_be_visible()
        voce = page.locator(".da-fare li").first
        expect(voce).to_have_attribute("data-cosa", PRIMA[persona])
        # The header carries the personal menu, not the public one.
        menu = page.locator("#main-nav")
        expect(menu.locator(f'a[href="{reverse("dashboard")}"]')).to_have_attribute("aria-current", "page")
        expect(menu.locator(f'a[href="{reverse("pubblico:numeri")}"]')).to_have_count(0)
        nessuna_violazione(page)
        page.screenshot(path=SCHERMATE / f"da_fare_{persona}_{larghezza}_home.png", full_page=True)

        voce.get_by_role("link").click()
        page.wait_for_load_state()
        if persona != "volontario":
            expect(page.locator(".breadcrumb-container [aria-current=page]")).to_be_visible()
        nessuna_violazione(page)
        page.screenshot(path=SCHERMATE / f"da_fare_{persona}_{larghezza}_azione.png", full_page=False)
        _fai(page, persona)

        page.locator(".breadcrumb-container").get_by_role(
            "link", name="Da fare"
        ).click() if persona != "volontario" else page.goto(reverse("dashboard"))
        page.wait_for_load_state()
        assert page.url.endswith(reverse("dashboard")), page.url
        expect(page.locator(f'[data-cosa="{PRIMA[persona]}"]')).to_have_count(0)
        nessuna_violazione(page)
        page.screenshot(path=SCHERMATE / f"da_fare_{persona}_{larghezza}_fatto.png", full_page=True)
    finally:
        context.close()
