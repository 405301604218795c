"""The volunteer's own pages: their service, hours against the plan, leave left, training,
monthly sheets, the certificate of service, a calendar feed, and a copy of their data."""

import datetime

from django.contrib import messages
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.audit import Evento, client_ip, record_event
from infra.indirizzi import url_portale
from progetti import rules as progetti_rules

from . import actions, ciclo, dati_personali, rules
from .models import ChiusuraMensile, Presenza, Servizio, Volontario


def _mio_volontario(request) -> Volontario:
    volontario = Volontario.objects.filter(user=request.user).first()
    if volontario is None:
        raise Http404
    return volontario


@require_safe
def mio(request):
    volontario = _mio_volontario(request)
    servizi = list(
        Servizio.objects.filter(volontario=volontario)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("posto__progetto__bando", "posto__sede__ente", "olp")
        .order_by("-data_inizio")
    )
    totali = actions.totali([s.pk for s in servizi])
    oggi = timezone.localdate()
    mese = oggi.replace(day=1)
    righe = actions.carica_mese([s.pk for s in servizi], mese)
    schede = []
    for s in servizi:
        progetto = s.posto.progetto
        t = totali.get(s.pk, {})
        schede.append(
            {
                "servizio": s,
                "piano": actions.piano_ore(s),
                "permessi_tetto": rules.tetto_permessi(s, progetto.bando),
                "permessi_residui": max(rules.tetto_permessi(s, progetto.bando) - t.get("permessi", 0), 0),
                "malattia": t.get("malattia", 0),
                "malattia_retribuita": progetti_rules.MALATTIA_GIORNI_RETRIBUITI,
                "generale": t.get("ore_generale", 0),
                "specifica": t.get("ore_specifica", 0),
                "progetto": progetto,
                "calendario": [
                    {"giorno": g, "presenza": righe[s.pk].get(g)} for g in rules.giorni_di_servizio(s, mese)
                ],
                "mesi": ChiusuraMensile.objects.filter(servizio=s)
                .exclude(stato=ChiusuraMensile.Stato.APERTA)
                .order_by("-mese")[:12],
                "certificato": ciclo.certificato_disponibile(s),
                "questionari": list(s.questionari.order_by("inviato_il")),
            }
        )
    return render(
        request,
        "volontari/mio.html",
        {
            "volontario": volontario,
            "schede": schede,
            "mese": mese,
            "ical_url": url_portale(reverse("volontari:calendario", args=[volontario.ical_token]))
            if volontario.ical_token
            else None,
        },
    )


@require_safe
def i_miei_dati(request):
    """Everything the portal holds about the volunteer, as a ZIP of JSON and CSV (GDPR
    access and portability). Only the volunteer's own record: the address carries no id.
    The download itself is audited (what and when, not the content)."""
    volontario = _mio_volontario(request)
    contenuto = dati_personali.archivio(volontario)
    record_event(
        verb=Evento.DATI_PERSONALI_SCARICATI,
        acting_user=request.user,
        target=volontario,
        data={"formato": dati_personali.FORMATO, "byte": len(contenuto)},
        ip_address=client_ip(request),
    )
    response = HttpResponse(contenuto, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="i-miei-dati-{timezone.localdate():%Y-%m-%d}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def nuovo_calendario(request):
    """The feed's address, made on request (never on a GET); a new one revokes the old."""
    volontario = _mio_volontario(request)
    primo = not volontario.ical_token
    actions.nuovo_calendario(acting_user=request.user, volontario=volontario, ip_address=client_ip(request))
    if primo:
        messages.success(request, _("Your calendar address is ready: add it to your calendar app."))
    else:
        messages.success(request, _("Your calendar has a new address: the old one no longer works."))
    return redirect(reverse("volontari:mio") + "#calendario")


def _escape(testo: str) -> str:
    return testo.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@require_safe
def calendario(request, token: str):
    """The service calendar as iCalendar (RFC 5545), for the volunteer's calendar app. The
    address carries a secret key instead of a sign-in; health-related days appear only as an
    absence."""
    if "\x00" in token:  # no key holds one, and PostgreSQL refuses NUL in text
        raise Http404
    volontario = get_object_or_404(Volontario, ical_token=token)
    servizi = list(
        Servizio.objects.filter(volontario=volontario)
        .exclude(stato=Servizio.Stato.RINUNCIA)
        .select_related("posto__progetto", "posto__sede")
    )
    adesso = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    righe = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rete Servizio Civile//Registro//IT", "CALSCALE:GREGORIAN"]

    def evento(uid, giorno_da, giorno_a, titolo, descrizione=""):
        righe.extend(
            [
                "BEGIN:VEVENT",
                f"UID:{uid}@rete-servizio-civile",
                f"DTSTAMP:{adesso}",
                f"DTSTART;VALUE=DATE:{giorno_da:%Y%m%d}",
                f"DTEND;VALUE=DATE:{giorno_a + datetime.timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_escape(capfirst(titolo))}",
                *([f"DESCRIPTION:{_escape(descrizione)}"] if descrizione else []),
                "END:VEVENT",
            ]
        )

    for s in servizi:
        evento(
            f"servizio-{s.pk}",
            s.data_inizio,
            s.data_fine,
            _("Servizio Civile: %(progetto)s") % {"progetto": s.posto.progetto.titolo},
            f"{s.posto.sede.denominazione}, {s.posto.sede.indirizzo} {s.posto.sede.civico}",
        )
    for p in Presenza.objects.filter(servizio__in=servizi).exclude(codice="NL").order_by("giorno"):
        if p.codice == "P":
            titolo = _("%(attivita)s, %(ore)s h") % {
                "attivita": p.get_attivita_display(),
                "ore": rules.ore_testo(p.ore),
            }
        elif p.codice in Presenza.CODICI_SANITARI:
            titolo = _("Absence")
        else:
            titolo = p.get_codice_display()
        evento(f"presenza-{p.pk}", p.giorno, p.giorno, titolo)
    righe.append("END:VCALENDAR")
    response = HttpResponse("\r\n".join(righe) + "\r\n", content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_safe
def certificato(request, pk: int):
    """The certificate of service, for the period actually served, when the rules allow it."""
    from weasyprint import HTML

    servizio = get_object_or_404(
        Servizio.objects.visible_to(request.user).select_related(
            "volontario", "posto__progetto__settore", "posto__sede__ente"
        ),
        pk=pk,
    )
    if not ciclo.certificato_disponibile(servizio):
        raise Http404
    ore = Presenza.objects.filter(servizio=servizio).aggregate(totale=Sum("ore"))["totale"]
    formazione = actions.totali([servizio.pk])[servizio.pk]
    html = render(
        request,
        "volontari/certificato_pdf.html",
        {"servizio": servizio, "ore": ore or 0, "totali": formazione, "oggi": timezone.localdate()},
    ).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestato_servizio_{servizio.pk}.pdf"'
    return response
