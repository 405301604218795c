from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import Outbox


@admin.register(Outbox)
class OutboxAdmin(AuditedAdmin):
    """Written by infra.outbox, sent by its flush: read-only here, to see what is waiting."""

    list_display = ["pk", "task", "creato_il", "inviato_il", "tentativi", "ultimo_errore"]
    list_filter = [("inviato_il", admin.EmptyFieldListFilter)]
    search_fields = ["task"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
