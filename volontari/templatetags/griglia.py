"""The month grid's repeated markup.

Every open cell of the grid (31 days × each volunteer) carries the same two lists of
options, differing only in the selected one. Rendered with `{% for %}` they were most of the
cost of loading and saving a month (docs/benchmarks.md); here each (list, selection,
language) is rendered once per process and reused.
"""

from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from volontari.rules import ore_testo

register = template.Library()

# The activities of a P day, in the short words of a grid cell.
ATTIVITA_BREVI = [
    ("servizio", gettext_lazy("service")),
    ("formazione_generale", gettext_lazy("gen. training")),
    ("formazione_specifica", gettext_lazy("spec. training")),
]


def _liste() -> dict[str, tuple[list, bool]]:
    from volontari.models import Presenza

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
    """Hours as people write them (`regole.ore_testo`: 5, 5,5, never 5.00); nothing when empty."""
    return "" if ore is None or ore == "" else ore_testo(ore)


def formatta_data(giorno, formato: str = "j F Y") -> str:
    """A date in words, as the language writes it: in Italian the names of months and days
    are lowercase ("4 dicembre 2026", "ven 4 dicembre"); Django's catalogue capitalises them."""
    return _formatta_data(giorno, formato, get_language() or "")


@lru_cache(maxsize=4096)
def _formatta_data(giorno, formato: str, lingua: str) -> str:
    testo = date_format(giorno, formato)
    return testo.lower() if lingua.startswith("it") else testo


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
    # Plain str.format with html.escape: format_html's per-argument work was most of the
    # grid's rendering time (the before/after figures are in the note).
    nome = nome or c.get("nome", "")
    di = f", {nome}" if nome else ""
    errori = c["errori"]
    chiave = escape(c["chiave"])
    # Every value below is escaped (html.escape, quotes too) or is markup made here.
    return mark_safe(  # noqa: S308
        _CELLA.format(
            classe=" cella-errore" if errori else "",
            k=chiave,
            codice=escape(c["codice"]),
            l_codice=escape(etichette["codice"] + di),
            invalida=f' aria-invalid="true" aria-describedby="e-{chiave}"' if errori else "",
            segnaposto=f' placeholder="{escape(segnaposto)}"' if segnaposto else "",
            nascosta="" if c["codice"] == "P" else " hidden",
            ore=escape(c["ore"]),
            l_ore=escape(etichette["ore"] + di),
            l_attivita=escape(etichette["attivita"] + di),
            opzioni=opzioni("attivita", c["attivita"]),
            errore=(
                f'<div class="invalid-feedback d-block" id="e-{chiave}">'
                + "".join(f'<p class="mb-0">{escape(e)}</p>' for e in errori)
                + "</div>"
            )
            if errori
            else "",
            avvisi="".join(f'<p class="small text-warning-emphasis mb-0">{escape(a)}</p>' for a in c["avvisi"]),
        )
    )


_CELLA = (
    '<div class="cella{classe}" data-cella>'
    '<input type="text" name="c-{k}" id="c-{k}" value="{codice}" list="codici-giorno" maxlength="4" autocomplete="off"'
    ' autocapitalize="characters" spellcheck="false" class="form-control form-control-sm codice"'
    ' aria-label="{l_codice}"{invalida}{segnaposto}>'
    '<span class="solo-p"{nascosta}>'
    '<input type="text" name="o-{k}" value="{ore}" inputmode="decimal" maxlength="5" autocomplete="off"'
    ' class="form-control form-control-sm ore" aria-label="{l_ore}" size="3">'
    '<select name="a-{k}" class="form-select form-select-sm attivita" aria-label="{l_attivita}">{opzioni}</select>'
    "</span>{errore}{avvisi}</div>"
)


@register.simple_tag
def righe_griglia(righe: list[dict]) -> SafeString:
    """The month grid's body: a row per day (its name, a cell per volunteer, "fill the week"
    on Mondays), built here in one pass. Written as template loops it was about half the
    page's rendering (31 days × volunteers × the variables of each cell; docs/benchmarks.md)."""
    riempi = escape(reverse("registro:riempi"))
    etichetta_riempi = escape(_("Fill the week"))
    parti = []
    for r in righe:
        giorno = r["giorno"]
        parti.append('<tr class="weekend">' if r["weekend"] else "<tr>")
        parti.append(f'<th scope="row" class="text-nowrap">{escape(formatta_data(giorno, "D j"))}</th>')
        for i, c in enumerate(r["celle"]):
            attiva = ' class="col-attiva"' if i == 0 else ""
            parti.append(f'<td data-col="{i}"{attiva}>{cella(c, r["etichette"])}</td>')
        if r["riempibile"]:
            parti.append(
                f'<td><button type="submit" class="btn btn-outline-primary btn-sm riempi" formaction="{riempi}"'
                f' hx-post="{riempi}" name="settimana" value="{giorno:%Y-%m-%d}">{etichetta_riempi}'
                f'<span class="visually-hidden"> {escape(formatta_data(giorno, "j F"))}</span></button></td>'
            )
        else:
            parti.append("<td></td>")
        parti.append("</tr>")
    # Every value above is escaped or is markup made here (cella's is safe).
    return mark_safe("".join(parti))  # noqa: S308


@register.filter
def index(sequenza, i: int):
    """`{{ r.celle|index:forloop.counter0 }}`: the i-th item."""
    return sequenza[i]
