"""Joining the network: invitations and access requests. One function per state change,
atomic, with an acting user and an audit event; e-mails leave after commit."""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import Evento, record_event
from enti import policy
from enti.access import ambito
from enti.models import Comune, Ente, Membership, Nodo, Olp, Sede
from enti.roles import RUOLI_MEMBERSHIP, Ruolo
from volontari.models import Servizio, Volontario

from .models import Invito, RichiestaAccesso, hash_token, nuovo_token


class InvitoNonValido(Exception):
    """The invitation link cannot be used; the message says why, in the user's language."""


def _invia_dopo_commit(*, oggetto: str, template: str, context: dict, destinatari: list[str]) -> None:
    body = render_to_string(template, context)

    def send():
        send_mail(oggetto, body, settings.DEFAULT_FROM_EMAIL, destinatari)

    transaction.on_commit(send)


def _ambito_invito(invito: Invito) -> tuple[int | None, int | None]:
    """(nodo id, ente id) the invitation belongs to, for the audit log."""
    ente = invito.ente or (invito.sede and invito.sede.ente) or (invito.olp and invito.olp.ente)
    if invito.volontario is not None:
        servizio = invito.volontario.servizi.select_related("posto__sede__ente").order_by("-data_inizio").first()
        ente = servizio.posto.sede.ente if servizio else None
    if ente is not None:
        return ente.nodo_id, ente.pk
    return (invito.nodo_id, None)


def _controlla_ambito(acting_user, *, ruolo, nodo, ente, sede, olp, volontario) -> None:
    """The inviter may give this role, on this part of the network only."""
    if ruolo not in policy.ruoli_invitabili(acting_user):
        raise PermissionDenied(_("You cannot invite people with this role."))
    a = ambito(acting_user)
    errors = {}
    if ruolo in (Ruolo.STAFF_NAZIONALE, Ruolo.STAFF_NODO):
        if nodo is None:
            errors["nodo"] = _("Choose the network node.")
    elif ruolo == Ruolo.REFERENTE:
        if ente is None:
            errors["ente"] = _("Choose the body.")
        elif not (a.nazionale or ente.nodo_id in a.nodi):
            errors["ente"] = _("This body is not in your network node.")
    elif ruolo == Ruolo.STAFF_ENTE:
        if ente is None:
            errors["ente"] = _("Choose the body.")
        elif ente.pk not in a.enti_referente:
            errors["ente"] = _("You are not the referent of this body.")
    elif ruolo == Ruolo.RESPONSABILE_SEDE:
        if sede is None:
            errors["sede"] = _("Choose the site.")
        elif sede.ente_id not in a.enti_referente:
            errors["sede"] = _("This site is not of a body you are the referent of.")
    elif ruolo == Ruolo.OLP:
        if olp is None:
            errors["olp"] = _("Choose the OLP.")
        elif olp.ente_id not in a.enti_referente:
            errors["olp"] = _("This OLP is not of a body you are the referent of.")
        elif olp.user_id is not None:
            errors["olp"] = _("This OLP already has an account.")
    elif ruolo == Ruolo.VOLONTARIO:
        if volontario is None:
            errors["volontario"] = _("Choose the volunteer.")
        elif volontario.user_id is not None:
            errors["volontario"] = _("This volunteer already has an account.")
        else:
            # Referenti invite the volunteers of their ente; an OLP only those they follow.
            servizi = Servizio.objects.filter(volontario=volontario)
            ok = servizi.filter(posto__sede__ente_id__in=a.enti_referente).exists() or (
                a.olp is not None and servizi.filter(olp_id=a.olp).exists()
            )
            if not ok:
                errors["volontario"] = _("This volunteer is not one of yours.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def invita(
    *,
    acting_user,
    email: str,
    ruolo: str,
    base_url: str,
    nodo: Nodo | None = None,
    ente: Ente | None = None,
    sede: Sede | None = None,
    olp: Olp | None = None,
    volontario: Volontario | None = None,
    ip_address: str | None = None,
) -> tuple[Invito, str]:
    """Create an invitation and e-mail its link; returns it with the one copy of its token."""
    _controlla_ambito(acting_user, ruolo=ruolo, nodo=nodo, ente=ente, sede=sede, olp=olp, volontario=volontario)
    email = email.strip().lower()
    # A new invitation for the same person and role replaces any still open.
    Invito.objects.utilizzabili().filter(
        email__iexact=email, ruolo=ruolo, nodo=nodo, ente=ente, sede=sede, olp=olp, volontario=volontario
    ).update(revocato_il=timezone.now())
    token = nuovo_token()
    invito = Invito.objects.create(
        email=email,
        ruolo=ruolo,
        nodo=nodo if ruolo in (Ruolo.STAFF_NAZIONALE, Ruolo.STAFF_NODO) else None,
        ente=ente if ruolo in (Ruolo.REFERENTE, Ruolo.STAFF_ENTE) else None,
        sede=sede if ruolo == Ruolo.RESPONSABILE_SEDE else None,
        olp=olp if ruolo == Ruolo.OLP else None,
        volontario=volontario if ruolo == Ruolo.VOLONTARIO else None,
        token_hash=hash_token(token),
        creato_da=acting_user,
        scade_il=timezone.now() + datetime.timedelta(days=settings.INVITO_VALIDITA_GIORNI),
    )
    nodo_id, ente_id = _ambito_invito(invito)
    record_event(
        verb=Evento.INVITO_CREATO,
        acting_user=acting_user,
        target=invito,
        data={"ruolo": ruolo, "email": email},
        ip_address=ip_address,
        nodo_id=nodo_id,
        ente_id=ente_id,
    )
    link = base_url.rstrip("/") + reverse("inviti:accetta", args=[token])
    _invia_dopo_commit(
        oggetto=_("Invitation to the Servizio Civile network portal"),
        template="inviti/email_invito.txt",
        context={"invito": invito, "link": link, "mittente": acting_user, "giorni": settings.INVITO_VALIDITA_GIORNI},
        destinatari=[email],
    )
    return invito, token


def trova_invito(token: str) -> Invito:
    """The invitation behind a link, or InvitoNonValido saying why it cannot be used."""
    invito = (
        Invito.objects.select_related("nodo", "ente", "sede", "olp", "volontario")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invito is None:
        raise InvitoNonValido(_("This invitation link is not valid."))
    if invito.usato_il is not None:
        raise InvitoNonValido(_("This invitation has already been used. Sign in with your account."))
    if invito.revocato_il is not None:
        raise InvitoNonValido(_("This invitation has been withdrawn. Ask whoever invited you for a new one."))
    if invito.scade_il <= timezone.now():
        raise InvitoNonValido(_("This invitation has expired. Ask whoever invited you for a new one."))
    return invito


def _assegna_ruolo(invito: Invito, user) -> None:
    if invito.ruolo in RUOLI_MEMBERSHIP:
        membership, created = Membership.objects.get_or_create(
            user=user, ruolo=invito.ruolo, nodo=invito.nodo, ente=invito.ente, sede=invito.sede
        )
        if not created and not membership.attiva:
            membership.attiva = True
            membership.save(update_fields=["attiva"])
    elif invito.ruolo == Ruolo.OLP:
        updated = Olp.objects.filter(pk=invito.olp_id, user__isnull=True).update(user=user)
        if not updated:
            raise InvitoNonValido(_("This OLP already has an account."))
    elif invito.ruolo == Ruolo.VOLONTARIO:
        updated = Volontario.objects.filter(pk=invito.volontario_id, user__isnull=True).update(user=user)
        if not updated:
            raise InvitoNonValido(_("This volunteer already has an account."))


@transaction.atomic
def accetta_invito(
    *,
    token: str,
    acting_user=None,
    nome: str = "",
    cognome: str = "",
    password: str = "",
    ip_address: str | None = None,
):
    """Use an invitation: a new account (name and password) or the signed-in one, whose
    e-mail must be the invited address. Returns the user, who then has the role."""
    invito = trova_invito(token)
    # Lock the row: two tabs accepting at once give one account.
    invito = Invito.objects.select_for_update().get(pk=invito.pk)
    if invito.usato_il is not None:
        raise InvitoNonValido(_("This invitation has already been used. Sign in with your account."))
    User = get_user_model()
    if acting_user is not None and acting_user.is_authenticated:
        if acting_user.email.lower() != invito.email.lower():
            raise InvitoNonValido(
                _("This invitation is for %(email)s: sign out and open the link again.") % {"email": invito.email}
            )
        user = acting_user
    else:
        if User.objects.filter(email__iexact=invito.email).exists():
            raise InvitoNonValido(_("An account with this e-mail already exists: sign in, then open the link again."))
        user = User.objects.create_user(email=invito.email, password=password, first_name=nome, last_name=cognome)
    # The link reached this address: it is verified.
    EmailAddress.objects.update_or_create(user=user, email=invito.email, defaults={"verified": True, "primary": True})
    _assegna_ruolo(invito, user)
    invito.usato_il = timezone.now()
    invito.usato_da = user
    invito.save(update_fields=["usato_il", "usato_da"])
    nodo_id, ente_id = _ambito_invito(invito)
    record_event(
        verb=Evento.INVITO_ACCETTATO,
        acting_user=user,
        target=invito,
        ip_address=ip_address,
        nodo_id=nodo_id,
        ente_id=ente_id,
    )
    record_event(
        verb=Evento.RUOLO_ASSEGNATO,
        acting_user=user,
        target=user,
        data={"ruolo": invito.ruolo, "ambito": invito.ambito_descrizione, "invito": invito.pk},
        ip_address=ip_address,
        nodo_id=nodo_id,
        ente_id=ente_id,
    )
    return user


@transaction.atomic
def revoca_invito(*, acting_user, invito: Invito, ip_address: str | None = None) -> Invito:
    invito = Invito.objects.select_for_update().get(pk=invito.pk)
    if invito.stato != "valido":
        raise ValidationError(_("Only an invitation not yet used nor expired can be withdrawn."))
    invito.revocato_il = timezone.now()
    invito.save(update_fields=["revocato_il"])
    nodo_id, ente_id = _ambito_invito(invito)
    record_event(
        verb=Evento.INVITO_REVOCATO,
        acting_user=acting_user,
        target=invito,
        ip_address=ip_address,
        nodo_id=nodo_id,
        ente_id=ente_id,
    )
    return invito


def nodo_per_comune(comune: Comune) -> Nodo:
    """The regional node of the comune's region, or the national one."""
    nodo = Nodo.objects.filter(regioni=comune.provincia.regione_id).first()
    return nodo or Nodo.objects.get(livello=Nodo.Livello.NAZIONALE)


@transaction.atomic
def richiedi_accesso(*, dati: dict, ip_address: str | None = None) -> RichiestaAccesso:
    """A comune outside the network asks for an account; its nodo is told after commit."""
    if Ente.objects.filter(codice_fiscale=dati["codice_fiscale"]).exists():
        raise ValidationError(
            {"codice_fiscale": _("This body is already in the network: ask its referent for an invitation.")}
        )
    if RichiestaAccesso.objects.filter(
        codice_fiscale=dati["codice_fiscale"], stato=RichiestaAccesso.Stato.IN_ATTESA
    ).exists():
        raise ValidationError({"codice_fiscale": _("A request for this body is already waiting for review.")})
    richiesta = RichiestaAccesso.objects.create(**dati, nodo=nodo_per_comune(dati["comune"]))
    record_event(
        verb=Evento.RICHIESTA_ACCESSO_INVIATA,
        target=richiesta,
        data={"ente": richiesta.denominazione},
        ip_address=ip_address,
        nodo_id=richiesta.nodo_id,
    )
    staff = list(
        Membership.objects.filter(ruolo=Ruolo.STAFF_NODO, nodo=richiesta.nodo, attiva=True).values_list(
            "user__email", flat=True
        )
    )
    if staff:
        _invia_dopo_commit(
            oggetto=_("New access request: %(ente)s") % {"ente": richiesta.denominazione},
            template="inviti/email_richiesta_nodo.txt",
            context={"richiesta": richiesta},
            destinatari=staff,
        )
    return richiesta


@transaction.atomic
def decidi_richiesta(
    *,
    acting_user,
    richiesta: RichiestaAccesso,
    approva: bool,
    motivo: str = "",
    base_url: str,
    ip_address: str | None = None,
) -> RichiestaAccesso:
    """The nodo approves (the ente is created and its referente invited) or refuses with a
    reason (the applicant is told)."""
    richiesta = RichiestaAccesso.objects.visible_to(acting_user).select_for_update().get(pk=richiesta.pk)
    if richiesta.stato != RichiestaAccesso.Stato.IN_ATTESA:
        raise ValidationError(_("This request has already been decided."))
    if not approva and not motivo.strip():
        raise ValidationError({"motivo": _("Say why the request is refused: the applicant will read it.")})
    richiesta.decisa_il = timezone.now()
    richiesta.decisa_da = acting_user
    richiesta.motivo = motivo.strip()
    if approva:
        richiesta.stato = RichiestaAccesso.Stato.APPROVATA
        richiesta.ente = Ente.objects.create(
            denominazione=richiesta.denominazione,
            tipo=richiesta.tipo,
            codice_fiscale=richiesta.codice_fiscale,
            comune=richiesta.comune,
            nodo=richiesta.nodo,
            pec=richiesta.pec,
            rappresentante_legale=richiesta.rappresentante_legale,
            stato_adesione=Ente.StatoAdesione.RICHIESTA,
        )
        richiesta.save()
        invita(
            acting_user=acting_user,
            email=richiesta.email,
            ruolo=Ruolo.REFERENTE,
            ente=richiesta.ente,
            base_url=base_url,
            ip_address=ip_address,
        )
    else:
        richiesta.stato = RichiestaAccesso.Stato.RESPINTA
        richiesta.save()
        _invia_dopo_commit(
            oggetto=_("Your access request to the Servizio Civile network"),
            template="inviti/email_richiesta_respinta.txt",
            context={"richiesta": richiesta},
            destinatari=[richiesta.email],
        )
    record_event(
        verb=Evento.RICHIESTA_ACCESSO_APPROVATA if approva else Evento.RICHIESTA_ACCESSO_RESPINTA,
        acting_user=acting_user,
        target=richiesta,
        data={"motivo": richiesta.motivo},
        ip_address=ip_address,
        nodo_id=richiesta.nodo_id,
        ente_id=richiesta.ente_id,
    )
    return richiesta
