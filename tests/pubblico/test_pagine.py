"""Public pages kept rendered for anonymous visitors (pubblico.pagine): a hit runs no SQL,
any change to what they show is visible at the next request, signed-in people and visitors
with a message waiting always get a fresh page."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pubblico import counters, pagine
from pubblico.models import Notizia
from tests.pubblico.test_catalogo import catalogo, progetto  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def query(client, url, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        risposta = client.get(url, **extra)
    return len(ctx.captured_queries), risposta


@pytest.mark.parametrize(
    "nome,args",
    [
        ("catalogo:lista", []),  # /dati/ runs no SQL at all: nothing to show here
        ("pubblico:rete", []),
        ("pubblico:numeri", []),
        ("pubblico:notizie", []),
        ("pubblico:dataset", ["enti", "csv"]),
    ],
)
def test_an_anonymous_hit_runs_no_sql_and_answers_the_same(client, catalogo, nome, args):  # noqa: F811
    url = reverse(nome, args=args)
    counters.get()
    primi, prima = query(client, url)
    n, dopo = query(client, url)
    assert prima.status_code == dopo.status_code == 200
    assert primi > 0 and n == 0
    assert dopo.content == prima.content and dopo["Content-Type"] == prima["Content-Type"]


def test_a_change_shows_at_the_next_request(client, catalogo):  # noqa: F811
    url = reverse("catalogo:lista")
    assert "Nuovo progetto" not in client.get(url).content.decode()
    progetto("Nuovo progetto", comune=catalogo["biblioteche"].posti.get().sede.comune)
    assert "Nuovo progetto" in client.get(url).content.decode()


def test_a_change_committed_elsewhere_is_seen_through_the_generation(client, catalogo):  # noqa: F811
    url = reverse("pubblico:notizie")
    client.get(url)
    # Another process committed a news item: its signal ran there, this one only sees the
    # new generation in the shared cache.
    Notizia.objects.bulk_create([Notizia(titolo="Arrivata", slug="arrivata", sommario="S", testo="T", pubblicata=True)])
    assert "Arrivata" not in client.get(url).content.decode()  # no signal: the old page
    cache.set(pagine.CHIAVE_GENERAZIONE, "altra-generazione", timeout=None)
    assert "Arrivata" in client.get(url).content.decode()


def test_signed_in_visitors_and_pending_messages_get_a_fresh_page(client, catalogo, django_user_model):  # noqa: F811
    url = reverse("catalogo:lista")
    counters.get()
    client.get(url)
    client.cookies["messages"] = "x"
    n, _ = query(client, url)
    assert n > 0
    del client.cookies["messages"]
    client.force_login(django_user_model.objects.create_user(email="p@example.org", password="x"))
    client.get(url)
    n, _ = query(client, url)
    assert n > 0


def test_a_kept_file_still_answers_304_to_its_etag(client, catalogo):  # noqa: F811
    url = reverse("pubblico:dataset", args=["enti", "json"])
    etag = client.get(url)["ETag"]
    n, risposta = query(client, url, HTTP_IF_NONE_MATCH=etag)
    assert risposta.status_code == 304 and n == 0 and risposta["ETag"] == etag
