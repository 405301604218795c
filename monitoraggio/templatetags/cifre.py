"""Figures as a report prints them: grouped in the language's format, a missing one as a dash,
a change with its sign."""

from decimal import Decimal

from django import template

from infra.grafici import cifra as _cifra

register = template.Library()

TRATTINO = "\u2013"


@register.filter
def cifra(valore) -> str:
    """119327 -> 119.327; 84.3 -> 84,3; None -> a dash."""
    return TRATTINO if valore is None else _cifra(valore)


@register.filter
def variazione(valore) -> str:
    """A difference with its sign: +1.234, −12,5, 0; None -> a dash."""
    if valore is None:
        return TRATTINO
    if valore == 0:
        return "0"
    segno = "+" if valore > 0 else "\u2212"
    return segno + _cifra(abs(Decimal(valore)) if isinstance(valore, Decimal) else abs(valore))
