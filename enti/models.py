from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ambiti import AmbitoQuerySet, Tramite
from .roles import RUOLI_MEMBERSHIP, Ruolo
from .validators import validate_codice_fiscale_ente

# --- Territory reference data (ISTAT) ------------------------------------------------------


class Regione(models.Model):
    codice_istat = models.CharField(_("ISTAT code"), max_length=2, unique=True)
    nome = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


class Provincia(models.Model):
    codice_istat = models.CharField(_("ISTAT code"), max_length=3, unique=True)
    nome = models.CharField(_("name"), max_length=80)
    sigla = models.CharField(_("abbreviation"), max_length=2)
    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="province", verbose_name=_("region"))

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"{self.nome} ({self.sigla})"


class Comune(models.Model):
    codice_istat = models.CharField(_("ISTAT code"), max_length=6, unique=True)
    codice_catastale = models.CharField(_("cadastral code"), max_length=4, unique=True)
    nome = models.CharField(_("name"), max_length=120, db_index=True)
    provincia = models.ForeignKey(
        Provincia, on_delete=models.PROTECT, related_name="comuni", verbose_name=_("province")
    )
    capoluogo = models.BooleanField(_("provincial capital"), default=False)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


# --- The network ---------------------------------------------------------------------------


class NodoQuerySet(AmbitoQuerySet):
    """National staff: every nodo; nodo staff: their own."""

    AMBITI = {"nodi": "pk"}


class Nodo(models.Model):
    """A regional office of the network (or the national one)."""

    class Livello(models.TextChoices):
        NAZIONALE = "nazionale", _("national")
        REGIONALE = "regionale", _("regional")

    nome = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    livello = models.CharField(_("level"), max_length=10, choices=Livello.choices, default=Livello.REGIONALE)
    regioni = models.ManyToManyField(Regione, blank=True, related_name="nodi", verbose_name=_("regions"))
    email = models.EmailField(_("e-mail"), blank=True)
    sito_web = models.URLField(_("website"), blank=True)
    ordine = models.PositiveSmallIntegerField(_("display order"), default=100)

    objects = NodoQuerySet.as_manager()

    class Meta:
        verbose_name = _("network node")
        verbose_name_plural = _("network nodes")
        ordering = ["ordine", "nome"]
        constraints = [
            # One national node at most: it coordinates the regional ones.
            models.UniqueConstraint(
                fields=["livello"], condition=Q(livello="nazionale"), name="nodo_un_solo_nazionale"
            ),
        ]

    def __str__(self) -> str:
        return self.nome


class EnteQuerySet(AmbitoQuerySet):
    """National staff: all; nodo staff: their nodi's enti; referente and staff: their enti;
    site managers and OLP: the ente they work for. Nobody else."""

    AMBITI = {
        "nodi": "nodo_id",
        "enti": "pk",
        "sedi": Tramite("enti.Sede", "pk", "ente_id"),
        "olp": Tramite("enti.Olp", "pk", "ente_id"),
    }

    def aderenti(self, day=None):
        """Members whose adhesion is active on `day`: the public 'Enti e Comuni' counter."""
        day = day or timezone.localdate()
        return self.filter(stato_adesione=Ente.StatoAdesione.ADERENTE, data_adesione__lte=day)


class Ente(models.Model):
    """A body of the network: a comune, a union of comuni, a consortium..."""

    class Tipo(models.TextChoices):
        COMUNE = "comune", _("municipality")
        UNIONE_COMUNI = "unione_comuni", _("union of municipalities")
        COMUNITA_MONTANA = "comunita_montana", _("mountain community")
        CONSORZIO = "consorzio", _("consortium")
        AZIENDA_SPECIALE = "azienda_speciale", _("special company")
        AZIENDA_SERVIZI = "azienda_servizi", _("public services company")
        PROVINCIA = "provincia", _("province")
        ASSOCIAZIONE_ENTI = "associazione_enti", _("association of local authorities")
        ALTRO = "altro", _("other public body")

    class StatoAdesione(models.TextChoices):
        RICHIESTA = "richiesta", _("requested")
        IN_ISTRUTTORIA = "in_istruttoria", _("under review")
        DA_INTEGRARE = "da_integrare", _("returned for changes")
        ADERENTE = "aderente", _("member")
        SOSPESO = "sospeso", _("suspended")
        CESSATO = "cessato", _("ceased")

    denominazione = models.CharField(_("name"), max_length=200)
    tipo = models.CharField(_("kind"), max_length=20, choices=Tipo.choices, default=Tipo.COMUNE)
    codice_fiscale = models.CharField(
        _("tax code"), max_length=11, unique=True, validators=[validate_codice_fiscale_ente]
    )
    codice_helios = models.CharField(
        _("Helios code"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The code of the body in the Department's register (e.g. SU00123A01)."),
    )
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="enti", verbose_name=_("municipality"))
    nodo = models.ForeignKey(Nodo, on_delete=models.PROTECT, related_name="enti", verbose_name=_("network node"))
    stato_adesione = models.CharField(
        _("adhesion state"),
        max_length=20,
        choices=StatoAdesione.choices,
        default=StatoAdesione.RICHIESTA,
        db_index=True,
    )
    data_richiesta = models.DateField(_("requested on"), default=timezone.localdate)
    data_adesione = models.DateField(_("member since"), null=True, blank=True)
    data_cessazione = models.DateField(_("ceased on"), null=True, blank=True)
    pec = models.EmailField(_("certified e-mail (PEC)"), blank=True)
    rappresentante_legale = models.CharField(_("legal representative"), max_length=200, blank=True)
    abitanti = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)

    objects = EnteQuerySet.as_manager()

    class Meta:
        verbose_name = _("member body")
        verbose_name_plural = _("member bodies")
        ordering = ["denominazione"]
        indexes = [models.Index(fields=["nodo", "stato_adesione"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stato_adesione="aderente") | Q(data_adesione__isnull=False),
                name="ente_aderente_ha_data_adesione",
            ),
            models.CheckConstraint(
                condition=~Q(stato_adesione="cessato") | Q(data_cessazione__isnull=False),
                name="ente_cessato_ha_data_cessazione",
            ),
            models.CheckConstraint(
                condition=Q(data_cessazione__isnull=True)
                | Q(data_adesione__isnull=True)
                | Q(data_cessazione__gte=models.F("data_adesione")),
                name="ente_cessazione_dopo_adesione",
            ),
        ]

    def __str__(self) -> str:
        return self.denominazione


class SedeQuerySet(AmbitoQuerySet):
    AMBITI = {
        "nodi": "ente__nodo_id",
        "enti": "ente_id",
        "sedi": "pk",
        "olp": Tramite("enti.Olp", "pk", "ente_id", campo="ente_id"),
    }


class Sede(models.Model):
    """An operational site (sede di attuazione) of an ente: one per address per ente."""

    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="sedi", verbose_name=_("body"))
    denominazione = models.CharField(_("name"), max_length=200)
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="sedi", verbose_name=_("municipality"))
    indirizzo = models.CharField(_("street"), max_length=200)
    civico = models.CharField(_("street number"), max_length=20)
    cap = models.CharField(_("postcode"), max_length=5, blank=True)
    codice_helios = models.CharField(_("Helios code"), max_length=12, unique=True, null=True, blank=True)
    data_chiusura = models.DateField(_("closed on"), null=True, blank=True)

    objects = SedeQuerySet.as_manager()

    class Meta:
        verbose_name = _("operational site")
        verbose_name_plural = _("operational sites")
        ordering = ["ente", "denominazione"]
        constraints = [
            models.UniqueConstraint(
                "ente", "comune", Lower("indirizzo"), Lower("civico"), name="sede_un_indirizzo_per_ente"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.denominazione} - {self.indirizzo} {self.civico}"

    @property
    def attiva(self) -> bool:
        return self.data_chiusura is None or self.data_chiusura > timezone.localdate()


class ReteTerritoriale(models.Model):
    """An existing grouping of enti the network builds on."""

    class Tipo(models.TextChoices):
        UNIONE_COMUNI = "unione_comuni", _("union of municipalities")
        PIANO_DI_ZONA = "piano_di_zona", _("social-health zone plan")
        CONSORZIO_BIBLIOTECARIO = "consorzio_bibliotecario", _("library consortium")
        ALTRO = "altro", _("other network")

    nome = models.CharField(_("name"), max_length=200)
    tipo = models.CharField(_("kind"), max_length=30, choices=Tipo.choices)
    nodo = models.ForeignKey(Nodo, on_delete=models.PROTECT, related_name="reti", verbose_name=_("network node"))
    enti = models.ManyToManyField(Ente, related_name="reti", blank=True, verbose_name=_("bodies"))
    descrizione = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("territorial network")
        verbose_name_plural = _("territorial networks")
        ordering = ["nome"]
        constraints = [models.UniqueConstraint(fields=["nodo", "nome"], name="rete_nome_unico_per_nodo")]

    def __str__(self) -> str:
        return self.nome


class Membership(models.Model):
    """A user's role in a node, a body or a site. Roles are the staff roles; an OLP and a
    volunteer are linked to their user through their own records."""

    Ruolo = Ruolo

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    ruolo = models.CharField(_("role"), max_length=20, choices=[(r.value, r.label) for r in RUOLI_MEMBERSHIP])
    nodo = models.ForeignKey(
        Nodo,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("network node"),
    )
    ente = models.ForeignKey(
        Ente, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("body")
    )
    sede = models.ForeignKey(
        Sede, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("site")
    )
    attiva = models.BooleanField(_("active"), default=True)
    creata_il = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            # Each role is scoped to exactly the kind of object it governs.
            models.CheckConstraint(
                condition=(
                    Q(
                        ruolo__in=["staff_nazionale", "staff_nodo"],
                        nodo__isnull=False,
                        ente__isnull=True,
                        sede__isnull=True,
                    )
                    | Q(ruolo__in=["referente", "staff_ente"], nodo__isnull=True, ente__isnull=False, sede__isnull=True)
                    | Q(ruolo="responsabile_sede", nodo__isnull=True, ente__isnull=True, sede__isnull=False)
                ),
                name="membership_ambito_coerente_col_ruolo",
            ),
            models.UniqueConstraint(
                fields=["user", "ruolo", "nodo"], condition=Q(nodo__isnull=False), name="membership_unica_nodo"
            ),
            models.UniqueConstraint(
                fields=["user", "ruolo", "ente"], condition=Q(ente__isnull=False), name="membership_unica_ente"
            ),
            models.UniqueConstraint(
                fields=["user", "ruolo", "sede"], condition=Q(sede__isnull=False), name="membership_unica_sede"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_ruolo_display()}"


class EspertoQuerySet(AmbitoQuerySet):
    """The pool is kept by the nodi: national staff see all of it, nodo staff their own."""

    AMBITI = {"nodi": "nodo_id"}


class Esperto(models.Model):
    """A person of the network's shared pool, assignable to projects of any member body."""

    nodo = models.ForeignKey(Nodo, on_delete=models.PROTECT, related_name="esperti", verbose_name=_("network node"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    nome = models.CharField(_("first name"), max_length=100)
    cognome = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    telefono = models.CharField(_("phone"), max_length=30, blank=True)
    formatore = models.BooleanField(_("trainer"), default=False)
    selettore = models.BooleanField(_("selector"), default=False)
    esperto_monitoraggio = models.BooleanField(_("monitoring expert"), default=False)
    tutor = models.BooleanField(_("tutor"), default=False)
    competenze = models.TextField(_("competences"), blank=True)
    disponibilita_ore_mese = models.PositiveSmallIntegerField(_("available hours a month"), default=0)
    attivo = models.BooleanField(_("active"), default=True)

    objects = EspertoQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared expert")
        verbose_name_plural = _("shared experts")
        ordering = ["cognome", "nome"]
        constraints = [
            models.CheckConstraint(
                condition=Q(formatore=True) | Q(selettore=True) | Q(esperto_monitoraggio=True) | Q(tutor=True),
                name="esperto_almeno_un_ruolo",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome}"


class OlpQuerySet(AmbitoQuerySet):
    AMBITI = {
        "nodi": "ente__nodo_id",
        "enti": "ente_id",
        "sedi": Tramite("enti.Sede", "pk", "ente_id", campo="ente_id"),
        "olp": "pk",
    }


class Olp(models.Model):
    """Operatore locale di progetto: the volunteers' tutor at a sede of the body.

    Kept with the body (not with volunteers) because projects name their OLP per sede.
    """

    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="olp", verbose_name=_("body"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="olp",
        verbose_name=_("user"),
    )
    nome = models.CharField(_("first name"), max_length=100)
    cognome = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    telefono = models.CharField(_("phone"), max_length=30, blank=True)

    class Requisito(models.TextChoices):
        LAUREA = "laurea", _("a degree relevant to the project")
        ESPERIENZA = "esperienza", _("at least two years' experience in the project's field")

    # Empty on rows recorded before the requirements were: an OLP not recorded cannot be named
    # on a project until these are filled in (progetti.rules.errori_posto).
    requisito = models.CharField(
        _("qualifying requirement"),
        max_length=12,
        choices=Requisito.choices,
        blank=True,
        help_text=_("An OLP has a degree relevant to the project or at least two years' experience."),
    )
    titolo_o_esperienza = models.CharField(
        _("degree or experience, described"),
        max_length=200,
        blank=True,
        help_text=_("Which degree, or which experience and for how long."),
    )
    corso_olp_il = models.DateField(
        _("OLP course attended on"), null=True, blank=True, help_text=_("Every OLP attends the OLP course.")
    )
    ore_settimanali_sede = models.PositiveSmallIntegerField(
        _("weekly hours at the site"),
        null=True,
        blank=True,
        help_text=_("Hours a week the OLP is present at the site with the volunteers: at least 10."),
    )
    attivo = models.BooleanField(_("active"), default=True)

    objects = OlpQuerySet.as_manager()

    class Meta:
        verbose_name = _("OLP (local project tutor)")
        verbose_name_plural = _("OLP (local project tutors)")
        ordering = ["cognome", "nome"]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome}"


class EventoAdesione(models.Model):
    """One step of an ente's adhesion: who moved it from which state to which, and why.
    Both the ente and its nodo read this history."""

    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="eventi_adesione", verbose_name=_("body"))
    da_stato = models.CharField(_("from"), max_length=20, choices=Ente.StatoAdesione.choices, blank=True)
    a_stato = models.CharField(_("to"), max_length=20, choices=Ente.StatoAdesione.choices)
    motivo = models.TextField(_("reason"), blank=True)
    autore = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    creato_il = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("adhesion step")
        verbose_name_plural = _("adhesion history")
        ordering = ["-creato_il", "-id"]

    def __str__(self) -> str:
        return f"{self.ente}: {self.da_stato} -> {self.a_stato}"
