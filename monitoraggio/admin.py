from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import Allerta, Invito, Istantanea, Notizia, Outbox, Report, RichiestaAccesso


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


def _adatta_admin_allauth() -> None:
    """allauth's session admin searches by username, which this User model does not have."""
    from allauth.usersessions.models import UserSession

    model_admin = admin.site._registry.get(UserSession)
    if model_admin is not None:
        model_admin.search_fields = ["user__email", "ip"]


_adatta_admin_allauth()


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ["tipo", "nodo", "ente", "progetto", "periodo_inizio", "stato", "progresso", "creato_il"]
    list_filter = ["tipo", "stato"]
    search_fields = ["ente__denominazione", "nodo__nome", "progetto__titolo", "errore"]
    list_select_related = ["nodo", "ente", "progetto"]
    raw_id_fields = ["nodo", "ente", "progetto", "richiesto_da"]
    readonly_fields = ["file"]  # written by the task, downloaded in the portal

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

    # Alerts are found by the daily check.
    def has_add_permission(self, request):
        return False


@admin.register(Notizia)
class NotiziaAdmin(AuditedAdmin):
    list_display = ["titolo", "nodo", "pubblicata", "pubblicata_il"]
    list_filter = ["pubblicata", "nodo"]
    search_fields = ["titolo", "sommario", "testo"]
    prepopulated_fields = {"slug": ["titolo"]}
    date_hierarchy = "pubblicata_il"


@admin.register(Istantanea)
class IstantaneaAdmin(AuditedAdmin):
    """Taken by Celery beat: read-only here."""

    list_display = ["giorno", "enti", "olp", "volontari"]
    search_fields = ["giorno"]
    date_hierarchy = "giorno"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Outbox)
class OutboxAdmin(AuditedAdmin):
    """Written by network.outbox, sent by its flush: read-only here, to see what is waiting."""

    list_display = ["pk", "task", "creato_il", "inviato_il", "tentativi", "ultimo_errore"]
    list_filter = [("inviato_il", admin.EmptyFieldListFilter)]
    search_fields = ["task"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
