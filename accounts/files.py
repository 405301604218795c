"""Names of stored files (signed sheets, reports): random, so that a name says nothing about
whom the file concerns and cannot be guessed. The name a person downloads is set by the view
that serves the file, never taken from storage."""

import re
import uuid

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible


@deconstructible
class NomeCasuale:
    """upload_to: `<cartella>/<yyyy>/<mm>/<32 random hex digits><.ext>`, the extension kept
    from the uploaded name when it is a plain one (".pdf")."""

    def __init__(self, cartella: str):
        self.cartella = cartella.strip("/")

    def __call__(self, instance, filename: str) -> str:
        estensione = re.search(r"\.[A-Za-z0-9]{1,5}$", filename or "")
        suffisso = estensione.group(0).lower() if estensione else ""
        return f"{self.cartella}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffisso}"

    def __eq__(self, other) -> bool:
        return isinstance(other, NomeCasuale) and other.cartella == self.cartella

    def __hash__(self) -> int:
        return hash(self.cartella)


def file_privato(campo, nome: str, *, content_type: str = "application/pdf") -> FileResponse:
    """A stored file as a download named `nome`, for a view that has already checked who may
    have it: never cached by a browser or a proxy, never sniffed into something else."""
    try:
        aperto = campo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(aperto, as_attachment=True, filename=nome, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
