"""Monitoring: the report jobs and the alerts of the daily check."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.files import NomeCasuale
from enti import policy
from enti.ambiti import AmbitoQuerySet
from enti.models import Ente, Nodo, Olp
from volontari.models import Servizio


class ReportQuerySet(AmbitoQuerySet):
    """Network staff see the reports of their nodi and of their enti and projects; ente
    staff those of their ente and its projects."""

    AMBITI = {
        "nodi": ("nodo_id", "ente__nodo_id", "progetto__ente__nodo_id"),
        "enti": ("ente_id", "progetto__ente_id"),
    }


class Report(models.Model):
    """A monitoring report: the job row of a Celery task that computes the indicators and
    writes a PDF, with its full table as CSV and XLSX."""

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
    # The report's full table as spreadsheets, written with the PDF (the PDF's annex).
    file_csv = models.FileField(_("table (CSV)"), upload_to=NomeCasuale("report"), blank=True)
    file_xlsx = models.FileField(_("table (XLSX)"), upload_to=NomeCasuale("report"), blank=True)
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
        db_table = "network_report"  # kept from when the model lived in the network app
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


class AllertaQuerySet(AmbitoQuerySet):
    AMBITI = {"nodi": "ente__nodo_id", "enti": "ente_id", "sedi": None, "olp": "olp_id"}

    def aperte(self):
        """True today (the daily check still finds them), whatever their place in the worklist."""
        return self.filter(risolta_il__isnull=True)

    def da_gestire(self):
        """The worklist: true today and not closed by network staff."""
        return self.aperte().exclude(stato=Allerta.Stato.CHIUSA)


class Allerta(models.Model):
    """An item of the worklist: something that needs action, found by the daily check (one row
    per kind and object, `chiave`). Network staff take it in charge, annotate and close it
    (`monitoraggio.actions`); it is resolved when the check no longer finds it. A closed item
    stays closed while the fact is the same (`impronta`, the figures the fact is made of) and
    is reopened when it changes."""

    class Tipo(models.TextChoices):
        NESSUNA_REGISTRAZIONE = "nessuna_registrazione", _("no attendance recorded for days")
        MESE_NON_CONFERMATO = "mese_non_confermato", _("month not confirmed by the 10th")
        PERMESSI_QUASI_ESAURITI = "permessi_quasi_esauriti", _("paid leave nearly used")
        MALATTIA_OLTRE = "malattia_oltre", _("sickness near or beyond the paid days")
        FORMAZIONE_IN_SCADENZA = "formazione_in_scadenza", _("training deadline near")
        INTERRUZIONE_DA_COMUNICARE = "interruzione_da_comunicare", _("interruption to report")
        OLP_OLTRE_MASSIMO = "olp_oltre_massimo", _("OLP over the maximum")
        SETTIMANA_SOTTO_MINIMO = "settimana_sotto_minimo", _("week under the project's minimum hours")
        GENERALE_IN_RITARDO = "generale_in_ritardo", _("general training late")
        SPECIFICA_IN_RITARDO = "specifica_in_ritardo", _("specific training late")
        CRITICITA_OLP = "criticita_olp", _("problem flagged by the OLP")

    class Stato(models.TextChoices):
        APERTA = "aperta", pgettext_lazy("alert", "open")
        IN_CARICO = "in_carico", _("taken in charge")
        CHIUSA = "chiusa", pgettext_lazy("alert", "closed")

    tipo = models.CharField(_("kind"), max_length=32, choices=Tipo.choices)
    chiave = models.CharField(max_length=120, unique=True, help_text="kind and object: the same alert is found once")
    impronta = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="the figures of the fact: a closed item reopens when they change",
    )
    stato = models.CharField(_("state"), max_length=12, choices=Stato.choices, default=Stato.APERTA, db_index=True)
    in_carico_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("taken in charge by"),
    )  # fmt: skip
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
        db_table = "network_allerta"  # kept from when the model lived in the network app
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-creata_il"]
        indexes = [models.Index(fields=["tipo", "risolta_il"], name="allerta_tipo_risolta")]

    # Kinds whose message tells of a volunteer's health: network staff read them as a generic
    # absence (enti.policy.vede_natura_assenze), like the register's day codes.
    SANITARIE = frozenset({Tipo.MALATTIA_OLTRE, Tipo.INTERRUZIONE_DA_COMUNICARE})
    # Who must act on each kind: the volunteer's OLP keeps the register and gives the training;
    # the ente (its referente) confirms months, names OLP and reads their reports.
    DELL_OLP = frozenset(
        {
            Tipo.NESSUNA_REGISTRAZIONE,
            Tipo.FORMAZIONE_IN_SCADENZA,
            Tipo.SETTIMANA_SOTTO_MINIMO,
            Tipo.GENERALE_IN_RITARDO,
            Tipo.SPECIFICA_IN_RITARDO,
        }
    )

    def __str__(self) -> str:
        return self.messaggio

    @property
    def chi_agisce(self) -> str:
        """Who must act: the OLP's name for the register's kinds, the ente otherwise."""
        if self.tipo in self.DELL_OLP and self.olp_id is not None:
            return str(_("OLP %(nome)s (%(ente)s)") % {"nome": self.olp, "ente": self.ente})
        return str(_("the referente of %(ente)s") % {"ente": self.ente})

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


class EventoAllerta(models.Model):
    """The history of a worklist item: found, taken in charge, a note, closed, reopened because
    the fact changed, resolved. Append-only; each row made by a person also has its audit event."""

    class Tipo(models.TextChoices):
        TROVATA = "trovata", _("found by the daily check")
        IN_CARICO = "in_carico", _("taken in charge")
        NOTA = "nota", _("note")
        CHIUSA = "chiusa", pgettext_lazy("alert", "closed")
        RIAPERTA = "riaperta", _("reopened: the fact changed")
        RISOLTA = "risolta", _("resolved: no longer true")

    allerta = models.ForeignKey(Allerta, on_delete=models.CASCADE, related_name="eventi", verbose_name=_("alert"))
    tipo = models.CharField(_("kind"), max_length=12, choices=Tipo.choices)
    autore = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    testo = models.TextField(_("note"), blank=True, max_length=2000)
    creato_il = models.DateTimeField(_("on"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")
        ordering = ["creato_il", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(tipo="nota") | ~Q(testo=""), name="evento_allerta_nota_con_testo")
        ]

    def __str__(self) -> str:
        return f"{self.allerta_id} {self.tipo}"
