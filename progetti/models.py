import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enti.ambiti import AmbitoQuerySet, Tramite
from enti.models import Ente, Esperto, Nodo, Olp, ReteTerritoriale, Sede

from . import rules

# --- Reference data -------------------------------------------------------------------------


class Settore(models.Model):
    """A sector of art. 3 D.lgs. 40/2017 (A to G)."""

    codice = models.CharField(_("code"), max_length=2, unique=True)
    nome = models.CharField(_("name"), max_length=400)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["codice"]

    def __str__(self) -> str:
        return f"{self.codice} - {self.nome}"


class Area(models.Model):
    """A numbered area of intervention inside a sector (A-1, A-2, ... B-1, ...)."""

    settore = models.ForeignKey(Settore, on_delete=models.PROTECT, related_name="aree", verbose_name=_("sector"))
    numero = models.PositiveSmallIntegerField(_("number"))
    nome = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("area of intervention")
        verbose_name_plural = _("areas of intervention")
        ordering = ["settore__codice", "numero"]
        constraints = [models.UniqueConstraint(fields=["settore", "numero"], name="area_numero_unico_per_settore")]

    def __str__(self) -> str:
        return f"{self.codice} {self.nome}"

    @property
    def codice(self) -> str:
        return f"{self.settore.codice}-{self.numero}"


class AmbitoAzione(models.Model):
    """An 'ambito di azione' of the three-year plan; a programme chooses one."""

    codice = models.CharField(_("code"), max_length=4, unique=True)
    nome = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("area of action")
        verbose_name_plural = _("areas of action")
        ordering = ["codice"]

    def __str__(self) -> str:
        return self.nome


class Obiettivo2030(models.IntegerChoices):
    POVERTA = 1, _("1 No poverty")
    FAME = 2, _("2 Zero hunger")
    SALUTE = 3, _("3 Good health and well-being")
    ISTRUZIONE = 4, _("4 Quality education")
    PARITA_GENERE = 5, _("5 Gender equality")
    ACQUA = 6, _("6 Clean water and sanitation")
    ENERGIA = 7, _("7 Affordable and clean energy")
    LAVORO = 8, _("8 Decent work and economic growth")
    INNOVAZIONE = 9, _("9 Industry, innovation and infrastructure")
    DISUGUAGLIANZE = 10, _("10 Reduced inequalities")
    CITTA = 11, _("11 Sustainable cities and communities")
    CONSUMO = 12, _("12 Responsible consumption and production")
    CLIMA = 13, _("13 Climate action")
    VITA_ACQUA = 14, _("14 Life below water")
    VITA_TERRA = 15, _("15 Life on land")
    PACE = 16, _("16 Peace, justice and strong institutions")
    PARTNERSHIP = 17, _("17 Partnerships for the goals")


# --- Call parameters ------------------------------------------------------------------------


class Bando(models.Model):
    """A call for projects and volunteers, with the parameters that change between calls.

    The defaults are those of DOMAIN.md; a new call copies them and an administrator edits
    what the call changes.
    """

    nome = models.CharField(_("name"), max_length=200, unique=True)
    anno = models.PositiveSmallIntegerField(_("year"))
    data_pubblicazione = models.DateField(_("published on"), null=True, blank=True)
    max_volontari_per_olp = models.PositiveSmallIntegerField(
        _("max volunteers per OLP"),
        default=4,
        help_text=_("Default for every sector; a sector may have its own limit below."),
    )
    formazione_specifica_entro_giorni = models.PositiveSmallIntegerField(
        _("specific training due within (days from start)"), default=90
    )
    ore_max_giorno = models.DecimalField(_("max hours in one day"), max_digits=4, decimal_places=2, default=8)
    finestra_subentro_giorni = models.PositiveSmallIntegerField(
        _("replacement window (days from project start)"), default=120
    )
    permessi_pro_rata = models.BooleanField(
        _("paid leave pro rata for shorter services"),
        default=True,
        help_text=_("20 days per 12 months of service; shorter services get the months' share, rounded down."),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-anno", "nome"]
        constraints = [
            models.CheckConstraint(condition=Q(max_volontari_per_olp__gte=1), name="bando_max_volontari_olp_positivo"),
            models.CheckConstraint(
                condition=Q(ore_max_giorno__gt=0, ore_max_giorno__lte=24), name="bando_ore_max_giorno_valide"
            ),
        ]

    def __str__(self) -> str:
        return self.nome

    def max_volontari_olp(self, settore: "Settore") -> int:
        limite = next((x for x in self.limiti_olp.all() if x.settore_id == settore.pk), None)
        return limite.max_volontari_per_olp if limite else self.max_volontari_per_olp


class LimiteOlpSettore(models.Model):
    bando = models.ForeignKey(Bando, on_delete=models.CASCADE, related_name="limiti_olp", verbose_name=_("call"))
    settore = models.ForeignKey(Settore, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector"))
    max_volontari_per_olp = models.PositiveSmallIntegerField(_("max volunteers per OLP"))

    class Meta:
        verbose_name = _("OLP limit for a sector")
        verbose_name_plural = _("OLP limits by sector")
        constraints = [
            models.UniqueConstraint(fields=["bando", "settore"], name="limite_olp_unico_per_settore"),
            models.CheckConstraint(condition=Q(max_volontari_per_olp__gte=1), name="limite_olp_positivo"),
        ]

    def __str__(self) -> str:
        return f"{self.bando} {self.settore.codice}: {self.max_volontari_per_olp}"


class AssegnoMensile(models.Model):
    """The volunteer's monthly allowance, valid from a date until the next one starts."""

    importo = models.DecimalField(_("amount (EUR)"), max_digits=7, decimal_places=2)
    valido_dal = models.DateField(_("valid from"), unique=True)

    class Meta:
        verbose_name = _("monthly allowance")
        verbose_name_plural = _("monthly allowances")
        ordering = ["-valido_dal"]
        constraints = [models.CheckConstraint(condition=Q(importo__gt=0), name="assegno_positivo")]

    def __str__(self) -> str:
        return f"{self.importo} EUR ({self.valido_dal:%d/%m/%Y})"

    @classmethod
    def in_vigore(cls, day: datetime.date) -> "AssegnoMensile | None":
        return cls.objects.filter(valido_dal__lte=day).order_by("-valido_dal").first()


# --- Programmes and projects ----------------------------------------------------------------


class ProgrammaQuerySet(AmbitoQuerySet):
    """National staff: all; nodo staff: their nodi's programmes; everyone: the programmes of
    the projects they see."""

    AMBITI = {
        "nodi": "nodo_id",
        "utente": lambda user: Q(pk__in=Progetto.objects.visible_to(user).values("programma_id")),
    }


class Programma(models.Model):
    """A programme of intervention: at least 2 projects and 12 volunteers under one Agenda
    2030 objective and one ambito di azione (checked when it is submitted)."""

    titolo = models.CharField(_("title"), max_length=300)
    codice_helios = models.CharField(_("Helios code"), max_length=30, unique=True, null=True, blank=True)
    nodo = models.ForeignKey(Nodo, on_delete=models.PROTECT, related_name="programmi", verbose_name=_("network node"))
    bando = models.ForeignKey(Bando, on_delete=models.PROTECT, related_name="programmi", verbose_name=_("call"))
    obiettivo_2030 = models.PositiveSmallIntegerField(_("Agenda 2030 goal"), choices=Obiettivo2030.choices)
    ambito = models.ForeignKey(
        AmbitoAzione, on_delete=models.PROTECT, related_name="programmi", verbose_name=_("area of action")
    )
    rete = models.ForeignKey(
        ReteTerritoriale,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmi",
        verbose_name=_("territorial network"),
    )

    objects = ProgrammaQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["titolo"]

    def __str__(self) -> str:
        return self.titolo


class ProgettoQuerySet(AmbitoQuerySet):
    """National staff: all; nodo staff: their nodi's projects; referente and staff: the
    projects their ente leads or co-designs; site managers and OLP: the projects with
    places at their sedi or under them."""

    AMBITI = {
        "nodi": "ente__nodo_id",
        "enti": ("ente_id", Tramite("progetti.Progetto_enti_coprogettanti", "ente_id", "progetto_id")),
        "sedi": Tramite("progetti.PostoSede", "sede_id", "progetto_id"),
        "olp": Tramite("progetti.PostoSede", "olp__id", "progetto_id"),
    }


class Progetto(models.Model):
    class Stato(models.TextChoices):
        BOZZA = "bozza", _("draft")
        PRESENTATO = "presentato", _("submitted")
        IN_VALUTAZIONE = "in_valutazione", _("under assessment")
        DA_INTEGRARE = "da_integrare", _("returned for changes")
        RESPINTO = "respinto", _("rejected")
        APPROVATO = "approvato", _("approved")
        FINANZIATO = "finanziato", _("funded")
        IN_CORSO = "in_corso", _("running")
        CONCLUSO = "concluso", _("closed")

    class ModelloOrario(models.TextChoices):
        SETTIMANALE = "settimanale", _("25 hours a week")
        MONTE_ORE = "monte_ore", _("annual hour quota")

    class TrancheSpecifica(models.TextChoices):
        UNICA = "unica", _("in one tranche: all within 90 days of the start")
        DUE = "due", _("in two tranches: 70% within 90 days of the start, the remaining 30% by day 270")

    titolo = models.CharField(_("title"), max_length=300)
    codice_helios = models.CharField(_("Helios code"), max_length=30, unique=True, null=True, blank=True)
    programma = models.ForeignKey(
        Programma, null=True, blank=True, on_delete=models.PROTECT, related_name="progetti", verbose_name=_("programme")
    )
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="progetti", verbose_name=_("lead body"))
    enti_coprogettanti = models.ManyToManyField(
        Ente, blank=True, related_name="progetti_coprogettati", verbose_name=_("co-designing bodies")
    )
    rete = models.ForeignKey(
        ReteTerritoriale,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progetti",
        verbose_name=_("territorial network"),
    )
    bando = models.ForeignKey(Bando, on_delete=models.PROTECT, related_name="progetti", verbose_name=_("call"))
    settore = models.ForeignKey(Settore, on_delete=models.PROTECT, related_name="progetti", verbose_name=_("sector"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="progetti", verbose_name=_("area of intervention")
    )
    stato = models.CharField(_("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True)
    descrizione = models.TextField(_("description and objectives"), blank=True)

    durata_mesi = models.PositiveSmallIntegerField(_("duration (months)"), default=12)
    modello_orario = models.CharField(
        _("hours model"), max_length=12, choices=ModelloOrario.choices, default=ModelloOrario.SETTIMANALE
    )
    ore_settimanali = models.PositiveSmallIntegerField(
        _("hours a week"), null=True, blank=True, default=rules.ORE_SETTIMANALI
    )
    monte_ore = models.PositiveSmallIntegerField(_("annual hour quota"), null=True, blank=True)
    # With an annual quota the project declares its weekly band, within 20 to 36 hours.
    ore_settimana_min = models.PositiveSmallIntegerField(_("minimum hours in a week"), default=rules.ORE_SETTIMANA_MIN)
    ore_settimana_max = models.PositiveSmallIntegerField(_("maximum hours in a week"), default=rules.ORE_SETTIMANA_MAX)
    giorni_settimana = models.PositiveSmallIntegerField(_("service days a week"), default=5)
    formazione_generale_ore = models.PositiveSmallIntegerField(
        _("general training (hours)"), default=rules.FORMAZIONE_GENERALE_MIN
    )
    formazione_specifica_ore = models.PositiveSmallIntegerField(
        _("specific training (hours)"), default=rules.FORMAZIONE_SPECIFICA_MIN
    )
    formazione_specifica_tranche = models.CharField(
        _("specific training given"), max_length=5, choices=TrancheSpecifica.choices, default=TrancheSpecifica.UNICA
    )
    mesi_estero = models.PositiveSmallIntegerField(_("months in an EU country"), default=0)
    mesi_tutoraggio = models.PositiveSmallIntegerField(_("months of tutoring"), default=0)
    ore_tutoraggio = models.PositiveSmallIntegerField(_("tutoring hours"), default=0)
    ore_tutoraggio_individuali = models.PositiveSmallIntegerField(_("individual tutoring hours"), default=0)
    data_avvio = models.DateField(_("start date"), null=True, blank=True)
    creato_il = models.DateTimeField(_("created"), auto_now_add=True)
    aggiornato_il = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProgettoQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["titolo"]
        # The projects list shows the latest changed first: its page walks this index backwards.
        indexes = [models.Index(fields=["aggiornato_il"], name="progetto_aggiornato_il_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(durata_mesi__gte=rules.DURATA_MIN_MESI, durata_mesi__lte=rules.DURATA_MAX_MESI),
                name="progetto_durata_8_12_mesi",
            ),
            models.CheckConstraint(
                condition=Q(giorni_settimana__in=rules.GIORNI_SETTIMANA), name="progetto_giorni_5_o_6"
            ),
            models.CheckConstraint(
                condition=(
                    Q(modello_orario="settimanale", ore_settimanali=rules.ORE_SETTIMANALI, monte_ore__isnull=True)
                    | Q(
                        modello_orario="monte_ore",
                        ore_settimanali__isnull=True,
                        monte_ore__gte=rules.MONTE_ORE_MIN,
                        monte_ore__lte=rules.MONTE_ORE_MAX,
                    )
                ),
                name="progetto_modello_orario_coerente",
            ),
            models.CheckConstraint(
                condition=Q(
                    ore_settimana_min__gte=rules.ORE_SETTIMANA_MIN,
                    ore_settimana_max__lte=rules.ORE_SETTIMANA_MAX,
                    ore_settimana_min__lte=F("ore_settimana_max"),
                ),
                name="progetto_ore_settimana_20_36",
            ),
            models.CheckConstraint(
                condition=Q(formazione_specifica_tranche__in=["unica", "due"]),
                name="progetto_formazione_specifica_tranche_valida",
            ),
            models.CheckConstraint(
                condition=Q(formazione_generale_ore__gte=rules.FORMAZIONE_GENERALE_MIN)
                & Q(formazione_specifica_ore__gte=rules.FORMAZIONE_SPECIFICA_MIN),
                name="progetto_formazione_minima",
            ),
            # 80 <= generale + specifica <= 150, written without a generated column.
            models.CheckConstraint(
                condition=Q(
                    formazione_generale_ore__lte=rules.FORMAZIONE_TOTALE_MAX - F("formazione_specifica_ore"),
                    formazione_generale_ore__gte=rules.FORMAZIONE_TOTALE_MIN - F("formazione_specifica_ore"),
                ),
                name="progetto_formazione_totale_80_150",
            ),
            models.CheckConstraint(
                condition=Q(mesi_estero__lte=rules.ESTERO_MESI_MAX), name="progetto_estero_max_3_mesi"
            ),
            models.CheckConstraint(
                condition=Q(mesi_tutoraggio=0, ore_tutoraggio=0, ore_tutoraggio_individuali=0)
                | Q(
                    mesi_tutoraggio__gte=rules.TUTORAGGIO_MESI_MIN,
                    mesi_tutoraggio__lte=rules.TUTORAGGIO_MESI_MAX,
                    ore_tutoraggio__gte=rules.TUTORAGGIO_ORE_MIN,
                    ore_tutoraggio_individuali__gte=rules.TUTORAGGIO_ORE_INDIVIDUALI_MIN,
                    ore_tutoraggio_individuali__lte=F("ore_tutoraggio"),
                ),
                name="progetto_tutoraggio_valido",
            ),
            models.CheckConstraint(
                condition=Q(mesi_estero=0) | Q(mesi_tutoraggio=0), name="progetto_estero_o_tutoraggio"
            ),
        ]

    def __str__(self) -> str:
        return self.titolo

    @property
    def formazione_totale_ore(self) -> int:
        return self.formazione_generale_ore + self.formazione_specifica_ore


class PostoSedeQuerySet(AmbitoQuerySet):
    ATTRAVERSO = ("progetto", "progetti.Progetto")


class PostoSede(models.Model):
    """The places of a project at one sede, by type, and the OLP who follow them."""

    progetto = models.ForeignKey(Progetto, on_delete=models.CASCADE, related_name="posti", verbose_name=_("project"))
    sede = models.ForeignKey(Sede, on_delete=models.PROTECT, related_name="posti", verbose_name=_("site"))
    posti_vitto_alloggio = models.PositiveSmallIntegerField(_("places with board and lodging"), default=0)
    posti_solo_vitto = models.PositiveSmallIntegerField(_("places with board only"), default=0)
    posti_senza_vitto_alloggio = models.PositiveSmallIntegerField(_("places without board or lodging"), default=0)
    posti_gmo = models.PositiveSmallIntegerField(
        _("places reserved for young people with fewer opportunities"), default=0
    )
    olp = models.ManyToManyField(Olp, blank=True, related_name="posti", verbose_name=_("OLP"))

    objects = PostoSedeQuerySet.as_manager()

    class Meta:
        verbose_name = _("places at a site")
        verbose_name_plural = _("places at sites")
        constraints = [
            models.UniqueConstraint(fields=["progetto", "sede"], name="posto_una_riga_per_progetto_e_sede"),
            models.CheckConstraint(
                condition=Q(
                    posti_gmo__lte=F("posti_vitto_alloggio") + F("posti_solo_vitto") + F("posti_senza_vitto_alloggio")
                ),
                name="posto_gmo_entro_i_posti",
            ),
            models.CheckConstraint(
                condition=Q(posti_vitto_alloggio__gt=0)
                | Q(posti_solo_vitto__gt=0)
                | Q(posti_senza_vitto_alloggio__gt=0),
                name="posto_almeno_un_posto",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.progetto} @ {self.sede}"

    @property
    def posti_totali(self) -> int:
        return self.posti_vitto_alloggio + self.posti_solo_vitto + self.posti_senza_vitto_alloggio


class IncaricoEsperto(models.Model):
    """A shared expert asked for, then assigned to, a project."""

    class Ruolo(models.TextChoices):
        FORMATORE = "formatore", _("trainer")
        SELETTORE = "selettore", _("selector")
        ESPERTO_MONITORAGGIO = "esperto_monitoraggio", _("monitoring expert")
        TUTOR = "tutor", _("tutor")

    class Stato(models.TextChoices):
        RICHIESTO = "richiesto", _("requested")
        ASSEGNATO = "assegnato", _("assigned")

    progetto = models.ForeignKey(
        Progetto, on_delete=models.CASCADE, related_name="incarichi", verbose_name=_("project")
    )
    ruolo = models.CharField(_("role"), max_length=24, choices=Ruolo.choices)
    esperto = models.ForeignKey(
        Esperto, null=True, blank=True, on_delete=models.PROTECT, related_name="incarichi", verbose_name=_("expert")
    )
    stato = models.CharField(_("state"), max_length=12, choices=Stato.choices, default=Stato.RICHIESTO)
    note = models.TextField(_("notes"), blank=True)
    assegnato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assegnato_il = models.DateTimeField(_("assigned on"), null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(stato="richiesto") | Q(stato="assegnato", esperto__isnull=False),
                name="incarico_assegnato_ha_esperto",
            ),
            models.UniqueConstraint(
                fields=["progetto", "ruolo", "esperto"], condition=Q(esperto__isnull=False), name="incarico_unico"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.progetto} - {self.get_ruolo_display()}"


class EventoProgetto(models.Model):
    """One step of a project's assessment (or a comment): who, from which state to which,
    the reason and the comment. A submission keeps a snapshot of the project, so that the
    nodo sees what changed since the previous one."""

    progetto = models.ForeignKey(Progetto, on_delete=models.CASCADE, related_name="eventi", verbose_name=_("project"))
    da_stato = models.CharField(_("from"), max_length=20, choices=Progetto.Stato.choices, blank=True)
    a_stato = models.CharField(_("to"), max_length=20, choices=Progetto.Stato.choices)
    motivo = models.TextField(_("reason"), blank=True)
    commento = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(_("project as submitted"), null=True, blank=True)
    autore = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    creato_il = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("project step")
        verbose_name_plural = _("project history")
        ordering = ["-creato_il", "-id"]

    def __str__(self) -> str:
        return f"{self.progetto}: {self.da_stato} -> {self.a_stato}"
