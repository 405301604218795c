"""The size limit is enforced before the body is read (issue 19): a request larger than
RICHIESTA_MAX_BYTES is answered 413 from its Content-Length, its body untouched."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.personas import client_per, costruisci_mondo
from volontari.models import ChiusuraMensile

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class CorpoSorvegliato(io.RawIOBase):
    """A request body that counts what is read of it."""

    def __init__(self, dimensione: int):
        self.rimasti, self.letti = dimensione, 0

    def read(self, n=-1):
        n = self.rimasti if n is None or n < 0 else min(n, self.rimasti)
        self.rimasti -= n
        self.letti += n
        return b"0" * n

    def readline(self, limit=-1):
        return self.read(1 if limit < 0 else min(limit, 1))


@pytest.fixture
def mondo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=300)
    servizio.data_fine = servizio.data_fine_prevista = OGGI + datetime.timedelta(days=60)
    servizio.save()
    ChiusuraMensile.objects.create(
        servizio=servizio, mese=MESE, stato=ChiusuraMensile.Stato.CONFERMA_PRELIMINARE,
        conferma_preliminare_il=timezone.now(),
    )  # fmt: skip
    return mondo


def test_the_limit_follows_the_largest_upload():
    assert settings.RICHIESTA_MAX_BYTES == (settings.FOGLIO_FIRMATO_MAX_MB + 1) * 1024 * 1024
    assert settings.MIDDLEWARE[0] == "network.middleware.LimiteCorpoMiddleware"


def test_an_oversized_body_is_refused_before_it_is_read(client, mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    client_per(client, mondo, "referente_a")
    corpo = CorpoSorvegliato(settings.RICHIESTA_MAX_BYTES + 1)
    risposta = client.generic(
        "POST", reverse("registro:carica_foglio", args=[servizio.pk]),
        CONTENT_TYPE="multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(corpo.rimasti), **{"wsgi.input": corpo},
    )  # fmt: skip
    assert risposta.status_code == 413
    assert corpo.letti == 0
    testo = risposta.content.decode()
    assert "File troppo grande" in testo and f"{settings.RICHIESTA_MAX_BYTES // 1024 // 1024} MB" in testo


def test_an_oversized_upload_is_refused_and_nothing_is_stored(client, mondo, settings):
    settings.FOGLIO_FIRMATO_MAX_MB = 1
    settings.RICHIESTA_MAX_BYTES = 2 * 1024 * 1024
    servizio = mondo.oggetti["servizi"]["a"]
    grande = SimpleUploadedFile("foglio.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024), content_type="application/pdf")
    risposta = client_per(client, mondo, "referente_a").post(
        reverse("registro:carica_foglio", args=[servizio.pk]), {"mese": f"{MESE:%Y-%m}", "file": grande}
    )
    assert risposta.status_code == 413
    assert not ChiusuraMensile.objects.get(servizio=servizio, mese=MESE).foglio_firmato


def test_a_body_under_the_limit_reaches_the_view(client, mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    piccolo = SimpleUploadedFile("foglio.pdf", b"GIF89a", content_type="application/pdf")
    risposta = client_per(client, mondo, "referente_a").post(
        reverse("registro:carica_foglio", args=[servizio.pk]), {"mese": f"{MESE:%Y-%m}", "file": piccolo}
    )
    assert risposta.status_code == 422  # the view's own refusal, at the field
