"""The Content-Security-Policy in Debian's Chromium: every page of the accessibility tour
(public pages, each persona's personal area and main forms, also with errors and after htmx
swaps), the second-factor set-up with its QR code and the Django admin load with the policy
active and raise no `securitypolicyviolation` event, no console message and no script error.

The pages are those of test_accessibilita.PAGINE, walked persona by persona in one browser
context each (one world per persona: far quicker than a fresh database per page)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import test_accessibilita as accessibilita
from tests.browser.test_accessibilita import EMAIL, PAGINE, PASSWORD, accedi_dal_modulo, entra, invia
from tests.network.test_authorization_matrix import ARGS
from tests.personas import utente

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The accessibility tour's fixtures: one Chromium for the module, the personas' world with
# its extra rows.
browser = accessibilita.browser
mondo = accessibilita.mondo


@pytest.fixture
def page(browser, live_server):
    """A context of its own with the policy enforced (the accessibility tour bypasses it)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pagina = context.new_page()
    yield pagina
    context.close()


# Installed before any script of the page runs: every violation is kept in window.__csp.
ASCOLTA = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push({directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample,
                       source: e.sourceFile + ":" + e.lineNumber});
});
"""


class Sorveglianza:
    """What the browser reported on a page: policy violations, console messages, errors."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errori: list[str] = []
        page.add_init_script(ASCOLTA)
        page.on("console", self.ascolta)
        page.on("pageerror", lambda e: self.errori.append(str(e)))

    def ascolta(self, messaggio) -> None:
        # Every message but Chromium's own verbose hints ("[DOM] Password forms should have
        # username fields..."), which are advice about markup, not something that went wrong.
        if messaggio.type not in ("verbose", "debug"):
            self.console.append(f"{messaggio.type}: {messaggio.text[:300]}")

    def problemi(self, dove: str, stato: int = 200) -> list[str]:
        self.page.wait_for_load_state("load")
        if stato >= 400:  # the page itself answers an error on purpose (a missing page)
            atteso = f"error: Failed to load resource: the server responded with a status of {stato} "
            self.console = [m for m in self.console if not m.startswith(atteso)]
        # A form refused through htmx answers 422 on purpose, with its errors (swapped in and
        # checked by the page's own test); Chromium logs every 4xx it loads.
        rifiuto = "error: Failed to load resource: the server responded with a status of 422 "
        self.console = [m for m in self.console if not m.startswith(rifiuto)]
        self.page.wait_for_timeout(150)  # let the scripts run after load (htmx, Bootstrap Italia)
        violazioni = self.page.evaluate("window.__csp || []")
        trovati = [f"{dove}: violation {v}" for v in violazioni]
        trovati += [f"{dove}: console {m}" for m in self.console]
        trovati += [f"{dove}: error {e}" for e in self.errori]
        self.console.clear()
        self.errori.clear()
        return trovati


PERSONE = sorted({p.persona for p in PAGINE.values()})


@pytest.mark.parametrize("persona", PERSONE)
def test_no_policy_violation_on_the_pages_of(page, live_server, mondo, persona):
    sorveglianza = Sorveglianza(page)
    if persona != "anonimo":
        entra(page, live_server.url, mondo, persona)
    problemi = []
    for chiave, pagina in PAGINE.items():
        if pagina.persona != persona:
            continue
        if chiave == "home-en" or (persona == "anonimo" and chiave.startswith("telefono-")):
            page.context.clear_cookies()  # the language switch sets a cookie; phones start afresh
        page.set_viewport_size({"width": 375, "height": 812} if pagina.telefono else {"width": 1280, "height": 900})
        indirizzo = pagina.url(mondo)
        risposta = page.goto(indirizzo)
        assert risposta.status == pagina.stato, f"{chiave}: {indirizzo} answered {risposta.status}"
        policy = risposta.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, f"{chiave}: no policy"
        if pagina.azione:
            pagina.azione(page)
        problemi += sorveglianza.problemi(chiave, pagina.stato)
        if chiave == "home-en":
            page.goto("/lingua/it/?next=/")
    assert problemi == [], "\n".join(problemi)


def test_no_policy_violation_setting_up_a_second_factor(page, mondo):
    """allauth's TOTP page shows its QR code as a data: image."""
    sorveglianza = Sorveglianza(page)
    accedi_dal_modulo(page, EMAIL["referente_a"])
    page.goto(reverse("mfa_activate_totp"))
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert page.url.endswith(reverse("mfa_activate_totp")), page.url
    expect(page.locator("main img").first).to_be_visible()
    assert page.locator("main img").first.get_attribute("src").startswith("data:")
    problemi = sorveglianza.problemi("mfa_activate_totp")
    invia(page)  # no code: the error is shown
    problemi += sorveglianza.problemi("mfa_activate_totp with errors")
    assert problemi == [], "\n".join(problemi)


def test_no_policy_violation_in_the_django_admin(page, live_server, mondo):
    """Django 5.2's admin has no inline script: its pages work under the same policy."""
    amministratore = utente("admin@example.org", mfa=True)
    amministratore.is_staff = amministratore.is_superuser = True
    amministratore.save()
    mondo.users["admin"] = amministratore
    sorveglianza = Sorveglianza(page)
    entra(page, live_server.url, mondo, "admin")
    ente = ARGS["enti:dettaglio"](mondo)[0]
    problemi = []
    for indirizzo in (
        reverse("admin:index"),
        reverse("admin:enti_ente_changelist"),
        reverse("admin:enti_ente_changelist") + "?q=Alfa",
        reverse("admin:enti_ente_change", args=[ente]),
        reverse("admin:enti_nodo_add"),
        reverse("admin:pubblico_notizia_add"),
        reverse("admin:volontari_chiusuramensile_changelist"),
        reverse("admin:accounts_user_changelist"),
    ):
        risposta = page.goto(indirizzo)
        assert risposta.status == 200, f"{indirizzo} answered {risposta.status}"
        problemi += sorveglianza.problemi(indirizzo)
    # A state-changing action's intermediate page (accounts.admin.esegui_azione).
    page.goto(reverse("admin:enti_ente_changelist"))
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("cambia_adesione")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    expect(page.locator("input[name=conferma]")).to_have_count(1)
    problemi += sorveglianza.problemi("admin action's intermediate page")
    # The calendar widget and the related-object pop-up link are drawn by the admin's scripts.
    page.goto(reverse("admin:pubblico_notizia_add"))
    calendario = page.locator(".datetimeshortcuts a").first
    if calendario.count():
        calendario.click()
    problemi += sorveglianza.problemi("admin widgets")
    assert problemi == [], "\n".join(problemi)
