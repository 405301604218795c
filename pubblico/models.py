"""The public face: the daily history of the counters and the network's news."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enti.models import Nodo


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
        db_table = "network_istantanea"  # kept from when the model lived in the network app
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
        db_table = "network_notizia"  # kept from when the model lived in the network app
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-pubblicata_il"]

    def __str__(self) -> str:
        return self.titolo
