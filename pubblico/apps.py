from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PubblicoConfig(AppConfig):
    name = "pubblico"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from . import counters, pagine

        counters.connect_refresh_on_change()
        pagine.collega()
