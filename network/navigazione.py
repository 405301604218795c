"""Navigation by role: the menu of a signed-in person's own work, and the breadcrumbs.

The menu is one list of (URL name, label); each person sees the entries that
`enti.policy.URL_POLICY` lets them open, so the policy decides in one place. Visitors keep the
public menu (templates/includes/header.html).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from enti import policy


@dataclass(frozen=True)
class VoceMenu:
    nome: str  # the URL name the entry opens
    etichetta: str
    # The URL names (or namespace prefixes ending in ':') under which the entry is the current one.
    sezione: tuple[str, ...]


MENU: list[VoceMenu] = [
    VoceMenu("dashboard", _("To do"), ("dashboard",)),
    VoceMenu("registro:griglia", _("Register"), ("registro:",)),
    VoceMenu("volontari:mio", _("My service"), ("volontari:mio", "volontari:questionario")),
    VoceMenu("volontari:lista", _("Volunteers"), ("volontari:lista", "volontari:dettaglio", "servizi:")),
    VoceMenu("progetti:lista", _("Projects"), ("progetti:",)),
    VoceMenu("enti:lista", _("Bodies"), ("enti:", "sedi:", "olp:")),
    VoceMenu("monitoraggio:cruscotto", _("Monitoring"), ("monitoraggio:cruscotto",)),
    VoceMenu("monitoraggio:allerte", _("Alerts"), ("monitoraggio:allerte", "monitoraggio:allerta")),
    VoceMenu("report:lista", _("Reports"), ("report:",)),
    VoceMenu("inviti:lista", _("Invitations"), ("inviti:lista", "inviti:nuovo")),
    VoceMenu("inviti:richieste", _("Access requests"), ("inviti:richieste", "inviti:richiesta_decidi")),
]


def menu(user, view_name: str | None = None) -> list[dict]:
    """The entries this user may open, with the current one marked."""
    voci = []
    for voce in MENU:
        if not policy.consentito(user, voce.nome):
            continue
        attiva = bool(view_name) and any(
            view_name.startswith(s) if s.endswith(":") else view_name == s for s in voce.sezione
        )
        voci.append({"url": reverse(voce.nome), "etichetta": voce.etichetta, "attiva": attiva})
    return voci


def contesto(request):
    """Context processor: `menu_personale`, computed only when a signed-in page's header asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    return {"menu_personale": SimpleLazyObject(lambda: menu(user, match.view_name if match else None))}
