"""The health endpoint: 200 while the database answers, 503 when it does not; a cache
outage is reported but does not fail the check."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

from tests.network.test_settings import settings_value

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every Redis command fails at once with a connection error.
SPENTO = "redis://127.0.0.1:1/0"


def test_ok(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # the probe and the outbox
        response = client.get(reverse("salute"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "outbox": "ok",
        "outbox_in_attesa": 0,
        "outbox_attesa_secondi": 0,
    }
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_database_down_answers_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get(reverse("salute"))
    assert response.status_code == 503
    assert response.json() == {"database": "down", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.redis.RedisCache",
        # The portal's own: it hides an outage from reads, not from the health check.
        "infra.cache.RedisTollerante",
    ],
)
def test_cache_down_is_reported_but_healthy(client, backend):
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": SPENTO}}):
        response = client.get(reverse("salute"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "down",
        "outbox": "ok",
        "outbox_in_attesa": 0,
        "outbox_attesa_secondi": 0,
    }


def test_signed_in_user_gets_the_same_answer_and_no_new_cookie(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(email="chiunque@example.org", password="x" * 12))
    response = client.get(reverse("salute"))
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "outbox": "ok",
        "outbox_in_attesa": 0,
        "outbox_attesa_secondi": 0,
    }
    assert not response.cookies


def test_only_reads(client):
    assert client.post(reverse("salute")).status_code == 405
    assert client.head(reverse("salute")).status_code == 200


def test_production_lets_the_probe_through_over_plain_http(client):
    """A load balancer probes the backend over HTTP; every other page still goes to HTTPS."""
    result = settings_value(
        "network.settings.production",
        "settings.SECURE_SSL_REDIRECT, settings.SECURE_REDIRECT_EXEMPT",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    redirect, exempt = eval(result.stdout)  # noqa: S307 - our own repr
    assert redirect is True
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get(reverse("salute")).status_code == 200
        assert client.get(reverse("home")).status_code == 301


def test_production_reads_the_old_secret_keys_for_rotation():
    result = settings_value(
        "network.settings.production",
        "settings.SECRET_KEY_FALLBACKS",
        DJANGO_SECRET_KEY="n" * 60,
        DJANGO_SECRET_KEY_FALLBACKS="a" * 60 + "," + "b" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert eval(result.stdout) == ["a" * 60, "b" * 60], result.stderr  # noqa: S307 - our own repr
    result = settings_value(
        "network.settings.production",
        "settings.SECRET_KEY_FALLBACKS",
        DJANGO_SECRET_KEY="n" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert eval(result.stdout) == [], result.stderr  # noqa: S307 - our own repr


def test_the_age_of_the_oldest_waiting_task_turns_the_outbox_degraded(client, settings):
    import datetime

    from django.utils import timezone

    from infra.models import Outbox

    settings.OUTBOX_ATTESA_MAX_SECONDI = 300
    adesso = timezone.now()
    vecchia, recente, inviata = Outbox.objects.bulk_create([Outbox(task="t"), Outbox(task="t"), Outbox(task="t")])
    Outbox.objects.filter(pk=vecchia.pk).update(creato_il=adesso - datetime.timedelta(seconds=200))
    Outbox.objects.filter(pk=inviata.pk).update(creato_il=adesso - datetime.timedelta(days=1), inviato_il=adesso)
    stato = client.get(reverse("salute")).json()
    assert stato["outbox"] == "ok" and stato["outbox_in_attesa"] == 2
    assert 200 <= stato["outbox_attesa_secondi"] < 260
    Outbox.objects.filter(pk=vecchia.pk).update(creato_il=adesso - datetime.timedelta(seconds=400))
    risposta = client.get(reverse("salute"))
    assert risposta.status_code == 200  # degraded, still serving: the proxy keeps it in rotation
    stato = risposta.json()
    assert stato["outbox"] == "degraded" and stato["outbox_in_attesa"] == 2
    assert stato["outbox_attesa_secondi"] >= 400
    Outbox.objects.filter(pk__in=[vecchia.pk, recente.pk]).update(inviato_il=adesso)
    assert client.get(reverse("salute")).json()["outbox"] == "ok"
