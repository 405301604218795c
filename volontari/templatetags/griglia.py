"""The month grid's repeated markup.

Every open cell of the grid (31 days × each volunteer) carries the same two lists of
options, differing only in the selected one. Rendered with `{% for %}` they were most of the
cost of loading and saving a month (docs/benchmarks.md); here each (list, selection,
language) is rendered once per process and reused.
"""

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


def formatta_ore(ore) -> str:
    """Hours as people write them: 5, 5,5, 7,25 (the page's decimal separator), never 5.00."""
    if ore is None or ore == "":
        return ""
    testo = format(Decimal(ore).normalize(), "f")
    return testo.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def formatta_data(giorno, formato: str = "j F Y") -> str:
    """A date in words, as the language writes it: in Italian the names of months and days
    are lowercase ("4 dicembre 2026", "ven 4 dicembre"); Django's catalogue capitalises them."""
    testo = date_format(giorno, formato)
    return testo.lower() if (get_language() or "").startswith("it") else testo


@register.filter
def ore(valore) -> str:
    """`{{ p.ore|ore }}`: see formatta_ore."""
    return formatta_ore(valore)


@register.filter
def data(valore, formato: str = "j F Y") -> str:
    """`{{ giorno|data }}` or `{{ giorno|data:"D j F" }}`: see formatta_data."""
    return formatta_data(valore, formato) if valore else ""


@register.simple_tag
def cella(c: dict, etichette: dict, nome: str = "", segnaposto: str = "") -> SafeString:
    """One cell of the register (a day of one volunteer), built here rather than by an
    included template: the month grid has up to 31 × volunteers of them (docs/benchmarks.md).

    An open cell has the day code (a text field with the codes as suggestions: it takes typed
    letters and leaves the arrow keys to move between cells) and, on P days only, the hours
    and the activity; js/registro.js hides and clears them when the code changes."""
    if not c["aperta"]:
        if not c["dentro"]:
            return format_html('<span class="visually-hidden">{}</span>', _("not in service"))
        if c["ore"]:
            return format_html(
                '<span class="codice">{}</span> <span class="small">{}</span>',
                c["codice"] or "-",
                _("%(ore)s h") % {"ore": c["ore"]},
            )
        return format_html('<span class="codice">{}</span>', c["codice"] or "-")
    chiave = c["chiave"]
    nome = nome or c.get("nome", "")
    di = f", {nome}" if nome else ""
    errore = ""
    if c["errori"]:
        errore = format_html(
            '<div class="invalid-feedback d-block" id="e-{}">{}</div>',
            chiave,
            format_html_join("", '<p class="mb-0">{}</p>', ((e,) for e in c["errori"])),
        )
    avvisi = format_html_join("", '<p class="small text-warning-emphasis mb-0">{}</p>', ((a,) for a in c["avvisi"]))
    return format_html(
        '<div class="cella{}" data-cella>'
        '<input type="text" name="c-{}" id="c-{}" value="{}" list="codici-giorno" maxlength="4" autocomplete="off"'
        ' autocapitalize="characters" spellcheck="false" class="form-control form-control-sm codice"'
        ' aria-label="{}{}"{}{}>'
        '<span class="solo-p"{}>'
        '<input type="text" name="o-{}" value="{}" inputmode="decimal" maxlength="5" autocomplete="off"'
        ' class="form-control form-control-sm ore" aria-label="{}{}" size="3">'
        '<select name="a-{}" class="form-select form-select-sm attivita" aria-label="{}{}">{}</select>'
        "</span>{}{}</div>",
        " cella-errore" if c["errori"] else "",
        chiave,
        chiave,
        c["codice"],
        etichette["codice"],
        di,
        format_html(' aria-invalid="true" aria-describedby="e-{}"', chiave) if c["errori"] else "",
        format_html(' placeholder="{}"', segnaposto) if segnaposto else "",
        "" if c["codice"] == "P" else mark_safe(" hidden"),
        chiave,
        c["ore"],
        etichette["ore"],
        di,
        chiave,
        etichette["attivita"],
        di,
        opzioni("attivita", c["attivita"]),
        errore,
        avvisi,
    )


@register.filter
def index(sequenza, i: int):
    """`{{ r.celle|index:forloop.counter0 }}`: the i-th item."""
    return sequenza[i]
