"""Joining the network: invitations and comuni's access requests."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enti.ambiti import AmbitoQuerySet
from enti.models import Comune, Ente, Nodo, Olp, Sede
from enti.roles import Ruolo
from enti.validators import validate_codice_fiscale_ente
from volontari.models import Volontario


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def nuovo_token() -> str:
    return secrets.token_urlsafe(32)


class InvitoQuerySet(AmbitoQuerySet):
    """One sees the invitations one sent, and those of the scope one governs."""

    AMBITI = {
        "utente": "creato_da",
        "nodi": ("nodo_id", "ente__nodo_id"),
        "enti_referente": ("ente_id", "sede__ente_id", "olp__ente_id"),
    }

    def utilizzabili(self):
        return self.filter(usato_il__isnull=True, revocato_il__isnull=True, scade_il__gt=timezone.now())


class Invito(models.Model):
    """A single-use, expiring, revocable invitation to join with one role.

    Only a hash of the token is stored: the link in the e-mail is the only copy.
    """

    email = models.EmailField(_("e-mail"))
    ruolo = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.label) for r in Ruolo if r not in (Ruolo.UTENTE, Ruolo.ANONIMO)]
    )
    nodo = models.ForeignKey(Nodo, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("network node"))
    ente = models.ForeignKey(Ente, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("body"))
    sede = models.ForeignKey(Sede, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("site"))
    olp = models.ForeignKey(Olp, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("OLP"))
    volontario = models.ForeignKey(
        Volontario, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("volunteer")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    creato_il = models.DateTimeField(_("created"), auto_now_add=True)
    scade_il = models.DateTimeField(_("expires"))
    usato_il = models.DateTimeField(_("accepted on"), null=True, blank=True)
    usato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revocato_il = models.DateTimeField(_("revoked on"), null=True, blank=True)

    objects = InvitoQuerySet.as_manager()

    class Meta:
        db_table = "network_invito"  # kept from when the model lived in the network app
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-creato_il"]
        constraints = [
            # The scope of the invitation matches its role, as for memberships.
            models.CheckConstraint(
                condition=(
                    Q(ruolo__in=["staff_nazionale", "staff_nodo"], nodo__isnull=False, ente__isnull=True)
                    | Q(ruolo__in=["referente", "staff_ente"], ente__isnull=False, nodo__isnull=True)
                    | Q(ruolo="responsabile_sede", sede__isnull=False)
                    | Q(ruolo="olp", olp__isnull=False)
                    | Q(ruolo="volontario", volontario__isnull=False)
                ),
                name="invito_ambito_coerente_col_ruolo",
            ),
            models.CheckConstraint(
                condition=Q(usato_il__isnull=True) | Q(revocato_il__isnull=True), name="invito_usato_o_revocato"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} - {self.get_ruolo_display()}"

    @property
    def stato(self) -> str:
        if self.usato_il:
            return "usato"
        if self.revocato_il:
            return "revocato"
        if self.scade_il <= timezone.now():
            return "scaduto"
        return "valido"

    @property
    def ambito_descrizione(self) -> str:
        return str(self.nodo or self.ente or self.sede or self.olp or self.volontario or "")


class RichiestaAccessoQuerySet(AmbitoQuerySet):
    AMBITI = {"nodi": "nodo_id"}


class RichiestaAccesso(models.Model):
    """A comune not yet in the network asks for an account with its ente's data; the nodo
    of its region approves it (an ente is created and its referente invited) or refuses."""

    class Stato(models.TextChoices):
        IN_ATTESA = "in_attesa", _("waiting")
        APPROVATA = "approvata", _("approved")
        RESPINTA = "respinta", _("refused")

    denominazione = models.CharField(_("name of the body"), max_length=200)
    tipo = models.CharField(_("kind"), max_length=20, choices=Ente.Tipo.choices, default=Ente.Tipo.COMUNE)
    codice_fiscale = models.CharField(_("tax code"), max_length=11, validators=[validate_codice_fiscale_ente])
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, verbose_name=_("municipality"))
    pec = models.EmailField(_("certified e-mail (PEC)"))
    rappresentante_legale = models.CharField(_("legal representative"), max_length=200)
    nome = models.CharField(_("your first name"), max_length=100)
    cognome = models.CharField(_("your last name"), max_length=100)
    email = models.EmailField(_("your e-mail"))
    nodo = models.ForeignKey(Nodo, on_delete=models.PROTECT, verbose_name=_("network node"))
    stato = models.CharField(_("state"), max_length=12, choices=Stato.choices, default=Stato.IN_ATTESA)
    motivo = models.TextField(_("reason"), blank=True)
    creata_il = models.DateTimeField(_("sent on"), auto_now_add=True)
    decisa_il = models.DateTimeField(_("decided on"), null=True, blank=True)
    decisa_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    ente = models.ForeignKey(Ente, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("body"))

    objects = RichiestaAccessoQuerySet.as_manager()

    class Meta:
        db_table = "network_richiestaaccesso"  # kept from when the model lived in the network app
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-creata_il"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stato="respinta") | ~Q(motivo=""), name="richiesta_respinta_con_motivo"
            ),
            models.UniqueConstraint(
                fields=["codice_fiscale"], condition=Q(stato="in_attesa"), name="richiesta_una_in_attesa_per_ente"
            ),
        ]

    def __str__(self) -> str:
        return self.denominazione
