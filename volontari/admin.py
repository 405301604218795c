from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, RiepilogoMensile, Servizio, Volontario


@admin.register(Volontario)
class VolontarioAdmin(AuditedAdmin):
    list_display = ["cognome", "nome", "codice_fiscale", "codice_volontario", "data_nascita"]
    search_fields = ["cognome", "nome", "codice_fiscale", "codice_volontario", "email"]
    list_filter = ["sesso", ("pseudonimizzato_il", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["user"]
    readonly_fields = ["pseudonimizzato_il"]


@admin.register(Servizio)
class ServizioAdmin(AuditedAdmin):
    list_display = ["volontario", "posto", "olp", "stato", "data_inizio", "data_fine"]
    list_filter = ["stato", "tipo_posto", "gmo", "posto__sede__ente__nodo"]
    search_fields = ["volontario__cognome", "volontario__codice_fiscale", "olp__cognome", "posto__progetto__titolo"]
    list_select_related = ["volontario", "olp", "posto__progetto", "posto__sede"]
    autocomplete_fields = ["volontario", "posto", "olp", "subentra_a"]
    date_hierarchy = "data_inizio"


@admin.register(Presenza)
class PresenzaAdmin(AuditedAdmin):
    list_display = ["servizio", "giorno", "codice", "attivita", "ore"]
    list_filter = ["codice", "attivita"]
    search_fields = ["servizio__volontario__cognome", "servizio__volontario__codice_fiscale"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio", "inserita_da"]
    date_hierarchy = "giorno"
    show_full_result_count = False


@admin.register(RiepilogoMensile)
class RiepilogoMensileAdmin(AuditedAdmin):
    """Derived from the register and kept by its writes: read here, rebuilt by
    `manage.py ricostruisci_riepiloghi`, never edited."""

    list_display = ["servizio", "mese", "giorni", "ore", "tot_giorni", "tot_ore", "ultimo"]
    list_filter = ["ultimo"]
    search_fields = ["servizio__volontario__cognome"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio"]
    date_hierarchy = "mese"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChiusuraMensile)
class ChiusuraMensileAdmin(AuditedAdmin):
    list_display = ["servizio", "mese", "stato", "conferma_preliminare_il", "confermata_il"]
    list_filter = ["stato"]
    search_fields = ["servizio__volontario__cognome"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio", "conferma_preliminare_da", "confermata_da"]
    date_hierarchy = "mese"
    # Uploaded in the portal, where the file is checked, and downloaded there by those who may.
    readonly_fields = ["foglio_firmato"]


@admin.register(Questionario)
class QuestionarioAdmin(AuditedAdmin):
    """Answers are the volunteer's own: readable here, never edited."""

    list_display = ["servizio", "tipo", "inviato_il", "scadenza", "compilato_il"]
    list_filter = ["tipo", ("compilato_il", admin.EmptyFieldListFilter)]
    search_fields = ["servizio__volontario__cognome", "servizio__volontario__codice_fiscale"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RelazioneMensile)
class RelazioneMensileAdmin(AuditedAdmin):
    list_display = ["servizio", "mese", "andamento", "obiettivi", "criticita", "compilata_il"]
    list_filter = ["criticita"]
    search_fields = ["servizio__volontario__cognome"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio", "compilata_da"]
    date_hierarchy = "mese"
