from django.urls import path

from . import views

app_name = "enti"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("<int:pk>/", views.dettaglio, name="dettaglio"),
    path("<int:pk>/modifica/", views.modifica, name="modifica"),
    path("<int:pk>/adesione/", views.adesione, name="adesione"),
]
