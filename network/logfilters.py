import logging
import re
from urllib.parse import parse_qsl

# Secrets that travel in URLs: invitation tokens, allauth's e-mail and password-reset keys,
# the volunteer's calendar feed key.
_SEGRETI = re.compile(
    r"(/inviti/accetta/|/accounts/confirm-email/|/accounts/password/reset/key/|/volontari/calendario/)[^/\s\"'?]+"
)


def senza_segreti(testo: str) -> str:
    return _SEGRETI.sub(r"\1[…]", testo)


def solo_nomi(query: str) -> str:
    """A query string with its values dropped (`?q=RSSMRA...&mese=2025-01` -> `q=…&mese=…`):
    the names say what a request did, a value may be what a person typed (a name, a tax code)."""
    return "&".join(f"{nome}=…" for nome, _valore in parse_qsl(query, keep_blank_values=True))


def indirizzo_per_i_log(indirizzo: str) -> str:
    """A path with its query: secrets redacted, query values dropped."""
    percorso, _sep, query = indirizzo.partition("?")
    percorso = senza_segreti(percorso)
    return f"{percorso}?{solo_nomi(query)}" if query else percorso


class RedactSecretsFilter(logging.Filter):
    """Keep one-time tokens out of the logs (django.request logs the path of every 4xx)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = senza_segreti(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
