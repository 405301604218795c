"""The adhesion and assessment history behind each ente's and project's state, for the demo
and the benchmark alike: the states each one went through to reach its own, and the reason
written at the steps that need one."""

from collections.abc import Iterator

from enti.models import Ente
from progetti.models import Progetto

A, P = Ente.StatoAdesione, Progetto.Stato

PERCORSI_ENTI = {
    A.RICHIESTA: [A.RICHIESTA],
    A.IN_ISTRUTTORIA: [A.RICHIESTA, A.IN_ISTRUTTORIA],
    A.DA_INTEGRARE: [A.RICHIESTA, A.IN_ISTRUTTORIA, A.DA_INTEGRARE],
    A.ADERENTE: [A.RICHIESTA, A.IN_ISTRUTTORIA, A.ADERENTE],
    A.SOSPESO: [A.RICHIESTA, A.IN_ISTRUTTORIA, A.ADERENTE, A.SOSPESO],
    A.CESSATO: [A.RICHIESTA, A.IN_ISTRUTTORIA, A.ADERENTE, A.CESSATO],
}
_BASE = [P.BOZZA, P.PRESENTATO, P.IN_VALUTAZIONE]
PERCORSI_PROGETTI = {
    P.BOZZA: [P.BOZZA],
    P.PRESENTATO: _BASE[:2],
    P.IN_VALUTAZIONE: _BASE,
    P.DA_INTEGRARE: [*_BASE, P.DA_INTEGRARE],
    P.RESPINTO: [*_BASE, P.RESPINTO],
    P.APPROVATO: [*_BASE, P.APPROVATO],
    P.FINANZIATO: [*_BASE, P.APPROVATO, P.FINANZIATO],
    P.IN_CORSO: [*_BASE, P.APPROVATO, P.FINANZIATO, P.IN_CORSO],
    P.CONCLUSO: [*_BASE, P.APPROVATO, P.FINANZIATO, P.IN_CORSO, P.CONCLUSO],
}
# Keyed by the state's value: an ente's and a project's "da_integrare" share one entry.
MOTIVI = {
    A.DA_INTEGRARE: "Manca la delibera di adesione.",
    A.SOSPESO: "Verifica in corso sulla gestione dei progetti.",
    A.CESSATO: "Recesso deliberato dal Consiglio comunale.",
    P.DA_INTEGRARE: "Rivedere il piano della formazione specifica.",
    P.RESPINTO: "Il progetto non rispetta i criteri di qualità del bando.",
}


def _passi(percorso) -> Iterator[tuple[str, str, str]]:
    prima = ""
    for stato in percorso:
        yield prima, stato, MOTIVI.get(stato, "")
        prima = stato


def storia_ente(stato_adesione: str) -> Iterator[tuple[str, str, str]]:
    """(from, to, reason) of each step that brought an ente to `stato_adesione`."""
    return _passi(PERCORSI_ENTI[stato_adesione])


def storia_progetto(stato: str) -> Iterator[tuple[str, str, str]]:
    """(from, to, reason) of each step that brought a project to `stato`."""
    return _passi(PERCORSI_PROGETTI[stato])
