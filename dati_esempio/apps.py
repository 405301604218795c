from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatiEsempioConfig(AppConfig):
    name = "dati_esempio"
    verbose_name = _("Example data")
