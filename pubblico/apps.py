from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PubblicoConfig(AppConfig):
    name = "pubblico"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from enti.models import Ente, Nodo, Sede
        from progetti.models import Area, PostoSede, Progetto, Settore

        from . import counters, opendata, pagine, tasks  # noqa: F401 (tasks: registered before anything queues them)
        from .models import Istantanea

        counters.connect_refresh_on_change()
        pagine.collega()
        # What the open-data files show (pubblico.opendata): a change queues their rebuild.
        for model in (Ente, Nodo, Sede, Progetto, PostoSede, Settore, Area, Istantanea):
            uid = f"opendata-{model._meta.label}"
            post_save.connect(opendata.segna_cambiati, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(opendata.segna_cambiati, sender=model, dispatch_uid=f"{uid}-delete")
