from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import Allerta, Report


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ["tipo", "nodo", "ente", "progetto", "periodo_inizio", "stato", "progresso", "creato_il"]
    list_filter = ["tipo", "stato"]
    search_fields = ["ente__denominazione", "nodo__nome", "progetto__titolo", "errore"]
    list_select_related = ["nodo", "ente", "progetto"]
    raw_id_fields = ["nodo", "ente", "progetto", "richiesto_da"]
    # The state, progress and file are the task's (monitoraggio.reports.genera), downloaded in the portal.
    readonly_fields = ["file", "stato", "progresso", "tentativi", "errore", "completato_il"]

    # Reports are ordered in the portal, where the scope rules apply.
    def has_add_permission(self, request):
        return False


@admin.register(Allerta)
class AllertaAdmin(AuditedAdmin):
    list_display = ["tipo", "ente", "messaggio", "creata_il", "risolta_il", "notificata_il"]
    list_filter = ["tipo"]
    search_fields = ["messaggio", "ente__denominazione", "chiave"]
    list_select_related = ["ente"]
    raw_id_fields = ["ente", "olp", "servizio"]
    readonly_fields = ["creata_il", "risolta_il", "notificata_il"]  # opened and resolved by the daily check

    # Alerts are found by the daily check.
    def has_add_permission(self, request):
        return False
