"""OLP of an ente: here and not in enti because the requirements recorded are the ones a
project checks when it names them (progetti.rules)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from enti.actions import ruoli_verso_ente
from enti.forms import OlpForm
from enti.models import Ente, Olp
from enti.roles import Ruolo
from enti.views import errori_nel_form

from . import actions, rules


def _salva(request, ente, olp):
    if Ruolo.REFERENTE not in ruoli_verso_ente(request.user, ente):
        raise PermissionDenied
    form = OlpForm(request.POST or None, instance=olp)
    if request.method == "POST" and form.is_valid():
        try:
            actions.salva_olp(
                acting_user=request.user,
                ente=ente,
                olp=olp,
                dati={k: form.cleaned_data[k] for k in form.fields},
                ip_address=client_ip(request),
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("OLP saved."))
            return redirect("enti:dettaglio", pk=ente.pk)
    mancanti = rules.requisiti_olp_mancanti(olp) if olp else []
    return render(request, "enti/olp_modifica.html", {"form": form, "ente": ente, "olp": olp, "mancanti": mancanti})


@require_http_methods(["GET", "POST"])
def nuovo(request, ente_pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user), pk=ente_pk)
    return _salva(request, ente, None)


@require_http_methods(["GET", "POST"])
def modifica(request, pk: int):
    olp = get_object_or_404(Olp.objects.visible_to(request.user).select_related("ente"), pk=pk)
    return _salva(request, olp.ente, olp)
