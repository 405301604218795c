"""What every answer to bad input must satisfy: never a 500, a message in Italian where the
input was refused, the database as it was, and CSV cells a spreadsheet will not run."""

import csv
import functools
import io
import re

from django import forms
from django.contrib.messages import constants, get_messages
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real

from accounts.models import AuditEvent

RISPOSTE_AMMESSE = {200, 302, 400, 403, 404, 410, 422, 429}
INIZI_PERICOLOSI = ("=", "+", "-", "@", "\t", "\r")


def istantanea(*modelli) -> dict:
    """Every row of the given tables (and of the audit log): equal before and after means
    nothing was written, not even partly."""
    return {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in (*modelli, AuditEvent)}


_SEGNAPOSTO = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")


@functools.cache
def _traduzioni():
    """The Italian catalogue (the portal's, Django's, allauth's) as exact strings and, for
    messages with placeholders, patterns where each placeholder matches anything."""
    esatti, modelli = set(), []
    for _msgid, msgstr in trans_real.translation("it")._catalog.items():
        if not msgstr or not isinstance(msgstr, str):
            continue
        if _SEGNAPOSTO.search(msgstr):
            letterale = _SEGNAPOSTO.sub("", msgstr).replace("%%", "%")
            if sum(c.isalpha() for c in letterale) < 6:
                continue  # "%(a)s: %(b)s" would match any text
            parti = [re.escape(p.replace("%%", "%")) for p in _SEGNAPOSTO.split(msgstr)]
            modelli.append(re.compile("(?:.*?)".join(parti), re.S))
        else:
            esatti.add(msgstr.strip())
    return frozenset(esatti), modelli


@functools.cache
def e_italiano(messaggio: str) -> bool:
    """The message is a translated one (or several joined by spaces)."""
    messaggio = messaggio.strip()
    esatti, modelli = _traduzioni()
    if messaggio in esatti or any(m.fullmatch(messaggio) for m in modelli):
        return True
    # Services join their messages: "X. Y."
    for i, c in enumerate(messaggio):
        if c == " " and messaggio[i - 1] in ".:;!?" and e_italiano(messaggio[:i]) and e_italiano(messaggio[i + 1 :]):
            return True
    return False


def _errori_form(valore) -> list[str]:
    out = []
    if isinstance(valore, forms.BaseFormSet):
        out += [str(e) for e in valore.non_form_errors()]
        for f in valore.forms:
            out += _errori_form(f)
    elif isinstance(valore, forms.BaseForm) and valore.is_bound:
        for errori in valore.errors.values():
            out += [str(e) for e in errori]
    elif hasattr(valore, "form") and isinstance(getattr(valore, "form", None), forms.BaseForm):  # a FilterSet
        out += _errori_form(valore.form)
    return out


def messaggi_di_errore(response, *extra: str) -> list[str]:
    """Error messages of a response: form and formset errors, error and warning messages of
    the messages framework, and whatever the test read from the context."""
    out = list(extra)
    with translation.override("it"):
        if response.context is not None:
            visti = set()
            # One template: a Context; several: a ContextList of them.
            contesti = [response.context] if hasattr(response.context, "flatten") else list(response.context)
            for contesto in contesti:
                for chiave, valore in contesto.flatten().items():
                    if id(valore) in visti:
                        continue
                    visti.add(id(valore))
                    out += _errori_form(valore)
                    if chiave in ("errore", "esito_errore") and valore:
                        out.append(str(valore))
                    if chiave == "errori" and isinstance(valore, list):
                        out += [str(m) for _n, m in valore]
        # Only the messages added by this request: those of earlier ones wait in the cookie.
        nuovi = getattr(get_messages(response.wsgi_request), "_queued_messages", [])
        out += [str(m.message) for m in nuovi if m.level in (constants.ERROR, constants.WARNING)]
    return list(dict.fromkeys(m for m in out if m))


def verifica_rifiuto(response, *extra: str) -> list[str]:
    """A refusal: an allowed status, at least one message, each in Italian and on the page
    (when the answer is a page rather than a redirect)."""
    assert response.status_code in RISPOSTE_AMMESSE, response.status_code
    messaggi = messaggi_di_errore(response, *extra)
    assert messaggi, f"refused without a message (status {response.status_code})"
    for m in messaggi:
        assert e_italiano(m), f"not an Italian message: {m!r}"
    if response.status_code in (200, 400, 422) and response.get("Content-Type", "").startswith("text/html"):
        pagina = response.content.decode()
        for m in messaggi:
            assert escape(m) in pagina or m in pagina, f"message not on the page: {m!r}"
    return messaggi


def successo(response) -> bool:
    """A redirect without error messages: the portal says it did what was asked."""
    return response.status_code == 302 and not messaggi_di_errore(response)


def celle_csv(contenuto: bytes, delimitatore: str | None = None) -> list[list[str]]:
    testo = contenuto.decode("utf-8-sig")
    if delimitatore is None:
        intestazione = testo.split("\n", 1)[0]
        delimitatore = ";" if intestazione.count(";") >= intestazione.count(",") else ","
    return list(csv.reader(io.StringIO(testo, newline=""), delimiter=delimitatore))


def verifica_csv_sicuro(contenuto: bytes, delimitatore: str | None = None, dove: str = "") -> list[list[str]]:
    """No cell a spreadsheet would run: the dangerous first characters come after a quote."""
    righe = celle_csv(contenuto, delimitatore)
    for n, riga in enumerate(righe, start=1):
        for cella in riga:
            if cella.startswith(INIZI_PERICOLOSI):
                # Numbers may be negative: a signed number is not a formula.
                if re.fullmatch(r"-\d+(?:[.,]\d+)?", cella):
                    continue
                raise AssertionError(f"{dove} line {n}: the cell {cella!r} would run as a formula")
    return righe


def verifica_righe_pulite(*modelli) -> None:
    """Every text of these tables has no NUL and fits its column (SQLite would keep both;
    PostgreSQL refuses them, so a test on SQLite must catch them here)."""
    from django.db import models

    for modello in modelli:
        campi = [f for f in modello._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for riga in modello.objects.values_list("pk", *(f.attname for f in campi)):
            for campo, valore in zip(campi, riga[1:], strict=True):
                if valore is None:
                    continue
                assert "\x00" not in valore, f"{modello.__name__}.{campo.name} keeps a NUL"
                if campo.max_length:
                    assert len(valore) <= campo.max_length, f"{modello.__name__}.{campo.name} longer than its column"


def prova_valori_critici(prova, validi: dict, tipi: dict, *, accettati=None) -> int:
    """Every field in turn gets each critical value of its kind (strategie.CRITICI) while the
    others stay valid; `prova(dati)` posts and checks, each time in a rolled-back savepoint.
    `accettati(response)`, if given, first checks that the valid form itself goes through
    (otherwise every try would be refused for the wrong reason). Returns how many were tried."""
    from .conftest import esempio
    from .strategie import CRITICI

    if accettati is not None:
        with esempio():
            assert accettati(prova(validi)), "the valid form is refused: the tries would prove nothing"
    n = 0
    for campo, tipo in tipi.items():
        for valore in CRITICI[tipo]:
            with esempio():
                prova({**validi, campo: valore})
            n += 1
    return n


def prova_modulo(client, url: str, dati: dict, *modelli):
    """Post a form: either the portal says it is done and the rows it wrote are clean, or it
    refuses with messages in Italian and these tables (and the audit log) are as they were."""
    prima = istantanea(*modelli)
    r = client.post(url, dati)
    if successo(r):
        verifica_righe_pulite(*modelli)
    else:
        assert istantanea(*modelli) == prima
        verifica_rifiuto(r)
    return r
