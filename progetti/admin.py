from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedAdmin, esegui_azione

from . import actions
from .models import (
    AmbitoAzione,
    Area,
    AssegnoMensile,
    Bando,
    EventoProgetto,
    IncaricoEsperto,
    LimiteOlpSettore,
    PostoSede,
    Progetto,
    Programma,
    Settore,
)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0


@admin.register(Settore)
class SettoreAdmin(AuditedAdmin):
    list_display = ["codice", "nome"]
    search_fields = ["codice", "nome"]
    inlines = [AreaInline]


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ["settore", "numero", "nome"]
    list_filter = ["settore"]
    search_fields = ["nome"]
    list_select_related = ["settore"]


@admin.register(AmbitoAzione)
class AmbitoAzioneAdmin(AuditedAdmin):
    list_display = ["codice", "nome"]
    search_fields = ["nome"]


class LimiteOlpSettoreInline(admin.TabularInline):
    model = LimiteOlpSettore
    extra = 0


@admin.register(Bando)
class BandoAdmin(AuditedAdmin):
    list_display = ["nome", "anno", "max_volontari_per_olp", "ore_max_giorno", "finestra_subentro_giorni"]
    list_filter = ["anno"]
    search_fields = ["nome"]
    inlines = [LimiteOlpSettoreInline]


@admin.register(AssegnoMensile)
class AssegnoMensileAdmin(AuditedAdmin):
    list_display = ["valido_dal", "importo"]


@admin.register(Programma)
class ProgrammaAdmin(AuditedAdmin):
    list_display = ["titolo", "nodo", "bando", "obiettivo_2030", "ambito"]
    list_filter = ["nodo", "bando", "obiettivo_2030", "ambito"]
    search_fields = ["titolo", "codice_helios"]
    list_select_related = ["nodo", "bando", "ambito"]


class PostoSedeInline(admin.TabularInline):
    model = PostoSede
    extra = 0
    autocomplete_fields = ["sede", "olp"]


class IncaricoEspertoInline(admin.TabularInline):
    model = IncaricoEsperto
    extra = 0
    exclude = ["assegnato_da", "assegnato_il"]
    # Experts are assigned in the portal (progetti.actions.assegna_esperto): role and pool.
    readonly_fields = ["esperto", "stato"]


class CambioStatoProgettoForm(forms.Form):
    a = forms.ChoiceField(label=_("New state"), choices=Progetto.Stato.choices)
    motivo = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning or refusing a project."),
    )


@admin.action(description=_("Change the project's state (with the portal's rules)"))
def cambia_stato(modeladmin, request, queryset):
    return esegui_azione(
        modeladmin,
        request,
        queryset,
        lambda progetto, dati, ip: actions.cambia_stato_progetto(
            acting_user=request.user, progetto=progetto, a=dati["a"], motivo=dati["motivo"], ip_address=ip
        ),
        form_class=CambioStatoProgettoForm,
        titolo=_("Change the project's state"),
        fatto=_("Project state changed"),
    )


@admin.register(Progetto)
class ProgettoAdmin(AuditedAdmin):
    list_display = ["titolo", "ente", "settore", "stato", "durata_mesi", "modello_orario", "data_avvio"]
    list_filter = ["stato", "settore", "bando", "modello_orario", "ente__nodo"]
    search_fields = ["titolo", "codice_helios", "ente__denominazione"]
    list_select_related = ["ente", "settore"]
    autocomplete_fields = ["ente", "enti_coprogettanti", "programma", "area"]
    inlines = [PostoSedeInline, IncaricoEspertoInline]
    # The state moves only through its state machine (progetti.actions.PROGETTO): the action below.
    readonly_fields = ["stato", "data_avvio"]
    actions = [cambia_stato]


@admin.register(PostoSede)
class PostoSedeAdmin(AuditedAdmin):
    list_display = [
        "progetto",
        "sede",
        "posti_vitto_alloggio",
        "posti_solo_vitto",
        "posti_senza_vitto_alloggio",
        "posti_gmo",
    ]
    list_filter = ["progetto__stato", "progetto__ente__nodo"]
    search_fields = ["progetto__titolo", "sede__denominazione", "sede__ente__denominazione"]
    list_select_related = ["progetto", "sede"]
    autocomplete_fields = ["progetto", "sede", "olp"]


@admin.register(LimiteOlpSettore)
class LimiteOlpSettoreAdmin(AuditedAdmin):
    list_display = ["bando", "settore", "max_volontari_per_olp"]
    list_filter = ["bando", "settore"]
    search_fields = ["bando__nome", "settore__nome"]


@admin.register(IncaricoEsperto)
class IncaricoEspertoAdmin(AuditedAdmin):
    list_display = ["progetto", "ruolo", "esperto", "stato", "assegnato_il"]
    list_filter = ["ruolo", "stato"]
    search_fields = ["progetto__titolo", "esperto__cognome", "esperto__nome"]
    list_select_related = ["progetto", "esperto"]
    autocomplete_fields = ["progetto"]
    readonly_fields = ["esperto", "stato", "assegnato_da", "assegnato_il"]  # assigned in the portal


@admin.register(EventoProgetto)
class EventoProgettoAdmin(AuditedAdmin):
    list_display = ["progetto", "da_stato", "a_stato", "autore", "creato_il"]
    list_filter = ["a_stato"]
    search_fields = ["progetto__titolo", "motivo", "commento"]
    list_select_related = ["progetto", "autore"]
    exclude = ["snapshot"]

    # History is written by the assessment workflow only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
