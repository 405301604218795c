from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.audit import client_ip
from infra.forms import errori_nel_form

from . import actions
from .forms import EnteForm
from .models import Ente, Olp, Sede
from .roles import Ruolo


@require_safe
def lista(request):
    qs = Ente.objects.visible_to(request.user).select_related("comune", "nodo").order_by("denominazione")
    cerca = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if cerca:
        qs = qs.filter(Q(denominazione__icontains=cerca) | Q(comune__nome__icontains=cerca))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "enti/lista.html", {"page": page, "cerca": cerca})


@require_safe
def dettaglio(request, pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user).select_related("comune__provincia", "nodo"), pk=pk)
    sedi = Sede.objects.visible_to(request.user).filter(ente=ente).select_related("comune")
    olp = Olp.objects.visible_to(request.user).filter(ente=ente)
    ruoli = actions.ruoli_verso_ente(request.user, ente)
    return render(
        request,
        "enti/dettaglio.html",
        {
            "ente": ente,
            "sedi": sedi,
            "olp": olp,
            "storia": ente.eventi_adesione.select_related("autore"),
            "azioni": actions.ADESIONE.possibili(ente.stato_adesione, ruoli),
            "referente": Ruolo.REFERENTE in ruoli,
            "modificabile": Ruolo.REFERENTE in ruoli and bool(actions.CAMPI_MODIFICABILI[ente.stato_adesione]),
        },
    )


@require_http_methods(["GET", "POST"])
def modifica(request, pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user).select_related("comune__provincia"), pk=pk)
    if Ruolo.REFERENTE not in actions.ruoli_verso_ente(request.user, ente):
        raise PermissionDenied
    form = EnteForm(request.POST or None, instance=ente, modificabili=actions.CAMPI_MODIFICABILI[ente.stato_adesione])
    if request.method == "POST" and form.is_valid():
        dati = {k: form.cleaned_data[k] for k in form.changed_data if not form.fields[k].disabled}
        try:
            actions.aggiorna_dati_ente(
                acting_user=request.user, ente=Ente.objects.get(pk=ente.pk), dati=dati, ip_address=client_ip(request)
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("The data of the body have been saved."))
            return redirect("enti:dettaglio", pk=ente.pk)
    return render(request, "enti/modifica.html", {"ente": ente, "form": form})


@require_POST
def adesione(request, pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user), pk=pk)
    try:
        actions.cambia_stato_adesione(
            acting_user=request.user,
            ente=ente,
            a=request.POST.get("a", ""),
            motivo=request.POST.get("motivo", ""),
            ip_address=client_ip(request),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("This change of state is not allowed.")])))
    else:
        messages.success(request, _("The adhesion state has been updated."))
    return redirect("enti:dettaglio", pk=ente.pk)
