from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfraConfig(AppConfig):
    name = "infra"
    verbose_name = _("Shared infrastructure")

    def ready(self) -> None:
        from . import lookups

        lookups.registra()
