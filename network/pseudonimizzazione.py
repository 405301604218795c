"""Pseudonymisation of volunteers whose every service ended long ago (GDPR art. 5(1)(e)).

A volunteer whose every service ended (`data_fine`) more than `PSEUDONIMIZZA_DOPO_ANNI`
years ago keeps their rows, so that every figure stays the same (services, days, hours,
closes, questionnaire scores, indicators, counters, open data), but loses whatever names
them: name, tax code, birth date (the year stays), birthplace, contacts, the Department's
code, the calendar key, the free text that may tell of their health or life (day notes,
reasons for an interruption, questionnaire comments, OLP notes), the signed monthly sheets,
and the names in alerts, invitations and the audit log. Their account is closed unless the
same person holds another role in the network; then it is only unlinked from the record.

Idempotent (a pseudonymised record is marked and never selected again), in batches of a
bounded size, each in its own transaction; one audit event with counts only.

It lives in the top app because it also rewrites rows of this app (alerts, invitations)."""

import datetime
from dataclasses import asdict, dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat, LPad, TruncYear
from django.utils import timezone

from accounts.audit import Evento, record_event
from accounts.models import AuditEvent
from adesioni.models import Invito
from enti.models import Membership, Olp
from monitoraggio.models import Allerta, EventoAllerta
from volontari.ciclo import aggiungi_mesi
from volontari.models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, Servizio, Volontario

# What replaces free text that a constraint wants non-empty. Stored data, not interface text.
MARCATORE = "[pseudonimizzato]"
# "PSEUDO" and ten digits: 16 characters like a tax code, but digits where a real one has
# the letter of the birth month, so it never collides with a real (validated) tax code.
PREFISSO_CF = "PSEUDO"
LOTTO = 200


@dataclass
class Esito:
    soglia: str = ""
    volontari: int = 0
    account_chiusi: int = 0
    account_scollegati: int = 0
    note_presenze: int = 0
    fogli_firmati: int = 0
    dry_run: bool = False


def soglia(oggi: datetime.date | None = None, anni: int | None = None) -> datetime.date:
    """Services that ended before this day ended more than `anni` years ago."""
    anni = settings.PSEUDONIMIZZA_DOPO_ANNI if anni is None else anni
    if anni < 1:
        raise ValueError("PSEUDONIMIZZA_DOPO_ANNI must be at least 1.")
    return aggiungi_mesi(oggi or timezone.localdate(), -12 * anni)


def da_pseudonimizzare(limite: datetime.date):
    """Volunteers not yet pseudonymised with at least one service, every one ended before `limite`."""
    return Volontario.objects.filter(
        pseudonimizzato_il__isnull=True,
        pk__in=Servizio.objects.values("volontario_id"),
    ).exclude(pk__in=Servizio.objects.filter(data_fine__gte=limite).values("volontario_id"))


def email_pseudonima(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): no mail can ever reach it.
    return f"utente-{user_id}@pseudonimizzato.invalid"


def _ha_altri_ruoli(user_ids: list[int]) -> set[int]:
    User = get_user_model()
    return set(
        User.objects.filter(pk__in=user_ids)
        .filter(
            Q(is_staff=True)
            | Q(is_superuser=True)
            | Exists(Membership.objects.filter(user=OuterRef("pk"), attiva=True))
            | Exists(Olp.objects.filter(user=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


def _testo(campo: str):
    return Cast(campo, output_field=CharField())


def _lotto(ids: list[int], adesso, esito: Esito) -> list[str]:
    """Pseudonymise the volunteers `ids`; returns the signed sheets' files to delete after commit."""
    User = get_user_model()
    volontari = list(Volontario.objects.filter(pk__in=ids).values("pk", "user_id", "email"))
    servizi = list(Servizio.objects.filter(volontario_id__in=ids).values_list("pk", flat=True))
    inviti = list(Invito.objects.filter(volontario_id__in=ids).values_list("pk", "email"))
    user_ids = [v["user_id"] for v in volontari if v["user_id"]]
    tengono = _ha_altri_ruoli(user_ids)
    da_chiudere = [u for u in user_ids if u not in tengono]
    vecchie_email = set(User.objects.filter(pk__in=da_chiudere).values_list("email", flat=True))
    vecchie_email |= {v["email"] for v in volontari if v["email"]} | {email for _pk, email in inviti}
    # The address of an account that stays (another role) is still that person's: untouched.
    vecchie_email -= set(User.objects.filter(pk__in=tengono).values_list("email", flat=True))

    # The record: what names the person goes; the sex and the year of birth stay (figures by
    # sex or age need nothing more).
    Volontario.objects.filter(pk__in=ids, user_id__in=tengono).update(user=None)
    Volontario.objects.filter(pk__in=ids).update(
        codice_fiscale=Concat(Value(PREFISSO_CF), LPad(_testo("pk"), 10, Value("0"))),
        codice_volontario=None,
        cognome=Value("Volontario"),
        nome=_testo("pk"),
        data_nascita=TruncYear("data_nascita"),
        luogo_nascita="",
        email="",
        telefono="",
        ical_token=None,
        pseudonimizzato_il=adesso,
    )
    # Free text that may tell of health or private life.
    Servizio.objects.filter(pk__in=servizi).update(
        motivo_interruzione=Case(When(stato=Servizio.Stato.INTERROTTO, then=Value(MARCATORE)), default=Value(""))
    )
    esito.note_presenze += Presenza.objects.filter(servizio_id__in=servizi).exclude(nota="").update(nota="")
    Questionario.objects.filter(servizio_id__in=servizi).exclude(commento="").update(commento="")
    RelazioneMensile.objects.filter(servizio_id__in=servizi).exclude(note="").update(
        note=Case(When(criticita=True, then=Value(MARCATORE)), default=Value(""))
    )
    # The signed sheets carry name, tax code and signatures: the files go after commit.
    chiusure = ChiusuraMensile.objects.filter(servizio_id__in=servizi).exclude(foglio_firmato="")
    fogli = list(chiusure.values_list("foglio_firmato", flat=True))
    chiusure.update(foglio_firmato="")
    esito.fogli_firmati += len(fogli)
    Allerta.objects.filter(servizio_id__in=servizi).update(messaggio=MARCATORE)
    EventoAllerta.objects.filter(allerta__servizio_id__in=servizi).exclude(testo="").update(testo=MARCATORE)
    Invito.objects.filter(volontario_id__in=ids).update(
        email=Concat(Value("volontario-"), _testo("volontario_id"), Value("@pseudonimizzato.invalid"))
    )

    # The accounts: closed, or only unlinked above when the person keeps another role.
    for sessione in UserSession.objects.filter(user_id__in=da_chiudere):
        sessione.end()
    EmailAddress.objects.filter(user_id__in=da_chiudere).delete()
    Authenticator.objects.filter(user_id__in=da_chiudere).delete()
    User.objects.filter(pk__in=da_chiudere).update(
        email=Concat(Value("utente-"), _testo("pk"), Value("@pseudonimizzato.invalid")),
        first_name="",
        last_name="",
        is_active=False,
        password=make_password(None),  # unusable: no password signs in
    )
    esito.account_chiusi += len(da_chiudere)
    esito.account_scollegati += len(tengono)

    # Names and addresses in the audit log and in the admin's history.
    id_inviti = [pk for pk, _email in inviti]
    for modello, chiavi in ((Volontario, ids), (Servizio, servizi), (Invito, id_inviti), (User, da_chiudere)):
        if not chiavi:
            continue
        testi = [str(pk) for pk in chiavi]
        nome = modello._meta.model_name
        AuditEvent.objects.filter(target_type=modello._meta.label_lower, target_id__in=testi).update(
            target_repr=Concat(Value(f"{nome} "), "target_id")
        )
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(modello), object_id__in=testi).update(
            object_repr=Concat(Value(f"{nome} "), "object_id"), change_message=""
        )
    AuditEvent.objects.filter(actor_id__in=da_chiudere).exclude(ip_address=None).update(ip_address=None)
    toccati = Q(data__email__in=sorted(vecchie_email)) if vecchie_email else Q(pk__in=[])
    if inviti:
        toccati |= Q(data__invito__in=id_inviti)
    for evento in AuditEvent.objects.filter(toccati).only("pk", "data").iterator():
        dati = {**evento.data}
        for chiave in ("email", "ambito"):
            if chiave in dati:
                dati[chiave] = MARCATORE
        AuditEvent.objects.filter(pk=evento.pk).update(data=dati)
    return fogli


def pseudonimizza(*, oggi: datetime.date | None = None, dry_run: bool = False, lotto: int = LOTTO) -> Esito:
    """Pseudonymise every volunteer whose services all ended more than the configured
    number of years ago. With `dry_run`, only count them."""
    limite = soglia(oggi)
    esito = Esito(soglia=limite.isoformat(), dry_run=dry_run)
    if dry_run:
        esito.volontari = da_pseudonimizzare(limite).count()
        return esito
    adesso = timezone.now()
    while True:
        with transaction.atomic():
            ids = list(
                da_pseudonimizzare(limite)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:lotto]
            )
            if not ids:
                break
            fogli = _lotto(ids, adesso, esito)
            esito.volontari += len(ids)
            transaction.on_commit(lambda fogli=fogli: _elimina_file(fogli))
    if esito.volontari:
        record_event(verb=Evento.DATI_PERSONALI_PSEUDONIMIZZATI, data=asdict(esito))
    return esito


def _elimina_file(nomi: list[str]) -> None:
    campo = ChiusuraMensile._meta.get_field("foglio_firmato")
    for nome in nomi:
        campo.storage.delete(nome)
