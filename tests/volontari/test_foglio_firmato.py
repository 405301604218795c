"""The signed monthly sheet: checked by its content and size with the message at the field,
stored under a random name, downloaded only through a view that checks who may have it."""

import datetime
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from tests.personas import PERSONE, client_per, costruisci_mondo
from volontari.models import ChiusuraMensile

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def pdf_valido(prepara=None) -> bytes:
    """A real one-page PDF (pypdf), shaped by `prepara(writer)` when given."""
    scrittore = PdfWriter()
    scrittore.add_blank_page(595, 842)
    if prepara is not None:
        prepara(scrittore)
    out = io.BytesIO()
    scrittore.write(out)
    return out.getvalue()


PDF = pdf_valido()


@pytest.fixture
def mondo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=300)
    servizio.data_fine = servizio.data_fine_prevista = OGGI + datetime.timedelta(days=60)
    servizio.save()
    mondo.oggetti["chiusura"] = ChiusuraMensile.objects.create(
        servizio=servizio, mese=MESE, stato=ChiusuraMensile.Stato.CONFERMA_PRELIMINARE,
        conferma_preliminare_il=timezone.now(),
    )  # fmt: skip
    return mondo


def carica(client, mondo, file, persona="referente_a"):
    servizio = mondo.oggetti["servizi"]["a"]
    return client_per(client, mondo, persona).post(
        reverse("registro:carica_foglio", args=[servizio.pk]), {"mese": f"{MESE:%Y-%m}", "file": file}
    )


def italiano(msgid: str, **valori) -> str:
    """The message as the page shows it (Italian by default), escaped as in the HTML."""
    with translation.override("it"):
        testo = translation.gettext(msgid)
    return html.escape(testo % valori if valori else testo)


def errore_al_campo(response) -> str:
    trovato = re.search(r'<div class="invalid-feedback d-block" id="id_file_error">(.*?)</div>', response.text, re.S)
    assert trovato, "no error at the file field"
    return trovato.group(1)


def test_a_file_that_is_not_a_pdf_is_refused_at_the_field_whatever_its_name_and_type(client, mondo):
    finto = SimpleUploadedFile("foglio.pdf", b"GIF89a not a pdf at all", content_type="application/pdf")
    response = carica(client, mondo, finto)
    assert response.status_code == 422
    messaggio = "This file is not a PDF: save or scan the signed sheet as a PDF and upload it."
    assert italiano(messaggio) in errore_al_campo(response)
    mondo.oggetti["chiusura"].refresh_from_db()
    assert not mondo.oggetti["chiusura"].foglio_firmato


def test_a_file_too_large_is_refused_at_the_field(client, mondo, settings):
    settings.FOGLIO_FIRMATO_MAX_MB = 1
    grande = SimpleUploadedFile("foglio.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    response = carica(client, mondo, grande)
    assert response.status_code == 422
    messaggio = "The file is larger than %(mb)s MB: scan the sheet at a lower resolution."
    assert italiano(messaggio, mb=1) in errore_al_campo(response)
    mondo.oggetti["chiusura"].refresh_from_db()
    assert not mondo.oggetti["chiusura"].foglio_firmato


def test_no_file_is_refused_at_the_field(client, mondo):
    response = carica(client, mondo, "")
    assert response.status_code == 422
    assert italiano("Choose the signed PDF to upload.") in errore_al_campo(response)


def test_a_pdf_is_stored_under_a_random_name(client, mondo):
    response = carica(client, mondo, SimpleUploadedFile("Rossi Mario RSSMRA.pdf", PDF, content_type="text/plain"))
    assert response.status_code == 302
    chiusura = mondo.oggetti["chiusura"]
    chiusura.refresh_from_db()
    assert re.fullmatch(r"fogli_presenze/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", chiusura.foglio_firmato.name)
    with chiusura.foglio_firmato.open("rb") as f:
        assert f.read() == PDF


# Personas, in PERSONE's order: anonimo, volontario, olp_a, referente_a, referente_b,
# nodo_lombardia, nodo_veneto, nazionale. Network staff see the service but not the nature
# of its absences, which the signed sheet shows: 403.
ATTESI = (302, 200, 200, 200, 404, 403, 404, 403)


def test_the_signed_sheet_is_served_only_to_those_who_may_see_it(client, mondo):
    assert carica(client, mondo, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    servizio = mondo.oggetti["servizi"]["a"]
    url = reverse("registro:foglio_firmato", args=[servizio.pk]) + f"?mese={MESE:%Y-%m}"
    ottenuti = []
    for persona in PERSONE:
        response = client_per(client, mondo, persona).get(url)
        ottenuti.append(response.status_code)
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("attachment;")
            assert f"_{MESE:%Y_%m}_firmato.pdf" in response["Content-Disposition"]
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, no-store"
    assert tuple(ottenuti) == ATTESI, dict(zip(PERSONE, ottenuti, strict=True))


def test_no_signed_sheet_answers_404(client, mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    url = reverse("registro:foglio_firmato", args=[servizio.pk]) + f"?mese={MESE:%Y-%m}"
    assert client_per(client, mondo, "referente_a").get(url).status_code == 404


def test_the_page_links_the_signed_sheet_only_for_those_who_may_download_it(client, mondo):
    assert carica(client, mondo, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    servizio = mondo.oggetti["servizi"]["a"]
    pagina = reverse("registro:volontario", args=[servizio.pk]) + f"?mese={MESE:%Y-%m}"
    link = reverse("registro:foglio_firmato", args=[servizio.pk])
    assert link in client_per(client, mondo, "referente_a").get(pagina).text
    assert link not in client_per(client, mondo, "nodo_lombardia").get(pagina).text
    chiusura_ente = reverse("registro:chiusura_ente", args=[servizio.posto.sede.ente_id]) + f"?mese={MESE:%Y-%m}"
    assert link in client_per(client, mondo, "referente_a").get(chiusura_ente).text
    assert link not in client_per(client, mondo, "nodo_lombardia").get(chiusura_ente).text


def test_nothing_under_media_is_served(client, mondo):
    assert carica(client, mondo, SimpleUploadedFile("f.pdf", PDF)).status_code == 302
    chiusura = mondo.oggetti["chiusura"]
    chiusura.refresh_from_db()
    for persona in ("anonimo", "referente_a"):
        assert client_per(client, mondo, persona).get("/media/" + chiusura.foglio_firmato.name).status_code == 404


def _lancia(scrittore):
    azione = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})
    scrittore._root_object[NameObject("/OpenAction")] = scrittore._add_object(azione)


def _javascript_nel_catalogo(scrittore):
    """Document-level JavaScript: the catalogue's /Names /JavaScript tree, as Acrobat writes it."""
    azione = scrittore._add_object(
        DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x()")})
    )
    albero = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("avvio"), azione])})
    scrittore._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): albero})


def _javascript_nella_pagina(scrittore):
    azione = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    scrittore.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): scrittore._add_object(azione)})


@pytest.mark.parametrize(
    ("contenuto", "messaggio"),
    [
        (
            b"%PDF-1.7\n" + b"\x00garbage" * 50,
            "This file is not a PDF: save or scan the signed sheet as a PDF and upload it.",
        ),
        (PDF[: len(PDF) // 3], "This file is not a PDF: save or scan the signed sheet as a PDF and upload it."),
        (
            pdf_valido(lambda w: w.encrypt("segreta")),
            "This PDF is protected by a password or encrypted: save the signed sheet without protection and "
            "upload it again.",
        ),
        (
            pdf_valido(_javascript_nel_catalogo),
            "This PDF contains JavaScript, which is not accepted: scan the signed sheet, or print it to a new "
            "PDF, and upload that.",
        ),
        (
            pdf_valido(_javascript_nella_pagina),
            "This PDF contains JavaScript, which is not accepted: scan the signed sheet, or print it to a new "
            "PDF, and upload that.",
        ),
        (
            pdf_valido(_lancia),
            "This PDF contains an action that starts other programs, which is not accepted: scan the signed "
            "sheet, or print it to a new PDF, and upload that.",
        ),
        (
            pdf_valido(lambda w: w.add_attachment("virus.exe", b"MZ...")),
            "This PDF contains attached files, which are not accepted: scan the signed sheet, or print it to "
            "a new PDF, and upload that.",
        ),
    ],
    ids=["garbage", "truncated", "encrypted", "javascript", "javascript-in-page", "launch", "attachment"],
)
def test_a_pdf_that_cannot_be_read_or_carries_active_content_is_refused_at_the_field(
    client, mondo, contenuto, messaggio
):
    response = carica(client, mondo, SimpleUploadedFile("foglio.pdf", contenuto, content_type="application/pdf"))
    assert response.status_code == 422
    assert italiano(messaggio) in errore_al_campo(response)
    mondo.oggetti["chiusura"].refresh_from_db()
    assert not mondo.oggetti["chiusura"].foglio_firmato


def test_a_plain_pdf_is_accepted(client, mondo):
    response = carica(client, mondo, SimpleUploadedFile("foglio.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 302
    mondo.oggetti["chiusura"].refresh_from_db()
    assert mondo.oggetti["chiusura"].foglio_firmato
    mondo.oggetti["chiusura"].foglio_firmato.delete(save=False)
