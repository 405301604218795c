import logging

import pytest
from django.urls import reverse

from network.logfilters import RedactSecretsFilter

pytestmark = pytest.mark.django_db


def test_tokens_are_redacted_from_log_records():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Gone: %s", ("/inviti/accetta/SECRET123/",), None
    )
    RedactSecretsFilter().filter(record)
    assert "SECRET123" not in record.getMessage()
    assert "/inviti/accetta/[…]" in record.getMessage()


def test_a_refused_invitation_link_logs_no_token(client, caplog):
    handler_filter = RedactSecretsFilter()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(reverse("inviti:accetta", args=["TOKEN-THAT-MUST-NOT-LEAK"]))
    for record in caplog.records:
        handler_filter.filter(record)
        assert "TOKEN-THAT-MUST-NOT-LEAK" not in record.getMessage()
