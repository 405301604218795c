from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .audit import Evento, client_ip, record_event
from .models import AuditEvent, User


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the admin is a privileged action: it writes an audit event."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(
            verb=Evento.ADMIN_MODIFICA if change else Evento.ADMIN_CREAZIONE,
            acting_user=request.user,
            target=obj,
            data={"campi": sorted(form.changed_data)},
            ip_address=client_ip(request),
        )

    def delete_model(self, request, obj):
        record_event(
            verb=Evento.ADMIN_ELIMINAZIONE, acting_user=request.user, target=obj, ip_address=client_ip(request)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_event(
                verb=Evento.ADMIN_ELIMINAZIONE, acting_user=request.user, target=obj, ip_address=client_ip(request)
            )
        super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "target_repr", "ip_address"]
    list_filter = ["verb", "target_type"]
    search_fields = ["verb", "target_repr", "actor__email", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    # The audit log is append-only, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
