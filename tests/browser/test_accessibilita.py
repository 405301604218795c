"""Accessibility of the portal in Debian's Chromium: axe-core finds no WCAG 2.1 A/AA violation
on the public pages, on every kind of personal area and on the main forms (also when they
show errors, and on a phone's screen), every form control has a visible boundary, and the
portal can be used with the keyboard alone with a visible focus.

axe-core is vendored (tests/browser/vendor/axe-core, see its README): nothing is downloaded
when the tests run. One Chromium serves the whole module; every test has a context of its
own (no cookies shared) and a fresh personas' world (the live server needs a transactional
database, emptied after each test)."""

import datetime
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect, sync_playwright

from tests.conftest import CHROMIUM, need
from tests.network.test_authorization_matrix import ARGS, _oggetti_extra
from tests.personas import Mondo, code_for, costruisci_mondo, totp_secret

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "password-for-tests"
SCHERMATE = Path(tempfile.gettempdir())
EMAIL = {
    "volontario": "volontaria.a@example.org",
    "olp_a": "olp.a@example.org",
    "referente_a": "referente.a@example.org",
    "nodo_lombardia": "nodo.lombardia@example.org",
    "nazionale": "nazionale@example.org",
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- The browser, one for the module ------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    need(shutil.which(CHROMIUM) is not None, "Debian's chromium is not installed")
    # Playwright's sync API keeps an asyncio loop on this thread for the whole module, and
    # Django refuses queries on a thread with a running loop. The tests only use the
    # database from this thread, one call at a time, before or after a browser call: safe.
    prima = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if prima is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = prima


@pytest.fixture
def page(browser, live_server):
    # axe-core goes in as an inline script, which the portal's Content-Security-Policy refuses:
    # the policy is left aside here and checked, enforced, by test_csp.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pagina = context.new_page()
    yield pagina
    context.close()


@pytest.fixture
def mondo() -> Mondo:
    mondo = costruisci_mondo()
    _oggetti_extra(mondo)  # an invitation, a draft project, a report, a questionnaire, a news item...
    return mondo


# --- axe ----------------------------------------------------------------------------------


def violazioni(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


# axe-core does not look at the boundary of form controls (WCAG 1.4.11, non-text contrast):
# Bootstrap Italia draws text fields and selects as an underline, which a missing type="text"
# or a select outside .select-wrapper loses, leaving an invisible field.
CONFINI = """() => {
    const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
        const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const contrasto = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
    const sfondo = el => {
        for (let e = el.parentElement; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const controlli = document.querySelectorAll("main input, main select, main textarea");
    const senza_confine = ["hidden", "checkbox", "radio", "submit", "file"];  // drawn otherwise
    const senza = [];
    for (const el of controlli) {
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        if (senza_confine.includes(el.type) || r.width < 2 || r.height < 2) continue;
        if (s.visibility === "hidden" || s.opacity === "0") continue;
        const intorno = sfondo(el);
        const visibile = ["Top", "Right", "Bottom", "Left"].some(lato => {
            const c = rgb(s[`border${lato}Color`]);
            return parseFloat(s[`border${lato}Width`]) >= 1 && s[`border${lato}Style`] !== "none"
                && (c.length === 3 || c[3] > 0) && contrasto(c.slice(0, 3), intorno) >= 3;
        }) || contrasto(rgb(s.backgroundColor).slice(0, 3), intorno) >= 3;
        if (!visibile) {
            senza.push({target: [el.id ? "#" + el.id : el.name], html: el.outerHTML.slice(0, 300), summary: ""});
        }
    }
    return senza.length ? [{
        id: "control-boundary", impact: "serious", nodes: senza,
        help: "Form controls must have a visible boundary: a border with 3:1 contrast against what surrounds them",
        helpUrl: "https://www.w3.org/WAI/WCAG21/Understanding/non-text-contrast.html",
    }] : [];
}"""


def descrivi(url: str, trovate: list[dict]) -> str:
    righe = [f"{len(trovate)} axe-core violation(s) on {url}:"]
    for v in trovate:
        righe.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for n in v["nodes"][:10]:
            righe.append(f"    at {' '.join(map(str, n['target']))}: {n['html'][:300]}")
            if n["summary"]:
                righe.extend(f"      {riga}" for riga in n["summary"].splitlines())
        if len(v["nodes"]) > 10:
            righe.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(righe)


def nessuna_violazione(page) -> None:
    trovate = violazioni(page) + page.evaluate(CONFINI)
    assert not trovate, descrivi(page.url, trovate)


# --- Signing in ---------------------------------------------------------------------------


def entra(page, base: str, mondo: Mondo, persona: str) -> None:
    """Sign the persona in by handing the browser a session cookie (the sign-in form and its
    second factor have tests of their own below)."""
    client = Client()
    client.force_login(mondo.users[persona])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def accedi_dal_modulo(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main").get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()


def invia(page, svuota: bool = True) -> None:
    """Submit the page's form (with its text fields emptied, unless told otherwise), letting
    the server answer (no browser validation)."""
    modulo = page.locator("main form[method=post]").last
    modulo.evaluate(
        """(f, svuota) => {
            f.noValidate = true;
            if (svuota) {
                const testi = "input:not([type]), input[type=text], input[type=email], input[type=password], textarea";
                f.querySelectorAll(testi).forEach(e => { if (!e.readOnly) e.value = ""; });
            }
        }""",
        svuota,
    )
    with page.expect_navigation():
        modulo.locator("button[type=submit]").last.click()


# --- The pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pagina:
    persona: str
    url: Callable[[Mondo], str]
    azione: Callable | None = None  # what the visitor does before axe looks at the page
    stato: int = 200
    telefono: bool = False  # seen on a phone's screen (375 x 812) instead of a desktop's


def nome(view: str, query: str = "") -> Callable[[Mondo], str]:
    def url(m: Mondo) -> str:
        return reverse(view, args=ARGS.get(view, lambda _m: [])(m)) + query

    return url


def fisso(indirizzo: str) -> Callable[[Mondo], str]:
    return lambda _m: indirizzo


def mese_scorso() -> str:
    return f"{timezone.localdate().replace(day=1) - datetime.timedelta(days=1):%Y-%m}"


def in_inglese(page) -> None:
    page.goto("/lingua/en/?next=/")
    assert page.locator("html").get_attribute("lang") == "en"


def password_sbagliata(page) -> None:
    page.locator("input[name=login]").fill("referente.a@example.org")
    page.locator("input[name=password]").fill("not-the-password")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("alert").first).to_be_visible()


def con_errori(page, svuota: bool = True, riepilogo: bool = True) -> None:
    invia(page, svuota)
    expect(page.locator("main .invalid-feedback, main .alert-danger").first).to_be_visible()
    if riepilogo:  # the summary of the errors has the focus, so that it is read first
        expect(page.locator("main .alert-danger").first).to_be_focused()


def questionario_vuoto(page) -> None:
    con_errori(page, riepilogo=False)  # its own markup: a message under each question


def apri_il_menu(page) -> None:
    page.get_by_role("button", name="Mostra o nascondi la navigazione").click()
    expect(page.locator("#main-nav").get_by_role("link", name="La rete")).to_be_visible()


def riempi_la_settimana(page) -> None:
    """The register's grid after htmx swapped it in: its status message and its cells too."""
    page.get_by_role("button", name="Riempi la settimana").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Riempimento eseguito")


def tutti_presenti(page) -> None:
    """Today's attendance, every row filled with the usual day (js/registro.js)."""
    page.get_by_role("button", name="Tutti presenti, ore abituali").click()


def ore_troppe(page) -> None:
    """The grid after a refused save (ten hours in a day): errors at the cell and in the summary."""
    page.locator("main input.codice").first.fill("P")
    page.locator("main input.ore").first.fill("10")
    page.get_by_role("button", name="Salva il mese").click()
    expect(page.locator("[data-riepilogo]")).to_be_focused()


def bozza(m: Mondo) -> int:
    return m.oggetti["bozza"].pk  # a draft project of comune A


def passo(nome_passo: str) -> Callable[[Mondo], str]:
    return lambda m: reverse("progetti:modifica", args=[bozza(m), nome_passo])


def pec_sbagliata(page) -> None:
    """An adhering ente's locked fields cannot be emptied: a malformed PEC shows an error."""
    page.locator("input[name=pec]").fill("not-an-address")
    con_errori(page, svuota=False)


PAGINE: dict[str, Pagina] = {
    # The public face.
    "home": Pagina("anonimo", fisso("/")),
    "home-en": Pagina("anonimo", fisso("/"), azione=in_inglese),
    "rete": Pagina("anonimo", nome("pubblico:rete")),
    "rete-nodo": Pagina("anonimo", nome("pubblico:nodo")),
    "numeri": Pagina("anonimo", nome("pubblico:numeri")),
    "notizie": Pagina("anonimo", nome("pubblico:notizie")),
    "notizia": Pagina("anonimo", nome("pubblico:notizia")),
    "dati": Pagina("anonimo", nome("pubblico:dati")),
    "accessibilita": Pagina("anonimo", nome("pubblico:accessibilita")),
    "privacy": Pagina("anonimo", nome("pubblico:privacy")),
    "catalogo": Pagina("anonimo", nome("catalogo:lista")),
    "catalogo-filtrato": Pagina("anonimo", nome("catalogo:lista", "?comune=Alfa")),
    "catalogo-progetto": Pagina("anonimo", nome("catalogo:dettaglio")),
    "richiesta-accesso": Pagina("anonimo", nome("inviti:richiesta")),
    "richiesta-accesso-errori": Pagina("anonimo", nome("inviti:richiesta"), azione=con_errori),
    "invito-accetta": Pagina("anonimo", nome("inviti:accetta")),
    "invito-accetta-errori": Pagina("anonimo", nome("inviti:accetta"), azione=con_errori),
    "login": Pagina("anonimo", nome("account_login")),
    "login-errore": Pagina("anonimo", nome("account_login"), azione=password_sbagliata),
    "password-reset": Pagina("anonimo", nome("account_reset_password")),
    "password-reset-errori": Pagina("anonimo", nome("account_reset_password"), azione=con_errori),
    "password-reset-chiave-scaduta": Pagina("anonimo", nome("account_reset_password_from_key")),
    "pagina-inesistente": Pagina("anonimo", fisso("/pagina-che-non-esiste/"), stato=404),
    "telefono-home": Pagina("anonimo", fisso("/"), telefono=True),
    "telefono-menu": Pagina("anonimo", fisso("/"), azione=apri_il_menu, telefono=True),
    "telefono-catalogo": Pagina("anonimo", nome("catalogo:lista"), telefono=True),
    "telefono-richiesta-accesso-errori": Pagina("anonimo", nome("inviti:richiesta"), azione=con_errori, telefono=True),
    # The personal area of every kind of persona.
    "area-volontario": Pagina("volontario", nome("dashboard")),
    "area-olp": Pagina("olp_a", nome("dashboard")),
    "area-referente": Pagina("referente_a", nome("dashboard")),
    "area-nodo": Pagina("nodo_lombardia", nome("dashboard")),
    "area-nazionale": Pagina("nazionale", nome("dashboard")),
    # The volunteer.
    "volontario-mio-servizio": Pagina("volontario", nome("volontari:mio")),
    "volontario-questionario": Pagina("volontario", nome("volontari:questionario")),
    "volontario-questionario-errori": Pagina("volontario", nome("volontari:questionario"), azione=questionario_vuoto),
    # The OLP.
    "olp-registro": Pagina("olp_a", nome("registro:griglia")),
    "olp-registro-riempito": Pagina("olp_a", nome("registro:griglia"), azione=riempi_la_settimana),
    "olp-registro-mese-scorso": Pagina("olp_a", lambda m: reverse("registro:griglia") + f"?mese={mese_scorso()}"),
    "olp-relazioni": Pagina("olp_a", nome("registro:relazioni")),
    "telefono-olp-registro": Pagina("olp_a", nome("registro:griglia"), telefono=True),
    "olp-registro-oggi": Pagina("olp_a", nome("registro:oggi"), azione=tutti_presenti),
    "telefono-olp-registro-oggi": Pagina("olp_a", nome("registro:oggi"), azione=tutti_presenti, telefono=True),
    "olp-registro-rifiutato": Pagina("olp_a", nome("registro:griglia"), azione=ore_troppe),
    "telefono-olp-area": Pagina("olp_a", nome("dashboard"), telefono=True),
    # The referente of an ente.
    "referente-ente": Pagina("referente_a", nome("enti:dettaglio")),
    "referente-ente-modifica": Pagina("referente_a", nome("enti:modifica")),
    "referente-ente-modifica-errori": Pagina("referente_a", nome("enti:modifica"), azione=pec_sbagliata),
    "referente-sede-nuova": Pagina("referente_a", nome("sedi:nuova")),
    "referente-sede-nuova-errori": Pagina("referente_a", nome("sedi:nuova"), azione=con_errori),
    "referente-progetti": Pagina("referente_a", nome("progetti:lista")),
    "referente-progetto": Pagina("referente_a", nome("progetti:dettaglio")),
    "referente-progetto-nuovo": Pagina("referente_a", nome("progetti:nuovo")),
    "referente-progetto-nuovo-errori": Pagina("referente_a", nome("progetti:nuovo"), azione=con_errori),
    "referente-progetto-bozza": Pagina("referente_a", lambda m: reverse("progetti:dettaglio", args=[bozza(m)])),
    "referente-progetto-passo-generale": Pagina("referente_a", passo("generale")),
    "referente-progetto-passo-generale-errori": Pagina("referente_a", passo("generale"), azione=con_errori),
    "referente-progetto-passo-orario": Pagina("referente_a", passo("orario")),
    "referente-progetto-passo-formazione": Pagina("referente_a", passo("formazione")),
    "referente-progetto-passo-misure": Pagina("referente_a", passo("misure")),
    "referente-progetto-passo-sedi": Pagina("referente_a", passo("sedi")),
    "referente-progetto-passo-esperti": Pagina("referente_a", passo("esperti")),
    "referente-volontari": Pagina("referente_a", nome("volontari:lista")),
    "referente-volontario": Pagina("referente_a", nome("volontari:dettaglio")),
    "referente-avvia-servizio": Pagina("referente_a", nome("servizi:avvia")),
    "referente-interrompi-servizio": Pagina("referente_a", nome("servizi:interrompi")),
    "referente-subentro": Pagina("referente_a", nome("servizi:subentro")),
    "referente-inviti": Pagina("referente_a", nome("inviti:lista")),
    "referente-invito-nuovo": Pagina("referente_a", nome("inviti:nuovo")),
    "referente-invito-nuovo-errori": Pagina("referente_a", nome("inviti:nuovo"), azione=con_errori),
    "referente-registro": Pagina("referente_a", nome("registro:griglia")),
    "referente-registro-volontario": Pagina("referente_a", nome("registro:volontario")),
    "referente-registro-chiusura": Pagina("referente_a", nome("registro:chiusura_ente")),
    "referente-registro-importa": Pagina("referente_a", nome("registro:importa")),
    "referente-relazioni": Pagina("referente_a", nome("registro:relazioni")),
    "referente-report": Pagina("referente_a", nome("report:lista")),
    "referente-report-dettaglio": Pagina("referente_a", nome("report:dettaglio")),
    "referente-monitoraggio": Pagina("referente_a", nome("monitoraggio:cruscotto")),
    # The staff of a nodo.
    "nodo-monitoraggio": Pagina("nodo_lombardia", nome("monitoraggio:cruscotto")),
    "nodo-monitoraggio-filtrato": Pagina(
        "nodo_lombardia", nome("monitoraggio:cruscotto", "?stato=in_servizio&q=Volontaria&solo_problemi=on")
    ),
    "nodo-progetti-filtrati": Pagina("nodo_lombardia", nome("progetti:lista", "?stato=bozza&titolo=a")),
    "nodo-progetto": Pagina("nodo_lombardia", nome("progetti:dettaglio")),
    "nodo-programma": Pagina("nodo_lombardia", nome("progetti:programma")),
    "nodo-richieste-accesso": Pagina("nodo_lombardia", nome("inviti:richieste")),
    "nodo-programmi": Pagina("nodo_lombardia", nome("progetti:programmi")),
    "nodo-programma-nuovo": Pagina("nodo_lombardia", nome("progetti:programma_nuovo")),
    "nodo-esperti": Pagina("nodo_lombardia", nome("progetti:esperti")),
    "nodo-esperto-nuovo": Pagina("nodo_lombardia", nome("progetti:esperto_nuovo")),
    "nodo-enti": Pagina("nodo_lombardia", nome("enti:lista")),
    "nodo-eventi": Pagina("nodo_lombardia", nome("audit:eventi")),
    "nodo-report": Pagina("nodo_lombardia", nome("report:lista")),
    # The account's pages (django-allauth).
    "account-sessioni": Pagina("referente_a", nome("usersessions_list")),
    "account-password": Pagina("referente_a", nome("account_change_password")),
    "account-email": Pagina("referente_a", nome("account_email")),
    "account-mfa": Pagina("nodo_lombardia", nome("mfa_index")),
    "account-riautentica": Pagina("referente_a", nome("account_reauthenticate")),
}


@pytest.mark.parametrize("chiave", list(PAGINE))
def test_no_axe_violations(page, live_server, mondo, chiave):
    pagina = PAGINE[chiave]
    if pagina.persona != "anonimo":
        entra(page, live_server.url, mondo, pagina.persona)
    if pagina.telefono:
        page.set_viewport_size({"width": 375, "height": 812})
    indirizzo = pagina.url(mondo)
    risposta = page.goto(indirizzo)
    assert risposta.status == pagina.stato, f"{indirizzo} answered {risposta.status}"
    assert page.url.endswith(indirizzo), f"{indirizzo} led to {page.url}"
    if pagina.azione:
        pagina.azione(page)
    nessuna_violazione(page)


# --- Pages only reached along a sign-in ------------------------------------------------------


def test_second_factor_pages_have_no_axe_violations(page, mondo):
    """The TOTP code page of the sign-in (also with a wrong code), then the page that sets a
    second factor up, for a referente who has just signed in."""
    segreto = totp_secret(mondo.users["nodo_lombardia"])
    accedi_dal_modulo(page, EMAIL["nodo_lombardia"])
    assert page.url.endswith(reverse("mfa_authenticate")), page.url
    nessuna_violazione(page)
    page.locator("input[name=code]").fill("000000" if code_for(segreto) != "000000" else "111111")
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    nessuna_violazione(page)
    page.locator("input[name=code]").fill(code_for(segreto))
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert page.url.endswith(reverse("dashboard")), page.url

    page.context.clear_cookies()
    accedi_dal_modulo(page, EMAIL["referente_a"])
    assert page.url.endswith(reverse("dashboard")), page.url
    page.goto(reverse("mfa_activate_totp"))
    # Setting a factor up asks for the password again first.
    assert reverse("account_reauthenticate") in page.url, page.url
    nessuna_violazione(page)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert page.url.endswith(reverse("mfa_activate_totp")), page.url
    nessuna_violazione(page)
    invia(page)  # no code: the error is shown
    nessuna_violazione(page)


# --- Keyboard and focus ---------------------------------------------------------------------

FOCO = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const contorno = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
        && !/rgba\\(.*,\\s*0\\)$/.test(s.outlineColor) && s.outlineColor !== "transparent";
    return {
        tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute("href"),
        testo: (el.innerText || el.value || "").trim().replace(/\\s+/g, " "),
        zona: el.closest("nav.language-switch") ? "lingua"
            : el.closest(".it-header-navbar-wrapper nav") ? "navigazione"
            : el.closest("#numeri") ? "numeri"
            : el.closest("footer") ? "footer" : "",
        focusVisible: el.matches(":focus-visible"),
        indicatore: s.boxShadow !== "none" || contorno,
        boxShadow: s.boxShadow, outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
        visibile: r.width > 1 && r.height > 1 && s.visibility !== "hidden",
    };
}"""


def test_skip_link_is_the_first_stop_and_leads_to_the_content(page, mondo):
    with translation.override("it"):
        testo = translation.gettext("Skip to main content")
    page.goto("/")
    salta = page.locator(".skiplinks a").first
    assert salta.bounding_box()["height"] <= 1  # hidden until it has the focus
    page.keyboard.press("Tab")
    foco = page.evaluate(FOCO)
    assert (foco["href"], foco["testo"]) == ("#main-content", testo), foco
    assert salta.bounding_box()["height"] > 10
    assert foco["visibile"] and foco["focusVisible"] and foco["indicatore"], foco
    page.screenshot(path=SCHERMATE / "a11y_skiplink.png")
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_home_page_can_be_walked_with_the_tab_key_with_a_visible_focus(page, mondo):
    page.goto("/")
    fermate = []
    for _ in range(120):
        page.keyboard.press("Tab")
        foco = page.evaluate(FOCO)
        if foco["tag"] == "body" or (fermate and foco == fermate[0]):
            break
        fermate.append(foco)
    senza_indicatore = [f for f in fermate if not (f["visibile"] and f["focusVisible"] and f["indicatore"])]
    assert not senza_indicatore, f"focus not visible on: {senza_indicatore}"
    zone = [f["zona"] for f in fermate]
    for zona in ("lingua", "navigazione", "numeri", "footer"):
        assert zona in zone, f"Tab never reaches the {zona}: {[(f['zona'], f['testo']) for f in fermate]}"
    # In reading order: the language switch, then the main navigation, then the figures.
    assert zone.index("lingua") < zone.index("navigazione") < zone.index("numeri") < zone.index("footer")
    lingue = [f["testo"] for f in fermate if f["zona"] == "lingua"]
    assert len(lingue) == 2, lingue
    voci = {f["href"] for f in fermate if f["zona"] == "navigazione"}
    assert {reverse("pubblico:rete"), reverse("catalogo:lista"), reverse("pubblico:notizie")} <= voci, voci
    nodi = {f["href"] for f in fermate if f["zona"] == "numeri"}
    assert reverse("pubblico:nodo", args=[mondo.oggetti["nodi"]["lombardia"].slug]) in nodi, nodi
    # A link of the main navigation with the focus, to look at.
    page.locator(".it-header-navbar-wrapper a.nav-link").first.focus()
    page.screenshot(path=SCHERMATE / "a11y_focus_nav.png")


def test_phone_menu_opens_and_closes_with_the_keyboard(page, mondo):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/")
    tab_fino_a(page, "button.custom-navbar-toggler")
    page.keyboard.press("Enter")
    menu = page.locator("#main-nav")
    expect(menu.get_by_role("link", name="La rete")).to_be_visible()
    expect(page.locator("button.custom-navbar-toggler")).to_have_attribute("aria-expanded", "true")
    # Once open, the focus is in the menu (on its close button) and stays there.
    expect(menu.locator("button.close-menu")).to_be_focused()
    tab_fino_a(page, "#main-nav a.nav-link")
    page.screenshot(path=SCHERMATE / "a11y_menu_telefono.png")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="La rete")).not_to_be_visible()
    expect(page.locator("button.custom-navbar-toggler")).to_be_focused()  # back where it was


def tab_fino_a(page, selettore: str, massimo: int = 60) -> None:
    for _ in range(massimo):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selettore):
            foco = page.evaluate(FOCO)
            assert foco["focusVisible"] and foco["indicatore"], foco
            return
    raise AssertionError(f"Tab never reached {selettore}")


def test_sign_in_with_the_keyboard_alone(page, mondo):
    page.goto("/accounts/login/")
    tab_fino_a(page, "input[name=login]")
    page.keyboard.type(EMAIL["referente_a"])
    tab_fino_a(page, "input[name=password]")
    page.keyboard.type("not-the-password")
    tab_fino_a(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The error summary takes the focus, so that it is read first.
    expect(page.locator("main .alert-danger")).to_be_focused()
    page.screenshot(path=SCHERMATE / "a11y_login_errore.png", full_page=True)
    tab_fino_a(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a field submits the form
    assert page.url.endswith(reverse("dashboard")), page.url
