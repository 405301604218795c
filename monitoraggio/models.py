"""Joining the network: invitations and comuni's access requests."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.files import NomeCasuale
from enti import policy
from enti.access import ambito
from enti.models import Comune, Ente, Nodo, Olp, Sede
from enti.roles import Ruolo
from enti.validators import validate_codice_fiscale_ente
from volontari.models import Servizio, Volontario


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def nuovo_token() -> str:
    return secrets.token_urlsafe(32)


class InvitoQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InvitoQuerySet":
        """One sees the invitations one sent, and those of the scope one governs."""
        if not user.is_authenticated:
            return self.none()
        a = ambito(user)
        if a.nazionale:
            return self.all()
        q = Q(creato_da=user)
        if a.nodi:
            q |= Q(nodo_id__in=a.nodi) | Q(ente__nodo_id__in=a.nodi)
        if a.enti_referente:
            q |= Q(ente_id__in=a.enti_referente) | Q(sede__ente_id__in=a.enti_referente)
            q |= Q(olp__ente_id__in=a.enti_referente)
        return self.filter(q)

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


class RichiestaAccessoQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RichiestaAccessoQuerySet":
        a = ambito(user)
        if a.nazionale:
            return self.all()
        if a.nodi:
            return self.filter(nodo_id__in=a.nodi)
        return self.none()


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


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Network staff see the reports of their nodi and of their enti and projects; ente
        staff those of their ente and its projects."""
        a = ambito(user)
        if a.nazionale:
            return self.all()
        q = Q()
        if a.nodi:
            q |= Q(nodo_id__in=a.nodi) | Q(ente__nodo_id__in=a.nodi) | Q(progetto__ente__nodo_id__in=a.nodi)
        if a.enti:
            q |= Q(ente_id__in=a.enti) | Q(progetto__ente_id__in=a.enti)
        return self.filter(q) if q else self.none()


class Report(models.Model):
    """A monitoring report: the job row of a Celery task that computes the indicators and
    writes a PDF."""

    class Tipo(models.TextChoices):
        MENSILE_ENTE = "mensile_ente", _("monthly report of a body")
        MENSILE_NODO = "mensile_nodo", _("monthly report of a node")
        PROGETTO = "progetto", _("project report")
        ANNUALE_ENTE = "annuale_ente", _("draft annual report of a body")

    class Stato(models.TextChoices):
        IN_CODA = "in_coda", _("queued")
        IN_CORSO = "in_corso", _("running")
        COMPLETATO = "completato", _("done")
        FALLITO = "fallito", _("failed")

    tipo = models.CharField(_("kind"), max_length=20, choices=Tipo.choices)
    nodo = models.ForeignKey(Nodo, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("network node"))
    ente = models.ForeignKey(Ente, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("body"))
    progetto = models.ForeignKey(
        "progetti.Progetto", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("project")
    )
    periodo_inizio = models.DateField(_("from"))
    periodo_fine = models.DateField(_("to"))
    stato = models.CharField(_("state"), max_length=12, choices=Stato.choices, default=Stato.IN_CODA, db_index=True)
    progresso = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=NomeCasuale("report"), blank=True)
    richiesto_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("ordered by"),
    )  # fmt: skip
    creato_il = models.DateTimeField(_("ordered on"), auto_now_add=True)
    iniziato_il = models.DateTimeField(_("started on"), null=True, blank=True)
    completato_il = models.DateTimeField(_("finished on"), null=True, blank=True)
    tentativi = models.PositiveSmallIntegerField(_("attempts"), default=0)
    errore = models.TextField(_("error"), blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-creato_il"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tipo="mensile_nodo", nodo__isnull=False, ente__isnull=True, progetto__isnull=True)
                    | Q(
                        tipo__in=["mensile_ente", "annuale_ente"],
                        nodo__isnull=True,
                        ente__isnull=False,
                        progetto__isnull=True,
                    )
                    | Q(tipo="progetto", nodo__isnull=True, ente__isnull=True, progetto__isnull=False)
                ),
                name="report_ambito_coerente_col_tipo",
            ),
            models.CheckConstraint(condition=Q(progresso__lte=100), name="report_progresso_0_100"),
            models.CheckConstraint(
                condition=Q(periodo_fine__gte=models.F("periodo_inizio")), name="report_periodo_valido"
            ),
            models.CheckConstraint(condition=~Q(stato="completato") | ~Q(file=""), name="report_completato_ha_file"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} {self.ambito} {self.periodo_inizio:%m/%Y}"

    @property
    def ambito(self):
        return self.nodo or self.ente or self.progetto


class AllertaQuerySet(models.QuerySet):
    def aperte(self):
        return self.filter(risolta_il__isnull=True)

    def visible_to(self, user) -> "AllertaQuerySet":
        a = ambito(user)
        if a.nazionale:
            return self.all()
        q = Q()
        if a.nodi:
            q |= Q(ente__nodo_id__in=a.nodi)
        if a.enti:
            q |= Q(ente_id__in=a.enti)
        if a.olp:
            q |= Q(olp_id=a.olp)
        return self.filter(q) if q else self.none()


class Allerta(models.Model):
    """Something that needs action, found by the daily check; listed until it is resolved
    (the next check no longer finds it)."""

    class Tipo(models.TextChoices):
        NESSUNA_REGISTRAZIONE = "nessuna_registrazione", _("no attendance recorded for days")
        MESE_NON_CONFERMATO = "mese_non_confermato", _("month not confirmed by the 10th")
        PERMESSI_QUASI_ESAURITI = "permessi_quasi_esauriti", _("paid leave nearly used")
        MALATTIA_OLTRE = "malattia_oltre", _("sickness near or beyond the paid days")
        FORMAZIONE_IN_SCADENZA = "formazione_in_scadenza", _("training deadline near")
        INTERRUZIONE_DA_COMUNICARE = "interruzione_da_comunicare", _("interruption to report")
        OLP_OLTRE_MASSIMO = "olp_oltre_massimo", _("OLP over the maximum")

    tipo = models.CharField(_("kind"), max_length=32, choices=Tipo.choices)
    chiave = models.CharField(max_length=120, unique=True, help_text="kind and object: the same alert is found once")
    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="allerte", verbose_name=_("body"))
    olp = models.ForeignKey(
        Olp, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("OLP")
    )
    servizio = models.ForeignKey(
        Servizio, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    messaggio = models.CharField(_("message"), max_length=300)
    creata_il = models.DateTimeField(_("found on"), auto_now_add=True)
    risolta_il = models.DateTimeField(_("resolved on"), null=True, blank=True)
    notificata_il = models.DateTimeField(_("sent in a digest on"), null=True, blank=True)

    objects = AllertaQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-creata_il"]

    # Kinds whose message tells of a volunteer's health: network staff read them as a generic
    # absence (enti.policy.vede_natura_assenze), like the register's day codes.
    SANITARIE = frozenset({Tipo.MALATTIA_OLTRE, Tipo.INTERRUZIONE_DA_COMUNICARE})

    def __str__(self) -> str:
        return self.messaggio

    def per(self, user) -> tuple[str, str]:
        """(kind, message) as this user may read them."""
        if self.tipo in self.SANITARIE and self.servizio_id is not None:
            s = self.servizio
            if not policy.vede_natura_assenze(
                user, volontario_user_id=s.volontario.user_id, olp_id=s.olp_id, ente_id=self.ente_id,
                sede_id=s.posto.sede_id,
            ):  # fmt: skip
                return str(_("absence to follow up")), str(
                    _("%(nome)s: a long absence to follow up with the body.")
                    % {"nome": f"{s.volontario.cognome} {s.volontario.nome}"}
                )
        return self.get_tipo_display(), self.messaggio


class Istantanea(models.Model):
    """The public counters of one day, kept for the history (taken by Celery beat at
    midnight, when the dates move them)."""

    giorno = models.DateField(_("day"), unique=True)
    enti = models.PositiveIntegerField(_("bodies and comuni"))
    olp = models.PositiveIntegerField(_("active OLP"))
    volontari = models.PositiveIntegerField(_("active volunteers"))
    nodi = models.JSONField(_("by node"), default=list, help_text="[{slug, nome, enti, olp, volontari}]")
    creata_il = models.DateTimeField(_("taken on"), auto_now=True)

    class Meta:
        verbose_name = _("daily snapshot")
        verbose_name_plural = _("daily snapshots")
        ordering = ["-giorno"]

    def __str__(self) -> str:
        return f"{self.giorno:%d/%m/%Y}"


class NotiziaQuerySet(models.QuerySet):
    def pubblicate(self):
        return self.filter(pubblicata=True, pubblicata_il__lte=timezone.now())


class Notizia(models.Model):
    """A news item of the network, written in the admin by network staff."""

    titolo = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    sommario = models.CharField(_("summary"), max_length=300)
    testo = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    nodo = models.ForeignKey(
        Nodo, null=True, blank=True, on_delete=models.SET_NULL, related_name="notizie", verbose_name=_("network node"),
        help_text=_("Empty for news of the whole network."),
    )  # fmt: skip
    pubblicata = models.BooleanField(_("published"), default=False)
    pubblicata_il = models.DateTimeField(_("publication date"), default=timezone.now)
    aggiornata_il = models.DateTimeField(_("updated"), auto_now=True)

    objects = NotiziaQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-pubblicata_il"]

    def __str__(self) -> str:
        return self.titolo


class Outbox(models.Model):
    """A Celery task to send, written in the same transaction as the change that needs it (a
    transactional outbox): if the broker is down when the change commits the row stays, and
    `network.outbox.svuota` sends it later, in order, once."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    creato_il = models.DateTimeField(_("created on"), auto_now_add=True)
    inviato_il = models.DateTimeField(_("sent on"), null=True, blank=True)
    tentativi = models.PositiveSmallIntegerField(_("attempts"), default=0)
    ultimo_errore = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("task to send")
        verbose_name_plural = _("tasks to send")
        ordering = ["pk"]
        indexes = [models.Index(fields=["id"], condition=Q(inviato_il__isnull=True), name="outbox_da_inviare")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
