"""Volunteer questionnaires (start, middle, end of service) and the OLP's monthly report.

When each questionnaire is sent:
- start: at the end of the first month of service (day 30), so the volunteer has seen the
  place, the OLP and the first training;
- middle: at half the planned span;
- end: 30 days before the planned end.
Each has 30 days to be filled in. The daily job (volontari.tasks.invia_questionari) creates
the ones due and e-mails the volunteers; a questionnaire whose moment has been overtaken by
the next one (a service recorded late in the portal) is not sent, so nobody receives a
"start" questionnaire in their eighth month.

Answers are the volunteer's: they alone read and write their own; everybody else sees
averages, and only over at least MINIMO_RISPOSTE answers, so that no single answer can be
read back from a small body's figures.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import Evento, record_event
from enti import policy
from infra.indirizzi import url_portale
from infra.mesi import primo_del_mese
from infra.mesi import ultimo_del_mese as fine_del_mese

from .models import Questionario, RelazioneMensile, Servizio

GIORNI_PER_COMPILARE = 30
MINIMO_RISPOSTE = 3

DOMANDE = [
    ("attivita", gettext_lazy("The activities I do match those described in the project.")),
    ("olp", gettext_lazy("My OLP follows and supports me.")),
    ("formazione", gettext_lazy("The training I received is useful for my service.")),
    ("accoglienza", gettext_lazy("I feel welcomed into the body's team.")),
    ("soddisfazione", gettext_lazy("Overall, I am satisfied with my Servizio Civile experience.")),
]
ETICHETTE_SCALA = [
    (1, gettext_lazy("not at all")),
    (2, gettext_lazy("a little")),
    (3, gettext_lazy("enough")),
    (4, gettext_lazy("much")),
    (5, gettext_lazy("very much")),
]


def momenti(servizio) -> dict[str, datetime.date]:
    """The day each questionnaire of a service is sent."""
    inizio, fine = servizio.data_inizio, servizio.data_fine_prevista
    return {
        Questionario.Tipo.INIZIO: inizio + datetime.timedelta(days=29),
        Questionario.Tipo.META: inizio + (fine - inizio) / 2,
        Questionario.Tipo.FINE: fine - datetime.timedelta(days=30),
    }


def dovuto(servizio, oggi: datetime.date) -> str | None:
    """The questionnaire due today for a service in service, if any (see the module docstring)."""
    if servizio.stato != Servizio.Stato.IN_SERVIZIO or not servizio.data_inizio <= oggi <= servizio.data_fine:
        return None
    m = momenti(servizio)
    if oggi >= m[Questionario.Tipo.FINE]:
        return Questionario.Tipo.FINE
    if oggi >= m[Questionario.Tipo.META]:
        return Questionario.Tipo.META
    if oggi >= m[Questionario.Tipo.INIZIO]:
        return Questionario.Tipo.INIZIO
    return None


def invia(oggi: datetime.date | None = None) -> int:
    """Create the questionnaires due today and e-mail each volunteer a link. Idempotent."""
    oggi = oggi or timezone.localdate()
    servizi = list(
        Servizio.objects.filter(stato=Servizio.Stato.IN_SERVIZIO, data_inizio__lte=oggi, data_fine__gte=oggi)
        .select_related("volontario__user")
        .prefetch_related("questionari")
    )
    nuovi = []
    for s in servizi:
        tipo = dovuto(s, oggi)
        if tipo and not any(q.tipo == tipo for q in s.questionari.all()):
            nuovi.append(
                Questionario(
                    servizio=s,
                    tipo=tipo,
                    inviato_il=oggi,
                    scadenza=oggi + datetime.timedelta(days=GIORNI_PER_COMPILARE),
                )
            )
    with transaction.atomic():
        Questionario.objects.bulk_create(nuovi, ignore_conflicts=True)
    for q in nuovi:
        v = q.servizio.volontario
        email = v.user.email if v.user_id else v.email
        if not email:
            continue
        corpo = render_to_string(
            "volontari/email_questionario.txt",
            {"questionario": q, "link": url_portale(reverse("volontari:mio"))},
        )
        send_mail(
            _("Servizio Civile: your questionnaire (%(tipo)s)") % {"tipo": q.get_tipo_display()},
            corpo, settings.DEFAULT_FROM_EMAIL, [email],
        )  # fmt: skip
    return len(nuovi)


def compila(questionario: Questionario, *, acting_user, risposte: dict) -> Questionario:
    """Store the volunteer's answers, once. Only the volunteer may answer their own."""
    volontario = questionario.servizio.volontario
    if volontario.user_id is None or volontario.user_id != acting_user.pk:
        raise PermissionDenied(_("Only the volunteer can fill in their questionnaire."))
    with transaction.atomic():
        q = Questionario.objects.select_for_update().get(pk=questionario.pk)
        if q.compilato_il is not None:
            raise ValidationError(_("This questionnaire was already filled in on %(data)s.") % {
                "data": timezone.localtime(q.compilato_il).strftime("%d/%m/%Y")
            })  # fmt: skip
        for campo, _domanda in DOMANDE:
            setattr(q, campo, risposte[campo])
        q.commento = risposte.get("commento", "")
        q.compilato_il = timezone.now()
        q.full_clean()
        q.save()
        record_event(
            verb=Evento.QUESTIONARIO_COMPILATO, acting_user=acting_user, target=q,
            nodo_id=q.servizio.posto.sede.ente.nodo_id, ente_id=q.servizio.posto.sede.ente_id,
        )  # fmt: skip
    return q


def medie(servizi, da: datetime.date, a: datetime.date) -> dict:
    """Average answer per question and kind, over the questionnaires of the scope filled in
    during [da, a]; a cell with fewer than MINIMO_RISPOSTE answers is None. One query."""
    righe = (
        Questionario.objects.filter(servizio__in=servizi, compilato_il__date__gte=da, compilato_il__date__lte=a)
        .values("tipo")
        .annotate(n=Count("pk"), **{c: Avg(c) for c, _d in DOMANDE})
    )
    per_tipo = {r["tipo"]: r for r in righe}
    tabella = []
    for campo, domanda in DOMANDE:
        celle = []
        for tipo, _etichetta in Questionario.Tipo.choices:
            r = per_tipo.get(tipo)
            if r and r["n"] >= MINIMO_RISPOSTE:
                celle.append(Decimal(str(r[campo])).quantize(Decimal("0.1")))
            else:
                celle.append(None)
        tabella.append({"domanda": domanda, "medie": celle})
    return {
        "tipi": [etichetta for _t, etichetta in Questionario.Tipo.choices],
        "risposte": [per_tipo.get(t, {}).get("n", 0) for t, _e in Questionario.Tipo.choices],
        "righe": tabella,
        "minimo": MINIMO_RISPOSTE,
    }


# The OLP's monthly report ------------------------------------------------------------------


class ErroriRelazioni(ValidationError):
    """Per-row errors of a multi-row save: {servizio_id: [messages]}."""

    def __init__(self, righe: dict[int, list[str]]):
        self.righe = righe
        super().__init__(_("Nothing was saved: correct the rows marked."))


def servizi_da_relazionare(user, mese: datetime.date):
    """The services in the month whose report this user writes (their OLP, or their body)."""
    fine = fine_del_mese(mese)
    qs = (
        Servizio.objects.visible_to(user)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(data_inizio__lte=fine, data_fine__gte=mese)
        .select_related("volontario", "posto__sede", "posto__progetto")
        .order_by("volontario__cognome", "volontario__nome")
    )
    return [
        s
        for s in qs
        if policy.puo_scrivere_presenze(user, olp_id=s.olp_id, ente_id=s.posto.sede.ente_id, sede_id=s.posto.sede_id)
    ]


def salva_relazioni(*, acting_user, mese: datetime.date, righe: dict[int, dict], oggi=None) -> int:
    """Save the month's reports of several volunteers at once: all of them or none.

    `righe` maps a service id to {"andamento", "obiettivi", "criticita", "note"}; rows left
    entirely empty are skipped. A month can be reported from its last week on, not before."""
    oggi = oggi or timezone.localdate()
    mese = primo_del_mese(mese)
    if oggi < fine_del_mese(mese) - datetime.timedelta(days=6):
        raise ValidationError(_("The report of a month can be written from its last week on."))
    ammessi = {s.pk: s for s in servizi_da_relazionare(acting_user, mese)}
    errori: dict[int, list[str]] = defaultdict(list)
    da_salvare = []
    for servizio_id, dati in righe.items():
        if servizio_id not in ammessi:
            raise PermissionDenied(_("One of these volunteers is not yours."))
        vuota = not dati.get("andamento") and not dati.get("obiettivi") and not (dati.get("note") or "").strip()
        if vuota and not dati.get("criticita"):
            continue
        for campo, nome in (
            ("andamento", _("how the month went")),
            ("obiettivi", _("progress towards the objectives")),
        ):
            try:
                valore = int(dati.get(campo) or 0)
            except (TypeError, ValueError):
                valore = 0
            if not 1 <= valore <= 5:
                errori[servizio_id].append(_("Choose a value from 1 to 5 for %(campo)s.") % {"campo": nome})
            dati[campo] = valore
        note = (dati.get("note") or "").strip()
        if dati.get("criticita") and not note:
            errori[servizio_id].append(_("Describe the problem in the notes."))
        if len(note) > 2000:
            errori[servizio_id].append(_("The notes are longer than 2000 characters."))
        try:
            ProhibitNullCharactersValidator()(note)  # PostgreSQL refuses NUL in text
        except ValidationError as exc:
            errori[servizio_id].extend(exc.messages)
        da_salvare.append((servizio_id, dati, note))
    if errori:
        raise ErroriRelazioni(dict(errori))
    with transaction.atomic():
        for servizio_id, dati, note in da_salvare:
            RelazioneMensile.objects.update_or_create(
                servizio_id=servizio_id,
                mese=mese,
                defaults={
                    "andamento": dati["andamento"],
                    "obiettivi": dati["obiettivi"],
                    "criticita": bool(dati.get("criticita")),
                    "note": note,
                    "compilata_da": acting_user,
                },
            )
        if da_salvare:
            s = ammessi[da_salvare[0][0]]
            record_event(
                verb=Evento.RELAZIONI_SALVATE, acting_user=acting_user, target=s,
                nodo_id=s.posto.sede.ente.nodo_id, ente_id=s.posto.sede.ente_id,
                data={"mese": f"{mese:%Y-%m}", "servizi": [r[0] for r in da_salvare]},
            )  # fmt: skip
    return len(da_salvare)


def ricorda_relazioni(oggi: datetime.date | None = None) -> int:
    """On the 1st: one e-mail per OLP with volunteers whose last month has no report yet."""
    oggi = oggi or timezone.localdate()
    if oggi.day != 1:
        return 0
    mese = primo_del_mese(oggi - datetime.timedelta(days=1))
    mancanti = (
        Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(data_inizio__lte=fine_del_mese(mese), data_fine__gte=mese, olp__user__isnull=False)
        .exclude(relazioni__mese=mese)
        .values("olp__user__email")
        .annotate(n=Count("pk"))
    )
    inviate = 0
    link = url_portale(reverse("registro:relazioni") + f"?mese={mese:%Y-%m}")
    for r in mancanti:
        corpo = render_to_string("volontari/email_relazioni.txt", {"mese": mese, "n": r["n"], "link": link})
        send_mail(_("Servizio Civile: monthly reports to write"), corpo, settings.DEFAULT_FROM_EMAIL,
                  [r["olp__user__email"]])  # fmt: skip
        inviate += 1
    return inviate


def mesi_relazioni(da: datetime.date, a: datetime.date, oggi: datetime.date) -> list[datetime.date]:
    """The months of [da, a] already ended, whose monthly OLP reports are due."""
    mesi = []
    m = primo_del_mese(da)
    while m <= a and fine_del_mese(m) < oggi:
        mesi.append(m)
        m = fine_del_mese(m) + datetime.timedelta(days=1)
    return mesi


def conteggi(servizi, mesi, da: datetime.date, a: datetime.date, oggi: datetime.date) -> dict:
    """The questionnaires and monthly reports of the scope the indicators need, in two queries
    whatever the scope's size; `mesi` are the months whose reports are due (`mesi_relazioni`;
    the reports due, one per service and month, are counted by the caller)."""
    # Filled in during [da, a] (local days): a range on the timestamp, not its local date per row.
    compilato = Q(
        compilato_il__gte=timezone.make_aware(datetime.datetime.combine(da, datetime.time.min)),
        compilato_il__lt=timezone.make_aware(
            datetime.datetime.combine(a + datetime.timedelta(days=1), datetime.time.min)
        ),
    )
    q = Questionario.objects.filter(servizio__in=servizi).aggregate(
        dovuti=Count("pk", filter=Q(scadenza__gte=da, scadenza__lte=a, scadenza__lt=oggi)),
        compilati=Count(
            "pk", filter=Q(scadenza__gte=da, scadenza__lte=a, scadenza__lt=oggi, compilato_il__isnull=False)
        ),
        risposte=Count("pk", filter=compilato),
        soddisfazione=Avg("soddisfazione", filter=compilato),
    )
    rel = RelazioneMensile.objects.filter(servizio__in=servizi, mese__in=mesi).aggregate(
        scritte=Count("pk"), criticita=Count("pk", filter=Q(criticita=True))
    )
    return {**q, **rel}
