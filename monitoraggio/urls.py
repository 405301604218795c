from django.urls import path

from . import views, views_lavoro, views_report

# Included by network.urls under the namespaces "report" and "monitoraggio".
report_patterns = [
    path("", views_report.lista, name="lista"),
    path("ordina/", views_report.nuovo, name="nuovo"),
    path("<int:pk>/", views_report.dettaglio, name="dettaglio"),
    path("<int:pk>/scarica/", views_report.scarica, name="scarica"),
    path("<int:pk>/scarica/<str:formato>/", views_report.scarica, name="scarica_tabella"),
]

monitoraggio_patterns = [
    path("", views.cruscotto, name="cruscotto"),
    path("da-gestire/", views_lavoro.lista, name="allerte"),
    path("da-gestire/<int:pk>/", views_lavoro.allerta, name="allerta"),
]
