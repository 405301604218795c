"""Every page of the authorization matrix, opened by five people of the network, timed.

`elenco()` (Django set up) builds, for each persona, the pages the URL policy lets them open:
every URL name that takes no arguments, plus the pages with arguments, filled with a real row
of the persona's scope (the largest ente they see, its largest project, a volunteer in
service there...). The monitoring dashboard is opened at each scope: national (national
staff), ANCI Lombardia (its nodo staff), one ente and one project (the referente).
`bench/query_counts.py` counts the SQL queries of the same list at both scales.

Run as a script (with `bench.settings` and a database) it prints one JSON line: each
persona's session cookie and pages. `bench/run.py --only pagine` then opens every page
through gunicorn (production settings), several times, and keeps the p95 and the size.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# The people of the benchmark: the demo's accounts, present at both scales.
PERSONE = {
    "nazionale": "nazionale@demo.example",
    "nodo_lombardia": "nodo.lombardia@demo.example",
    # Comune di Milano: the largest comune of the demo's accounts.
    "referente_milano": "referente.b@demo.example",
    "olp": "olp@demo.example",
    "volontario": "volontario@demo.example",
}

BUDGET_MS = 300
BUDGET_KB = 200

# Why a page misses its budget, and who fixes it: page label -> (reason, who). Written from
# the measurements (docs/benchmarks.md prints it beside each page over budget); a page over
# budget with no entry here is printed as "not analysed yet", unless the same page holds for
# another persona in the same run (then the machine's load is the likely reason, and it says so).
CRUSCOTTO = (
    "the indicators are computed from every attendance day of the scope on each request, and the page lists "
    "every part of the scope",
    "issue 16, indicators read rollups (monitoraggio/indicatori.py) and the dashboard becomes a paginated worklist",
)
TENDINE = "issue 16, type-ahead selectors for the big drop-downs"
REGISTRO_UNICO = (
    "not fixed: paging the register's forms (by sede or OLP) changes how a month is saved (the form's fields, "
    "'fill the week', each service's version): a follow-up"
)
MOTIVI = {
    "monitoraggio:cruscotto (rete)": CRUSCOTTO,
    "monitoraggio:cruscotto (nodo)": CRUSCOTTO,
    "monitoraggio:cruscotto (ente)": CRUSCOTTO,
    "monitoraggio:cruscotto (progetto)": CRUSCOTTO,
    "report:lista": ("the page carries the order form, whose drop-downs list every ente and project of the scope",
                     TENDINE),
    "progetti:programma_nuovo": ("the programme form's drop-downs list every project and ente of the scope", TENDINE),
    "progetti:programma_modifica": ("the programme form's drop-downs list every project and ente of the scope",
                                    TENDINE),
    "inviti:nuovo": ("the invitation form's drop-downs list every ente, sede, OLP and volunteer of the scope",
                     TENDINE),
    "registro:griglia": ("the month grid is one form with a column of 31 cells for each volunteer of the ente "
                         "(632 for the Comune di Milano)", REGISTRO_UNICO),
    "registro:oggi": ("today's register is one form with a row for each volunteer of the ente", REGISTRO_UNICO),
    "registro:relazioni": ("the monthly report is one form with a row for each volunteer of the ente",
                           REGISTRO_UNICO),
    "registro:esporta": ("a download, not a page: the Helios file of the whole ente's month, built on request",
                         "not fixed: could be queued and mailed like the PDF reports"),
    "registro:foglio": ("a download: the month's attendance sheet, a PDF rendered by WeasyPrint on request",
                        "not fixed: PDF rendering time, not queries"),
    "volontari:certificato": ("a download: the certificate, a PDF rendered by WeasyPrint on request",
                              "not fixed: PDF rendering time, not queries"),
    # Fixed in this branch (docs/benchmarks.md, "What was fixed"); still here if a run finds them over.
    "volontari:lista": ("sorted every service in service of the scope by name to show 50 (fixed: an index on the "
                        "names, 980 ms to 26 ms in EXPLAIN ANALYZE)", "done; deep pages still sort"),
    "progetti:lista": ("grouped every project with its places for an unused count (fixed: no grouping, an index "
                       "on aggiornato_il, 460 ms to 15 ms in EXPLAIN ANALYZE)", "done"),
    "registro:chiusura_ente": ("every volunteer of the ente in one table, each month read (fixed: paged by 50)",
                               "done"),
    "catalogo:lista": ("signed in, the open projects were found again on every request (fixed: their ids kept "
                       "for everybody under the public data's generation)", "done"),
    "pubblico:nodo": ("signed in, a thousand member bodies rendered on every request (fixed: the list kept "
                      "rendered for everybody)", "done"),
    "volontari:dettaglio": ("the volunteer was found through a join of every service to its sede (fixed: the "
                            "scope as a subquery on posto_id, 350 ms to 94 ms)", "done"),
    "volontari:codice_helios": ("not analysed: a one-row page, near the budget on the busy machine", ""),
    "volontari:mio": ("not analysed: a one-volunteer page, near the budget on the busy machine", ""),
    "volontari:i_miei_dati": ("a download: the volunteer's personal data as a zip, built on request",
                              "not fixed: a rare download"),
}  # fmt: skip

# URL names never timed: the admin (its own users, its own second factor) and the benchmark's
# bare view. Pages whose arguments are secrets (an invitation's token, an e-mail key) are left
# out by `elenco`; redirects and POST-only pages are opened once and listed with their status.
ESCLUSI_PREFISSI = ("admin:", "bench_")


def _nomi_url() -> list[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name

    return sorted(set(walk(get_resolver().url_patterns)))


def _righe(user) -> dict:
    """The rows of the persona's scope that fill the pages' arguments (None: not found)."""
    from django.db.models import Count, Q

    from enti.access import ambito
    from enti.models import Ente, Esperto, Nodo
    from monitoraggio.models import Report
    from progetti.models import Progetto, Programma
    from pubblico.models import Notizia
    from pubblico.views_catalogo import catalogo_queryset
    from volontari.models import Questionario, Servizio

    a = ambito(user)
    in_servizio = Q(sedi__posti__servizi__stato="in_servizio")
    enti = Ente.objects.visible_to(user)
    if a.enti:
        enti = enti.filter(pk__in=a.enti)
    volontario = getattr(user, "volontario", None)
    servizi = Servizio.objects.visible_to(user)
    if volontario is not None and not a.ruoli:
        servizio = servizi.filter(volontario=volontario).order_by("-data_inizio").first()
        ente = servizio.posto.sede.ente if servizio else None
    else:
        ente = enti.annotate(n=Count("sedi__posti__servizi", filter=in_servizio)).order_by("-n", "pk").first()
        servizio = servizi.filter(stato="in_servizio", posto__sede__ente=ente).order_by("pk").first() if ente else None
    progetti = Progetto.objects.visible_to(user)
    progetto = (
        progetti.filter(ente=ente)
        .annotate(n=Count("posti__servizi", filter=Q(posti__servizi__stato="in_servizio")))
        .order_by("-n", "pk")
        .first()
        if ente
        else None
    )
    programma = Programma.objects.visible_to(user).order_by("pk").first()
    if progetto and progetto.programma_id:
        programma = Programma.objects.visible_to(user).filter(pk=progetto.programma_id).first() or programma
    return {
        "ente": ente,
        "progetto": progetto,
        "servizio": servizio,
        "concluso": servizi.filter(stato="concluso", posto__sede__ente=ente).order_by("pk").first() if ente else None,
        "bozza": progetti.filter(ente=ente, stato="bozza").order_by("pk").first() if ente else None,
        "programma": programma,
        "esperto": Esperto.objects.visible_to(user).order_by("pk").first(),
        "report": Report.objects.visible_to(user).order_by("-pk").first(),
        "questionario": (
            Questionario.objects.filter(servizio__volontario=volontario).order_by("-pk").first() if volontario else None
        ),
        "volontario": volontario,
        "nodo": Nodo.objects.filter(slug="lombardia").first(),
        "notizia": Notizia.objects.filter(pubblicata=True).order_by("-pk").first(),
        "catalogo": catalogo_queryset().first(),
        "nazionale": a.nazionale,
        "nodi": a.nodi,
    }


def _pk(oggetto):
    return None if oggetto is None else [oggetto.pk]


# The pages with arguments: URL name -> arguments from the persona's rows (None: skipped).
ARGOMENTI = {
    "enti:dettaglio": lambda r: _pk(r["ente"]),
    "enti:modifica": lambda r: _pk(r["ente"]),
    "sedi:nuova": lambda r: _pk(r["ente"]),
    "olp:nuovo": lambda r: _pk(r["ente"]),
    "registro:chiusura_ente": lambda r: _pk(r["ente"]),
    "registro:importa": lambda r: _pk(r["ente"]),
    "registro:esporta": lambda r: _pk(r["ente"]),
    "sedi:modifica": lambda r: r["servizio"] and [r["servizio"].posto.sede_id],
    "olp:modifica": lambda r: r["servizio"] and [r["servizio"].olp_id],
    "servizi:avvia": lambda r: r["servizio"] and [r["servizio"].posto_id],
    "volontari:dettaglio": lambda r: r["servizio"] and [r["servizio"].volontario_id],
    "volontari:codice_helios": lambda r: r["servizio"] and [r["servizio"].volontario_id],
    "registro:volontario": lambda r: _pk(r["servizio"]),
    "registro:foglio": lambda r: _pk(r["servizio"]),
    "servizi:interrompi": lambda r: _pk(r["servizio"]),
    "servizi:subentro": lambda r: _pk(r["servizio"]),
    "volontari:certificato": lambda r: _pk(r["concluso"]),
    "progetti:dettaglio": lambda r: _pk(r["progetto"]),
    "progetti:modifica": lambda r: r["bozza"] and [r["bozza"].pk, "generale"],
    "progetti:programma": lambda r: _pk(r["programma"]),
    "progetti:programma_modifica": lambda r: _pk(r["programma"]),
    "progetti:esperto_modifica": lambda r: _pk(r["esperto"]),
    "report:dettaglio": lambda r: _pk(r["report"]),
    "volontari:questionario": lambda r: _pk(r["questionario"]),
    "volontari:calendario": lambda r: r["volontario"] and r["volontario"].ical_token and [r["volontario"].ical_token],
    "catalogo:dettaglio": lambda r: _pk(r["catalogo"]),
    "pubblico:nodo": lambda r: r["nodo"] and [r["nodo"].slug],
    "pubblico:notizia": lambda r: r["notizia"] and [r["notizia"].slug],
    "pubblico:dataset": lambda r: ["contatori", "json"],
}


def _cruscotti(r) -> list[tuple[str, str]]:
    """The monitoring dashboard at the persona's scopes: the network for national staff, the
    nodo for nodo staff (its default), the ente and its largest project for the ente."""
    from django.urls import reverse

    base = reverse("monitoraggio:cruscotto")
    if r["nazionale"]:
        return [("monitoraggio:cruscotto (rete)", base + "?livello=rete")]
    if r["nodi"]:
        return [("monitoraggio:cruscotto (nodo)", base)]
    out = [("monitoraggio:cruscotto (ente)", base)]
    if r["progetto"]:
        out.append(("monitoraggio:cruscotto (progetto)", f"{base}?livello=progetto&id={r['progetto'].pk}"))
    return out


def elenco(user) -> list[tuple[str, str]]:
    """(label, URL) of every page the policy lets `user` open, arguments filled from their scope."""
    from django.urls import NoReverseMatch, reverse

    from enti import policy

    righe = _righe(user)
    out = []
    for nome in _nomi_url():
        if nome.startswith(ESCLUSI_PREFISSI) or not policy.consentito(user, nome):
            continue
        if nome == "monitoraggio:cruscotto":
            out += _cruscotti(righe)
            continue
        if nome in ARGOMENTI:
            args = ARGOMENTI[nome](righe)
            if args:
                out.append((nome, reverse(nome, args=args)))
            continue
        try:
            out.append((nome, reverse(nome)))
        except NoReverseMatch:
            continue  # arguments the benchmark cannot fill (tokens, keys)
    return out


def sessioni() -> dict:
    """{persona: {"cookie": session cookie, "pagine": [[label, url], ...]}} (Django set up)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    out = {}
    for persona, email in PERSONE.items():
        user = get_user_model().objects.get(email=email)
        c = Client(HTTP_HOST="localhost")
        c.force_login(user)
        out[persona] = {"cookie": c.cookies[settings.SESSION_COOKIE_NAME].value, "pagine": elenco(user)}
    return out


# Timing, outside Django: plain HTTP against gunicorn ------------------------------------------


class _NessunRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def apri(url: str, cookie: str) -> tuple[int, int, float, str]:
    """(status, bytes, milliseconds, content type) of one GET, redirects not followed."""
    opener = urllib.request.build_opener(_NessunRedirect)
    richiesta = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}", "Accept-Encoding": "identity"})
    t = time.perf_counter()
    try:
        with opener.open(richiesta, timeout=300) as r:
            corpo = r.read()
            stato, tipo = r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        corpo = e.read()
        stato, tipo = e.code, e.headers.get("Content-Type", "")
    return stato, len(corpo), (time.perf_counter() - t) * 1000, tipo.split(";")[0]


def p95(valori):
    ordinati = sorted(valori)
    return ordinati[min(len(ordinati) - 1, round(0.95 * (len(ordinati) - 1)))]


def misura(base: str, persone: dict, richieste: int = 5, log=print) -> list[dict]:
    """Each page of each persona: one warm-up request, then `richieste` timed ones (2 when the
    warm-up took over 5 s: p95 of a page that slow says enough). Pages answering anything but
    200 are listed with their status, untimed."""
    out = []
    for persona, d in persone.items():
        for nome, url in d["pagine"]:
            stato, byte, ms, tipo = apri(base + url, d["cookie"])
            riga = {"persona": persona, "pagina": nome, "url": url, "stato": stato, "tipo": tipo, "kb": byte / 1024}
            if stato == 200:
                tempi = [apri(base + url, d["cookie"])[2] for _ in range(richieste if ms < 5000 else 2)]
                riga.update(med_ms=sorted(tempi)[len(tempi) // 2], p95_ms=p95(tempi), n=len(tempi))
                riga["carico"] = os.getloadavg()[0]  # the machine's 1-minute load average, to read the figure by
                riga["fuori"] = fuori_budget(riga)
                log(f"{persona} {url}: p95 {riga['p95_ms']:.0f} ms, {riga['kb']:.0f} KB")
            out.append(riga)
    return out


def motivo(riga: dict, righe: list[dict]) -> tuple[str, str]:
    """Why `riga` misses its budget (MOTIVI), or the load when the same page holds for someone else."""
    # A form whose drop-downs are small for this persona (national staff invite only nodo staff)
    # is not slow for its drop-downs.
    if riga["pagina"] in MOTIVI and not (MOTIVI[riga["pagina"]][1] == TENDINE and riga["kb"] < 50):
        return MOTIVI[riga["pagina"]]
    altre = [r for r in righe if r["pagina"] == riga["pagina"] and r is not riga and r.get("p95_ms") is not None]
    migliore = min(altre, key=lambda r: r["p95_ms"], default=None)
    if migliore is not None and not migliore["fuori"] and "size" not in riga["fuori"]:
        return (
            "the machine's load"
            + (f" (1-minute average {riga['carico']:.1f})" if "carico" in riga else "")
            + ": the same URL name took "
            + f"{migliore['p95_ms']:.0f} ms (p95) for {migliore['persona']} in this run",
            "",
        )
    return ("**not analysed yet**", "")


def fuori_budget(riga: dict) -> list[str]:
    """What a timed page misses: the time budget always, the size budget for HTML pages."""
    fuori = []
    if riga["p95_ms"] > BUDGET_MS:
        fuori.append("time")
    if riga["tipo"] == "text/html" and riga["kb"] > BUDGET_KB:
        fuori.append("size")
    return fuori


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(json.dumps(sessioni()))
