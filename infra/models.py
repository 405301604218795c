from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Outbox(models.Model):
    """A Celery task to send, written in the same transaction as the change that needs it (a
    transactional outbox): if the broker is down when the change commits the row stays, and
    `infra.outbox.svuota` sends it later, in order, once."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    creato_il = models.DateTimeField(_("created on"), auto_now_add=True)
    inviato_il = models.DateTimeField(_("sent on"), null=True, blank=True)
    tentativi = models.PositiveSmallIntegerField(_("attempts"), default=0)
    ultimo_errore = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        db_table = "network_outbox"  # kept from when the model lived in the network app
        verbose_name = _("task to send")
        verbose_name_plural = _("tasks to send")
        ordering = ["pk"]
        indexes = [models.Index(fields=["id"], condition=Q(inviato_il__isnull=True), name="outbox_da_inviare")]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
