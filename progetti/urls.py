from django.urls import path

from . import views, views_olp, views_sedi

app_name = "progetti"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("nuovo/", views.nuovo, name="nuovo"),
    path("<int:pk>/", views.dettaglio, name="dettaglio"),
    path("<int:pk>/modifica/<slug:passo>/", views.modifica, name="modifica"),
    path("<int:pk>/stato/", views.transizione, name="transizione"),
    path("<int:pk>/commento/", views.commento, name="commento"),
    path("incarichi/<int:pk>/assegna/", views.assegna_esperto, name="assegna_esperto"),
    path("programmi/", views.programmi, name="programmi"),
    path("programmi/nuovo/", views.programma_modifica, name="programma_nuovo"),
    path("programmi/<int:pk>/", views.programma, name="programma"),
    path("programmi/<int:pk>/modifica/", views.programma_modifica, name="programma_modifica"),
    path("esperti/", views.esperti, name="esperti"),
    path("esperti/nuovo/", views.esperto_modifica, name="esperto_nuovo"),
    path("esperti/<int:pk>/", views.esperto_modifica, name="esperto_modifica"),
]

sedi_patterns = [
    path("enti/<int:ente_pk>/nuova/", views_sedi.nuova, name="nuova"),
    path("<int:pk>/modifica/", views_sedi.modifica, name="modifica"),
    path("<int:pk>/chiudi/", views_sedi.chiudi, name="chiudi"),
]

olp_patterns = [
    path("enti/<int:ente_pk>/nuovo/", views_olp.nuovo, name="nuovo"),
    path("<int:pk>/modifica/", views_olp.modifica, name="modifica"),
]
