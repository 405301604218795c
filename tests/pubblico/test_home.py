"""The public home page: figures in Italian format, bounded SQL, none on a cache hit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import OlpFactory, PostoSedeFactory, VolontarioFactory, codice_fiscale_persona
from volontari.models import Servizio, Volontario

pytestmark = pytest.mark.django_db


def make_services(n: int, start: int = 0) -> None:
    posto = PostoSedeFactory(posti_senza_vitto_alloggio=4)
    olps = [OlpFactory(ente=posto.sede.ente) for _ in range(max(1, n // 4))]
    volontari = Volontario.objects.bulk_create(
        [
            Volontario(
                codice_fiscale=codice_fiscale_persona(100_000 + start + i),
                nome="Vol",
                cognome=f"N{i}",
                data_nascita=datetime.date(2001, 1, 1),
                sesso="F",
            )
            for i in range(n)
        ]
    )
    today = timezone.localdate()
    Servizio.objects.bulk_create(
        [
            Servizio(
                volontario=v,
                posto=posto,
                olp=olps[i % len(olps)],
                data_inizio=today - datetime.timedelta(days=10),
                data_fine_prevista=today + datetime.timedelta(days=300),
                data_fine=today + datetime.timedelta(days=300),
            )
            for i, v in enumerate(volontari)
        ]
    )


def home_queries(client) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_home_shows_figures_in_italian_format(client):
    make_services(1240)
    VolontarioFactory()  # a volunteer with no service does not count
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response["Content-Language"] == "it"
    assert 'data-contatore="volontari">1.240<' in html
    assert 'data-contatore="olp">310<' in html
    assert "Volontari attivi" in html


def test_home_in_english_when_chosen(client):
    make_services(1240)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("home")).content.decode()
    assert 'data-contatore="volontari">1,240<' in html
    assert "Active volunteers" in html


def test_home_is_italian_whatever_the_browser_asks(client):
    response = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "it"
    assert '<html lang="it">' in response.content.decode()


def test_language_switch_sets_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_language_switch_is_a_link_on_every_page_and_goes_back(client):
    html = client.get(reverse("catalogo:lista")).content.decode()
    link = reverse("pubblico:lingua", args=["en"]) + "?next=/catalogo/"
    assert f'href="{link}"' in html and "csrfmiddlewaretoken" not in html
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == "/catalogo/"
    assert client.get(reverse("catalogo:lista"))["Content-Language"] == "en"
    # Never to another site.
    assert client.get(reverse("pubblico:lingua", args=["it"]) + "?next=https://evil.example/")["Location"] == "/"
    assert client.get(reverse("pubblico:lingua", args=["xx"])).status_code == 404


def test_home_query_count_does_not_grow_with_data(client):
    make_services(10)
    small = home_queries(client)
    make_services(1000, start=10)
    large = home_queries(client)
    assert small == large
    assert small <= 5  # the four counter queries and the latest news, on a miss


def test_home_on_cache_hit_runs_no_sql(client):
    make_services(10)
    client.get(reverse("home"))  # fills the cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert ctx.captured_queries == []


def test_home_refuses_post(client):
    assert client.post(reverse("home")).status_code == 405
