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


# PDF keys and actions that make a document do something when opened: refused in uploads.
_JAVASCRIPT = {"/JS", "/JavaScript"}
_AZIONI_VIETATE = {"/JavaScript": "javascript", "/Launch": "avvio"}
_ALLEGATI = {"/EmbeddedFiles", "/EmbeddedFile", "/FileAttachment"}
# Objects looked at at most: a scanned sheet has a few dozen; a file with more is refused.
_OGGETTI_MAX = 50_000


class PdfNonAccettabile(ValueError):
    """Why an uploaded PDF is refused: `motivo` is one of "illeggibile", "cifrato",
    "javascript", "avvio", "allegati"."""

    def __init__(self, motivo: str):
        super().__init__(motivo)
        self.motivo = motivo


def verifica_pdf(file) -> None:
    """Parse an uploaded file as a PDF (pypdf) and refuse it, raising PdfNonAccettabile, when it
    is not a readable PDF, is encrypted, or carries JavaScript, launch actions or embedded
    files. Reads the whole file; leaves it at its start."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    file.seek(0)
    try:
        if file.read(5) != b"%PDF-":
            raise PdfNonAccettabile("illeggibile")
        file.seek(0)
        lettore = PdfReader(file, strict=False)
        if lettore.is_encrypted:
            raise PdfNonAccettabile("cifrato")
        da_vedere = [lettore.trailer]
        visti: set[tuple[int, int]] = set()
        while da_vedere:
            oggetto = da_vedere.pop()
            if isinstance(oggetto, IndirectObject):
                chiave = (oggetto.idnum, oggetto.generation)
                if chiave in visti:
                    continue
                visti.add(chiave)
                if len(visti) > _OGGETTI_MAX:
                    raise PdfNonAccettabile("illeggibile")
                oggetto = oggetto.get_object()
            if isinstance(oggetto, DictionaryObject):
                chiavi = set(oggetto.keys())
                if chiavi & _JAVASCRIPT:
                    raise PdfNonAccettabile("javascript")
                if chiavi & _ALLEGATI or oggetto.get("/Subtype") == "/FileAttachment":
                    raise PdfNonAccettabile("allegati")
                azione = oggetto.get("/S")
                if azione in _AZIONI_VIETATE:
                    raise PdfNonAccettabile(_AZIONI_VIETATE[azione])
                if oggetto.get("/Type") == "/Filespec" and ("/EF" in chiavi):
                    raise PdfNonAccettabile("allegati")
                da_vedere.extend(v for k, v in oggetto.items() if k != "/Parent")
            elif isinstance(oggetto, ArrayObject):
                da_vedere.extend(oggetto)
    except PdfNonAccettabile:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise PdfNonAccettabile("illeggibile") from exc
    finally:
        file.seek(0)
