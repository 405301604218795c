"""The portal's own address: every link that leaves the portal (e-mails, calendar feeds) is
built on settings.PORTALE_URL, never on the Host header of the request that caused it (a
request can carry any Host; a worker has no request at all)."""

from django.conf import settings


def url_portale(percorso: str) -> str:
    """`percorso` (an absolute path, with its query) on the configured portal address."""
    return settings.PORTALE_URL.rstrip("/") + "/" + percorso.lstrip("/")
