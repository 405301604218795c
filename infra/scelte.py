"""Choices over many rows: type-ahead selectors.

A `Scelta` names one list of choices of the portal's forms: the scoped rows (`righe(user,
**parametri)`, always through `visible_to`), the fields the typed text is matched against and the
order. Each app declares its own in its `scelte.py` and registers them here; the endpoint
`network.views_cerca` (`/cerca/<tipo>/?q=...`, one URL name per kind, `cerca:<tipo>`) answers
from the same `righe` the form validates against, so a row the endpoint would not offer is refused
by the form too.

`SceltaRemota` renders a `<select>` that carries every option only while the list is short
(`SOGLIA`): the form then works without JavaScript, and a list of one required option comes
preselected. Over that, the `<select>` carries only the chosen option(s) and the endpoint's
address; `static/js/scelte.js` turns it into a Tom Select that asks the endpoint as the user types.
A dependent list (`dipende_da`) sends the parent field's value as a parameter: the provinces of the
chosen region, the areas of the chosen sector.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Up to this many rows the <select> carries every option (and works without JavaScript).
SOGLIA = 50
# The most rows one answer of the endpoint carries.
RISULTATI = 15
# The most characters of typed text the endpoint reads.
TESTO_MAX = 100

# The empty choice of a filter: "Tutti" for masculine nouns (enti, progetti, settori), "Tutte" for
# feminine ones (regioni, province, aree).
TUTTI = pgettext_lazy("empty filter, masculine plural", "All")
TUTTE = pgettext_lazy("empty filter, feminine plural", "All")
# The empty choice of a form's list, and what a long one reads while empty.
SELEZIONA = _("Select…")
CERCA = _("Type to search")


def intero(valore: str) -> int | None:
    """A positive id from a query parameter, or None."""
    try:
        n = int(valore)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


@dataclass(frozen=True)
class Scelta:
    tipo: str
    modello: type  # the model of the rows
    righe: Callable[..., QuerySet]  # (user, **parametri) -> the scoped rows the form validates against
    cerca: tuple[str, ...]  # lookups the typed text is matched against (each word in one of them)
    ordine: tuple[str, ...]
    # Parameters of a dependent list: name -> converter of the query string's value (None: ignored).
    parametri: Mapping[str, Callable[[str], Any]] = field(default_factory=dict)
    etichetta: Callable[[Any], str] = str

    def url(self) -> str:
        return reverse(f"cerca:{self.tipo}")

    def per(self, user, **parametri) -> QuerySet:
        return self.righe(user, **{k: v for k, v in parametri.items() if v is not None})

    def cerca_testo(self, qs: QuerySet, testo: str) -> QuerySet:
        for parola in testo[:TESTO_MAX].split():
            q = Q()
            for campo in self.cerca:
                q |= Q(**{f"{campo}__icontains": parola})
            qs = qs.filter(q)
        return qs.order_by(*self.ordine)

    def leggi_parametri(self, dati: Mapping[str, str]) -> dict[str, Any]:
        return {nome: converti(dati.get(nome) or "") for nome, converti in self.parametri.items()}


REGISTRO: dict[str, Scelta] = {}


def registra(scelta: Scelta) -> Scelta:
    if REGISTRO.get(scelta.tipo, scelta) is not scelta:
        raise ValueError(f"Two choice lists named {scelta.tipo!r}")
    REGISTRO[scelta.tipo] = scelta
    return scelta


class SceltaRemota(forms.Select):
    """A <select> over a `Scelta`: every option when the list is short, otherwise only the chosen
    one and the endpoint's address for the type-ahead (static/js/scelte.js)."""

    def __init__(
        self, scelta: Scelta, attrs=None, *, dipende_da: str | None = None, parametri=None, preseleziona=False
    ):
        super().__init__(attrs)
        # A list of one row comes chosen when the field is required or this is set (a field
        # required only for some kinds of report, say).
        self.preseleziona = preseleziona
        self.scelta = scelta
        self.dipende_da = dipende_da  # the name of the parent field in the same form
        self.parametri = parametri or {}  # fixed parameters of the list (the role of an expert)

    def _righe(self, valori: list[str]) -> tuple[list, bool]:
        """(rows to render, whether they are the whole list)."""
        qs = self.choices.queryset
        prime = list(qs[: SOGLIA + 1])
        if len(prime) <= SOGLIA:
            return prime, True
        ids = [n for n in (intero(v) for v in valori) if n is not None]
        return (list(qs.filter(pk__in=ids)) if ids else []), False

    def optgroups(self, name, value, attrs=None):
        campo = self.choices.field
        valori = [str(v) for v in value if v not in (None, "")]
        righe, completa = self._righe(valori)
        self.completa = completa
        unica = completa and not valori and len(righe) == 1
        if unica and (self.is_required or self.preseleziona) and not self.allow_multiple_selected:
            valori = value = [str(campo.prepare_value(righe[0]))]
        scelte = []
        if campo.empty_label is not None and not self.allow_multiple_selected:
            scelte.append(("", campo.empty_label))
        scelte += [(campo.prepare_value(o), campo.label_from_instance(o)) for o in righe]
        originali = self.choices
        self.choices = scelte
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = originali

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)  # renders the options: sets self.completa
        a = context["widget"]["attrs"]
        a["data-scelta"] = self.scelta.url()
        if self.completa and not self.dipende_da:
            a["data-scelta-completa"] = True
        if self.dipende_da:
            a["data-dipende-da"] = self.dipende_da
        if self.parametri:
            a["data-parametri"] = urlencode(self.parametri)
        a["data-vuoto"] = _("No match: type part of the name or the code.")
        # What the box reads while empty: a filter's "Tutti"/"Tutte", a short list's empty
        # choice, otherwise an invitation to type.
        vuota = self.choices.field.empty_label
        filtro = vuota is not None and str(vuota) in (str(TUTTI), str(TUTTE))
        a["data-segnaposto"] = vuota if (filtro or (self.completa and vuota is not None)) else CERCA
        return context


class SceltaRemotaMultipla(SceltaRemota, forms.SelectMultiple):
    """The same for several rows (the projects of a programme)."""

    allow_multiple_selected = True


def campo_scelta(
    scelta: Scelta, *, multipla: bool = False, dipende_da: str | None = None, preseleziona=False, **kwargs
):
    """A model choice field over a `Scelta`; the form sets its queryset from `scelta.per(user)`, the
    same rows the endpoint offers. A forged id outside them is refused at the field."""
    queryset = scelta.modello.objects.none()
    if multipla:
        kwargs.setdefault("error_messages", {"invalid_choice": _("%(value)s is not among the rows you can choose.")})
        return forms.ModelMultipleChoiceField(
            queryset=queryset, widget=SceltaRemotaMultipla(scelta, dipende_da=dipende_da), **kwargs
        )
    kwargs.setdefault(
        "error_messages", {"invalid_choice": _("Choose one of the rows offered: type part of the name and pick it.")}
    )
    kwargs.setdefault("empty_label", SELEZIONA)
    return forms.ModelChoiceField(
        queryset=queryset, widget=SceltaRemota(scelta, dipende_da=dipende_da, preseleziona=preseleziona), **kwargs
    )


def preseleziona_unica(campo: forms.ModelChoiceField) -> None:
    """A short plain list (the nodi of a user, the OLP of a place) comes chosen when it has
    exactly one row and nothing is chosen yet (one query); its empty choice reads "Seleziona…"."""
    campo.empty_label = SELEZIONA
    righe = list(campo.queryset[:2])
    if len(righe) == 1 and campo.initial is None:
        campo.initial = righe[0].pk
