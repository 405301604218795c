"""No GET writes anything: every URL of the authorization matrix, opened with GET by every
persona, leaves every table's row count and every timestamp column's maximum as it was.

The only writes allowed are the session's own bookkeeping, which is not the portal's data:
allauth's session list (`usersessions_usersession`) stamps `last_seen_at` on every signed-in
request (USERSESSIONS_TRACK_ACTIVITY, the "last seen" of the session list) and Django's
session store may refresh its row. Their row counts are still checked: a GET neither opens
nor closes a session. allauth removes the list's row of a session that has ended lazily, when
the list is next opened; the walk removes them itself after each sign-out, as that page would.

One GET writes by design: downloading one's own data (`volontari:i_miei_dati`) is audited,
an access log of personal data and not a change of state; only that event is allowed."""

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection, models

from accounts.audit import Evento
from accounts.models import AuditEvent
from tests.network.test_authorization_matrix import MATRIX, url_for
from tests.personas import PERSONE, client_per, costruisci_mondo

pytestmark = pytest.mark.django_db
SALUTE = "/salute/"

# (table, column) pairs that are session bookkeeping, see the docstring.
BOOKKEEPING = {
    ("usersessions_usersession", "last_seen_at"),
    ("django_session", "expire_date"),
}


# URL name -> what its GET may add, and the only audit event kind it may write.
SCRITTURE_AMMESSE = {
    "volontari:i_miei_dati": (
        {"accounts_auditevent: rows", "accounts_auditevent.created_at: max"},
        Evento.DATI_PERSONALI_SCARICATI,
    ),
}


def _sessioni_chiuse_via_dalla_lista() -> None:
    UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()


def _colonne_da_osservare():
    """Every table of every installed model (many-to-many tables included) and its date and
    time columns."""
    tabelle = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        tabella = model._meta.db_table
        colonne = tabelle.setdefault(tabella, [])
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField | models.DateTimeField) and (tabella, f.column) not in BOOKKEEPING:
                colonne.append(f.column)
    return tabelle


def _sql_fotografia(tabelle) -> str:
    q = connection.ops.quote_name
    parti = []
    for tabella, colonne in sorted(tabelle.items()):
        parti.append(f"(SELECT COUNT(*) FROM {q(tabella)})")  # noqa: S608 (names from the models)
        parti.extend(f"(SELECT MAX({q(c)}) FROM {q(tabella)})" for c in colonne)  # noqa: S608
    return "SELECT " + ", ".join(parti)


def _etichette(tabelle) -> list[str]:
    etichette = []
    for tabella, colonne in sorted(tabelle.items()):
        etichette.append(f"{tabella}: rows")
        etichette.extend(f"{tabella}.{c}: max" for c in colonne)
    return etichette


def test_the_snapshot_sees_a_write():
    """The check itself can fail: a changed timestamp and a new row are both seen."""
    from pubblico.models import Notizia

    tabelle = _colonne_da_osservare()
    sql = _sql_fotografia(tabelle)
    with connection.cursor() as cur:
        cur.execute(sql)
        prima = cur.fetchone()
        Notizia.objects.create(titolo="Scritta", slug="scritta", sommario="s", testo="t")
        cur.execute(sql)
        dopo = cur.fetchone()
    cambiate = {e for e, a, b in zip(_etichette(tabelle), prima, dopo, strict=True) if a != b}
    assert "network_notizia: rows" in cambiate
    assert "network_notizia.aggiornata_il: max" in cambiate


def test_no_get_of_the_matrix_writes(client):
    mondo = costruisci_mondo()
    tabelle = _colonne_da_osservare()
    sql, etichette = _sql_fotografia(tabelle), _etichette(tabelle)
    assert "volontari_presenza: rows" in etichette and "accounts_auditevent.created_at: max" in etichette
    scritture = []
    for name in sorted(MATRIX):
        url = url_for(name, mondo)
        for persona in PERSONE:
            c = client_per(client, mondo, persona)
            _sessioni_chiuse_via_dalla_lista()
            c.get(SALUTE)  # the session's first request registers it in the session list
            ultimo_evento = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with connection.cursor() as cur:
                cur.execute(sql)
                prima = cur.fetchone()
            c.get(url)
            with connection.cursor() as cur:
                cur.execute(sql)
                dopo = cur.fetchone()
            cambiate = [e for e, a, b in zip(etichette, prima, dopo, strict=True) if a != b]
            if name in SCRITTURE_AMMESSE and set(cambiate) <= SCRITTURE_AMMESSE[name][0]:
                nuovi = set(AuditEvent.objects.filter(pk__gt=ultimo_evento).values_list("verb", flat=True))
                if nuovi <= {SCRITTURE_AMMESSE[name][1].value}:
                    cambiate = []
            if cambiate:
                scritture.append((name, persona, cambiate))
    assert scritture == [], "\n".join(f"{n} ({p}): {', '.join(c)}" for n, p, c in scritture)
