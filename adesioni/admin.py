from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedAdmin, esegui_azione

from . import actions
from .models import Invito, RichiestaAccesso


@admin.register(Invito)
class InvitoAdmin(AuditedAdmin):
    list_display = ["email", "ruolo", "creato_da", "creato_il", "scade_il", "usato_il", "revocato_il"]
    list_filter = ["ruolo"]
    search_fields = ["email", "creato_da__email"]
    list_select_related = ["creato_da"]
    raw_id_fields = ["nodo", "ente", "sede", "olp", "volontario", "creato_da", "usato_da"]
    readonly_fields = ["token_hash", "usato_il", "usato_da", "revocato_il"]
    actions = ["revoca"]

    # Invitations are made in the portal, where the rules of who invites whom apply.
    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Withdraw the invitation (with the portal's rules)"))
    def revoca(self, request, queryset):
        return esegui_azione(
            self,
            request,
            queryset,
            lambda invito, dati, ip: actions.revoca_invito(acting_user=request.user, invito=invito, ip_address=ip),
            fatto=_("Invitation withdrawn"),
        )


@admin.register(RichiestaAccesso)
class RichiestaAccessoAdmin(AuditedAdmin):
    list_display = ["denominazione", "comune", "nodo", "stato", "creata_il", "decisa_il"]
    list_filter = ["stato", "nodo"]
    search_fields = ["denominazione", "codice_fiscale", "email"]
    list_select_related = ["comune", "nodo"]
    raw_id_fields = ["comune"]
    # Decided in the portal by the nodo (adesioni.actions.decidi_richiesta: the ente, the invitation).
    readonly_fields = ["stato", "decisa_il", "decisa_da", "motivo", "ente"]
