from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from adesioni.urls import inviti_patterns
from monitoraggio.urls import monitoraggio_patterns, report_patterns
from progetti.urls import olp_patterns, sedi_patterns
from pubblico import views as views_pubblico
from pubblico.urls import catalogo_patterns, pubblico_patterns
from volontari.urls import registro_patterns, servizi_patterns

from . import views, views_cerca, views_salute

admin.site.site_header = _("Servizio Civile network: administration")
admin.site.site_title = _("Servizio Civile network")

audit_patterns = [
    path("", views.eventi, name="eventi"),
]

urlpatterns = [
    path("", views_pubblico.home, name="home"),
    path("salute/", views_salute.salute, name="salute"),
    path("", include((pubblico_patterns, "pubblico"))),
    path("area-personale/", views.dashboard, name="dashboard"),
    path("enti/", include("enti.urls")),
    path("volontari/", include("volontari.urls")),
    path("registro/", include((registro_patterns, "registro"))),
    path("servizi/", include((servizi_patterns, "servizi"))),
    path("progetti/", include("progetti.urls")),
    path("sedi/", include((sedi_patterns, "sedi"))),
    path("olp/", include((olp_patterns, "olp"))),
    path("catalogo/", include((catalogo_patterns, "catalogo"))),
    path("inviti/", include((inviti_patterns, "inviti"))),
    path("eventi/", include((audit_patterns, "audit"))),
    path("report/", include((report_patterns, "report"))),
    path("monitoraggio/", include((monitoraggio_patterns, "monitoraggio"))),
    path("cerca/", include((views_cerca.urlpatterns(), "cerca"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
