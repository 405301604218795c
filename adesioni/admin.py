from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import Invito, RichiestaAccesso


@admin.register(Invito)
class InvitoAdmin(AuditedAdmin):
    list_display = ["email", "ruolo", "creato_da", "creato_il", "scade_il", "usato_il", "revocato_il"]
    list_filter = ["ruolo"]
    search_fields = ["email", "creato_da__email"]
    list_select_related = ["creato_da"]
    raw_id_fields = ["nodo", "ente", "sede", "olp", "volontario", "creato_da", "usato_da"]
    readonly_fields = ["token_hash"]

    # Invitations are made in the portal, where the rules of who invites whom apply.
    def has_add_permission(self, request):
        return False


@admin.register(RichiestaAccesso)
class RichiestaAccessoAdmin(AuditedAdmin):
    list_display = ["denominazione", "comune", "nodo", "stato", "creata_il", "decisa_il"]
    list_filter = ["stato", "nodo"]
    search_fields = ["denominazione", "codice_fiscale", "email"]
    list_select_related = ["comune", "nodo"]
    raw_id_fields = ["comune", "decisa_da", "ente"]
