"""enti.ambiti: a QuerySet declares how its rows reach each scope kind, and the helper turns a
user's scope into the filter. Every kind must use its own declared path."""

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from adesioni.models import Invito
from enti.access import Ambito
from enti.ambiti import AmbitoQuerySet, Tramite, filtro
from enti.models import Sede
from tests.factories import NodoFactory, OlpFactory, SedeFactory, UserFactory


class InvitoPerTipo(AmbitoQuerySet):
    """Invitations reach every scope kind through a column of their own."""

    AMBITI = {
        "utente": "creato_da",
        "nodi": "nodo_id",
        "enti": "ente_id",
        "enti_referente": "ente_id",
        "sedi": "sede_id",
        "olp": "olp_id",
    }


def _invito(n, **kwargs):
    scade = timezone.now() + datetime.timedelta(days=1)
    return Invito.objects.create(email=f"x{n}@example.org", token_hash=f"{n:064d}", scade_il=scade, **kwargs)


@pytest.mark.django_db
def test_ogni_tipo_di_ambito_usa_il_proprio_percorso():
    sede, altra_sede = SedeFactory(), SedeFactory()
    olp = OlpFactory(ente=sede.ente)
    nodo = NodoFactory()
    autore, estraneo = UserFactory(), UserFactory()
    righe = {
        "nodi": _invito(1, ruolo="staff_nodo", nodo=nodo),
        "enti": _invito(2, ruolo="referente", ente=sede.ente),
        "sedi": _invito(3, ruolo="responsabile_sede", sede=sede),
        "olp": _invito(4, ruolo="olp", olp=olp),
        "utente": _invito(5, ruolo="responsabile_sede", sede=altra_sede, creato_da=autore),
    }
    _invito(6, ruolo="responsabile_sede", sede=altra_sede, creato_da=estraneo)  # nobody's below
    ambiti = {
        "nodi": Ambito(nodi=frozenset({nodo.pk})),
        "enti": Ambito(enti=frozenset({sede.ente_id})),
        "enti_referente": Ambito(enti_referente=frozenset({sede.ente_id})),
        "sedi": Ambito(sedi=frozenset({sede.pk})),
        "olp": Ambito(olp=olp.pk),
    }
    qs = InvitoPerTipo(model=Invito)
    for tipo, a in ambiti.items():
        visti = set(qs.filter(filtro(None, InvitoPerTipo.AMBITI, a)).values_list("pk", flat=True))
        atteso = righe["enti" if tipo == "enti_referente" else tipo]
        assert visti == {atteso.pk}, tipo
    visti = set(qs.filter(filtro(autore, InvitoPerTipo.AMBITI, Ambito())).values_list("pk", flat=True))
    assert visti == {righe["utente"].pk}


@pytest.mark.django_db
def test_nazionale_vede_tutto_ambito_vuoto_niente(monkeypatch):
    SedeFactory(), SedeFactory()
    user = UserFactory()
    monkeypatch.setattr("enti.ambiti.ambito", lambda u: Ambito(nazionale=True))
    assert Sede.objects.visible_to(user).count() == 2
    monkeypatch.setattr("enti.ambiti.ambito", lambda u: Ambito())
    assert not Sede.objects.visible_to(user).exists()


def test_percorsi_composti_none_e_tipi_sconosciuti():
    a = Ambito(nodi=frozenset({7}), sedi=frozenset({3}), olp=5)
    percorsi = {
        "nodi": ("nodo_id", "ente__nodo_id"),
        "sedi": None,
        "olp": lambda olp_id: Q(olp_id=olp_id),
    }
    assert filtro(None, percorsi, a) == Q(nodo_id__in=frozenset({7})) | Q(ente__nodo_id__in=frozenset({7})) | Q(
        olp_id=5
    )
    # A kind left out (or None) sees nothing; the user's own rows need a signed-in user.
    assert filtro(None, {"sedi": None, "utente": "creato_da"}, a) == Q()
    tramite = filtro(None, {"sedi": Tramite("enti.Sede", "pk", "ente_id", campo="ente_id")}, a)
    ((lookup, subquery),) = tramite.children
    assert lookup == "ente_id__in"
    assert str(subquery.query) == str(Sede.objects.filter(pk__in=frozenset({3})).values("ente_id").query)
    with pytest.raises(ValueError):
        filtro(None, {"regioni": "regione_id"}, a)
