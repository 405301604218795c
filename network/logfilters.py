import logging
import re

# Secrets that travel in URLs: invitation tokens, allauth's e-mail and password-reset keys.
_SEGRETI = re.compile(r"(/inviti/accetta/|/accounts/confirm-email/|/accounts/password/reset/key/)[^/\s\"']+")


class RedactSecretsFilter(logging.Filter):
    """Keep one-time tokens out of the logs (django.request logs the path of every 4xx)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SEGRETI.sub(r"\1[…]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
