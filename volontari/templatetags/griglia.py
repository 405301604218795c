"""The month grid's repeated markup.

Every open cell of the grid (31 days × each volunteer) carries the same two lists of
options, differing only in the selected one. Rendered with `{% for %}` they were most of the
cost of loading and saving a month (docs/benchmarks.md); here each (list, selection,
language) is rendered once per process and reused.
"""

from functools import lru_cache

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


def _liste() -> dict[str, tuple[list, bool]]:
    from volontari.models import Presenza
    from volontari.views_registro import ATTIVITA_BREVI

    # name -> (choices, whether the option shows the code with its name as a title)
    return {"codici": (Presenza.Codice.choices, True), "attivita": (ATTIVITA_BREVI, False)}


@lru_cache(maxsize=512)
def _opzioni(nome: str, selezionato: str, lingua: str) -> SafeString:
    scelte, codice_con_titolo = _liste()[nome]
    parti = []
    for valore, etichetta in scelte:
        scelto = mark_safe(" selected") if valore == selezionato else ""
        if codice_con_titolo:
            parti.append(format_html('<option value="{}" title="{}"{}>{}</option>', valore, etichetta, scelto, valore))
        else:
            parti.append(format_html('<option value="{}"{}>{}</option>', valore, scelto, etichetta))
    return format_html_join("", "{}", ((p,) for p in parti))


@register.simple_tag
def opzioni(nome: str, selezionato) -> SafeString:
    """`{% opzioni "codici" cella.codice %}`: the <option>s of list `nome` with one selected."""
    return _opzioni(nome, str(selezionato or ""), get_language() or "")
