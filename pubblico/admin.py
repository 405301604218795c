from django.contrib import admin

from accounts.admin import AuditedAdmin

from .models import Istantanea, Notizia


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
