from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
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


class SolaLettura:
    """An admin for rows written only by the portal's actions (the register, the monthly
    closes, histories): listed and opened, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def esegui_azione(modeladmin, request, queryset, esegui, *, form_class=None, titolo="", fatto=""):
    """An admin action that changes state through the portal's own function: `esegui(obj,
    dati, ip)` is called on every selected row (the function checks its rules and writes
    its audit event). With `form_class` an intermediate page asks for what it needs (the
    new state, a reason...). All rows or none: when one is refused, every change is
    undone and each refusal is shown as an error message; else one success message."""
    form = None
    if form_class is not None:
        form = form_class(request.POST) if "conferma" in request.POST else form_class()
        if "conferma" not in request.POST or not form.is_valid():
            return TemplateResponse(
                request,
                "admin/azione_con_modulo.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": titolo,
                    "opts": modeladmin.model._meta,
                    "oggetti": list(queryset),
                    "form": form,
                    "azione": request.POST.get("action", ""),
                    "campo_selezione": helpers.ACTION_CHECKBOX_NAME,
                },
            )
    dati = form.cleaned_data if form is not None else {}
    rifiuti = []
    with transaction.atomic():
        righe = list(queryset)
        for obj in righe:
            try:
                with transaction.atomic():
                    esegui(obj, dati, client_ip(request))
            except (ValidationError, PermissionDenied) as exc:
                testo = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                non_consentito = gettext("not allowed.")  # outside the f-string: makemessages reads it
                rifiuti.append(f"{obj}: {testo or non_consentito}")
        if rifiuti:
            transaction.set_rollback(True)
    if rifiuti:
        for r in rifiuti:
            modeladmin.message_user(request, r, messages.ERROR)
        nulla = gettext("Nothing was changed: correct the rows above and try again.")
        modeladmin.message_user(request, nulla, messages.ERROR)
    else:
        modeladmin.message_user(
            request,
            ngettext("%(fatto)s: %(n)d row.", "%(fatto)s: %(n)d rows.", len(righe)) % {"fatto": fatto, "n": len(righe)},
            messages.SUCCESS,
        )
    return None


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
