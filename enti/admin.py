from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedAdmin, esegui_azione

from . import actions
from .models import (
    Comune,
    Ente,
    Esperto,
    EventoAdesione,
    Membership,
    Nodo,
    Olp,
    Provincia,
    Regione,
    ReteTerritoriale,
    Sede,
)


@admin.register(Regione)
class RegioneAdmin(AuditedAdmin):
    list_display = ["codice_istat", "nome"]
    search_fields = ["nome", "codice_istat"]


@admin.register(Provincia)
class ProvinciaAdmin(AuditedAdmin):
    list_display = ["codice_istat", "nome", "sigla", "regione"]
    list_filter = ["regione"]
    search_fields = ["nome", "sigla", "codice_istat"]
    list_select_related = ["regione"]


@admin.register(Comune)
class ComuneAdmin(AuditedAdmin):
    list_display = ["codice_istat", "nome", "codice_catastale", "provincia", "capoluogo"]
    list_filter = ["capoluogo", "provincia__regione"]
    search_fields = ["nome", "codice_istat", "codice_catastale"]
    list_select_related = ["provincia"]


@admin.register(Nodo)
class NodoAdmin(AuditedAdmin):
    list_display = ["nome", "livello", "ordine"]
    list_filter = ["livello"]
    search_fields = ["nome", "slug"]
    prepopulated_fields = {"slug": ["nome"]}
    filter_horizontal = ["regioni"]
    formfield_overrides = {models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}}


class SedeInline(admin.TabularInline):
    model = Sede
    extra = 0
    autocomplete_fields = ["comune"]
    fields = ["denominazione", "comune", "indirizzo", "civico", "cap", "codice_helios", "data_chiusura"]
    readonly_fields = ["data_chiusura"]  # a sede is closed in the portal, where its projects are checked


class CambioAdesioneForm(forms.Form):
    a = forms.ChoiceField(label=_("New adhesion state"), choices=Ente.StatoAdesione.choices)
    motivo = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning, suspending or ending an adhesion."),
    )


@admin.action(description=_("Change the adhesion state (with the portal's rules)"))
def cambia_adesione(modeladmin, request, queryset):
    return esegui_azione(
        modeladmin,
        request,
        queryset,
        lambda ente, dati, ip: actions.cambia_stato_adesione(
            acting_user=request.user, ente=ente, a=dati["a"], motivo=dati["motivo"], ip_address=ip
        ),
        form_class=CambioAdesioneForm,
        titolo=_("Change the adhesion state"),
        fatto=_("Adhesion state changed"),
    )


@admin.register(Ente)
class EnteAdmin(AuditedAdmin):
    list_display = ["denominazione", "tipo", "codice_fiscale", "comune", "nodo", "stato_adesione", "data_adesione"]
    list_filter = ["stato_adesione", "tipo", "nodo"]
    search_fields = ["denominazione", "codice_fiscale", "codice_helios", "comune__nome"]
    list_select_related = ["comune", "nodo"]
    autocomplete_fields = ["comune"]
    date_hierarchy = "data_adesione"
    inlines = [SedeInline]
    # The adhesion moves only through its state machine (enti.actions.ADESIONE): the action below.
    readonly_fields = ["stato_adesione", "data_richiesta", "data_adesione", "data_cessazione"]
    actions = [cambia_adesione]


@admin.register(Sede)
class SedeAdmin(AuditedAdmin):
    list_display = ["denominazione", "ente", "comune", "indirizzo", "civico", "data_chiusura"]
    list_filter = ["ente__nodo"]
    search_fields = ["denominazione", "indirizzo", "ente__denominazione", "comune__nome", "codice_helios"]
    list_select_related = ["ente", "comune"]
    autocomplete_fields = ["ente", "comune"]
    readonly_fields = ["data_chiusura"]  # a sede is closed in the portal, where its projects are checked


@admin.register(ReteTerritoriale)
class ReteTerritorialeAdmin(AuditedAdmin):
    list_display = ["nome", "tipo", "nodo"]
    list_filter = ["tipo", "nodo"]
    search_fields = ["nome"]
    autocomplete_fields = ["enti"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "ruolo", "nodo", "ente", "sede", "attiva"]
    list_filter = ["ruolo", "attiva", "nodo"]
    search_fields = ["user__email", "ente__denominazione", "nodo__nome"]
    list_select_related = ["user", "nodo", "ente", "sede"]
    autocomplete_fields = ["user", "ente", "sede"]


@admin.register(Esperto)
class EspertoAdmin(AuditedAdmin):
    list_display = ["cognome", "nome", "nodo", "formatore", "selettore", "esperto_monitoraggio", "tutor", "attivo"]
    list_filter = ["nodo", "formatore", "selettore", "esperto_monitoraggio", "tutor", "attivo"]
    search_fields = ["cognome", "nome", "email", "competenze"]


@admin.register(Olp)
class OlpAdmin(AuditedAdmin):
    list_display = ["cognome", "nome", "ente", "requisito", "corso_olp_il", "ore_settimanali_sede", "attivo"]
    list_filter = ["attivo", "ente__nodo"]
    search_fields = ["cognome", "nome", "email", "ente__denominazione"]
    list_select_related = ["ente"]
    autocomplete_fields = ["ente", "user"]


@admin.register(EventoAdesione)
class EventoAdesioneAdmin(AuditedAdmin):
    list_display = ["ente", "da_stato", "a_stato", "autore", "creato_il"]
    list_filter = ["a_stato"]
    search_fields = ["ente__denominazione", "motivo"]
    list_select_related = ["ente", "autore"]

    # History is written by the adhesion workflow only.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
