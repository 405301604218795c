import contextlib
import contextvars
import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.files import NomeCasuale
from enti.ambiti import AmbitoQuerySet, Tramite
from enti.models import Olp
from progetti.models import PostoSede

from .codice_fiscale import validate_codice_fiscale_persona


class VolontarioQuerySet(AmbitoQuerySet):
    """A volunteer is visible to whoever can see one of their services, and to themselves."""

    AMBITI = {
        "utente": ("user", lambda user: Q(pk__in=Servizio.objects.visible_to(user).values("volontario_id"))),
    }


class Volontario(models.Model):
    """An operatore volontario. Birth date, sex and birthplace are read from the tax code."""

    class Sesso(models.TextChoices):
        F = "F", _("female")
        M = "M", _("male")

    codice_fiscale = models.CharField(
        _("tax code"), max_length=16, unique=True, validators=[validate_codice_fiscale_persona]
    )
    codice_volontario = models.CharField(
        _("volunteer code (Helios)"),
        max_length=15,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The Department's code of the volunteer, used by attendance files."),
    )
    nome = models.CharField(_("first name"), max_length=100)
    cognome = models.CharField(_("last name"), max_length=100)
    data_nascita = models.DateField(_("date of birth"))
    sesso = models.CharField(_("sex"), max_length=1, choices=Sesso.choices)
    luogo_nascita = models.CharField(_("place of birth"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telefono = models.CharField(_("phone"), max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volontario",
        verbose_name=_("user"),
    )

    ical_token = models.CharField(
        _("calendar feed key"),
        max_length=43,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Secret part of the address of the volunteer's calendar feed; a new one revokes the old."),
    )

    pseudonimizzato_il = models.DateTimeField(
        _("pseudonymised on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Names, tax code, birth data and contacts replaced once every service ended long ago."),
    )

    objects = VolontarioQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["cognome", "nome"]
        # The volunteers list is sorted by name: its first page walks this index and stops
        # after 50 rows instead of joining and sorting every service (docs/benchmarks.md).
        indexes = [models.Index(fields=["cognome", "nome"], name="volontario_cognome_nome_idx")]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome}"


class ServizioQuerySet(AmbitoQuerySet):
    """National staff: all; nodo staff: services at their nodi's enti; referente and staff:
    at their enti; site managers: at their sedi; an OLP: the volunteers they follow; a
    volunteer: their own."""

    AMBITI = {
        # The user's own volunteer record as a one-row subquery on this table's own column (not
        # a join): ORed with the OLP's `olp_id`, PostgreSQL can then combine the two indexes
        # instead of scanning every service (docs/benchmarks.md, month grid).
        "utente": lambda user: Q(
            volontario_id=models.Subquery(Volontario.objects.filter(user=user).order_by().values("pk")[:1])
        ),
        # The ente's and nodo's places as subqueries on this table's own column too: joined, the
        # OR with the volunteer's own record made PostgreSQL join every service to its sede
        # (350 ms to find one volunteer of the Comune di Milano at national scale).
        "nodi": Tramite("progetti.PostoSede", "sede__ente__nodo_id", "pk", campo="posto_id"),
        "enti": Tramite("progetti.PostoSede", "sede__ente_id", "pk", campo="posto_id"),
        "sedi": Tramite("progetti.PostoSede", "sede_id", "pk", campo="posto_id"),
        "olp": "olp_id",
    }

    def in_corso(self, day: datetime.date | None = None) -> "ServizioQuerySet":
        """Services in progress on `day` (today by default): the 'Volontari attivi' counter.

        A service is in progress from its first to its last day, both included; a renounced
        service never is. An interrupted service keeps its last day of service as `data_fine`.
        """
        day = day or timezone.localdate()
        return self.exclude(stato=Servizio.Stato.RINUNCIA).filter(data_inizio__lte=day, data_fine__gte=day)


class Servizio(models.Model):
    """A volunteer's service in one project at one sede under one OLP."""

    class Stato(models.TextChoices):
        IN_SERVIZIO = "in_servizio", _("in service")
        CONCLUSO = "concluso", _("completed")
        RINUNCIA = "rinuncia", _("renounced")
        INTERROTTO = "interrotto", _("interrupted")

    class TipoPosto(models.IntegerChoices):
        VITTO_ALLOGGIO = 1, _("with board and lodging")
        SOLO_VITTO = 2, _("with board only")
        SENZA_VITTO_ALLOGGIO = 3, _("without board or lodging")

    volontario = models.ForeignKey(
        Volontario, on_delete=models.PROTECT, related_name="servizi", verbose_name=_("volunteer")
    )
    posto = models.ForeignKey(PostoSede, on_delete=models.PROTECT, related_name="servizi", verbose_name=_("place"))
    olp = models.ForeignKey(Olp, on_delete=models.PROTECT, related_name="servizi", verbose_name=_("OLP"))
    tipo_posto = models.PositiveSmallIntegerField(
        _("place type"), choices=TipoPosto.choices, default=TipoPosto.SENZA_VITTO_ALLOGGIO
    )
    gmo = models.BooleanField(_("place for young people with fewer opportunities"), default=False)
    stato = models.CharField(_("state"), max_length=12, choices=Stato.choices, default=Stato.IN_SERVIZIO, db_index=True)
    data_inizio = models.DateField(_("start date"))
    data_fine_prevista = models.DateField(_("planned end date"))
    data_fine = models.DateField(
        _("last day of service"), help_text=_("The planned end, or the last day served if the service was interrupted.")
    )
    subentra_a = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subentrato_da",
        verbose_name=_("replaces"),
    )
    motivo_interruzione = models.TextField(_("reason for interruption"), blank=True)
    interruzione_comunicata_il = models.DateField(_("interruption reported on"), null=True, blank=True)
    interruzione_documentata = models.BooleanField(
        _("interrupted for documented health, service or force-majeure reasons"), default=False
    )

    objects = ServizioQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["-data_inizio"]
        indexes = [
            models.Index(fields=["data_inizio", "data_fine"], name="servizio_periodo_idx"),
            models.Index(fields=["olp", "data_fine"], name="servizio_olp_fine_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(data_fine__gte=F("data_inizio")), name="servizio_fine_dopo_inizio"),
            models.CheckConstraint(
                condition=Q(data_fine__lte=F("data_fine_prevista")), name="servizio_fine_entro_prevista"
            ),
            models.CheckConstraint(
                condition=~Q(stato="interrotto") | ~Q(motivo_interruzione=""), name="servizio_interruzione_con_motivo"
            ),
            # A volunteer is in at most one live service at a time is checked by the
            # service layer (it needs date overlap); here: one service per volunteer and start.
            models.UniqueConstraint(
                fields=["volontario", "data_inizio"], name="servizio_unico_per_volontario_e_inizio"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volontario} - {self.posto.progetto}"


# Inside `riepiloghi_rinviati` the caller recomputes the rollup itself, once, at the end.
_RIEPILOGHI_RINVIATI: contextvars.ContextVar[bool] = contextvars.ContextVar("riepiloghi_rinviati", default=False)

# Fields of Presenza the rollup does not read: changing only these leaves it as it is.
CAMPI_FUORI_RIEPILOGO = frozenset({"nota", "inserita_da", "inserita_da_id", "aggiornata_il"})


@contextlib.contextmanager
def riepiloghi_rinviati(servizi_ids):
    """Write Presenza rows of the services `servizi_ids` (and no other) inside the block; their
    rollup is recomputed once when the block ends without an error, instead of at each write."""
    token = _RIEPILOGHI_RINVIATI.set(True)
    try:
        yield
    finally:
        _RIEPILOGHI_RINVIATI.reset(token)
    RiepilogoMensile.objects.ricalcola(servizi_ids)


def _dopo_scrittura(servizi_ids) -> None:
    if not _RIEPILOGHI_RINVIATI.get():
        RiepilogoMensile.objects.ricalcola(servizi_ids)


class PresenzaQuerySet(AmbitoQuerySet):
    """Every write through the ORM keeps the rollup (RiepilogoMensile) of the services it
    touches right, in the same transaction: the register's actions, the admin, a shell."""

    ATTRAVERSO = ("servizio", "volontari.Servizio")

    def _servizi_toccati(self) -> set[int]:
        return set(self.order_by().values_list("servizio_id", flat=True).distinct())

    def update(self, **kwargs):
        if set(kwargs) <= CAMPI_FUORI_RIEPILOGO or _RIEPILOGHI_RINVIATI.get():
            return super().update(**kwargs)
        ids = self._servizi_toccati()
        for campo in ("servizio", "servizio_id"):
            if campo in kwargs:
                ids.add(getattr(kwargs[campo], "pk", kwargs[campo]))
        n = super().update(**kwargs)
        _dopo_scrittura(ids)
        return n

    update.alters_data = True

    def delete(self):
        if _RIEPILOGHI_RINVIATI.get():
            return super().delete()
        ids = self._servizi_toccati()
        esito = super().delete()
        _dopo_scrittura(ids)
        return esito

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        creati = super().bulk_create(objs, *args, **kwargs)
        _dopo_scrittura({o.servizio_id for o in objs})
        return creati

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if set(fields) <= CAMPI_FUORI_RIEPILOGO or _RIEPILOGHI_RINVIATI.get():
            return super().bulk_update(objs, fields, *args, **kwargs)
        ids = {o.servizio_id for o in objs}
        if {"servizio", "servizio_id"} & set(fields):  # the services they belonged to before
            ids |= self.filter(pk__in=[o.pk for o in objs])._servizi_toccati()
        n = super().bulk_update(objs, fields, *args, **kwargs)
        _dopo_scrittura(ids)
        return n


class Presenza(models.Model):
    """One day of one service, with its day code (the Department's monthly calendar)."""

    class Codice(models.TextChoices):
        P = "P", _("present")
        NL = "NL", _("non-working day")
        PR = "PR", _("ordinary leave")
        MAL = "MAL", _("sickness")
        INF = "INF", _("injury")
        MAT = "MAT", _("maternity")
        DS = "DS", _("blood donation")
        DV = "DV", _("voting")
        T = "T", _("summoned by a judicial authority")
        L = "L", _("bereavement")
        P104 = "P104", _("leave under Law 104/92")
        EU = "EU", _("university exam")
        AR = "AR", _("other paid leave")

    # Health-related codes: shown as a generic absence to roles whose job does not need
    # the nature of the absence (enti.policy.vede_natura_assenze).
    CODICI_SANITARI = frozenset({"MAL", "INF", "MAT", "P104"})
    CODICE_ASSENZA = "ASS"

    class Attivita(models.TextChoices):
        SERVIZIO = "servizio", _("service")
        FORMAZIONE_GENERALE = "formazione_generale", _("general training")
        FORMAZIONE_SPECIFICA = "formazione_specifica", _("specific training")

    # No index of its own: the unique (servizio, ...) constraint's index leads with it.
    servizio = models.ForeignKey(
        Servizio, on_delete=models.CASCADE, related_name="presenze", verbose_name=_("service"), db_index=False
    )
    giorno = models.DateField(_("day"))
    codice = models.CharField(_("day code"), max_length=4, choices=Codice.choices)
    attivita = models.CharField(_("activity"), max_length=20, choices=Attivita.choices, blank=True, default="")
    ore = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, default=0)
    nota = models.CharField(_("note"), max_length=300, blank=True)
    inserita_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    aggiornata_il = models.DateTimeField(_("updated"), auto_now=True)

    objects = PresenzaQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        ordering = ["servizio_id", "giorno"]  # the column, not the relation: "servizio" joins Servizio for its ordering
        constraints = [
            models.UniqueConstraint(fields=["servizio", "giorno"], name="presenza_una_per_servizio_e_giorno"),
            models.CheckConstraint(condition=Q(ore__gte=0, ore__lte=24), name="presenza_ore_0_24"),
            # Hours and an activity only on present (P) days; every P day says what it was.
            models.CheckConstraint(
                condition=(Q(codice="P") & ~Q(attivita="")) | (~Q(codice="P") & Q(attivita="", ore=0)),
                name="presenza_ore_solo_nei_giorni_p",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.servizio_id} {self.giorno:%d/%m/%Y} {self.codice}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _dopo_scrittura({self.servizio_id})

    def delete(self, *args, **kwargs):
        servizio_id = self.servizio_id
        esito = super().delete(*args, **kwargs)
        _dopo_scrittura({servizio_id})
        return esito

    @classmethod
    def codice_mostrato(cls, codice: str, *, natura: bool) -> str:
        """The day code as a reader may see it: a health-related one becomes a generic absence
        for whoever may not know the nature of absences."""
        return cls.CODICE_ASSENZA if not natura and codice in cls.CODICI_SANITARI else codice


def _mese_dopo(mese: datetime.date) -> datetime.date:
    return (mese + datetime.timedelta(days=32)).replace(day=1)


class RiepilogoMensileQuerySet(models.QuerySet):
    def attese(self, servizi_ids=None):
        """The rollup rows as the register's rows make them, ordered by service and month (the
        definition the table is kept to, and checked against: `ricostruisci_riepiloghi --check`)."""
        presenze = Presenza.objects.order_by()
        if servizi_ids is not None:
            presenze = presenze.filter(servizio_id__in=servizi_ids)
        gruppi = (
            presenze.annotate(m=TruncMonth("giorno"))
            .values("servizio_id", "m")
            .annotate(
                n_giorni=Count("pk"),
                n_ore=Sum("ore"),
                n_ore_generale=Sum("ore", filter=Q(attivita=Presenza.Attivita.FORMAZIONE_GENERALE)),
                n_ore_specifica=Sum("ore", filter=Q(attivita=Presenza.Attivita.FORMAZIONE_SPECIFICA)),
                n_permessi=Count("pk", filter=Q(codice=Presenza.Codice.PR)),
                n_malattia=Count("pk", filter=Q(codice=Presenza.Codice.MAL)),
            )
            .order_by("servizio_id", "m")
        )
        righe, servizio_id = [], None
        for g in gruppi.iterator(chunk_size=5000):
            if g["servizio_id"] != servizio_id:
                yield from self._chiudi(righe)
                righe, servizio_id, tot = [], g["servizio_id"], dict.fromkeys(RiepilogoMensile.CAMPI, 0)
            mese = g["m"] if isinstance(g["m"], datetime.date) else datetime.date.fromisoformat(str(g["m"])[:10])
            # The months without a day recorded between two that have one get their row too.
            while righe and _mese_dopo(righe[-1]["mese"]) < mese:
                vuoto = {"servizio_id": servizio_id, "mese": _mese_dopo(righe[-1]["mese"]), "ultimo": False}
                vuoto |= dict.fromkeys(RiepilogoMensile.CAMPI, 0) | {f"tot_{k}": v for k, v in tot.items()}
                righe.append(vuoto)
            riga = {"servizio_id": servizio_id, "mese": mese, "ultimo": False}
            for campo in RiepilogoMensile.CAMPI:
                valore = g[f"n_{campo}"] or 0
                if campo.startswith("ore"):
                    valore = Decimal(valore)
                tot[campo] += valore
                riga[campo], riga[f"tot_{campo}"] = valore, tot[campo]
            righe.append(riga)
        yield from self._chiudi(righe)

    @staticmethod
    def _chiudi(righe):
        if righe:
            righe[-1]["ultimo"] = True
        yield from righe

    def ricalcola(self, servizi_ids) -> None:
        """Recompute the rollup of these services from their register rows (all their months:
        a few hundred rows each, and the running totals of the later months follow)."""
        ids = {i for i in servizi_ids if i is not None}
        if not ids:
            return
        RiepilogoMensile.objects.filter(servizio_id__in=ids).delete()
        RiepilogoMensile.objects.bulk_create([RiepilogoMensile(**r) for r in self.attese(ids)])


class RiepilogoMensile(models.Model):
    """The rollup of one service's register for one month: what the month holds, and the running
    totals from the first day recorded to the month's end. One row for every month from the
    service's first recorded month to its last (`ultimo`), those without days included, so that
    the totals at any month's end are read from one row. Kept by every write of Presenza in the
    same transaction (PresenzaQuerySet); `manage.py ricostruisci_riepiloghi` rebuilds and checks."""

    CAMPI = ("giorni", "ore", "ore_generale", "ore_specifica", "permessi", "malattia")

    servizio = models.ForeignKey(
        Servizio, on_delete=models.CASCADE, related_name="riepiloghi", verbose_name=_("service"), db_index=False
    )
    mese = models.DateField(_("month"), help_text=_("The first day of the month."))
    ultimo = models.BooleanField(_("last month recorded"), default=False)
    giorni = models.PositiveIntegerField(_("days recorded"), default=0)
    ore = models.DecimalField(_("hours"), max_digits=8, decimal_places=2, default=0)
    ore_generale = models.DecimalField(_("general training hours"), max_digits=8, decimal_places=2, default=0)
    ore_specifica = models.DecimalField(_("specific training hours"), max_digits=8, decimal_places=2, default=0)
    permessi = models.PositiveIntegerField(_("days of ordinary leave"), default=0)
    malattia = models.PositiveIntegerField(_("days of sickness"), default=0)
    tot_giorni = models.PositiveIntegerField(_("days recorded to the month's end"), default=0)
    tot_ore = models.DecimalField(_("hours to the month's end"), max_digits=8, decimal_places=2, default=0)
    tot_ore_generale = models.DecimalField(
        _("general training hours to the month's end"), max_digits=8, decimal_places=2, default=0
    )
    tot_ore_specifica = models.DecimalField(
        _("specific training hours to the month's end"), max_digits=8, decimal_places=2, default=0
    )
    tot_permessi = models.PositiveIntegerField(_("days of ordinary leave to the month's end"), default=0)
    tot_malattia = models.PositiveIntegerField(_("days of sickness to the month's end"), default=0)

    objects = RiepilogoMensileQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly register rollup")
        verbose_name_plural = _("monthly register rollups")
        ordering = ["servizio_id", "mese"]
        indexes = [
            models.Index(fields=["mese"], name="riepilogo_mese_idx"),
            models.Index(fields=["mese"], condition=Q(ultimo=True), name="riepilogo_ultimo_mese_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["servizio", "mese"], name="riepilogo_uno_per_servizio_e_mese"),
            models.CheckConstraint(condition=Q(mese__day=1), name="riepilogo_mese_primo_giorno"),
        ]

    def __str__(self) -> str:
        return f"{self.servizio_id} {self.mese:%m/%Y}"


class ChiusuraMensileQuerySet(AmbitoQuerySet):
    ATTRAVERSO = ("servizio", "volontari.Servizio")


class ChiusuraMensile(models.Model):
    """One month of one service: preliminary confirmation, signed sheet, general
    confirmation. A confirmed month is read-only until network staff reopen it."""

    class Stato(models.TextChoices):
        APERTA = "aperta", _("open")
        CONFERMA_PRELIMINARE = "conferma_preliminare", _("preliminarily confirmed")
        CONFERMATA = "confermata", _("confirmed")

    # No index of its own: the unique (servizio, ...) constraint's index leads with it.
    servizio = models.ForeignKey(
        Servizio, on_delete=models.CASCADE, related_name="chiusure", verbose_name=_("service"), db_index=False
    )
    mese = models.DateField(_("month"), help_text=_("The first day of the month."))
    stato = models.CharField(_("state"), max_length=24, choices=Stato.choices, default=Stato.APERTA)
    conferma_preliminare_il = models.DateTimeField(_("preliminary confirmation on"), null=True, blank=True)
    conferma_preliminare_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("preliminary confirmation by"),
    )
    foglio_firmato = models.FileField(_("signed monthly sheet"), upload_to=NomeCasuale("fogli_presenze"), blank=True)
    confermata_il = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    riaperta = models.BooleanField(
        _("reopened"), default=False, help_text=_("Reopened by network staff after its confirmation: edits are logged.")
    )
    confermata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    objects = ChiusuraMensileQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly close")
        verbose_name_plural = _("monthly closes")
        ordering = ["-mese"]
        constraints = [
            models.UniqueConstraint(fields=["servizio", "mese"], name="chiusura_una_per_servizio_e_mese"),
            models.CheckConstraint(condition=Q(mese__day=1), name="chiusura_mese_primo_giorno"),
            models.CheckConstraint(
                condition=Q(stato="aperta")
                | Q(stato="conferma_preliminare", conferma_preliminare_il__isnull=False)
                | Q(stato="confermata", conferma_preliminare_il__isnull=False, confermata_il__isnull=False),
                name="chiusura_date_coerenti_con_stato",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.servizio_id} {self.mese:%m/%Y} {self.get_stato_display()}"


SCALA = [(i, str(i)) for i in range(1, 6)]


class Questionario(models.Model):
    """The questionnaire a volunteer fills in at the start, the middle and the end of the
    service. The questions are fixed (questionari.DOMANDE) so that answers compare over
    time and across the network; every answer is on a 1-5 scale, plus a free comment."""

    class Tipo(models.TextChoices):
        INIZIO = "inizio", _("start of service")
        META = "meta", _("middle of service")
        FINE = "fine", _("end of service")

    servizio = models.ForeignKey(
        Servizio, on_delete=models.CASCADE, related_name="questionari", verbose_name=_("service")
    )
    tipo = models.CharField(_("kind"), max_length=8, choices=Tipo.choices)
    inviato_il = models.DateField(_("sent on"))
    scadenza = models.DateField(_("to be filled in by"))
    compilato_il = models.DateTimeField(_("filled in on"), null=True, blank=True)
    attivita = models.PositiveSmallIntegerField(_("activities as described"), choices=SCALA, null=True, blank=True)
    olp = models.PositiveSmallIntegerField(_("support from the OLP"), choices=SCALA, null=True, blank=True)
    formazione = models.PositiveSmallIntegerField(_("usefulness of training"), choices=SCALA, null=True, blank=True)
    accoglienza = models.PositiveSmallIntegerField(_("welcome by the body"), choices=SCALA, null=True, blank=True)
    soddisfazione = models.PositiveSmallIntegerField(_("overall satisfaction"), choices=SCALA, null=True, blank=True)
    commento = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["servizio", "inviato_il"]
        constraints = [
            models.UniqueConstraint(fields=["servizio", "tipo"], name="questionario_uno_per_servizio_e_tipo"),
            models.CheckConstraint(
                condition=Q(compilato_il__isnull=True, soddisfazione__isnull=True)
                | Q(
                    compilato_il__isnull=False,
                    attivita__range=(1, 5),
                    olp__range=(1, 5),
                    formazione__range=(1, 5),
                    accoglienza__range=(1, 5),
                    soddisfazione__range=(1, 5),
                ),
                name="questionario_compilato_per_intero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.servizio_id} {self.get_tipo_display()}"


class RelazioneMensile(models.Model):
    """The OLP's monthly report on one volunteer: how the month went, progress towards the
    project's objectives, and whether something needs the body's attention."""

    servizio = models.ForeignKey(
        Servizio, on_delete=models.CASCADE, related_name="relazioni", verbose_name=_("service")
    )
    mese = models.DateField(_("month"), help_text=_("The first day of the month."))
    andamento = models.PositiveSmallIntegerField(_("how the month went"), choices=SCALA)
    obiettivi = models.PositiveSmallIntegerField(_("progress towards the objectives"), choices=SCALA)
    criticita = models.BooleanField(_("needs the body's attention"), default=False)
    note = models.TextField(_("notes"), blank=True, max_length=2000)
    compilata_il = models.DateTimeField(_("written on"), auto_now=True)
    compilata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("written by")
    )

    class Meta:
        verbose_name = _("monthly OLP report")
        verbose_name_plural = _("monthly OLP reports")
        ordering = ["-mese"]
        constraints = [
            models.UniqueConstraint(fields=["servizio", "mese"], name="relazione_una_per_servizio_e_mese"),
            models.CheckConstraint(condition=Q(mese__day=1), name="relazione_mese_primo_giorno"),
            models.CheckConstraint(
                condition=Q(andamento__range=(1, 5), obiettivi__range=(1, 5)), name="relazione_scala_1_5"
            ),
            models.CheckConstraint(condition=Q(criticita=False) | ~Q(note=""), name="relazione_criticita_con_note"),
        ]

    def __str__(self) -> str:
        return f"{self.servizio_id} {self.mese:%m/%Y}"
