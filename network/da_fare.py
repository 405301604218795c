"""The to-do list at the top of the personal area: for each role, the things due.

Each item is one query whatever the data size (a count and the first row to open), run only
for the roles it serves, and reads through `visible_to`; an item with nothing due is left out,
so that a thing done disappears from the list at the next page view.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adesioni.models import RichiestaAccesso
from enti import policy
from enti.access import ambito
from enti.roles import Ruolo
from infra.mesi import primo_del_mese, ultimo_del_mese
from monitoraggio.models import Allerta
from progetti.models import Progetto
from volontari.actions import scadenza_conferma
from volontari.models import ChiusuraMensile, Questionario, RelazioneMensile, Servizio


@dataclass(frozen=True)
class Cosa:
    """One line of the list: what, how many, by when, and the link that opens the action."""

    chiave: str
    etichetta: str
    n: int
    url: str
    scadenza: datetime.date | None = None


@dataclass(frozen=True)
class Voce:
    ruoli: frozenset[str]
    calcola: Callable[[Any, datetime.date], Cosa | None]


def _mese_scorso(oggi: datetime.date) -> datetime.date:
    return primo_del_mese(primo_del_mese(oggi) - datetime.timedelta(days=1))


def _scadenza_conferma(oggi: datetime.date) -> datetime.date:
    return scadenza_conferma(_mese_scorso(oggi))


def _servizi_del_mese(user, mese: datetime.date):
    fine = ultimo_del_mese(mese)
    return (
        Servizio.objects.visible_to(user)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(data_inizio__lte=fine, data_fine__gte=mese)
    )


def _conta(qs, campo="pk") -> tuple[int, Any]:
    r = qs.order_by().aggregate(n=Count("pk"), primo=Min(campo))
    return r["n"], r["primo"]


def _primo_e_totale(valori) -> dict | None:
    """The first row to open and how many there are, in one query (a window count)."""
    return valori.annotate(n=Window(Count("pk"))).first()


def _mesi_da_confermare(user, oggi):
    """The ente's general confirmation of last month, due by the 10th."""
    a = ambito(user)
    if not a.enti:
        return None
    mese = _mese_scorso(oggi)
    confermata = ChiusuraMensile.objects.filter(
        servizio=OuterRef("pk"), mese=mese, stato=ChiusuraMensile.Stato.CONFERMATA
    )
    qs = _servizi_del_mese(user, mese).filter(posto__sede__ente_id__in=a.enti).filter(~Exists(confermata))
    n, ente = _conta(qs, "posto__sede__ente_id")
    if not n:
        return None
    return Cosa(
        "mesi_da_confermare",
        _("Volunteers whose month of %(mese)s is to be confirmed") % {"mese": _nome_mese(mese)},
        n,
        f"{reverse('registro:chiusura_ente', args=[ente])}?mese={mese:%Y-%m}",
        _scadenza_conferma(oggi),
    )


def _mesi_da_preconfermare(user, oggi):
    """The OLP's preliminary confirmation of last month, before the ente's."""
    a = ambito(user)
    if a.olp is None:
        return None
    mese = _mese_scorso(oggi)
    fatta = ChiusuraMensile.objects.filter(servizio=OuterRef("pk"), mese=mese).exclude(
        stato=ChiusuraMensile.Stato.APERTA
    )
    qs = _servizi_del_mese(user, mese).filter(olp_id=a.olp).filter(~Exists(fatta))
    n, servizio = _conta(qs)
    if not n:
        return None
    return Cosa(
        "mesi_da_preconfermare",
        _("Volunteers whose month of %(mese)s awaits your preliminary confirmation") % {"mese": _nome_mese(mese)},
        n,
        f"{reverse('registro:volontario', args=[servizio])}?mese={mese:%Y-%m}",
        _scadenza_conferma(oggi),
    )


def _fogli_firmati_mancanti(user, oggi):
    """Confirmed months (preliminarily or fully) whose signed sheet is not uploaded yet."""
    a = ambito(user)
    qs = (
        ChiusuraMensile.objects.visible_to(user)
        .exclude(stato=ChiusuraMensile.Stato.APERTA)
        .filter(foglio_firmato="")
        .filter(_chi_firma(a))
    )
    primo = _primo_e_totale(qs.order_by("mese", "pk").values("servizio_id", "mese"))
    if primo is None:
        return None
    return Cosa(
        "fogli_firmati",
        _("Signed monthly sheets to upload"),
        primo["n"],
        f"{reverse('registro:volontario', args=[primo['servizio_id']])}?mese={primo['mese']:%Y-%m}",
    )


def _chi_firma(a) -> Q:
    """The sheets this user uploads: their ente's or sede's, and those of the volunteers they follow."""
    q = Q(servizio__posto__sede__ente_id__in=a.enti) | Q(servizio__posto__sede_id__in=a.sedi)
    return q | Q(servizio__olp_id=a.olp) if a.olp is not None else q


def _relazioni_mensili(user, oggi):
    """The OLP's monthly report on each volunteer they follow, for last month."""
    a = ambito(user)
    if a.olp is None:
        return None
    mese = _mese_scorso(oggi)
    scritta = RelazioneMensile.objects.filter(servizio=OuterRef("pk"), mese=mese)
    n, _primo = _conta(_servizi_del_mese(user, mese).filter(olp_id=a.olp).filter(~Exists(scritta)))
    if not n:
        return None
    return Cosa(
        "relazioni",
        _("Monthly reports of %(mese)s to write") % {"mese": _nome_mese(mese)},
        n,
        f"{reverse('registro:relazioni')}?mese={mese:%Y-%m}",
        _scadenza_conferma(oggi),
    )


def _progetti_da_integrare(user, oggi):
    a = ambito(user)
    n, primo = _conta(
        Progetto.objects.visible_to(user).filter(ente_id__in=a.enti_referente, stato=Progetto.Stato.DA_INTEGRARE)
    )
    if not n:
        return None
    url = reverse("progetti:dettaglio", args=[primo]) if n == 1 else f"{reverse('progetti:lista')}?stato=da_integrare"
    return Cosa("progetti_da_integrare", _("Projects returned for changes"), n, url)


def _progetti_da_valutare(user, oggi):
    stati = [Progetto.Stato.PRESENTATO, Progetto.Stato.IN_VALUTAZIONE]
    n, primo = _conta(Progetto.objects.visible_to(user).filter(stato__in=stati))
    if not n:
        return None
    url = (
        reverse("progetti:dettaglio", args=[primo])
        if n == 1
        else f"{reverse('progetti:lista')}?stato=presentato&stato=in_valutazione"
    )
    return Cosa("progetti_da_valutare", _("Projects to assess"), n, url)


def _richieste_accesso(user, oggi):
    n, _primo = _conta(RichiestaAccesso.objects.visible_to(user).filter(stato=RichiestaAccesso.Stato.IN_ATTESA))
    if not n:
        return None
    return Cosa("richieste_accesso", _("Access requests to answer"), n, reverse("inviti:richieste"))


def _questionari(user, oggi):
    qs = Questionario.objects.filter(servizio__volontario__user=user, compilato_il__isnull=True, inviato_il__lte=oggi)
    primo = _primo_e_totale(qs.order_by("scadenza", "pk").values("pk", "scadenza"))
    if primo is None:
        return None
    return Cosa(
        "questionari",
        _("Questionnaires to fill in"),
        primo["n"],
        reverse("volontari:questionario", args=[primo["pk"]]),
        primo["scadenza"],
    )


def _allerte(user, oggi):
    n, _primo = _conta(Allerta.objects.visible_to(user).da_gestire())
    if not n:
        return None
    return Cosa("allerte", _("Worklist items to act on"), n, reverse("monitoraggio:allerte"))


def _nome_mese(mese: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(mese, "F Y")


ENTE = frozenset({Ruolo.REFERENTE, Ruolo.STAFF_ENTE})

# The order is the order of the list: deadlines of the register first.
VOCI: list[Voce] = [
    Voce(ENTE, _mesi_da_confermare),
    Voce(frozenset({Ruolo.OLP}), _mesi_da_preconfermare),
    Voce(ENTE | {Ruolo.RESPONSABILE_SEDE, Ruolo.OLP}, _fogli_firmati_mancanti),
    Voce(frozenset({Ruolo.OLP}), _relazioni_mensili),
    Voce(frozenset({Ruolo.REFERENTE}), _progetti_da_integrare),
    Voce(policy.RETE, _progetti_da_valutare),
    Voce(policy.RETE, _richieste_accesso),
    Voce(frozenset({Ruolo.VOLONTARIO}), _questionari),
    Voce(policy.RETE | ENTE | {Ruolo.RESPONSABILE_SEDE, Ruolo.OLP}, _allerte),
]


def cose_da_fare(user, oggi: datetime.date | None = None) -> list[Cosa]:
    oggi = oggi or timezone.localdate()
    mie = policy.ruoli(user)
    return [cosa for voce in VOCI if voce.ruoli & mie and (cosa := voce.calcola(user, oggi)) is not None]
