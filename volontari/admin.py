from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditedAdmin, SolaLettura, esegui_azione

from . import actions, ciclo
from .forms import InterruzioneForm
from .models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, RiepilogoMensile, Servizio, Volontario


class MotivoForm(forms.Form):
    motivo = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MotivoObbligatorioForm(forms.Form):
    motivo = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


@admin.action(description=_("Record the renunciation (with the portal's rules)"))
def registra_rinuncia(modeladmin, request, queryset):
    return esegui_azione(
        modeladmin,
        request,
        queryset,
        lambda servizio, dati, ip: ciclo.registra_rinuncia(
            acting_user=request.user, servizio=servizio, motivo=dati["motivo"], ip_address=ip
        ),
        form_class=MotivoForm,
        titolo=_("Record the renunciation"),
        fatto=_("Renunciation recorded"),
    )


@admin.action(description=_("Record the interruption (with the portal's rules)"))
def interrompi(modeladmin, request, queryset):
    return esegui_azione(
        modeladmin,
        request,
        queryset,
        lambda servizio, dati, ip: ciclo.interrompi_servizio(
            acting_user=request.user,
            servizio=servizio,
            ultimo_giorno=dati["ultimo_giorno"],
            motivo=dati["motivo"],
            documentata=dati["documentata"],
            ip_address=ip,
        ),
        form_class=InterruzioneForm,
        titolo=_("Record the interruption"),
        fatto=_("Interruption recorded"),
    )


@admin.action(description=_("Reopen the confirmed month (with the portal's rules)"))
def riapri_mese(modeladmin, request, queryset):
    return esegui_azione(
        modeladmin,
        request,
        queryset,
        lambda chiusura, dati, ip: actions.riapri_mese(
            acting_user=request.user, chiusura=chiusura, motivo=dati["motivo"], ip_address=ip
        ),
        form_class=MotivoObbligatorioForm,
        titolo=_("Reopen the confirmed month"),
        fatto=_("Month reopened"),
    )


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
    autocomplete_fields = ["volontario", "posto", "olp"]
    date_hierarchy = "data_inizio"
    # A service starts, ends and is replaced only through volontari.ciclo: the actions below.
    readonly_fields = [
        "stato",
        "data_fine",
        "subentra_a",
        "motivo_interruzione",
        "interruzione_comunicata_il",
        "interruzione_documentata",
    ]
    actions = [registra_rinuncia, interrompi]

    def has_add_permission(self, request):
        return False  # started in the portal (volontari.ciclo.avvia_servizio: age, places, OLP load)

    def has_delete_permission(self, request, obj=None):
        return False  # its days, closes and audit events hang on it


@admin.register(Presenza)
class PresenzaAdmin(SolaLettura, AuditedAdmin):
    """The register's rows: written only by volontari.actions (the grid, today's page, the
    import), where the register's rules and the monthly close apply."""

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
class ChiusuraMensileAdmin(SolaLettura, AuditedAdmin):
    """Confirmed in the portal; reopened by network staff with the action below."""

    list_display = ["servizio", "mese", "stato", "conferma_preliminare_il", "confermata_il"]
    list_filter = ["stato"]
    search_fields = ["servizio__volontario__cognome"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio", "conferma_preliminare_da", "confermata_da"]
    date_hierarchy = "mese"
    actions = [riapri_mese]


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
class RelazioneMensileAdmin(SolaLettura, AuditedAdmin):
    """The OLP's own reports, saved in the portal."""

    list_display = ["servizio", "mese", "andamento", "obiettivi", "criticita", "compilata_il"]
    list_filter = ["criticita"]
    search_fields = ["servizio__volontario__cognome"]
    list_select_related = ["servizio__volontario", "servizio__posto__progetto"]
    raw_id_fields = ["servizio", "compilata_da"]
    date_hierarchy = "mese"
