"""Charts as inline SVG: drawn by browsers and by WeasyPrint alike, no scripts, no files.
Each has a <title>; pages put the same figures in a table next to it for screen readers."""

import datetime
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.html import escape


def cifra(valore) -> str:
    """A figure in the active language's format, thousands grouped: 119.327 in Italian."""
    return number_format(valore, force_grouping=True)


def _righe(testo: str, larghezza: int) -> list[str]:
    """A name on at most two lines of about `larghezza` characters, cut with an ellipsis only
    beyond that."""
    if len(testo) <= larghezza:
        return [testo]
    parole, prima = testo.split(), ""
    while parole and len(prima) + len(parole[0]) + (1 if prima else 0) <= larghezza:
        prima = f"{prima} {parole.pop(0)}".strip()
    if not prima:  # one word longer than a line
        prima, parole = testo[:larghezza], [testo[larghezza:]]
    resto = " ".join(parole)
    return [prima, resto if len(resto) <= larghezza else resto[: larghezza - 1] + "\u2026"]


def grafico_barre(
    valori: list[tuple[str, Decimal | int]],
    *,
    titolo: str,
    asse_x: str = "",
    asse_y: str = "",
    larghezza=520,
    altezza=200,
) -> str:
    """Vertical bars with their figures, a scale on the left and the axes named (`asse_x` under
    the labels, `asse_y` along the scale); figures in the active language's format."""
    massimo = max((float(v) for _e, v in valori), default=0) or 1
    n = max(len(valori), 1)
    sinistra, basso, alto = 62 if asse_y else 46, 44 if asse_x else 30, 16
    passo = (larghezza - sinistra - 10) / n
    h = altezza - basso - alto
    asse = altezza - basso
    parti = [f'<line x1="{sinistra}" y1="{asse}" x2="{larghezza - 5}" y2="{asse}" stroke="#555"/>']
    for frazione in (0.5, 1):  # gridlines with the scale's figures
        y = asse - h * frazione
        parti.append(f'<line x1="{sinistra}" y1="{y:.1f}" x2="{larghezza - 5}" y2="{y:.1f}" stroke="#ddd"/>')
        parti.append(
            f'<text x="{sinistra - 4}" y="{y + 3:.1f}" font-size="8" text-anchor="end">'
            f"{cifra(round(massimo * frazione))}</text>"
        )
    parti.append(f'<text x="{sinistra - 4}" y="{asse + 3}" font-size="8" text-anchor="end">0</text>')
    for i, (etichetta, valore) in enumerate(valori):
        altezza_barra = h * float(valore) / massimo
        x = sinistra + i * passo
        y = asse - altezza_barra
        centro = f'x="{x + passo / 2:.1f}" font-size="8" text-anchor="middle"'
        parti.append(
            f'<rect x="{x + passo * 0.15:.1f}" y="{y:.1f}" width="{passo * 0.7:.1f}" height="{altezza_barra:.1f}" '
            f'fill="#0066cc"/>'
            f'<text {centro} y="{asse + 12}">{escape(etichetta)}</text>'
            f'<text {centro} y="{y - 3:.1f}">{cifra(valore)}</text>'
        )
    if asse_x:
        parti.append(
            f'<text x="{sinistra + (larghezza - sinistra) / 2:.1f}" y="{altezza - 6}" font-size="9" '
            f'text-anchor="middle">{escape(asse_x)}</text>'
        )
    if asse_y:
        parti.append(
            f'<text x="10" y="{alto + h / 2:.1f}" font-size="9" text-anchor="middle" '
            f'transform="rotate(-90 10 {alto + h / 2:.1f})">{escape(asse_y)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {larghezza} {altezza}" width="{larghezza}" '
        f'height="{altezza}" role="img" aria-label="{escape(titolo)}"><title>{escape(titolo)}</title>'
        + "".join(parti)
        + "</svg>"
    )


def primi_e_ultimi(
    valori: list[tuple[str, Decimal | int]], *, n: int = 10, altri: str = "{n}"
) -> list[tuple[str, Decimal | int]]:
    """The first and last `n` of `valori` (sorted by value, largest first) with the ones in
    between grouped in one bar: their average, named by `altri` ("{n}" is how many they are),
    so that the bar stays on the scale of the others. Up to 2n + 1 values, left as they are."""
    ordinati = sorted(valori, key=lambda v: -v[1])
    if len(ordinati) <= 2 * n + 1:
        return ordinati
    mezzo = ordinati[n:-n]
    media = sum((Decimal(v) for _e, v in mezzo), Decimal(0)) / len(mezzo)
    nome = altri.format(n=number_format(len(mezzo), force_grouping=True))
    return [*ordinati[:n], (nome, media.quantize(Decimal("1"))), *ordinati[-n:]]


def grafico_orizzontale(valori: list[tuple[str, Decimal | int]], *, titolo: str, asse: str = "", larghezza=640) -> str:
    """Horizontal bars with their whole names on the left (two lines when long) and the
    measure named under them (`asse`): the distribution across the parts of a scope."""
    massimo = max((float(v) for _e, v in valori), default=0) or 1
    riga, sinistra, alto = 22, 250, 4
    basso = 22 if asse else 6
    altezza = riga * len(valori) + alto + basso
    parti = []
    for i, (etichetta, valore) in enumerate(valori):
        y = alto + i * riga
        w = (larghezza - sinistra - 60) * float(valore) / massimo
        righe = _righe(etichetta, 44)
        if len(righe) == 1:
            nome = f'<text x="{sinistra - 5}" y="{y + 14}" font-size="9" text-anchor="end">{escape(righe[0])}</text>'
        else:
            nome = (
                f'<text x="{sinistra - 5}" y="{y + 9}" font-size="8" text-anchor="end">{escape(righe[0])}</text>'
                f'<text x="{sinistra - 5}" y="{y + 18}" font-size="8" text-anchor="end">{escape(righe[1])}</text>'
            )
        parti.append(
            nome + f'<rect x="{sinistra}" y="{y + 4}" width="{w:.1f}" height="{riga - 8}" fill="#0066cc"/>'
            f'<text x="{sinistra + w + 4:.1f}" y="{y + 14}" font-size="9">{cifra(valore)}</text>'
        )
    fondo = alto + riga * len(valori)
    parti.append(f'<line x1="{sinistra}" y1="{alto}" x2="{sinistra}" y2="{fondo}" stroke="#555"/>')
    if asse:
        parti.append(
            f'<text x="{sinistra + (larghezza - sinistra - 60) / 2:.1f}" y="{fondo + 15}" font-size="9" '
            f'text-anchor="middle">{escape(asse)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {larghezza} {altezza}" width="{larghezza}" '
        f'height="{altezza}" role="img" aria-label="{escape(titolo)}"><title>{escape(titolo)}</title>'
        + "".join(parti)
        + "</svg>"
    )


def grafico_linee(
    serie: list[tuple[str, list[tuple[datetime.date, int]]]], *, titolo: str, larghezza=900, altezza=260
) -> str:
    """One line per named series of (day, value), on a shared time axis starting at zero."""
    punti = [p for _n, valori in serie for p in valori]
    if not punti:
        return ""
    inizio = min(g for g, _v in punti)
    fine = max(g for g, _v in punti)
    giorni = max((fine - inizio).days, 1)
    massimo = max(v for _g, v in punti) or 1
    sinistra, destra, alto, basso = 55, 10, 24, 30
    w, h = larghezza - sinistra - destra, altezza - alto - basso
    colori = ["#0066cc", "#008055", "#a61e4d", "#5c6f82"]

    def xy(g, v):
        return sinistra + w * (g - inizio).days / giorni, alto + h - h * v / massimo

    parti = [f'<line x1="{sinistra}" y1="{alto + h}" x2="{sinistra + w}" y2="{alto + h}" stroke="#555"/>']
    for frazione in (0.5, 1):  # gridlines with the figures in the language's format
        y = alto + h - h * frazione
        parti.append(f'<line x1="{sinistra}" y1="{y:.1f}" x2="{sinistra + w}" y2="{y:.1f}" stroke="#ddd"/>')
        parti.append(
            f'<text x="{sinistra - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end">'
            f"{number_format(round(massimo * frazione), force_grouping=True)}</text>"
        )
    parti.append(f'<text x="{sinistra - 4}" y="{alto + h + 4}" font-size="11" text-anchor="end">0</text>')
    mese = inizio.replace(day=1)
    while mese <= fine:  # a tick on the first of each quarter's month
        if mese >= inizio and mese.month in (1, 4, 7, 10):
            x = sinistra + w * (mese - inizio).days / giorni
            parti.append(f'<line x1="{x:.1f}" y1="{alto + h}" x2="{x:.1f}" y2="{alto + h + 4}" stroke="#555"/>')
            etichetta = escape(date_format(mese, "M Y"))
            parti.append(f'<text x="{x:.1f}" y="{altezza - 10}" font-size="11" text-anchor="middle">{etichetta}</text>')
        mese = (mese + datetime.timedelta(days=32)).replace(day=1)
    for i, (nome, valori) in enumerate(serie):
        colore = colori[i % len(colori)]
        tratto = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(g, v) for g, v in sorted(valori)))
        parti.append(f'<polyline fill="none" stroke="{colore}" stroke-width="2" points="{tratto}"/>')
        parti.append(
            f'<rect x="{sinistra + 180 * i}" y="4" width="14" height="4" fill="{colore}"/>'
            f'<text x="{sinistra + 18 + 180 * i}" y="11" font-size="11">{escape(nome)}</text>'
        )
    return (
        # Scaled down to narrow screens by the page's CSS (.grafico svg), not by a style
        # attribute: the Content-Security-Policy refuses those.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {larghezza} {altezza}" width="{larghezza}" '
        f'height="{altezza}" role="img"><title>{escape(titolo)}</title>' + "".join(parti) + "</svg>"
    )
