"""The named personas of the authorization tests, in a small network:

- comune A (Lombardia) with OLP A following volunteer A;
- comune B (Lombardia) with its own volunteer;
- comune V (Veneto) with its own volunteer;

and one user per role: the volunteer A, the OLP of comune A, the referenti of comuni A and
B, the staff of the nodi Lombardia and Veneto, national staff, plus the anonymous visitor.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from enti.models import Membership, Nodo
from enti.roles import Ruolo
from tests.factories import (
    EnteFactory,
    NodoFactory,
    OlpFactory,
    PostoSedeFactory,
    ServizioFactory,
    UserFactory,
)

PERSONE = [
    "anonimo",
    "volontario",
    "olp_a",
    "referente_a",
    "referente_b",
    "nodo_lombardia",
    "nodo_veneto",
    "nazionale",
]


@dataclass
class Mondo:
    users: dict = field(default_factory=dict)
    oggetti: dict = field(default_factory=dict)


def utente(email: str, *, mfa: bool = False):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return user


def costruisci_mondo() -> Mondo:
    mondo = Mondo()
    nazionale_nodo = NodoFactory(slug="anci", nome="ANCI nazionale", livello=Nodo.Livello.NAZIONALE)
    lombardia = NodoFactory(slug="lombardia")
    veneto = NodoFactory(slug="veneto")
    enti = {
        "a": EnteFactory(nodo=lombardia, denominazione="Comune di Alfa"),
        "b": EnteFactory(nodo=lombardia, denominazione="Comune di Beta"),
        "v": EnteFactory(nodo=veneto, denominazione="Comune di Vu"),
    }
    servizi = {}
    for key, ente in enti.items():
        posto = PostoSedeFactory(progetto__ente=ente, sede__ente=ente)
        olp = OlpFactory(ente=ente)
        posto.olp.add(olp)
        servizi[key] = ServizioFactory(posto=posto, olp=olp, volontario__cognome=f"Volontaria{key.upper()}")
    u = mondo.users
    u["anonimo"] = None
    u["volontario"] = utente("volontaria.a@example.org")
    servizi["a"].volontario.user = u["volontario"]
    servizi["a"].volontario.save()
    u["olp_a"] = utente("olp.a@example.org")
    servizi["a"].olp.user = u["olp_a"]
    servizi["a"].olp.save()
    u["referente_a"] = utente("referente.a@example.org")
    Membership.objects.create(user=u["referente_a"], ruolo=Ruolo.REFERENTE, ente=enti["a"])
    u["referente_b"] = utente("referente.b@example.org")
    Membership.objects.create(user=u["referente_b"], ruolo=Ruolo.REFERENTE, ente=enti["b"])
    u["nodo_lombardia"] = utente("nodo.lombardia@example.org", mfa=True)
    Membership.objects.create(user=u["nodo_lombardia"], ruolo=Ruolo.STAFF_NODO, nodo=lombardia)
    u["nodo_veneto"] = utente("nodo.veneto@example.org", mfa=True)
    Membership.objects.create(user=u["nodo_veneto"], ruolo=Ruolo.STAFF_NODO, nodo=veneto)
    u["nazionale"] = utente("nazionale@example.org", mfa=True)
    Membership.objects.create(user=u["nazionale"], ruolo=Ruolo.STAFF_NAZIONALE, nodo=nazionale_nodo)
    mondo.oggetti.update(
        nodi={"nazionale": nazionale_nodo, "lombardia": lombardia, "veneto": veneto}, enti=enti, servizi=servizi
    )
    return mondo


def client_per(client, mondo: Mondo, persona: str):
    user = mondo.users[persona]
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def totp_secret(user) -> str:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    return decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])


def code_for(secret: str, step: int = 0) -> str:
    """The TOTP code of now (step 0) or of the next period (step 1), both accepted: a code is
    good once, so a second sign-in in the same period uses the next one."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2 + step]))


def current_code(user) -> str:
    """The TOTP code the user's authenticator app would show now."""
    return code_for(totp_secret(user))
