"""Sites of an ente: here and not in enti because closing one depends on its projects."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import client_ip
from enti.actions import ruoli_verso_ente
from enti.forms import SedeForm
from enti.models import Ente, Sede
from enti.roles import Ruolo
from infra.forms import errori_nel_form

from . import actions


def _salva(request, ente, sede):
    if Ruolo.REFERENTE not in ruoli_verso_ente(request.user, ente):
        raise PermissionDenied
    form = SedeForm(request.POST or None, instance=sede)
    if request.method == "POST" and form.is_valid():
        try:
            actions.salva_sede(
                acting_user=request.user,
                ente=ente,
                sede=Sede.objects.get(pk=sede.pk) if sede else None,
                dati={k: form.cleaned_data[k] for k in form.fields},
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Site saved."))
            return redirect("enti:dettaglio", pk=ente.pk)
    return render(request, "enti/sede_modifica.html", {"form": form, "ente": ente, "sede": sede})


@require_http_methods(["GET", "POST"])
def nuova(request, ente_pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user), pk=ente_pk)
    return _salva(request, ente, None)


@require_http_methods(["GET", "POST"])
def modifica(request, pk: int):
    sede = get_object_or_404(Sede.objects.visible_to(request.user).select_related("ente", "comune__provincia"), pk=pk)
    return _salva(request, sede.ente, sede)


@require_POST
def chiudi(request, pk: int):
    sede = get_object_or_404(Sede.objects.visible_to(request.user), pk=pk)
    try:
        actions.chiudi_sede(acting_user=request.user, sede=sede, ip_address=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("You cannot close this site.")])))
    else:
        messages.success(request, _("Site closed."))
    return redirect("enti:dettaglio", pk=sede.ente_id)
