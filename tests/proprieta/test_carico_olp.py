"""No accepted save ever leaves an OLP above the call's maximum: random places and OLP saved
at the sedi step of several projects, submissions, and volunteers started, in any order.
And the OLP's own form under bad input.

The load is recomputed after every accepted save by a plain reading of its definition
(progetti.carico_olp), row by row, not by the function under test; and the volunteers
actually assigned to an OLP are checked against the maximum as well.
"""

import datetime

import pytest
import time_machine
from codicefiscale import codicefiscale
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from enti.models import Olp
from progetti import actions
from progetti.carico_olp import STATI_CON_POSTI_IMPEGNATI
from progetti.models import PostoSede, Progetto
from tests.factories import AreaFactory, BandoFactory, OlpFactory, SedeFactory
from tests.personas import client_per, costruisci_mondo
from volontari import ciclo
from volontari.models import Servizio

from .conftest import esempio
from .strategie import data_testo, email_ostile, modulo, numero_testo, testo_ostile
from .verifiche import istantanea, prova_valori_critici, successo, verifica_rifiuto, verifica_righe_pulite

pytestmark = pytest.mark.django_db
OGGI = datetime.date(2026, 5, 4)
N_OLP, N_SEDI, N_PROGETTI = 3, 2, 3


@pytest.fixture
def mondo():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        mondo = costruisci_mondo()
        ente = mondo.oggetti["enti"]["a"]
        mondo.oggetti["olp"] = [OlpFactory(ente=ente) for _ in range(N_OLP)]
        mondo.oggetti["sedi"] = [SedeFactory(ente=ente) for _ in range(N_SEDI)]
        yield mondo


def carico_letto(olp, oggi) -> int:
    """The definition, read literally: per place row, the larger of her whole share of a live
    project's places and the volunteers assigned to her there."""
    totale = 0
    righe = PostoSede.objects.filter(
        pk__in=[*olp.posti.values_list("pk", flat=True), *olp.servizi.values_list("posto_id", flat=True)]
    )
    for posto in righe.select_related("progetto").prefetch_related("olp"):
        nominati = list(posto.olp.all())
        quota = 0
        if olp in nominati and posto.progetto.stato in STATI_CON_POSTI_IMPEGNATI:
            quota = -(-posto.posti_totali // len(nominati))
        assegnati = Servizio.objects.filter(posto=posto, olp=olp, data_fine__gte=oggi).exclude(stato="rinuncia").count()
        totale += max(quota, assegnati)
    return totale


riga = st.tuples(
    st.integers(0, N_SEDI - 1), st.integers(1, 3), st.sets(st.integers(0, N_OLP - 1), min_size=1, max_size=N_OLP)
)
righe = st.lists(riga, min_size=1, max_size=N_SEDI, unique_by=lambda r: r[0])
# Per project: its first rows, whether it is edited while returned for changes (its places then
# already hold its OLP's time), whether the network approves it, and rows saved again later.
progetto = st.tuples(righe, st.booleans(), st.booleans(), righe)
avvio = st.tuples(st.integers(0, N_PROGETTI - 1), st.integers(0, N_SEDI - 1), st.integers(0, N_OLP - 1))


def _cf(n: int) -> str:
    nascita = datetime.date(2001, 1, 1) + datetime.timedelta(days=n)
    return codicefiscale.encode(
        lastname="Rossi", firstname="Anna", gender="F", birthdate=f"{nascita:%d/%m/%Y}", birthplace="A794"
    )


# A save that breaks the rule needs a few steps to show: more examples than the profile's 30.
@settings(max_examples=max(settings.default.max_examples, 100))
@given(
    massimo=st.integers(1, 3),
    piani=st.lists(progetto, min_size=N_PROGETTI, max_size=N_PROGETTI),
    avvii=st.lists(avvio, min_size=2, max_size=8),
)
def test_no_accepted_save_leaves_an_olp_above_the_maximum(mondo, massimo, piani, avvii):
    referente = mondo.users["referente_a"]
    olp, sedi = mondo.oggetti["olp"], mondo.oggetti["sedi"]

    def righe_di(piano):
        return [
            {
                "sede": sedi[s],
                "posti_vitto_alloggio": 0,
                "posti_solo_vitto": 0,
                "posti_senza_vitto_alloggio": posti,
                "posti_gmo": 0,
                "olp": [olp[o] for o in sorted(scelti)],
            }
            for s, posti, scelti in piano
        ]

    def prova(salvataggio) -> None:
        try:
            salvataggio()
        except (ValidationError, PermissionDenied):
            return
        for o in olp:
            assert carico_letto(o, OGGI) <= massimo, str(o)
            assert Servizio.objects.filter(olp=o, data_fine__gte=OGGI).exclude(stato="rinuncia").count() <= massimo

    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False), esempio():
        bando = BandoFactory(nome="Bando delle proprietà", max_volontari_per_olp=massimo)
        progetti = []
        for prime, da_integrare, approvato, _dopo in piani:
            area = AreaFactory()
            p = actions.crea_progetto(
                acting_user=referente,
                ente=mondo.oggetti["enti"]["a"],
                dati={"titolo": "Biblioteche", "bando": bando, "settore": area.settore, "area": area},
            )
            if da_integrare:  # an empty project holds nobody's time: no save is skipped here
                Progetto.objects.filter(pk=p.pk).update(stato=Progetto.Stato.DA_INTEGRARE)
                p.refresh_from_db()
            progetti.append(p)
            prova(
                lambda p=p, prime=prime: actions.salva_posti(acting_user=referente, progetto=p, righe=righe_di(prime))
            )
            prova(lambda p=p: actions.cambia_stato_progetto(acting_user=referente, progetto=p, a="presentato"))
            if approvato:
                # The network's assessment moves between live states: the load does not change.
                Progetto.objects.filter(pk=p.pk, stato="presentato").update(stato=Progetto.Stato.APPROVATO)
        approvati = list(Progetto.objects.filter(pk__in=[p.pk for p in progetti], stato="approvato").order_by("pk"))
        for n, (i, j, o) in enumerate(avvii):
            posti = list(PostoSede.objects.filter(progetto__in=approvati).order_by("pk"))
            if not posti:
                break
            posto = posti[(i * N_SEDI + j) % len(posti)]
            nominati = list(posto.olp.order_by("pk"))
            scelto = nominati[o % len(nominati)]
            prova(
                lambda posto=posto, olp_=scelto, n=n: ciclo.avvia_servizio(
                    acting_user=referente,
                    posto=posto,
                    olp=olp_,
                    volontario={"codice_fiscale": _cf(n), "nome": "Anna", "cognome": "Rossi"},
                    data_inizio=OGGI + datetime.timedelta(days=n),
                    data_domanda=OGGI - datetime.timedelta(days=30),
                )
            )
        # Projects without volunteers are returned for changes (live to live) and saved again.
        for p, (_prime, _da_integrare, _approvato, dopo) in zip(progetti, piani, strict=True):
            if Servizio.objects.filter(posto__progetto=p).exists():
                continue
            Progetto.objects.filter(pk=p.pk, stato__in=("presentato", "approvato")).update(
                stato=Progetto.Stato.DA_INTEGRARE
            )
            p.refresh_from_db()
            prova(lambda p=p, dopo=dopo: actions.salva_posti(acting_user=referente, progetto=p, righe=righe_di(dopo)))


def _prova_olp(client, url, dati):
    prima = istantanea(Olp)
    r = client.post(url, dati)
    if successo(r):
        verifica_righe_pulite(Olp)
    else:
        assert istantanea(Olp) == prima
        verifica_rifiuto(r)
    return r


OLP_VALIDO = {
    "nome": "Ornella",
    "cognome": "Operatrice",
    "email": "",
    "telefono": "",
    "requisito": "laurea",
    "titolo_o_esperienza": "Laurea in scienze dell'educazione",
    "corso_olp_il": "2026-02-10",
    "ore_settimanali_sede": "12",
    "attivo": "on",
}


@given(data=st.data(), nuovo=st.booleans())
def test_olp_form_under_bad_input(client, mondo, data, nuovo):
    ente = mondo.oggetti["enti"]["a"]
    ostili = {
        "nome": testo_ostile,
        "cognome": testo_ostile,
        "email": email_ostile,
        "telefono": st.one_of(numero_testo, testo_ostile),
        "requisito": st.one_of(st.sampled_from(["laurea", "esperienza", "", "altro"]), testo_ostile),
        "titolo_o_esperienza": testo_ostile,
        "corso_olp_il": data_testo,
        "ore_settimanali_sede": st.one_of(numero_testo, st.integers(-5, 200).map(str)),
    }
    dati = data.draw(modulo({k: st.just(v) for k, v in OLP_VALIDO.items()}, ostili))
    url = reverse("olp:nuovo", args=[ente.pk]) if nuovo else reverse("olp:modifica", args=[mondo.oggetti["olp"][0].pk])
    client_per(client, mondo, "referente_a")
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False), esempio():
        _prova_olp(client, url, dati)


def test_olp_form_critical_values(client, mondo):
    client_per(client, mondo, "referente_a")
    url = reverse("olp:nuovo", args=[mondo.oggetti["enti"]["a"].pk])
    tipi = {
        "nome": "testo", "cognome": "testo", "email": "email", "telefono": "testo", "requisito": "testo",
        "titolo_o_esperienza": "testo", "corso_olp_il": "data", "ore_settimanali_sede": "numero",
    }  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        prova = lambda d: _prova_olp(client, url, d)  # noqa: E731
        assert prova_valori_critici(prova, OLP_VALIDO, tipi, accettati=successo) > 40
