"""An OLP's load is one whole number (progetti.carico_olp), the same at the sedi step, at a
service's start and in the indicator; and an OLP must meet the requirements to be named."""

import datetime

import pytest
import time_machine
from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError

from monitoraggio import allerte, indicatori
from monitoraggio.models import Allerta
from progetti import actions, carico_olp
from progetti.models import Progetto
from tests.factories import AreaFactory, BandoFactory, OlpFactory, PostoSedeFactory, SedeFactory, ServizioFactory
from tests.personas import costruisci_mondo
from volontari import ciclo

pytestmark = pytest.mark.django_db
OGGI = datetime.date(2026, 5, 4)
P = Progetto.Stato


@pytest.fixture(autouse=True)
def orologio():
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def mondo():
    return costruisci_mondo()


def riga(sede, olp, posti):
    return {
        "sede": sede,
        "posti_vitto_alloggio": 0,
        "posti_solo_vitto": 0,
        "posti_senza_vitto_alloggio": posti,
        "posti_gmo": 0,
        "olp": olp,
    }


def progetto(mondo, bando, stato, **extra):
    ente = mondo.oggetti["enti"]["a"]
    return PostoSedeFactory(
        progetto__ente=ente, progetto__bando=bando, progetto__stato=stato, sede=SedeFactory(ente=ente), **extra
    )


def bozza(mondo, bando):
    area = AreaFactory()
    return actions.crea_progetto(
        acting_user=mondo.users["referente_a"],
        ente=mondo.oggetti["enti"]["a"],
        dati={"titolo": "Biblioteche", "bando": bando, "settore": area.settore, "area": area},
    )


def avvia(mondo, posto, olp, n=0):
    nascita = datetime.date(2003, 5, 1) + datetime.timedelta(days=n)
    cf = codicefiscale.encode(
        lastname="Nuovi", firstname="Nina", gender="F", birthdate=f"{nascita:%d/%m/%Y}", birthplace="A794"
    )
    return ciclo.avvia_servizio(
        acting_user=mondo.users["referente_a"],
        posto=posto,
        olp=olp,
        volontario={"codice_fiscale": cf, "nome": "Nina", "cognome": "Nuovi"},
        data_inizio=OGGI,
        data_domanda=OGGI - datetime.timedelta(days=60),
    )


def test_a_share_of_places_is_whole_volunteers_rounded_up():
    assert carico_olp.quota(1, 4) == 1
    assert carico_olp.quota(7, 2) == 4
    assert carico_olp.quota(8, 2) == 4
    assert carico_olp.quota(0, 2) == 0


def test_one_place_shared_by_four_olp_is_refused_when_one_of_them_is_at_the_maximum(mondo):
    bando = BandoFactory(nome="Bando OLP 1", max_volontari_per_olp=4)
    ente = mondo.oggetti["enti"]["a"]
    x, v, y, z, w = (OlpFactory(ente=ente) for _ in range(5))
    # Seven places shared by X and V: X follows four of them (3.5 as a fraction).
    progetto(mondo, bando, P.APPROVATO, posti_senza_vitto_alloggio=7).olp.set([x, v])
    assert carico_olp.carichi_olp([x.pk], giorno=OGGI)[x.pk].volontari == 4
    nuovo = bozza(mondo, bando)
    sede = SedeFactory(ente=ente)
    with pytest.raises(ValidationError) as exc:
        actions.salva_posti(acting_user=mondo.users["referente_a"], progetto=nuovo, righe=[riga(sede, [x, y, z, w], 1)])
    messaggi = exc.value.righe[0]["olp"]
    assert messaggi == [f"{x} seguirebbe 5 volontari nell'insieme dei progetti: il massimo è 4."]
    assert not nuovo.posti.exists()
    # Without X the same place is accepted: each of the three others follows one volunteer.
    actions.salva_posti(acting_user=mondo.users["referente_a"], progetto=nuovo, righe=[riga(sede, [y, z, w], 1)])
    assert carico_olp.carichi_olp([y.pk, z.pk, w.pk], giorno=OGGI) == {}  # a draft holds nobody's time
    Progetto.objects.filter(pk=nuovo.pk).update(stato=P.PRESENTATO)
    carichi = carico_olp.carichi_olp([y.pk, z.pk, w.pk], giorno=OGGI)
    assert [carichi[o.pk].volontari for o in (y, z, w)] == [1, 1, 1]


def test_the_same_figure_at_the_sedi_step_at_service_start_and_in_the_indicator(mondo):
    bando = BandoFactory(nome="Bando OLP 2", max_volontari_per_olp=3)
    ente = mondo.oggetti["enti"]["a"]
    x, y = OlpFactory(ente=ente), OlpFactory(ente=ente)
    # X alone at three places of a running project, one of them already taken by a volunteer she follows...
    in_corso = progetto(mondo, bando, P.APPROVATO, posti_senza_vitto_alloggio=3)
    in_corso.olp.set([x])
    ServizioFactory(posto=in_corso, olp=x, data_inizio=OGGI - datetime.timedelta(days=30))
    # ... and with Y at two places of a project returned for changes: one each.
    da_integrare = progetto(mondo, bando, P.DA_INTEGRARE, posti_senza_vitto_alloggio=2)
    da_integrare.olp.set([x, y])
    atteso = f"{x} seguirebbe 4 volontari nell'insieme dei progetti: il massimo è 3."

    assert carico_olp.carichi_olp([x.pk], giorno=OGGI)[x.pk] == carico_olp.Carico(4, 3)
    # The sedi step (at submission) ...
    errori = actions.errori_progetto(da_integrare.progetto)
    assert f"{da_integrare.sede.denominazione}: {atteso}" in errori["posti"]
    # ... the start of a second volunteer of X at the running project (her share is still 3 there) ...
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, in_corso, x)
    assert exc.value.message_dict["olp"] == [atteso]
    # ... and the indicator, on the same day.
    ambito = indicatori.servizi_ambito(ente=ente)
    assert indicatori.calcola(ambito, OGGI - datetime.timedelta(days=30), OGGI, oggi=OGGI)["olp_oltre"].valore == 1
    # The daily alerts read it too.
    allerte.controlla(OGGI)
    assert Allerta.objects.get(chiave=f"olp:{x.pk}").messaggio == f"{x} segue 4 volontari: il massimo è 3."

    # One more volunteer allowed by the call: the three agree that X, at 4, is within it.
    bando.max_volontari_per_olp = 4
    bando.save()
    assert not any("seguirebbe" in m for m in actions.errori_progetto(da_integrare.progetto).get("posti", []))
    assert indicatori.calcola(ambito, OGGI - datetime.timedelta(days=30), OGGI, oggi=OGGI)["olp_oltre"].valore == 0
    avvia(mondo, in_corso, x)
    assert carico_olp.carichi_olp([x.pk], giorno=OGGI)[x.pk].volontari == 4


def test_volunteers_assigned_beyond_the_share_count_and_ended_services_drop_out(mondo):
    bando = BandoFactory(nome="Bando OLP 3", max_volontari_per_olp=4)
    ente = mondo.oggetti["enti"]["a"]
    x, y = OlpFactory(ente=ente), OlpFactory(ente=ente)
    posto = progetto(mondo, bando, P.IN_CORSO, posti_senza_vitto_alloggio=2)
    posto.olp.set([x, y])
    assert carico_olp.carichi_olp([x.pk], giorno=OGGI)[x.pk].volontari == 1
    for _ in range(2):
        ServizioFactory(posto=posto, olp=x, data_inizio=OGGI - datetime.timedelta(days=300))
    # Both places are X's: she follows two, Y still holds her share of one.
    carichi = carico_olp.carichi_olp([x.pk, y.pk], giorno=OGGI)
    assert (carichi[x.pk].volontari, carichi[y.pk].volontari) == (2, 1)
    # The services end on day 364: after it only X's share is left.
    dopo = OGGI + datetime.timedelta(days=100)
    assert carico_olp.carichi_olp([x.pk], giorno=dopo)[x.pk].volontari == 1


def test_the_strictest_call_of_an_olp_is_her_maximum(mondo):
    ente = mondo.oggetti["enti"]["a"]
    x = OlpFactory(ente=ente)
    stretto = BandoFactory(nome="Bando OLP 4", max_volontari_per_olp=2)
    progetto(mondo, stretto, P.APPROVATO, posti_senza_vitto_alloggio=1).olp.set([x])
    largo = BandoFactory(nome="Bando OLP 5", max_volontari_per_olp=4)
    nuovo = progetto(mondo, largo, P.DA_INTEGRARE, posti_senza_vitto_alloggio=2)
    nuovo.olp.set([x])
    errori = actions.errori_progetto(nuovo.progetto)
    assert (
        f"{nuovo.sede.denominazione}: {x} seguirebbe 3 volontari nell'insieme dei progetti: il massimo è 2."
        in (errori["posti"])
    )


def test_the_count_over_the_maximum_agrees_with_each_olps_load(mondo):
    """quanti_oltre_massimo (the indicator's one query) counts the OLP whose `carichi_olp` load is
    above their maximum: shares rounded up, services beyond the share, a sector's own limit, the
    strictest call, ended and renounced services and drafts left out."""
    from enti.models import Olp
    from progetti.models import LimiteOlpSettore

    ente = mondo.oggetti["enti"]["a"]
    stretto = BandoFactory(nome="Bando OLP 7", max_volontari_per_olp=2)
    largo = BandoFactory(nome="Bando OLP 8", max_volontari_per_olp=5)
    x, y, z, w, v = (OlpFactory(ente=ente) for _ in range(5))
    # X: 3 places shared with Y at a running project (2 each, rounded up) and 1 of a strict call.
    condiviso = progetto(mondo, largo, P.IN_CORSO, posti_senza_vitto_alloggio=3)
    condiviso.olp.set([x, y])
    progetto(mondo, stretto, P.APPROVATO, posti_senza_vitto_alloggio=1).olp.set([x])
    # Y: three services assigned to her where her share is 2, under a sector limit of 2.
    LimiteOlpSettore.objects.create(bando=largo, settore=condiviso.progetto.settore, max_volontari_per_olp=2)
    for _ in range(3):
        ServizioFactory(posto=condiviso, olp=y, data_inizio=OGGI - datetime.timedelta(days=30))
    # Z: 6 places of a draft (holds nothing) and services ended or renounced.
    progetto(mondo, largo, P.BOZZA, posti_senza_vitto_alloggio=6).olp.set([z])
    altro = progetto(mondo, largo, P.IN_CORSO, posti_senza_vitto_alloggio=1)
    altro.olp.set([z])
    for _ in range(3):
        ServizioFactory(posto=altro, olp=z, data_inizio=OGGI - datetime.timedelta(days=400))
    ServizioFactory(posto=altro, olp=z, data_inizio=OGGI - datetime.timedelta(days=30), stato="rinuncia")
    # W: alone at 2 places of the strict call, exactly her maximum; V: nowhere.
    progetto(mondo, stretto, P.FINANZIATO, posti_senza_vitto_alloggio=2).olp.set([w])

    ids = Olp.objects.filter(pk__in=[x.pk, y.pk, z.pk, w.pk, v.pk]).values("pk")
    carichi = carico_olp.carichi_olp(ids, giorno=OGGI)
    oltre = {pk for pk, c in carichi.items() if c.volontari > c.massimo}
    assert oltre == {x.pk, y.pk}
    assert carico_olp.quanti_oltre_massimo(ids, giorno=OGGI) == 2
    # Without the sector's limit Y is within the call's 5; X stays over her strict call.
    LimiteOlpSettore.objects.all().delete()
    assert carico_olp.quanti_oltre_massimo(ids, giorno=OGGI) == 1
    # A scope that cannot hold anyone (a filter matching nothing) has nobody over.
    assert carico_olp.quanti_oltre_massimo(Olp.objects.none().values("pk"), giorno=OGGI) == 0


@pytest.mark.parametrize(
    ("campi", "mancante"),
    [
        ({"requisito": ""}, "non è registrato né il titolo di studio attinente né l'esperienza di almeno due anni"),
        ({"corso_olp_il": None}, "non è registrata la data del corso OLP"),
        ({"ore_settimanali_sede": None}, "non sono registrate le ore settimanali presso la sede"),
        ({"ore_settimanali_sede": 9}, "9 ore settimanali presso la sede, ne servono almeno 10"),
    ],
)
def test_an_olp_who_lacks_a_requirement_cannot_be_named(mondo, campi, mancante):
    bando = BandoFactory(nome="Bando OLP 6", max_volontari_per_olp=4)
    ente = mondo.oggetti["enti"]["a"]
    olp = OlpFactory(ente=ente, **campi)
    nuovo = bozza(mondo, bando)
    sede = SedeFactory(ente=ente)
    atteso = f"{olp} non ha i requisiti di OLP: {mancante}. Registrali nella scheda dell'OLP."
    with pytest.raises(ValidationError) as exc:
        actions.salva_posti(acting_user=mondo.users["referente_a"], progetto=nuovo, righe=[riga(sede, [olp], 1)])
    assert atteso in exc.value.righe[0]["olp"]
    # Submission checks the rows already saved (rows saved before the requirements were recorded).
    posto = PostoSedeFactory(progetto=nuovo, sede=sede, posti_senza_vitto_alloggio=1)
    posto.olp.set([olp])
    assert f"{sede.denominazione}: {atteso}" in actions.errori_progetto(nuovo)["posti"]


def test_an_olp_with_every_requirement_and_ten_hours_is_named(mondo):
    bando = BandoFactory(nome="Bando OLP 7", max_volontari_per_olp=4)
    ente = mondo.oggetti["enti"]["a"]
    olp = OlpFactory(ente=ente, requisito="esperienza", ore_settimanali_sede=10)
    nuovo = bozza(mondo, bando)
    actions.salva_posti(
        acting_user=mondo.users["referente_a"], progetto=nuovo, righe=[riga(SedeFactory(ente=ente), [olp], 1)]
    )
    assert list(nuovo.posti.get().olp.all()) == [olp]


def test_the_sedi_step_shows_each_olps_load_with_a_fixed_number_of_queries(client, mondo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    bando = BandoFactory(nome="Bando OLP pagina", max_volontari_per_olp=3)
    ente = mondo.oggetti["enti"]["a"]
    x = OlpFactory(ente=ente)
    progetto(mondo, bando, P.APPROVATO, posti_senza_vitto_alloggio=3).olp.set([x])
    pagina = progetto(mondo, bando, P.DA_INTEGRARE, posti_senza_vitto_alloggio=2)
    pagina.olp.set([x, OlpFactory(ente=ente)])
    client.force_login(mondo.users["referente_a"])
    url = reverse("progetti:modifica", args=[pagina.progetto_id, "sedi"])
    client.get(url)  # the first request of a session reads a few things once
    with CaptureQueriesContext(connection) as prima:
        html = client.get(url).content.decode()
    assert f"{x} (segue 4 volontari, al massimo 3)" in html
    for _ in range(3):
        altro = OlpFactory(ente=ente)
        progetto(mondo, bando, P.APPROVATO, posti_senza_vitto_alloggio=1).olp.set([altro])
    with CaptureQueriesContext(connection) as dopo:
        client.get(url)
    assert len(dopo) == len(prima)


def test_a_replacement_is_refused_when_it_takes_its_olp_above_the_maximum(mondo):
    bando = BandoFactory(nome="Bando OLP subentro", max_volontari_per_olp=2)
    ente = mondo.oggetti["enti"]["a"]
    x, y = OlpFactory(ente=ente), OlpFactory(ente=ente)
    # Two places shared by X and Y (one each), both given to X's volunteers: one serving, one who renounced.
    posto = progetto(mondo, bando, P.IN_CORSO, posti_senza_vitto_alloggio=2)
    Progetto.objects.filter(pk=posto.progetto_id).update(data_avvio=OGGI - datetime.timedelta(days=20))
    posto.olp.set([x, y])
    ServizioFactory(posto=posto, olp=x, data_inizio=OGGI - datetime.timedelta(days=20))
    rinuncia = ServizioFactory(
        posto=posto, olp=x, stato="rinuncia", data_inizio=OGGI - datetime.timedelta(days=20),
        data_fine=OGGI - datetime.timedelta(days=20), data_fine_prevista=OGGI + datetime.timedelta(days=344),
    )  # fmt: skip
    # X alone at one place of another project: 1 + 1 = 2, the maximum.
    progetto(mondo, bando, P.APPROVATO, posti_senza_vitto_alloggio=1).olp.set([x])
    assert carico_olp.carichi_olp([x.pk], giorno=OGGI)[x.pk].volontari == 2
    cf = codicefiscale.encode(lastname="Nuovi", firstname="Nina", gender="F", birthdate="01/05/2003", birthplace="A794")
    with pytest.raises(ValidationError) as exc:
        ciclo.subentro(
            acting_user=mondo.users["referente_a"],
            uscito=rinuncia,
            volontario={"codice_fiscale": cf, "nome": "Nina", "cognome": "Nuovi"},
            data_inizio=OGGI,
            data_domanda=OGGI - datetime.timedelta(days=60),
        )
    assert exc.value.message_dict["olp"] == [f"{x} seguirebbe 3 volontari nell'insieme dei progetti: il massimo è 2."]
