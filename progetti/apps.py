from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgettiConfig(AppConfig):
    name = "progetti"
    verbose_name = _("Programmes and projects")
