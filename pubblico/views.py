"""The public face: the network and its nodes, the figures and their history, news, open
data, the accessibility statement, the privacy notice and the language switch. Public data only.

Caching: the counters come from the cache (pubblico.counters), so the home page and the
counters' data answer a hit without SQL for an anonymous visitor (no session cookie). They
carry an ETag made of the figures' fingerprint and the language, and a short max-age, so a
browser or a proxy revalidates and gets a 304 until a figure moves.
"""

import datetime
import hashlib
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.formats import get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from enti.models import Ente, Nodo
from infra import grafici, memoria

from . import counters, opendata, pagine
from .models import Istantanea, Notizia
from .pagine import anonimo

# The three public figures, in the order the home page shows them.
CIFRE = [
    ("enti", gettext_lazy("Bodies and comuni"), gettext_lazy("members of the network")),
    ("olp", gettext_lazy("Active OLP"), gettext_lazy("tutors with a volunteer in service today")),
    ("volontari", gettext_lazy("Active volunteers"), gettext_lazy("young people in service today")),
]

# The network's aims, as the home page states them.
OBIETTIVI = [
    (
        gettext_lazy("Youth policies close to home"),
        gettext_lazy("Promote youth policies and support local bodies in running their Servizio Civile projects."),
    ),
    (
        gettext_lazy("An active part in the system"),
        gettext_lazy("Give comuni an active way into the Servizio Civile system, coordinated territory by territory."),
    ),
    (
        gettext_lazy("One strategy, shared quality"),
        gettext_lazy(
            "One common strategy with shared quality criteria, and effective control and monitoring of every project."
        ),
    ),
    (
        gettext_lazy("Experts in common"),
        gettext_lazy(
            "Pool the best trainers, selectors, tutors and monitoring experts, so that no single body has to pay "
            "for a whole project staff."
        ),
    ),
    (
        gettext_lazy("Quality for small comuni too"),
        gettext_lazy("Let the smallest and weakest bodies run quality projects as well."),
    ),
    (
        gettext_lazy("Networks that work together"),
        gettext_lazy(
            "Build on existing territorial networks (unions of comuni, social-health zone plans, library "
            "consortia) and grow new ones."
        ),
    ),
]

MAX_AGE_CONTATORI = 5  # seconds: the live figures
MAX_AGE_PAGINE = 30  # seconds: pages and files that change a few times a day
MAX_AGE_FILE = 300  # seconds: open-data files, in browsers
# Shared caches (docs/deploy.md, "The proxy in front"): how long they may answer without
# asking the portal, and how long past that they may answer with the old copy while one
# request refreshes it. A change reaches the public pages within S_MAXAGE and one refresh.
S_MAXAGE = 5
S_MAXAGE_FILE = 10
STALE_WHILE_REVALIDATE = 30
CHIAVE_NOTIZIE = "network:notizie:ultime"
CHIAVE_HOME = "network:home:{}"
CHIAVE_DATASET = "network:dati:{}:{}"


# What a visitor without a session (and without a one-off message waiting for them) sees is
# the same for all of them: cacheable by proxies and by the portal itself.
def ultime_notizie() -> list[dict]:
    """The three latest published news items, from the cache (refreshed when one is saved)."""
    notizie = memoria.leggi(CHIAVE_NOTIZIE, lambda: cache.get(CHIAVE_NOTIZIE))
    if notizie is None:
        notizie = list(Notizia.objects.pubblicate().values("titolo", "slug", "sommario", "pubblicata_il")[:3])
        cache.set(CHIAVE_NOTIZIE, notizie, timeout=300)  # a scheduled item appears within 5 minutes
        memoria.scrivi(CHIAVE_NOTIZIE, notizie)
    return notizie


def _notizie_cambiate(sender, **kwargs) -> None:
    cache.delete(CHIAVE_NOTIZIE)
    memoria.dimentica(CHIAVE_NOTIZIE)
    memoria.dimentica(CHIAVE_NOTIZIE + ":impronta")


post_save.connect(_notizie_cambiate, sender=Notizia, dispatch_uid="notizie-cache-save")
post_delete.connect(_notizie_cambiate, sender=Notizia, dispatch_uid="notizie-cache-delete")


def etag_home(request) -> str | None:
    if not anonimo(request):
        return None  # a signed-in header: never shared
    return f"{counters.versione(counters.get())}-{get_language()}-{impronta_notizie()}"


def impronta_notizie() -> str:
    """The latest news' fingerprint, computed once per read of the news (it is in every ETag
    of the home page)."""

    def calcola() -> str:
        return _impronta("|".join(f"{n['slug']}{n['pubblicata_il'].isoformat()}" for n in ultime_notizie()))

    return memoria.leggi(CHIAVE_NOTIZIE + ":impronta", calcola)


def _impronta(testo: str) -> str:
    """The same in every worker process (unlike hash())."""
    return hashlib.sha256(testo.encode()).hexdigest()[:12]


def pubblica(response, request, max_age: int, *, s_maxage: int = S_MAXAGE):
    """Cache-Control of a public answer. Browsers keep it `max_age` seconds; shared caches (the
    proxy in front, a CDN) at most `s_maxage`, then serve the old copy for up to
    STALE_WHILE_REVALIDATE seconds while one request refreshes it, so a change reaches every
    visitor within s_maxage plus one refresh. Signed-in visitors' answers stay private."""
    if anonimo(request):
        campi = {"public": True, "max_age": max_age, "s_maxage": min(s_maxage, max_age),
                 "stale_while_revalidate": STALE_WHILE_REVALIDATE}  # fmt: skip
    else:
        campi = {"private": True, "no_cache": True}
    if response.has_header("Cache-Control"):
        patch_cache_control(response, **campi)
    else:  # the common case, without parsing a header that is not there
        response["Cache-Control"] = ", ".join(
            k.replace("_", "-") if v is True else f"{k.replace('_', '-')}={v}" for k, v in campi.items()
        )
    return response


def _contesto_contatori() -> dict:
    """What templates/pubblico/_contatori.html needs."""
    contatori = counters.get()
    return {
        "contatori": contatori,
        "cifre": [{"chiave": k, "etichetta": e, "nota": n, "valore": contatori["rete"][k]} for k, e, n in CIFRE],
        "separatore_migliaia": get_format("THOUSAND_SEPARATOR") if settings.USE_THOUSAND_SEPARATOR else "",
    }


@require_safe
def home(request):
    """For an anonymous visitor the rendered page itself is kept in the cache under its ETag
    (figures, language and news): a hit costs three cache reads and no template. Any change
    to a figure or a news item changes the ETag, hence the key, so no entry is ever stale."""
    etag = etag_home(request)
    if etag is not None:
        non_cambiato = get_conditional_response(request, etag=f'"{etag}"')
        if non_cambiato is not None:
            return pubblica(non_cambiato, request, MAX_AGE_PAGINE)
        corpo = memoria.leggi(CHIAVE_HOME.format(etag), lambda: cache.get(CHIAVE_HOME.format(etag)))
        if corpo is not None:
            response = HttpResponse(corpo)
            response["ETag"] = f'"{etag}"'
            response["Content-Language"] = get_language()
            return pubblica(response, request, MAX_AGE_PAGINE)
    response = render(
        request,
        "network/home.html",
        {**_contesto_contatori(), "obiettivi": OBIETTIVI[:3], "notizie": ultime_notizie()},
    )
    if etag is not None:
        response["ETag"] = f'"{etag}"'
        cache.set(CHIAVE_HOME.format(etag), response.content, timeout=MAX_AGE_PAGINE * 10)
        memoria.scrivi(CHIAVE_HOME.format(etag), response.content)
    return pubblica(response, request, MAX_AGE_PAGINE)


@require_safe
@pagine.in_cache
def rete(request):
    """The network's aims, its nodes with their regions and figures, and the members by
    province."""
    contatori = counters.get()
    per_slug = {n["slug"]: n for n in contatori["nodi"]}
    nodi = [
        {"nodo": n, "cifre": per_slug.get(n.slug)} for n in Nodo.objects.prefetch_related("regioni").order_by("ordine")
    ]
    province = (
        Ente.objects.aderenti()
        .values("comune__provincia__regione__nome", "comune__provincia__nome", "comune__provincia__sigla")
        .annotate(n=Count("pk"))
        .order_by("comune__provincia__regione__nome", "comune__provincia__nome")
    )
    per_regione: dict[str, list] = defaultdict(list)
    for p in province:
        per_regione[p["comune__provincia__regione__nome"]].append(p)
    response = render(
        request,
        "pubblico/rete.html",
        {"obiettivi": OBIETTIVI, "nodi": nodi, "per_regione": dict(per_regione), "totale": contatori["rete"]},
    )
    return pubblica(response, request, MAX_AGE_PAGINE)


@require_safe
@pagine.in_cache
def nodo(request, slug: str):
    """One node: its regions and contacts, its figures, its member bodies by province."""
    n = get_object_or_404(Nodo.objects.prefetch_related("regioni"), slug=slug)
    cifre = next((c for c in counters.get()["nodi"] if c["slug"] == slug), None)

    def membri() -> str:
        per_provincia: dict[str, list] = defaultdict(list)
        for provincia, sigla, denominazione in (
            Ente.objects.aderenti()
            .filter(nodo=n)
            .order_by("comune__provincia__nome", "denominazione")
            .values_list("comune__provincia__nome", "comune__provincia__sigla", "denominazione")
        ):
            per_provincia[f"{provincia} ({sigla})"].append(denominazione)
        return render_to_string("pubblico/_nodo_membri.html", {"per_provincia": dict(per_provincia)})

    response = render(
        request,
        "pubblico/nodo.html",
        {
            "nodo": n,
            "cifre": cifre,
            # A large nodo has a thousand members: their list is rendered once for everybody,
            # signed in or not (pagine.dati), under the public data's generation.
            "membri": mark_safe(pagine.dati(f"nodo-membri:{n.pk}:{get_language()}", membri)),  # noqa: S308
            "notizie": Notizia.objects.pubblicate().filter(nodo=n)[:5],
        },
    )
    return pubblica(response, request, MAX_AGE_PAGINE)


@require_safe
@pagine.in_cache
def numeri(request):
    """The figures today, by node, and their history as a chart and as a table."""
    contatori = counters.get()
    storia = list(
        Istantanea.objects.filter(giorno__gte=timezone.localdate() - datetime.timedelta(days=365))
        .order_by("giorno")
        .values("giorno", "enti", "olp", "volontari")
    )
    oggi = datetime.date.fromisoformat(contatori["giorno"])
    if not storia or storia[-1]["giorno"] < oggi:
        storia.append({"giorno": oggi, **contatori["rete"]})
    serie = [(str(etichetta), [(r["giorno"], r[chiave]) for r in storia]) for chiave, etichetta, _n in CIFRE]
    # The table beside the chart: the first day of each month, and today.
    mensile = [r for r in storia if r["giorno"].day == 1]
    if storia and (not mensile or mensile[-1] is not storia[-1]):
        mensile.append(storia[-1])
    response = render(
        request,
        "pubblico/numeri.html",
        {
            **_contesto_contatori(),
            "grafico": grafici.grafico_linee(serie, titolo=_("The network's figures over the last twelve months")),
            "mensile": mensile,
        },
    )
    return pubblica(response, request, MAX_AGE_PAGINE)


@require_safe
@pagine.in_cache
def notizie(request):
    from django.core.paginator import Paginator

    page = Paginator(Notizia.objects.pubblicate().select_related("nodo"), 10).get_page(request.GET.get("page"))
    return pubblica(render(request, "pubblico/notizie.html", {"page": page}), request, MAX_AGE_PAGINE)


@require_safe
@pagine.in_cache
def notizia(request, slug: str):
    n = get_object_or_404(Notizia.objects.pubblicate().select_related("nodo"), slug=slug)
    paragrafi = [p.strip() for p in n.testo.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return pubblica(
        render(request, "pubblico/notizia.html", {"notizia": n, "paragrafi": paragrafi}), request, MAX_AGE_PAGINE
    )


@require_safe
@pagine.in_cache
def dati(request):
    """The open-data catalogue: each dataset with its schema, formats and licence."""
    return pubblica(
        render(
            request,
            "pubblico/dati.html",
            {
                "datasets": opendata.DATASETS.values(),
                "licenza_url": opendata.LICENZA_URL,
                "versione": opendata.VERSIONE,
            },
        ),
        request,
        MAX_AGE_PAGINE,
    )


@require_safe
def dataset(request, nome: str, formato: str):
    d = opendata.DATASETS.get(nome)
    if d is None or formato not in ("json", "csv"):
        raise Http404
    if nome == "contatori":
        return _contatori(request, d, formato)
    return _dataset_file(request, nome, formato)


def _intestazioni_dataset(response, nome: str, formato: str):
    if formato == "csv":
        # A file to keep, with its name, not a page to read in the browser.
        response["Content-Disposition"] = f'attachment; filename="{nome}.csv"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response["Link"] = f'<{opendata.LICENZA_URL}>; rel="license"'
    return response


TIPI_DATASET = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def _dataset_file(request, nome: str, formato: str):
    """An archived dataset: the file built when its data last changed (pubblico.opendata),
    with its ETag. Only a deployment's very first request, before any build, builds it here."""
    corrente = opendata.file_corrente(nome, formato, get_language())
    if corrente is None:
        opendata.costruisci()
        corrente = opendata.file_corrente(nome, formato, get_language())
    percorso, impronta = corrente
    etag = f'"{impronta}"'
    non_cambiato = get_conditional_response(request, etag=etag)
    if non_cambiato is not None:
        non_cambiato["ETag"] = etag
        return pubblica(non_cambiato, request, MAX_AGE_FILE, s_maxage=S_MAXAGE_FILE)
    response = HttpResponse(percorso.read_bytes(), content_type=TIPI_DATASET[formato])
    response["ETag"] = etag
    return pubblica(_intestazioni_dataset(response, nome, formato), request, MAX_AGE_FILE, s_maxage=S_MAXAGE_FILE)


def _contatori(request, d, formato: str):
    """The live counters: one cache read for both the ETag and the rows (no SQL on a hit)."""
    attuali = counters.get()
    etag = f'"{counters.versione(attuali)}-{get_language()}-{formato}"'
    non_cambiato = get_conditional_response(request, etag=etag)
    if non_cambiato is not None:
        return pubblica(non_cambiato, request, MAX_AGE_CONTATORI)
    # The encoded file is kept under its ETag: the live counters' endpoint is polled by every
    # open home page, and encoding it each time would cost more than the rest of the request.
    chiave = CHIAVE_DATASET.format("contatori", etag)
    corpo = memoria.leggi(chiave, lambda: cache.get(chiave))
    if corpo is None:
        righe = opendata.righe_contatori(attuali)
        corpo = opendata.come_json(d, righe) if formato == "json" else opendata.come_csv(d, righe)
        cache.set(chiave, corpo, timeout=MAX_AGE_PAGINE * 10)
        memoria.scrivi(chiave, corpo)
    response = HttpResponse(corpo, content_type=TIPI_DATASET[formato])
    response["ETag"] = etag
    return pubblica(_intestazioni_dataset(response, "contatori", formato), request, MAX_AGE_CONTATORI)


@require_safe
def accessibilita(request):
    return pubblica(render(request, "pubblico/accessibilita.html"), request, MAX_AGE_PAGINE)


@require_safe
def privacy(request):
    """The privacy notice (GDPR art. 13): the controller and the retention period come from
    the settings, so each deployment states its own."""
    contesto = {
        "titolare": settings.PRIVACY_TITOLARE,
        "contatto": settings.PRIVACY_CONTATTO,
        "dpo": settings.PRIVACY_DPO,
        "anni": settings.PSEUDONIMIZZA_DOPO_ANNI,
        "giorni_report": settings.REPORT_CONSERVAZIONE_GIORNI,
        "cookie": [
            (settings.SESSION_COOKIE_NAME, _("keeps you signed in until you sign out or the session expires")),
            (settings.CSRF_COOKIE_NAME, _("protects the forms you send from forgery by other sites")),
            (settings.LANGUAGE_COOKIE_NAME, _("remembers the language you chose, if you chose one")),
            ("messages", _("carries a confirmation message to the next page, then is deleted")),
        ],
    }
    return pubblica(render(request, "pubblico/privacy.html", contesto), request, MAX_AGE_PAGINE)


@require_safe
def lingua(request, codice: str):
    """The language switch: a link on every page (no form, so public pages carry no CSRF
    token and stay cacheable). Sets Django's language cookie and goes back."""
    if codice not in dict(settings.LANGUAGES):
        raise Http404
    prossima = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        prossima, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        prossima = "/"
    # Not redirect(): it would read "next=home" as the name of a view.
    response = HttpResponseRedirect(prossima)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, codice, max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )  # fmt: skip
    return response
