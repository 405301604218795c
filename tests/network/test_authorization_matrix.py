"""Every URL name of the project, with every persona: the expected answer.

A new URL without an entry in MATRIX fails `test_every_url_name_has_an_entry`. Object pages
are opened on comune A's rows: other comuni's people get 404 (never 403, never the row).
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from adesioni.actions import invita
from adesioni.models import RichiestaAccesso
from enti.models import Esperto
from monitoraggio.models import Allerta, Report
from progetti.models import AmbitoAzione, IncaricoEsperto, Progetto, Programma
from pubblico.models import Notizia
from tests.factories import ComuneFactory, ProgettoFactory, ServizioFactory
from tests.personas import PERSONE, Mondo, client_per, costruisci_mondo
from volontari.models import Questionario, Volontario

pytestmark = pytest.mark.django_db


def all_url_names() -> set[str]:
    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name

    return set(walk(get_resolver().url_patterns))


def _oggetti_extra(mondo: Mondo) -> None:
    if "invito" in mondo.oggetti:
        return
    invito, token = invita(
        acting_user=mondo.users["referente_a"],
        email="nuovo.staff@example.org",
        ruolo="staff_ente",
        ente=mondo.oggetti["enti"]["a"],
        base_url="http://testserver/",
    )
    mondo.oggetti["invito"] = invito
    mondo.oggetti["token"] = token
    a = mondo.oggetti
    progetto_a = a["servizi"]["a"].posto.progetto
    a["bozza"] = ProgettoFactory(ente=a["enti"]["a"], stato="bozza")
    a["programma"] = Programma.objects.create(
        titolo="Programma Lombardia",
        nodo=a["nodi"]["lombardia"],
        bando=progetto_a.bando,
        obiettivo_2030=4,
        ambito=AmbitoAzione.objects.get_or_create(codice="z", defaults={"nome": "Ambito di prova"})[0],
    )
    Progetto.objects.filter(pk=progetto_a.pk).update(programma=a["programma"])
    a["esperto"] = Esperto.objects.create(
        nodo=a["nodi"]["lombardia"], nome="Ester", cognome="Esperta", email="e@x.it", formatore=True
    )
    a["incarico"] = IncaricoEsperto.objects.create(progetto=progetto_a, ruolo="formatore")
    oggi = datetime.date.today()
    a["report"] = Report.objects.create(
        tipo="mensile_ente", ente=a["enti"]["a"], periodo_inizio=oggi, periodo_fine=oggi
    )
    servizio_a = a["servizi"]["a"]
    a["allerta"] = Allerta.objects.create(
        tipo="nessuna_registrazione", chiave=f"vuoti:{servizio_a.pk}", impronta="2026-01-01",
        ente=a["enti"]["a"], olp=servizio_a.olp, servizio=servizio_a, messaggio="Nessun giorno registrato.",
    )  # fmt: skip
    Volontario.objects.filter(pk=servizio_a.volontario_id).update(ical_token="chiave-del-calendario-di-prova")
    a["concluso"] = ServizioFactory(
        volontario=servizio_a.volontario,
        posto=servizio_a.posto,
        olp=servizio_a.olp,
        stato="concluso",
        data_inizio=servizio_a.data_inizio - datetime.timedelta(days=800),
        data_fine_prevista=servizio_a.data_inizio - datetime.timedelta(days=436),
        data_fine=servizio_a.data_inizio - datetime.timedelta(days=436),
    )
    a["notizia"] = Notizia.objects.create(
        titolo="Nuovo bando", slug="nuovo-bando", sommario="Il bando è uscito.", testo="Testo.", pubblicata=True
    )
    a["questionario"] = Questionario.objects.create(
        servizio=servizio_a, tipo="inizio", inviato_il=oggi, scadenza=oggi + datetime.timedelta(days=30)
    )
    mondo.oggetti["richiesta"] = RichiestaAccesso.objects.create(
        denominazione="Comune di Gamma",
        codice_fiscale="01234567897",
        comune=ComuneFactory(),
        pec="protocollo@pec.gamma.example",
        rappresentante_legale="Sindaco Gamma",
        nome="Gino",
        cognome="Gamma",
        email="gino@gamma.example",
        nodo=mondo.oggetti["nodi"]["lombardia"],
    )


# Arguments of the URLs that take some: always comune A's rows.
ARGS = {
    "enti:dettaglio": lambda m: [m.oggetti["enti"]["a"].pk],
    "volontari:dettaglio": lambda m: [m.oggetti["servizi"]["a"].volontario_id],
    "volontari:codice_helios": lambda m: [m.oggetti["servizi"]["a"].volontario_id],
    "inviti:revoca": lambda m: [m.oggetti["invito"].pk],
    "inviti:accetta": lambda m: [m.oggetti["token"]],
    "inviti:richiesta_decidi": lambda m: [m.oggetti["richiesta"].pk],
    "account_confirm_email": lambda m: ["not-a-key"],
    "enti:modifica": lambda m: [m.oggetti["enti"]["a"].pk],
    "enti:adesione": lambda m: [m.oggetti["enti"]["a"].pk],
    "sedi:nuova": lambda m: [m.oggetti["enti"]["a"].pk],
    "sedi:modifica": lambda m: [m.oggetti["servizi"]["a"].posto.sede_id],
    "sedi:chiudi": lambda m: [m.oggetti["servizi"]["a"].posto.sede_id],
    "olp:nuovo": lambda m: [m.oggetti["enti"]["a"].pk],
    "olp:modifica": lambda m: [m.oggetti["servizi"]["a"].olp_id],
    "progetti:dettaglio": lambda m: [m.oggetti["servizi"]["a"].posto.progetto_id],
    "progetti:modifica": lambda m: [m.oggetti["bozza"].pk, "generale"],
    "progetti:transizione": lambda m: [m.oggetti["bozza"].pk],
    "progetti:commento": lambda m: [m.oggetti["bozza"].pk],
    "progetti:assegna_esperto": lambda m: [m.oggetti["incarico"].pk],
    "progetti:programma": lambda m: [m.oggetti["programma"].pk],
    "progetti:programma_modifica": lambda m: [m.oggetti["programma"].pk],
    "progetti:esperto_modifica": lambda m: [m.oggetti["esperto"].pk],
    "catalogo:dettaglio": lambda m: [m.oggetti["servizi"]["a"].posto.progetto_id],
    "registro:volontario": lambda m: [m.oggetti["servizi"]["a"].pk],
    "registro:conferma": lambda m: [m.oggetti["servizi"]["a"].pk],
    "registro:foglio": lambda m: [m.oggetti["servizi"]["a"].pk],
    "registro:carica_foglio": lambda m: [m.oggetti["servizi"]["a"].pk],
    # No signed sheet in this world: 404 past the checks (test_foglio_firmato downloads one).
    "registro:foglio_firmato": lambda m: [m.oggetti["servizi"]["a"].pk],
    "registro:chiusura_ente": lambda m: [m.oggetti["enti"]["a"].pk],
    "registro:importa": lambda m: [m.oggetti["enti"]["a"].pk],
    "registro:esporta": lambda m: [m.oggetti["enti"]["a"].pk],
    "volontari:calendario": lambda m: ["chiave-del-calendario-di-prova"],
    "report:dettaglio": lambda m: [m.oggetti["report"].pk],
    "monitoraggio:allerta": lambda m: [m.oggetti["allerta"].pk],
    # A queued report: nobody downloads it yet (test_report checks the download's scope).
    "report:scarica": lambda m: [m.oggetti["report"].pk],
    "report:scarica_tabella": lambda m: [m.oggetti["report"].pk, "xlsx"],
    "servizi:avvia": lambda m: [m.oggetti["servizi"]["a"].posto_id],
    "servizi:interrompi": lambda m: [m.oggetti["servizi"]["a"].pk],
    "servizi:rinuncia": lambda m: [m.oggetti["servizi"]["a"].pk],
    "servizi:subentro": lambda m: [m.oggetti["servizi"]["a"].pk],
    "volontari:certificato": lambda m: [m.oggetti["concluso"].pk],
    "volontari:questionario": lambda m: [m.oggetti["questionario"].pk],
    "account_reset_password_from_key": lambda m: ["1", "not-a-key"],
    "pubblico:nodo": lambda m: [m.oggetti["nodi"]["lombardia"].slug],
    "pubblico:notizia": lambda m: [m.oggetti["notizia"].slug],
    "pubblico:dataset": lambda m: ["contatori", "json"],
    "pubblico:lingua": lambda m: ["en"],
}


def url_for(name: str, mondo: Mondo) -> str:
    _oggetti_extra(mondo)
    args = ARGS.get(name, lambda m: [])(mondo)
    return reverse(name, args=args)


# Personas, in PERSONE's order:
#   anonimo, volontario, olp_a, referente_a, referente_b, nodo_lombardia, nodo_veneto, nazionale
# 302 for the anonymous visitor is the redirect to the sign-in page; 405 means the page only
# answers POST (the policy let the persona through).
MATRIX: dict[str, tuple[int, ...]] = {
    "home": (200, 200, 200, 200, 200, 200, 200, 200),
    "set_language": (302, 302, 302, 302, 302, 302, 302, 302),
    "salute": (200,) * 8,
    "dashboard": (302, 200, 200, 200, 200, 200, 200, 200),
    "enti:lista": (302, 403, 200, 200, 200, 200, 200, 200),
    "enti:dettaglio": (302, 403, 200, 200, 404, 200, 404, 200),
    "volontari:lista": (302, 403, 200, 200, 200, 200, 200, 200),
    "volontari:dettaglio": (302, 200, 200, 200, 404, 200, 404, 200),
    "volontari:codice_helios": (302, 403, 403, 200, 404, 403, 403, 403),
    "inviti:lista": (302, 403, 200, 200, 200, 200, 200, 200),
    "inviti:nuovo": (302, 403, 200, 200, 200, 200, 200, 200),
    "inviti:revoca": (302, 403, 405, 405, 405, 405, 405, 405),
    "inviti:accetta": (200, 200, 200, 200, 200, 200, 200, 200),
    "inviti:richiesta": (200, 200, 200, 200, 200, 200, 200, 200),
    "inviti:richiesta_inviata": (200, 200, 200, 200, 200, 200, 200, 200),
    "inviti:richieste": (302, 403, 403, 403, 403, 200, 200, 200),
    "inviti:richiesta_decidi": (302, 403, 403, 403, 403, 405, 405, 405),
    "audit:eventi": (302, 403, 403, 403, 403, 200, 200, 200),
    "enti:modifica": (302, 403, 403, 200, 404, 403, 403, 403),
    "enti:adesione": (302, 403, 403, 405, 405, 405, 405, 405),
    "sedi:nuova": (302, 403, 403, 200, 404, 403, 403, 403),
    "sedi:modifica": (302, 403, 403, 200, 404, 403, 403, 403),
    "sedi:chiudi": (302, 403, 403, 405, 405, 403, 403, 403),
    "olp:nuovo": (302, 403, 403, 200, 404, 403, 403, 403),
    "olp:modifica": (302, 403, 403, 200, 404, 403, 403, 403),
    "progetti:lista": (302, 403, 200, 200, 200, 200, 200, 200),
    "progetti:dettaglio": (302, 403, 200, 200, 404, 200, 404, 200),
    "progetti:nuovo": (302, 403, 403, 200, 200, 403, 403, 403),
    "progetti:modifica": (302, 403, 403, 200, 404, 403, 403, 403),
    "progetti:transizione": (302, 403, 403, 405, 405, 405, 405, 405),
    "progetti:commento": (302, 403, 403, 405, 405, 405, 405, 405),
    "progetti:assegna_esperto": (302, 403, 403, 403, 403, 405, 405, 405),
    "progetti:programmi": (302, 403, 200, 200, 200, 200, 200, 200),
    "progetti:programma": (302, 403, 200, 200, 404, 200, 404, 200),
    "progetti:programma_nuovo": (302, 403, 403, 403, 403, 200, 200, 200),
    "progetti:programma_modifica": (302, 403, 403, 403, 403, 200, 404, 200),
    "progetti:esperti": (302, 403, 403, 403, 403, 200, 200, 200),
    "progetti:esperto_nuovo": (302, 403, 403, 403, 403, 200, 200, 200),
    "progetti:esperto_modifica": (302, 403, 403, 403, 403, 200, 404, 200),
    "catalogo:lista": (200, 200, 200, 200, 200, 200, 200, 200),
    "catalogo:dettaglio": (200, 200, 200, 200, 200, 200, 200, 200),
    # Type-ahead lists: each persona gets only its own scope's rows (tests/network/test_cerca.py).
    "cerca:ente": (302, 403, 200, 200, 200, 200, 200, 200),
    "cerca:ente_proponente": (302, 403, 403, 200, 200, 403, 403, 403),
    "cerca:sede_invito": (302, 403, 403, 200, 200, 403, 403, 403),
    "cerca:olp_invito": (302, 403, 403, 200, 200, 403, 403, 403),
    "cerca:volontario_invito": (302, 403, 200, 200, 200, 403, 403, 403),
    "cerca:progetto": (302, 403, 403, 200, 200, 200, 200, 200),
    "cerca:sede_progetto": (302, 403, 403, 200, 200, 403, 403, 403),
    "cerca:ente_coprogettante": (302, 403, 403, 200, 200, 403, 403, 403),
    "cerca:progetto_programma": (302, 403, 403, 403, 403, 200, 200, 200),
    "cerca:esperto": (302, 403, 403, 403, 403, 200, 200, 200),
    "cerca:area": (200,) * 8,
    "cerca:provincia": (200,) * 8,
    "registro:griglia": (302, 403, 200, 200, 200, 403, 403, 403),
    "registro:riempi": (302, 403, 405, 405, 405, 405, 405, 405),
    "registro:oggi": (302, 403, 200, 200, 200, 403, 403, 403),
    "registro:volontario": (302, 403, 200, 200, 404, 200, 404, 200),
    "registro:conferma": (302, 403, 405, 405, 405, 405, 405, 405),
    "registro:foglio": (302, 200, 200, 200, 404, 200, 404, 200),
    "registro:carica_foglio": (302, 403, 405, 405, 405, 405, 405, 405),
    "registro:foglio_firmato": (302, 404, 404, 404, 404, 403, 404, 403),
    "registro:chiusura_ente": (302, 403, 403, 200, 404, 200, 404, 200),
    "registro:importa": (302, 403, 403, 200, 404, 403, 403, 403),
    # Network staff see health-related days as ASS: the file for Helios is the ente's (422, the reason why).
    "registro:esporta": (302, 403, 403, 200, 404, 422, 404, 422),
    "volontari:mio": (302, 200, 403, 403, 403, 403, 403, 403),
    "volontari:questionario": (302, 200, 403, 403, 403, 403, 403, 403),
    # The public face: the same for everybody.
    "pubblico:rete": (200,) * 8,
    "pubblico:nodo": (200,) * 8,
    "pubblico:numeri": (200,) * 8,
    "pubblico:notizie": (200,) * 8,
    "pubblico:notizia": (200,) * 8,
    "pubblico:dati": (200,) * 8,
    "pubblico:dataset": (200,) * 8,
    "pubblico:accessibilita": (200,) * 8,
    "pubblico:privacy": (200,) * 8,
    "pubblico:lingua": (302,) * 8,
    "registro:relazioni": (302, 403, 200, 200, 200, 403, 403, 403),
    "monitoraggio:cruscotto": (302, 403, 403, 200, 200, 200, 200, 200),
    "monitoraggio:allerte": (302, 403, 200, 200, 200, 200, 200, 200),
    # Comune A's item, about OLP A's volunteer: her OLP, her ente and her nodo see it.
    "monitoraggio:allerta": (302, 403, 200, 200, 404, 200, 404, 200),
    "report:lista": (302, 403, 403, 200, 200, 200, 200, 200),
    "report:nuovo": (302, 403, 403, 405, 405, 405, 405, 405),
    "report:dettaglio": (302, 403, 403, 200, 404, 200, 404, 200),
    "report:scarica": (302, 403, 403, 404, 404, 404, 404, 404),
    "report:scarica_tabella": (302, 403, 403, 404, 404, 404, 404, 404),
    "servizi:avvia": (302, 403, 403, 200, 404, 403, 403, 403),
    "servizi:interrompi": (302, 403, 403, 200, 404, 403, 403, 403),
    "servizi:rinuncia": (302, 403, 403, 405, 405, 403, 403, 403),
    "servizi:subentro": (302, 403, 403, 200, 404, 403, 403, 403),
    "volontari:nuovo_calendario": (302, 405, 403, 403, 403, 403, 403, 403),
    "volontari:i_miei_dati": (302, 200, 403, 403, 403, 403, 403, 403),
    "volontari:calendario": (200, 200, 200, 200, 200, 200, 200, 200),
    "volontari:certificato": (302, 200, 200, 200, 404, 200, 404, 200),
    # django-allauth: sign-in pages for visitors, account pages for signed-in users. Its
    # MFA pages ask for a recent sign-in first (302 to reauthenticate) and answer 404 when
    # there is no authenticator to act on.
    "account_login": (200, 302, 302, 302, 302, 302, 302, 302),
    "account_logout": (302, 200, 200, 200, 200, 200, 200, 200),
    "account_signup": (200, 302, 302, 302, 302, 302, 302, 302),
    "account_inactive": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_reauthenticate": (302, 200, 200, 200, 200, 200, 200, 200),
    "account_email": (302, 200, 200, 200, 200, 200, 200, 200),
    "account_email_verification_sent": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_confirm_email": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_confirm_login_code": (302, 302, 302, 302, 302, 302, 302, 302),
    "account_change_password": (302, 200, 200, 200, 200, 200, 200, 200),
    "account_set_password": (302, 302, 302, 302, 302, 302, 302, 302),
    "account_reset_password": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_done": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_from_key": (200, 200, 200, 200, 200, 200, 200, 200),
    "account_reset_password_from_key_done": (200, 200, 200, 200, 200, 200, 200, 200),
    "mfa_index": (302, 200, 200, 200, 200, 200, 200, 200),
    "mfa_authenticate": (302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_reauthenticate": (302, 302, 302, 302, 302, 200, 200, 200),
    "mfa_activate_totp": (302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_deactivate_totp": (302, 404, 404, 404, 404, 302, 302, 302),
    "mfa_view_recovery_codes": (302, 404, 404, 404, 404, 404, 404, 404),
    "mfa_generate_recovery_codes": (302, 302, 302, 302, 302, 302, 302, 302),
    "mfa_download_recovery_codes": (302, 404, 404, 404, 404, 404, 404, 404),
    "usersessions_list": (302, 200, 200, 200, 200, 200, 200, 200),
}


def test_every_url_name_has_an_entry():
    missing = sorted(n for n in all_url_names() if not n.startswith("admin:") and n not in MATRIX)
    assert missing == [], "add these URL names to MATRIX with the expected answer for each persona"
    stale = sorted(n for n in MATRIX if n not in all_url_names())
    assert stale == []


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(client, name):
    mondo = costruisci_mondo()
    url = url_for(name, mondo)
    got = []
    for persona in PERSONE:
        response = client_per(client, mondo, persona).get(url)
        got.append(response.status_code)
    assert tuple(got) == MATRIX[name], dict(zip(PERSONE, got, strict=True))


def admin_url(name: str) -> str:
    """Any admin URL name reversed with placeholder arguments (ids of rows that need not exist)."""
    from django.urls import NoReverseMatch

    for args in ([], ["1"], ["enti"], ["1", "1"]):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse {name}")


def test_every_admin_url_refuses_every_persona(client):
    """The Django admin is for is_staff users with a second factor: none of the personas is."""
    mondo = costruisci_mondo()
    admin_names = sorted(n for n in all_url_names() if n.startswith("admin:"))
    assert len(admin_names) > 100
    for persona in PERSONE:
        c = client_per(client, mondo, persona)
        for name in admin_names:
            response = c.get(admin_url(name))
            if name == "admin:login":  # the sign-in form itself (or a redirect once signed in)
                assert response.status_code in (200, 302), (persona, name)
                continue
            if name == "admin:logout":  # POST only
                assert response.status_code in (302, 405), (persona, name)
                continue
            assert response.status_code == 302, (persona, name, response.status_code)
            assert "/admin/login/" in response["Location"], (persona, name)
