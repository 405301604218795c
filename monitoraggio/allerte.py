"""The daily check: what needs action, for whom. Each alert is found in SQL, kept until the
check no longer finds it, and sent once in each responsible person's daily digest."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from enti.models import Membership, Olp
from enti.roles import Ruolo
from progetti import carico_olp, rules
from volontari.models import ChiusuraMensile, Servizio
from volontari.rules import ore_testo, tetto_permessi_per

from .models import Allerta

T = Allerta.Tipo


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
    """Every alert true today, by key: {tipo, ente_id, olp_id, servizio_id, messaggio}."""
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
                "messaggio": _("%(nome)s: no day recorded for %(n)s days.") % {"nome": nome, "n": giorni_vuoti},
            }
        tetto = tetto_permessi_per(progetto.durata_mesi, progetto.bando.permessi_pro_rata)
        if tetto and s.permessi >= 0.9 * tetto:
            out[f"permessi:{s.pk}"] = base | {
                "tipo": T.PERMESSI_QUASI_ESAURITI,
                "messaggio": _("%(nome)s: %(n)s of %(tetto)s days of paid leave used.")
                % {"nome": nome, "n": s.permessi, "tetto": tetto},
            }
        limite = rules.MALATTIA_GIORNI_RETRIBUITI + rules.MALATTIA_GIORNI_NON_RETRIBUITI
        if s.malattia >= limite:
            out[f"interruzione:{s.pk}"] = base | {
                "tipo": T.INTERRUZIONE_DA_COMUNICARE,
                "messaggio": _(
                    "%(nome)s: %(n)s days of sickness, the service must end: report the interruption within 5 days."
                )
                % {"nome": nome, "n": s.malattia},
            }
        elif s.malattia >= rules.MALATTIA_GIORNI_RETRIBUITI - 3:
            out[f"malattia:{s.pk}"] = base | {
                "tipo": T.MALATTIA_OLTRE,
                "messaggio": _("%(nome)s: %(n)s days of sickness (15 are paid).") % {"nome": nome, "n": s.malattia},
            }
        giorno = (oggi - s.data_inizio).days + 1
        entro = rules.FORMAZIONE_GENERALE_ENTRO_GIORNI
        if entro - 30 <= giorno <= entro and (s.generale or 0) < progetto.formazione_generale_ore:
            out[f"generale:{s.pk}"] = base | {
                "tipo": T.FORMAZIONE_IN_SCADENZA,
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
                    "messaggio": _("%(nome)s: specific training due by day %(entro)s, %(fatte)s of %(ore)s hours done.")
                    % {
                        "nome": nome,
                        "entro": entro_s,
                        "fatte": ore_testo(s.specifica),
                        "ore": ore_testo(dovute),
                    },
                }
        if (
            progetto.modello_orario == "monte_ore"
            and s.data_inizio <= lunedi
            and domenica <= s.data_fine
            and (s.ore_settimana or 0) < progetto.ore_settimana_min
        ):
            out[f"settimana:{s.pk}:{lunedi:%Y-%m-%d}"] = base | {
                "tipo": T.SETTIMANA_SOTTO_MINIMO,
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
            "messaggio": _("%(olp)s follows %(n)s volunteers: the maximum is %(max)s.")
            % {"olp": olp, "n": c.volontari, "max": c.massimo},
        }  # fmt: skip
    return out


@transaction.atomic
def controlla(oggi: datetime.date | None = None) -> dict[str, int]:
    """Open the alerts found today, resolve those no longer found."""
    oggi = oggi or timezone.localdate()
    trovate = _trovate(oggi)
    aperte = {a.chiave: a for a in Allerta.objects.aperte()}
    nuove = [Allerta(chiave=k, **v) for k, v in trovate.items() if k not in aperte]
    # A key resolved earlier and found again is reopened.
    riaperte = Allerta.objects.filter(chiave__in=[a.chiave for a in nuove], risolta_il__isnull=False)
    da_riaprire = set(riaperte.values_list("chiave", flat=True))
    riaperte.update(risolta_il=None, notificata_il=None)
    Allerta.objects.bulk_create([a for a in nuove if a.chiave not in da_riaprire])
    risolte = Allerta.objects.aperte().exclude(chiave__in=list(trovate)).update(risolta_il=timezone.now())
    return {"aperte": len(trovate), "nuove": len(nuove), "risolte": risolte}


def invia_riepiloghi() -> int:
    """One e-mail per responsible person with the open alerts not yet sent: the OLP for their
    volunteers, the ente's referenti for the whole ente."""
    da_inviare = list(Allerta.objects.aperte().filter(notificata_il__isnull=True).select_related("ente", "olp__user"))
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
