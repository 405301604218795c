"""The daily check: what needs action, for whom. Each alert is found in SQL, kept until the
check no longer finds it, and sent once in each responsible person's daily digest."""

import datetime
import hashlib
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Evento, NuovoEvento, record_events
from enti.models import Membership, Olp
from enti.roles import Ruolo
from progetti import carico_olp, rules
from progetti.models import Progetto
from volontari.models import ChiusuraMensile, Presenza, RelazioneMensile, Servizio
from volontari.rules import ore_testo, tetto_permessi_per

from .models import Allerta, EventoAllerta

T = Allerta.Tipo
# The months of OLP reports whose flagged problems are worklist items (this one and the two before).
MESI_CRITICITA = 3


def scadenze_specifica(progetto) -> list[tuple[str, int, Decimal]]:
    """Specific training's deadlines as the project declares them: (alert key, day of service,
    hours due by then). One tranche: all by the call's deadline; two: 70% by then, the rest by
    day 270."""
    entro = progetto.bando.formazione_specifica_entro_giorni
    ore = Decimal(progetto.formazione_specifica_ore)
    if progetto.formazione_specifica_tranche == progetto.TrancheSpecifica.DUE:
        quota = (Decimal(str(rules.FORMAZIONE_SPECIFICA_TRANCHE_QUOTA)) * ore).quantize(Decimal("0.01"))
        seconda = rules.FORMAZIONE_SPECIFICA_SECONDA_TRANCHE_ENTRO_GIORNI
        return [("specifica", entro, quota), ("specifica2", seconda, ore)]
    return [("specifica", entro, ore)]


def _trovate(oggi: datetime.date) -> dict[str, dict]:
    """Every alert true today, by key: {tipo, ente_id, olp_id, servizio_id, messaggio, impronta}.
    `impronta` holds the figures the fact is made of (not the wording): a closed item reopens
    when they change."""
    out: dict[str, dict] = {}
    # The last week ended (Monday to Sunday before today): with an annual quota it holds at
    # least the project's weekly minimum.
    lunedi = oggi - datetime.timedelta(days=oggi.weekday() + 7)
    domenica = lunedi + datetime.timedelta(days=6)
    in_corso = (
        Servizio.objects.in_corso(oggi)
        .select_related("volontario", "posto__progetto__bando", "posto__sede")
        .annotate(
            ultimo=Max("presenze__giorno"),
            permessi=Count("presenze", filter=Q(presenze__codice="PR")),
            malattia=Count("presenze", filter=Q(presenze__codice="MAL")),
            generale=Sum("presenze__ore", filter=Q(presenze__attivita="formazione_generale")),
            specifica=Sum("presenze__ore", filter=Q(presenze__attivita="formazione_specifica")),
            ore_settimana=Sum("presenze__ore", filter=Q(presenze__giorno__gte=lunedi, presenze__giorno__lte=domenica)),
        )
    )
    in_corso = list(in_corso)
    # Specific training given before the first deadline, for the projects in two tranches
    # past it (the indicator counts the first tranche late when it was not given in time).
    prima_tranche: dict[int, Decimal] = defaultdict(Decimal)
    due = [
        s for s in in_corso
        if s.posto.progetto.formazione_specifica_tranche == Progetto.TrancheSpecifica.DUE
        and (oggi - s.data_inizio).days + 1 > s.posto.progetto.bando.formazione_specifica_entro_giorni
    ]  # fmt: skip
    if due:
        inizio = {s.pk: s for s in due}
        for servizio_id, giorno, ore in Presenza.objects.filter(
            servizio__in=[s.pk for s in due], attivita="formazione_specifica"
        ).values_list("servizio_id", "giorno", "ore"):
            s = inizio[servizio_id]
            if (giorno - s.data_inizio).days < s.posto.progetto.bando.formazione_specifica_entro_giorni:
                prima_tranche[servizio_id] += ore or 0

    def specifica_entro(s, entro_s: int, chiave: str) -> Decimal:
        return (
            prima_tranche[s.pk]
            if chiave == "specifica" and len(scadenze_specifica(s.posto.progetto)) > 1
            else (Decimal(s.specifica or 0))
        )

    soglia = settings.ALLERTA_GIORNI_SENZA_REGISTRAZIONE
    for s in in_corso:
        nome = f"{s.volontario.cognome} {s.volontario.nome}"
        base = {"ente_id": s.posto.sede.ente_id, "olp_id": s.olp_id, "servizio_id": s.pk}
        progetto = s.posto.progetto
        ultimo = s.ultimo or (s.data_inizio - datetime.timedelta(days=1))
        giorni_vuoti = (oggi - ultimo).days - 1
        if giorni_vuoti >= soglia:
            out[f"vuoti:{s.pk}"] = base | {
                "tipo": T.NESSUNA_REGISTRAZIONE,
                "impronta": f"{ultimo}",
                "messaggio": _("%(nome)s: no day recorded for %(n)s days.") % {"nome": nome, "n": giorni_vuoti},
            }
        tetto = tetto_permessi_per(progetto.durata_mesi, progetto.bando.permessi_pro_rata)
        if tetto and s.permessi >= 0.9 * tetto:
            out[f"permessi:{s.pk}"] = base | {
                "tipo": T.PERMESSI_QUASI_ESAURITI,
                "impronta": f"{s.permessi}",
                "messaggio": _("%(nome)s: %(n)s of %(tetto)s days of paid leave used.")
                % {"nome": nome, "n": s.permessi, "tetto": tetto},
            }
        limite = rules.MALATTIA_GIORNI_RETRIBUITI + rules.MALATTIA_GIORNI_NON_RETRIBUITI
        if s.malattia >= limite:
            out[f"interruzione:{s.pk}"] = base | {
                "tipo": T.INTERRUZIONE_DA_COMUNICARE,
                "impronta": f"{s.malattia}",
                "messaggio": _(
                    "%(nome)s: %(n)s days of sickness, the service must end: report the interruption within 5 days."
                )
                % {"nome": nome, "n": s.malattia},
            }
        elif s.malattia >= rules.MALATTIA_GIORNI_RETRIBUITI - 3:
            out[f"malattia:{s.pk}"] = base | {
                "tipo": T.MALATTIA_OLTRE,
                "impronta": f"{s.malattia}",
                "messaggio": _("%(nome)s: %(n)s days of sickness (15 are paid).") % {"nome": nome, "n": s.malattia},
            }
        giorno = (oggi - s.data_inizio).days + 1
        entro = rules.FORMAZIONE_GENERALE_ENTRO_GIORNI
        if entro - 30 <= giorno <= entro and (s.generale or 0) < progetto.formazione_generale_ore:
            out[f"generale:{s.pk}"] = base | {
                "tipo": T.FORMAZIONE_IN_SCADENZA,
                "impronta": f"{s.generale or 0}",
                "messaggio": _("%(nome)s: general training due by day %(entro)s, %(fatte)s of %(ore)s hours done.")
                % {
                    "nome": nome,
                    "entro": entro,
                    "fatte": ore_testo(s.generale),
                    "ore": progetto.formazione_generale_ore,
                },
            }
        for chiave, entro_s, dovute in scadenze_specifica(progetto):
            if entro_s - 15 <= giorno <= entro_s and (s.specifica or 0) < dovute:
                out[f"{chiave}:{s.pk}"] = base | {
                    "tipo": T.FORMAZIONE_IN_SCADENZA,
                    "impronta": f"{s.specifica or 0}",
                    "messaggio": _("%(nome)s: specific training due by day %(entro)s, %(fatte)s of %(ore)s hours done.")
                    % {
                        "nome": nome,
                        "entro": entro_s,
                        "fatte": ore_testo(s.specifica),
                        "ore": ore_testo(dovute),
                    },
                }
        # Training late, as the indicators count it: general training short of the project's
        # hours past day 180; specific training short past its deadline (for two tranches: 70%
        # not given by the call's deadline, or all of it not given by day 270).
        if giorno > rules.FORMAZIONE_GENERALE_ENTRO_GIORNI and (s.generale or 0) < progetto.formazione_generale_ore:
            out[f"generale_tardi:{s.pk}"] = base | {
                "tipo": T.GENERALE_IN_RITARDO, "impronta": f"{s.generale or 0}",
                "messaggio": _("%(nome)s: day %(giorno)s of service, %(fatte)s of %(ore)s hours of general training "
                               "done (due by day %(entro)s).")
                % {"nome": nome, "giorno": giorno, "fatte": ore_testo(s.generale or 0),
                   "ore": progetto.formazione_generale_ore, "entro": rules.FORMAZIONE_GENERALE_ENTRO_GIORNI},
            }  # fmt: skip
        tardi = [
            (entro_s, dovute)
            for chiave, entro_s, dovute in scadenze_specifica(progetto)
            if giorno > entro_s and specifica_entro(s, entro_s, chiave) < dovute
        ]
        if tardi:
            entro_s, dovute = tardi[-1]
            out[f"specifica_tardi:{s.pk}"] = base | {
                "tipo": T.SPECIFICA_IN_RITARDO, "impronta": f"{s.specifica or 0}",
                "messaggio": _("%(nome)s: day %(giorno)s of service, %(fatte)s hours of specific training done, "
                               "%(ore)s were due by day %(entro)s.")
                % {"nome": nome, "giorno": giorno, "fatte": ore_testo(s.specifica or 0),
                   "ore": ore_testo(dovute), "entro": entro_s},
            }  # fmt: skip
        if (
            progetto.modello_orario == "monte_ore"
            and s.data_inizio <= lunedi
            and domenica <= s.data_fine
            and (s.ore_settimana or 0) < progetto.ore_settimana_min
        ):
            out[f"settimana:{s.pk}:{lunedi:%Y-%m-%d}"] = base | {
                "tipo": T.SETTIMANA_SOTTO_MINIMO, "impronta": f"{s.ore_settimana or 0}",
                "messaggio": _("%(nome)s: the week of %(lunedi)s has %(ore)s hours, under the project's minimum of "
                               "%(min)s.")
                % {"nome": nome, "lunedi": f"{lunedi:%d/%m/%Y}", "ore": ore_testo(s.ore_settimana),
                   "min": progetto.ore_settimana_min},
            }  # fmt: skip
    # Months not confirmed by the 10th: last month, once the 10th has passed.
    if oggi.day > 10:
        mese = (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        fine = oggi.replace(day=1) - datetime.timedelta(days=1)
        confermati = ChiusuraMensile.objects.filter(mese=mese, stato=ChiusuraMensile.Stato.CONFERMATA).values(
            "servizio_id"
        )
        per_ente = (
            Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
            .filter(data_inizio__lte=fine, data_fine__gte=mese)
            .exclude(pk__in=confermati)
            .values("posto__sede__ente")
            .annotate(n=Count("pk"))
        )
        for r in per_ente:
            out[f"mese:{mese:%Y-%m}:{r['posto__sede__ente']}"] = {
                "tipo": T.MESE_NON_CONFERMATO, "ente_id": r["posto__sede__ente"], "olp_id": None, "servizio_id": None,
                "impronta": f"{r['n']}",
                "messaggio": _("%(mese)s is not confirmed for %(n)s volunteers: it was due by the 10th.")
                % {"mese": f"{mese:%m/%Y}", "n": r["n"]},
            }  # fmt: skip
    # OLP over the maximum: their load (progetti.carico_olp, the figure of the indicator and of
    # every save) against the strictest call they work in.
    in_gioco = Olp.objects.filter(
        Q(pk__in=Servizio.objects.filter(data_fine__gte=oggi).exclude(stato=Servizio.Stato.RINUNCIA).values("olp_id"))
        | Q(posti__progetto__stato__in=carico_olp.STATI_CON_POSTI_IMPEGNATI)
    ).values("pk")
    carichi = carico_olp.carichi_olp(in_gioco, giorno=oggi)
    oltre = {pk: c for pk, c in carichi.items() if c.volontari > c.massimo}
    for olp in Olp.objects.filter(pk__in=oltre).order_by("pk"):
        c = oltre[olp.pk]
        out[f"olp:{olp.pk}"] = {
            "tipo": T.OLP_OLTRE_MASSIMO, "ente_id": olp.ente_id, "olp_id": olp.pk, "servizio_id": None,
            "impronta": f"{c.volontari}/{c.massimo}",
            "messaggio": _("%(olp)s follows %(n)s volunteers: the maximum is %(max)s.")
            % {"olp": olp, "n": c.volontari, "max": c.massimo},
        }  # fmt: skip
    # Problems flagged by the OLP in the monthly reports of the last months, for services not
    # ended long ago: the ente reads them and acts; network staff close them when handled.
    dal = (oggi.replace(day=1) - datetime.timedelta(days=31 * (MESI_CRITICITA - 1))).replace(day=1)
    for r in (
        RelazioneMensile.objects.filter(criticita=True, mese__gte=dal)
        .exclude(servizio__stato=Servizio.Stato.RINUNCIA)
        .select_related("servizio__volontario", "servizio__posto__sede")
        .order_by("pk")
    ):
        s = r.servizio
        impronta = hashlib.sha256(f"{r.andamento}|{r.obiettivi}|{r.note}".encode()).hexdigest()[:16]
        out[f"criticita:{r.pk}"] = {
            "tipo": T.CRITICITA_OLP, "ente_id": s.posto.sede.ente_id, "olp_id": s.olp_id, "servizio_id": s.pk,
            "impronta": impronta,
            "messaggio": _("%(nome)s, %(mese)s: the OLP flagged a problem: %(note)s")
            % {"nome": f"{s.volontario.cognome} {s.volontario.nome}", "mese": f"{r.mese:%m/%Y}",
               "note": r.note[:200]},
        }  # fmt: skip
    return out


@transaction.atomic
def controlla(oggi: datetime.date | None = None) -> dict[str, int]:
    """Open the items found today, resolve those no longer found. An item found again after
    it was resolved, or closed by network staff while its fact (`impronta`) has changed since,
    is reopened; a closed item whose fact is the same stays closed. Each change is written in
    the item's history (`EventoAllerta`); reopenings also in the audit log."""
    oggi = oggi or timezone.localdate()
    trovate = _trovate(oggi)
    # The open items, and the resolved ones found again (keys in batches: a national check
    # finds more than a query may have parameters).
    esistenti = {a.chiave: a for a in Allerta.objects.aperte().select_related("ente")}
    chiavi = [k for k in trovate if k not in esistenti]
    for i in range(0, len(chiavi), 5000):
        esistenti.update(
            (a.chiave, a) for a in Allerta.objects.filter(chiave__in=chiavi[i : i + 5000]).select_related("ente")
        )
    nuove, aggiornate, storia, riaperte = [], [], [], []
    for chiave, dati in trovate.items():
        a = esistenti.get(chiave)
        if a is None:
            nuove.append(Allerta(chiave=chiave, **dati))
            continue
        cambiata = bool(a.impronta) and a.impronta != dati["impronta"]
        if a.risolta_il is not None or (a.stato == Allerta.Stato.CHIUSA and cambiata):
            a.risolta_il = a.notificata_il = a.in_carico_a = None
            a.stato = Allerta.Stato.APERTA
            storia.append(EventoAllerta(allerta=a, tipo=EventoAllerta.Tipo.RIAPERTA))
            riaperte.append(a)
        elif a.messaggio == dati["messaggio"] and a.impronta == dati["impronta"]:
            continue
        a.messaggio, a.impronta = dati["messaggio"], dati["impronta"]
        aggiornate.append(a)
    Allerta.objects.bulk_update(
        aggiornate, ["messaggio", "impronta", "stato", "risolta_il", "notificata_il", "in_carico_a"], batch_size=500
    )
    create = Allerta.objects.bulk_create(nuove, batch_size=500)
    storia += [EventoAllerta(allerta=a, tipo=EventoAllerta.Tipo.TROVATA) for a in create]
    da_risolvere = [a for k, a in esistenti.items() if a.risolta_il is None and k not in trovate]
    Allerta.objects.filter(pk__in=[a.pk for a in da_risolvere]).update(risolta_il=timezone.now())
    storia += [EventoAllerta(allerta=a, tipo=EventoAllerta.Tipo.RISOLTA) for a in da_risolvere]
    EventoAllerta.objects.bulk_create(storia, batch_size=500)
    record_events(
        NuovoEvento(
            verb=Evento.ALLERTA_RIAPERTA,
            target=a,
            target_repr=a.chiave,
            data={"impronta": a.impronta},
            nodo_id=a.ente.nodo_id,
            ente_id=a.ente_id,
        )
        for a in riaperte
    )
    return {"aperte": len(trovate), "nuove": len(nuove) + len(riaperte), "risolte": len(da_risolvere)}


def invia_riepiloghi() -> int:
    """One e-mail per responsible person with the open alerts not yet sent: the OLP for their
    volunteers, the ente's referenti for the whole ente."""
    da_inviare = list(
        Allerta.objects.da_gestire().filter(notificata_il__isnull=True).select_related("ente", "olp__user")
    )
    per_persona: dict[str, list[Allerta]] = defaultdict(list)
    referenti = defaultdict(list)
    for email, ente_id in Membership.objects.filter(
        ruolo=Ruolo.REFERENTE, attiva=True, ente_id__in={a.ente_id for a in da_inviare}
    ).values_list("user__email", "ente_id"):
        referenti[ente_id].append(email)
    for a in da_inviare:
        for email in referenti[a.ente_id]:
            per_persona[email].append(a)
        if a.olp is not None and a.olp.user is not None:
            per_persona[a.olp.user.email].append(a)
    for email, allerte in per_persona.items():
        corpo = render_to_string("monitoraggio/email_riepilogo.txt", {"allerte": allerte})
        send_mail(_("Servizio Civile: %(n)s things need your attention") % {"n": len(allerte)}, corpo,
                  settings.DEFAULT_FROM_EMAIL, [email])  # fmt: skip
    Allerta.objects.filter(pk__in=[a.pk for a in da_inviare]).update(notificata_il=timezone.now())
    return len(per_persona)
