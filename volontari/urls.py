from django.urls import path

from . import views

app_name = "volontari"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("<int:pk>/", views.dettaglio, name="dettaglio"),
]
