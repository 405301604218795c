from django.urls import path

from . import views, views_personali, views_questionari, views_registro, views_servizi

app_name = "volontari"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("<int:pk>/", views.dettaglio, name="dettaglio"),
    path("<int:pk>/codice-helios/", views.codice_helios, name="codice_helios"),
    path("il-mio-servizio/", views_personali.mio, name="mio"),
    path("il-mio-servizio/nuovo-calendario/", views_personali.nuovo_calendario, name="nuovo_calendario"),
    path("il-mio-servizio/i-miei-dati.zip", views_personali.i_miei_dati, name="i_miei_dati"),
    path("il-mio-servizio/questionari/<int:pk>/", views_questionari.questionario, name="questionario"),
    path("calendario/<str:token>.ics", views_personali.calendario, name="calendario"),
    path("servizi/<int:pk>/attestato.pdf", views_personali.certificato, name="certificato"),
]

registro_patterns = [
    path("", views_registro.griglia, name="griglia"),
    path("riempi/", views_registro.riempi, name="riempi"),
    path("oggi/", views_registro.oggi, name="oggi"),
    path("servizi/<int:pk>/", views_registro.volontario, name="volontario"),
    path("servizi/<int:pk>/conferma/", views_registro.conferma, name="conferma"),
    path("servizi/<int:pk>/foglio.pdf", views_registro.foglio, name="foglio"),
    path("servizi/<int:pk>/foglio-firmato/", views_registro.carica_foglio, name="carica_foglio"),
    path("servizi/<int:pk>/foglio-firmato.pdf", views_registro.foglio_firmato, name="foglio_firmato"),
    path("relazioni/", views_questionari.relazioni, name="relazioni"),
    path("enti/<int:pk>/chiusura/", views_registro.chiusura_ente, name="chiusura_ente"),
    path("enti/<int:pk>/importa/", views_registro.importa, name="importa"),
    path("enti/<int:pk>/esporta.csv", views_registro.esporta, name="esporta"),
]

servizi_patterns = [
    path("posti/<int:posto_pk>/avvia/", views_servizi.avvia, name="avvia"),
    path("<int:pk>/interrompi/", views_servizi.interrompi, name="interrompi"),
    path("<int:pk>/rinuncia/", views_servizi.rinuncia, name="rinuncia"),
    path("<int:pk>/subentro/", views_servizi.subentro, name="subentro"),
]
