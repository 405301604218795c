from django.urls import path

from . import views

# Included by network.urls under the namespace "inviti".
inviti_patterns = [
    path("", views.inviti_lista, name="lista"),
    path("nuovo/", views.invito_nuovo, name="nuovo"),
    path("<int:pk>/revoca/", views.invito_revoca, name="revoca"),
    path("accetta/<str:token>/", views.invito_accetta, name="accetta"),
    path("richiesta/", views.richiesta_accesso, name="richiesta"),
    path("richiesta/inviata/", views.richiesta_inviata, name="richiesta_inviata"),
    path("richieste/", views.richieste, name="richieste"),
    path("richieste/<int:pk>/decidi/", views.richiesta_decidi, name="richiesta_decidi"),
]
