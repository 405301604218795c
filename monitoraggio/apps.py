from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoraggioConfig(AppConfig):
    name = "monitoraggio"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        # Reports queue their task by name (monitoraggio.reports.GENERA_REPORT): register it in
        # every process, the web's included, not only where Celery imports the tasks modules.
        from . import tasks  # noqa: F401
