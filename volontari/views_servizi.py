"""The ente starts, interrupts and replaces volunteers (the rules are in volontari.ciclo)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import client_ip
from enti import policy
from infra.forms import errori_nel_form
from progetti.models import PostoSede

from . import ciclo
from .forms import AvvioForm, InterruzioneForm, VolontarioForm
from .models import Servizio


def _dati_volontario(cd):
    return {k: cd[k] for k in ("codice_fiscale", "nome", "cognome", "email", "codice_volontario")}


@require_http_methods(["GET", "POST"])
def avvia(request, posto_pk: int):
    posto = get_object_or_404(
        PostoSede.objects.visible_to(request.user).select_related("progetto", "sede__ente"), pk=posto_pk
    )
    if not policy.puo_confermare_mese(request.user, ente_id=posto.sede.ente_id):
        raise PermissionDenied
    form = AvvioForm(request.POST or None, posto=posto)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            servizio = ciclo.avvia_servizio(
                acting_user=request.user, posto=posto, olp=cd["olp"], volontario=_dati_volontario(cd),
                data_inizio=cd["data_inizio"], data_domanda=cd["data_domanda"], tipo_posto=cd["tipo_posto"],
                gmo=cd["gmo"], ip_address=client_ip(request),
            )  # fmt: skip
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Service started."))
            return redirect("volontari:dettaglio", pk=servizio.volontario_id)
    return render(request, "volontari/avvia.html", {"form": form, "posto": posto})


@require_http_methods(["GET", "POST"])
def interrompi(request, pk: int):
    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related("volontario", "posto__sede"), pk=pk
    )
    if not policy.puo_confermare_mese(request.user, ente_id=servizio.posto.sede.ente_id):
        raise PermissionDenied
    form = InterruzioneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ciclo.interrompi_servizio(
                acting_user=request.user, servizio=servizio, ip_address=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Interruption recorded."))
            return redirect("volontari:dettaglio", pk=servizio.volontario_id)
    return render(request, "volontari/interrompi.html", {"form": form, "servizio": servizio})


@require_POST
def rinuncia(request, pk: int):
    servizio = get_object_or_404(Servizio.objects.visible_to(request.user), pk=pk)
    try:
        ciclo.registra_rinuncia(
            acting_user=request.user,
            servizio=servizio,
            motivo=request.POST.get("motivo", ""),
            ip_address=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
    else:
        messages.success(request, _("Renunciation recorded."))
    return redirect("volontari:dettaglio", pk=servizio.volontario_id)


@require_http_methods(["GET", "POST"])
def subentro(request, pk: int):
    uscito = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related("volontario", "posto__sede"), pk=pk
    )
    if not policy.puo_confermare_mese(request.user, ente_id=uscito.posto.sede.ente_id):
        raise PermissionDenied
    form = VolontarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            nuovo = ciclo.subentro(
                acting_user=request.user, uscito=uscito, volontario=_dati_volontario(cd), data_inizio=cd["data_inizio"],
                data_domanda=cd["data_domanda"], ip_address=client_ip(request),
            )  # fmt: skip
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Replacement started."))
            return redirect("volontari:dettaglio", pk=nuovo.volontario_id)
    return render(request, "volontari/subentro.html", {"form": form, "uscito": uscito})
