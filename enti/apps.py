from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntiConfig(AppConfig):
    name = "enti"
    verbose_name = _("Territory, nodes and member bodies")
