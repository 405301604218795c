"""Who may open which page: one map per URL name, denied by default.

A user's roles come from their memberships, their OLP record and their volunteer record
(`ruoli`). A URL name missing from the map is refused to everyone, and a test walks every
URL name of the project with every persona. What rows a page shows is decided by the
models' `visible_to(user)`, never here; which personal fields of a row a role sees is
decided by the `vede_*` functions below.

It lives in the lowest domain app so that every app can ask it; URL names of higher apps
appear here only as strings.
"""

from django.contrib.auth.models import AnonymousUser

from .access import ambito
from .roles import RUOLI_ENTE, RUOLI_RETE, Ruolo

TUTTI = frozenset(Ruolo)
AUTENTICATI = TUTTI - {Ruolo.ANONIMO}
RETE = frozenset(RUOLI_RETE)
STAFF = frozenset({Ruolo.STAFF_NAZIONALE, Ruolo.STAFF_NODO, Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.RESPONSABILE_SEDE})
GESTIONE = STAFF | {Ruolo.OLP}

# Who may invite whom (DOMAIN: people join by invitation, each level inviting the next).
PUO_INVITARE: dict[str, frozenset[str]] = {
    Ruolo.STAFF_NAZIONALE: frozenset({Ruolo.STAFF_NODO}),
    Ruolo.STAFF_NODO: frozenset({Ruolo.REFERENTE}),
    Ruolo.REFERENTE: frozenset({Ruolo.STAFF_ENTE, Ruolo.RESPONSABILE_SEDE, Ruolo.OLP, Ruolo.VOLONTARIO}),
    Ruolo.OLP: frozenset({Ruolo.VOLONTARIO}),
}
INVITANTI = frozenset(PUO_INVITARE)

URL_POLICY: dict[str, frozenset[str]] = {
    "home": TUTTI,
    "set_language": TUTTI,
    # The health check: the proxy and monitoring probe it without signing in.
    "salute": TUTTI,
    "dashboard": AUTENTICATI,
    "enti:lista": GESTIONE,
    "enti:dettaglio": GESTIONE,
    "volontari:lista": GESTIONE,
    "volontari:dettaglio": GESTIONE | {Ruolo.VOLONTARIO},
    "volontari:codice_helios": RUOLI_ENTE,
    "inviti:lista": INVITANTI,
    "inviti:nuovo": INVITANTI,
    "inviti:revoca": INVITANTI,
    "inviti:accetta": TUTTI,
    "inviti:richiesta": TUTTI,
    "inviti:richiesta_inviata": TUTTI,
    "inviti:richieste": RETE,
    "inviti:richiesta_decidi": RETE,
    "audit:eventi": RETE,
    "enti:modifica": frozenset({Ruolo.REFERENTE}),
    "enti:adesione": RETE | {Ruolo.REFERENTE},
    "sedi:nuova": frozenset({Ruolo.REFERENTE}),
    "sedi:modifica": frozenset({Ruolo.REFERENTE}),
    "sedi:chiudi": frozenset({Ruolo.REFERENTE}),
    "olp:nuovo": frozenset({Ruolo.REFERENTE}),
    "olp:modifica": frozenset({Ruolo.REFERENTE}),
    "progetti:lista": GESTIONE,
    "progetti:dettaglio": GESTIONE,
    "progetti:nuovo": frozenset({Ruolo.REFERENTE}),
    "progetti:modifica": frozenset({Ruolo.REFERENTE}),
    "progetti:transizione": RETE | {Ruolo.REFERENTE},
    "progetti:commento": RETE | {Ruolo.REFERENTE},
    "progetti:assegna_esperto": RETE,
    "progetti:programmi": GESTIONE,
    "progetti:programma": GESTIONE,
    "progetti:programma_nuovo": RETE,
    "progetti:programma_modifica": RETE,
    "progetti:esperti": RETE,
    "progetti:esperto_nuovo": RETE,
    "progetti:esperto_modifica": RETE,
    # The register: written by OLP and the ente, read by network staff (each view asks
    # puo_scrivere_presenze / puo_confermare_mese for the row at hand).
    "registro:griglia": GESTIONE,
    "registro:riempi": GESTIONE,
    "registro:oggi": frozenset({Ruolo.OLP, Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.RESPONSABILE_SEDE}),
    "registro:volontario": GESTIONE,
    "registro:conferma": GESTIONE,
    "registro:foglio": GESTIONE | {Ruolo.VOLONTARIO},
    "registro:carica_foglio": GESTIONE,
    # The view also asks vede_natura_assenze: network staff do not get the signed copy.
    "registro:foglio_firmato": GESTIONE | {Ruolo.VOLONTARIO},
    "registro:chiusura_ente": STAFF,
    "registro:relazioni": frozenset({Ruolo.OLP, Ruolo.REFERENTE, Ruolo.STAFF_ENTE, Ruolo.RESPONSABILE_SEDE}),
    "registro:importa": frozenset({Ruolo.REFERENTE, Ruolo.STAFF_ENTE}),
    "registro:esporta": STAFF,
    "servizi:avvia": RUOLI_ENTE,
    "servizi:interrompi": RUOLI_ENTE,
    "servizi:rinuncia": RUOLI_ENTE,
    "servizi:subentro": RUOLI_ENTE,
    "volontari:mio": frozenset({Ruolo.VOLONTARIO}),
    "volontari:nuovo_calendario": frozenset({Ruolo.VOLONTARIO}),
    # Personal data: the volunteer's own copy, only theirs (the address carries no id).
    "volontari:i_miei_dati": frozenset({Ruolo.VOLONTARIO}),
    "volontari:questionario": frozenset({Ruolo.VOLONTARIO}),
    # A calendar app cannot sign in: the address carries a secret key instead.
    "volontari:calendario": TUTTI,
    "volontari:certificato": GESTIONE | {Ruolo.VOLONTARIO},
    "monitoraggio:cruscotto": RETE | RUOLI_ENTE,
    # The worklist: each sees the items of their scope (Allerta.objects.visible_to); network
    # staff take them in charge and close them, the others add notes (monitoraggio.actions).
    "monitoraggio:allerte": RETE | RUOLI_ENTE | {Ruolo.OLP},
    "monitoraggio:allerta": RETE | RUOLI_ENTE | {Ruolo.OLP},
    "report:lista": RETE | RUOLI_ENTE,
    "report:nuovo": RETE | RUOLI_ENTE,
    "report:dettaglio": RETE | RUOLI_ENTE,
    "report:scarica": RETE | RUOLI_ENTE,
    "report:scarica_tabella": RETE | RUOLI_ENTE,
    "catalogo:lista": TUTTI,
    # Type-ahead choice lists (network.views_cerca): the roles whose forms use each one; the rows
    # are the form's own, scoped by visible_to. Reference data (areas, provinces) is public.
    "cerca:ente": GESTIONE,
    "cerca:ente_proponente": frozenset({Ruolo.REFERENTE}),
    "cerca:sede_invito": frozenset({Ruolo.REFERENTE}),
    "cerca:olp_invito": frozenset({Ruolo.REFERENTE}),
    "cerca:volontario_invito": frozenset({Ruolo.REFERENTE, Ruolo.OLP}),
    "cerca:progetto": RETE | RUOLI_ENTE,
    "cerca:sede_progetto": frozenset({Ruolo.REFERENTE}),
    "cerca:ente_coprogettante": frozenset({Ruolo.REFERENTE}),
    "cerca:progetto_programma": RETE,
    "cerca:esperto": RETE,
    "cerca:area": TUTTI,
    "cerca:provincia": TUTTI,
    "catalogo:dettaglio": TUTTI,
    # The second step of sign-in: the user is not signed in yet while typing the code.
    "mfa_authenticate": TUTTI,
    "mfa_trust": TUTTI,
}

# django-allauth's pages check authentication themselves (sign-in, reset, verification are
# for anonymous visitors; MFA and sessions for signed-in users). The Django admin checks
# is_staff itself and RequireMFAMiddleware adds the second factor.
PREFIX_POLICY: dict[str, frozenset[str]] = {
    "account_": TUTTI,
    "pubblico:": TUTTI,
    "mfa_": AUTENTICATI,
    "usersessions_": AUTENTICATI,
    "admin:": TUTTI,
}


def regola(view_name: str | None) -> frozenset[str] | None:
    if not view_name:
        return None
    if view_name in URL_POLICY:
        return URL_POLICY[view_name]
    for prefix, rule in PREFIX_POLICY.items():
        if view_name.startswith(prefix):
            return rule
    return None


def ruoli(user) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset({Ruolo.ANONIMO})
    cached = getattr(user, "_ruoli_cache", None)
    if cached is None:
        a = ambito(user)
        found = set(a.ruoli) | {Ruolo.UTENTE}
        # Whether there is a volunteer record comes with the scope's query (an inactive user
        # has no scope: then the reverse one-to-one from volontari.Volontario is asked).
        if a.volontario or (not user.is_active and getattr(user, "volontario", None) is not None):
            found.add(Ruolo.VOLONTARIO)
        cached = frozenset(found)
        user._ruoli_cache = cached
    return cached


def consentito(user, view_name: str | None) -> bool:
    rule = regola(view_name)
    return rule is not None and bool(ruoli(user) & rule)


def ruoli_invitabili(user) -> frozenset[str]:
    result: set[str] = set()
    for ruolo in ruoli(user):
        result |= PUO_INVITARE.get(ruolo, frozenset())
    return frozenset(result)


def richiede_mfa(user) -> bool:
    """Network staff and anyone who can open the Django admin must use a second factor."""
    return user.is_authenticated and (user.is_staff or user.is_superuser or bool(ruoli(user) & RETE))


# --- Personal data: the least each role's job needs ------------------------------------


def vede_codice_fiscale(user, *, volontario_user_id: int | None, enti: set[int], sedi: set[int]) -> bool:
    """The tax code: the volunteer, and the people of the ente who register them (referente,
    staff, site manager of the sede). Tutors and network staff work without it."""
    if user.is_authenticated and volontario_user_id == user.pk:
        return True
    a = ambito(user)
    return bool(a.enti & enti) or bool(a.sedi & sedi)


def vede_natura_assenze(user, *, volontario_user_id: int | None, olp_id: int, ente_id: int, sede_id: int) -> bool:
    """Health-related day codes (sickness, injury, maternity, Law 104 leave): the volunteer,
    their OLP, and the ente that signs the monthly sheet. Network staff see them as a
    generic absence."""
    if user.is_authenticated and volontario_user_id == user.pk:
        return True
    a = ambito(user)
    return a.olp == olp_id or ente_id in a.enti or sede_id in a.sedi


def puo_gestire_ente(user, ente_id: int) -> bool:
    """Referente or staff of the ente (not only reading it)."""
    a = ambito(user)
    return ente_id in a.enti and bool(a.ruoli & RUOLI_ENTE)


def puo_scrivere_presenze(user, *, olp_id: int, ente_id: int, sede_id: int) -> bool:
    """The register is written by the volunteer's OLP and by the ente that signs it (its
    referente and staff, the site's manager). Network staff read it."""
    a = ambito(user)
    return a.olp == olp_id or ente_id in a.enti or sede_id in a.sedi


def puo_confermare_mese(user, *, ente_id: int) -> bool:
    """The general confirmation of a month is the ente's (referente and staff)."""
    return ente_id in ambito(user).enti
