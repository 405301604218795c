"""Invitations, access requests and the audit log."""

from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.audit import client_ip
from infra.forms import errori_nel_form
from infra.indirizzi import url_portale

from . import actions
from .forms import AccettaInvitoForm, DecisioneForm, InvitoForm, RichiestaAccessoForm
from .models import Invito, RichiestaAccesso


def _base_url(request) -> str:
    """Links in e-mails point at the configured portal, never at the request's Host."""
    return url_portale("/")


@require_safe
def inviti_lista(request):
    inviti = Invito.objects.visible_to(request.user).select_related("nodo", "ente", "sede", "olp", "volontario")
    page = Paginator(inviti, 50).get_page(request.GET.get("page"))
    return render(request, "inviti/lista.html", {"page": page})


@require_http_methods(["GET", "POST"])
def invito_nuovo(request):
    form = InvitoForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="send_invitation", user=request.user):
            return HttpResponse(_("Too many invitations in a short time: try again later."), status=429)
        try:
            invito, _token = actions.invita(
                acting_user=request.user,
                base_url=_base_url(request),
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invito.email})
            return redirect("inviti:lista")
    return render(request, "inviti/nuovo.html", {"form": form, "giorni": settings.INVITO_VALIDITA_GIORNI})


@require_POST
def invito_revoca(request, pk: int):
    invito = get_object_or_404(Invito.objects.visible_to(request.user), pk=pk)
    try:
        actions.revoca_invito(acting_user=request.user, invito=invito, ip_address=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation has been withdrawn."))
    return redirect("inviti:lista")


@require_http_methods(["GET", "POST"])
def invito_accetta(request, token: str):
    if not ratelimit.consume(request, action="accept_invitation", key=token[:16]):
        return HttpResponse(_("Too many attempts: try again in a few minutes."), status=429)
    try:
        invito = actions.trova_invito(token)
    except actions.InvitoNonValido as exc:
        return render(request, "inviti/accetta_non_valido.html", {"motivo": str(exc)}, status=410)
    signed_in = request.user.is_authenticated
    form = None if signed_in else AccettaInvitoForm(request.POST or None, email=invito.email)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            user = actions.accetta_invito(
                token=token,
                acting_user=request.user if signed_in else None,
                nome="" if signed_in else form.cleaned_data["nome"],
                cognome="" if signed_in else form.cleaned_data["cognome"],
                password="" if signed_in else form.cleaned_data["password1"],
                ip_address=client_ip(request),
            )
        except actions.InvitoNonValido as exc:
            return render(request, "inviti/accetta_non_valido.html", {"motivo": str(exc)}, status=410)
        messages.success(request, _("Welcome to the Servizio Civile network portal."))
        if signed_in:
            return redirect("dashboard")
        return perform_login(request, user, redirect_url=reverse("dashboard"))
    return render(request, "inviti/accetta.html", {"invito": invito, "form": form})


@require_http_methods(["GET", "POST"])
def richiesta_accesso(request):
    form = RichiestaAccessoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.consume(request, action="request_access"):
            return HttpResponse(_("Too many requests from your address: try again later."), status=429)
        try:
            actions.richiedi_accesso(dati=form.cleaned_data, ip_address=client_ip(request))
        except ValidationError as exc:
            errori_nel_form(form, exc)
        else:
            return redirect("inviti:richiesta_inviata")
    return render(request, "inviti/richiesta.html", {"form": form})


@require_safe
def richiesta_inviata(request):
    return render(request, "inviti/richiesta_inviata.html")


@require_safe
def richieste(request):
    qs = RichiestaAccesso.objects.visible_to(request.user).select_related("comune__provincia", "nodo")
    stato = request.GET.get("stato", RichiestaAccesso.Stato.IN_ATTESA)
    if stato in RichiestaAccesso.Stato.values:
        qs = qs.filter(stato=stato)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inviti/richieste.html",
        {"page": page, "stato": stato, "stati": RichiestaAccesso.Stato.choices, "form": DecisioneForm()},
    )


@require_POST
def richiesta_decidi(request, pk: int):
    richiesta = get_object_or_404(RichiestaAccesso.objects.visible_to(request.user), pk=pk)
    form = DecisioneForm(request.POST)
    if form.is_valid():
        try:
            actions.decidi_richiesta(
                acting_user=request.user,
                richiesta=richiesta,
                approva=form.cleaned_data["approva"],
                motivo=form.cleaned_data["motivo"],
                base_url=_base_url(request),
                ip_address=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Decision recorded for %(ente)s.") % {"ente": richiesta.denominazione})
    else:
        messages.error(request, _("Choose whether to approve or refuse the request."))
    return redirect("inviti:richieste")
