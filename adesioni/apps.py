from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdesioniConfig(AppConfig):
    name = "adesioni"
    verbose_name = _("Joining the network")
