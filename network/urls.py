from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from adesioni import views as views_accesso
from monitoraggio import views as views_monitoraggio
from monitoraggio import views_report
from progetti.urls import sedi_patterns
from pubblico import views as views_pubblico
from pubblico import views_catalogo
from volontari.urls import registro_patterns, servizi_patterns

from . import views, views_salute

admin.site.site_header = _("Servizio Civile network: administration")
admin.site.site_title = _("Servizio Civile network")

inviti_patterns = [
    path("", views_accesso.inviti_lista, name="lista"),
    path("nuovo/", views_accesso.invito_nuovo, name="nuovo"),
    path("<int:pk>/revoca/", views_accesso.invito_revoca, name="revoca"),
    path("accetta/<str:token>/", views_accesso.invito_accetta, name="accetta"),
    path("richiesta/", views_accesso.richiesta_accesso, name="richiesta"),
    path("richiesta/inviata/", views_accesso.richiesta_inviata, name="richiesta_inviata"),
    path("richieste/", views_accesso.richieste, name="richieste"),
    path("richieste/<int:pk>/decidi/", views_accesso.richiesta_decidi, name="richiesta_decidi"),
]

catalogo_patterns = [
    path("", views_catalogo.lista, name="lista"),
    path("<int:pk>/", views_catalogo.dettaglio, name="dettaglio"),
]

report_patterns = [
    path("", views_report.lista, name="lista"),
    path("ordina/", views_report.nuovo, name="nuovo"),
    path("<int:pk>/", views_report.dettaglio, name="dettaglio"),
    path("<int:pk>/scarica/", views_report.scarica, name="scarica"),
]

pubblico_patterns = [
    path("rete/", views_pubblico.rete, name="rete"),
    path("rete/<slug:slug>/", views_pubblico.nodo, name="nodo"),
    path("numeri/", views_pubblico.numeri, name="numeri"),
    path("notizie/", views_pubblico.notizie, name="notizie"),
    path("notizie/<slug:slug>/", views_pubblico.notizia, name="notizia"),
    path("dati/", views_pubblico.dati, name="dati"),
    path("dati/v1/<slug:nome>.<str:formato>", views_pubblico.dataset, name="dataset"),
    path("accessibilita/", views_pubblico.accessibilita, name="accessibilita"),
    path("privacy/", views_pubblico.privacy, name="privacy"),
    path("lingua/<str:codice>/", views_pubblico.lingua, name="lingua"),
]

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
    path("catalogo/", include((catalogo_patterns, "catalogo"))),
    path("inviti/", include((inviti_patterns, "inviti"))),
    path("eventi/", include((audit_patterns, "audit"))),
    path("report/", include((report_patterns, "report"))),
    path("monitoraggio/", include(([path("", views_monitoraggio.cruscotto, name="cruscotto")], "monitoraggio"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
