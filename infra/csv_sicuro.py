"""Spreadsheet exports: a cell that a spreadsheet would run as a formula (starting with = + - @,
a tab or a CR) is defused with a leading apostrophe (OWASP)."""


def cella_sicura(valore) -> str:
    """A cell a spreadsheet must not read as a formula."""
    testo = "" if valore is None else str(valore)
    if testo[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + testo
    return testo
