from django.urls import path

from . import views, views_catalogo

# Included by network.urls under the namespaces "pubblico" and "catalogo"; the home page is
# the root URL, without a namespace ("home").
pubblico_patterns = [
    path("rete/", views.rete, name="rete"),
    path("rete/<slug:slug>/", views.nodo, name="nodo"),
    path("numeri/", views.numeri, name="numeri"),
    path("notizie/", views.notizie, name="notizie"),
    path("notizie/<slug:slug>/", views.notizia, name="notizia"),
    path("dati/", views.dati, name="dati"),
    path("dati/v1/<slug:nome>.<str:formato>", views.dataset, name="dataset"),
    path("accessibilita/", views.accessibilita, name="accessibilita"),
    path("privacy/", views.privacy, name="privacy"),
    path("lingua/<str:codice>/", views.lingua, name="lingua"),
]

catalogo_patterns = [
    path("", views_catalogo.lista, name="lista"),
    path("<int:pk>/", views_catalogo.dettaglio, name="dettaglio"),
]
