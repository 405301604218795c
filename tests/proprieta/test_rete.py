"""Joining the network and the monitoring forms under bad input: invitations, accepting
one, access requests and their decision, report orders, the volunteer's questionnaire and
the sign-in form."""

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import User
from adesioni import actions
from adesioni.models import Invito, RichiestaAccesso
from enti.models import Membership
from enti.roles import Ruolo
from monitoraggio.models import Report
from tests.factories import ComuneFactory, codice_fiscale_ente
from tests.personas import client_per, costruisci_mondo
from volontari import questionari
from volontari.models import Questionario

from .conftest import esempio
from .strategie import email_ostile, mese_testo, modulo, numero_testo, testo_ostile
from .verifiche import istantanea, prova_valori_critici, successo, verifica_rifiuto, verifica_righe_pulite

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
RUOLI = [r.value for r in Ruolo]
DOMANDE = [campo for campo, _d in questionari.DOMANDE]


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    _invito, token = actions.invita(
        acting_user=mondo.users["referente_a"],
        email="nuova@example.org",
        ruolo=Ruolo.STAFF_ENTE,
        ente=mondo.oggetti["enti"]["a"],
        base_url="http://testserver/",
    )
    mondo.oggetti["token"] = token
    comune = ComuneFactory(nome="Gamma")
    mondo.oggetti["comune"] = comune
    mondo.oggetti["richiesta"] = actions.richiedi_accesso(
        dati={
            "denominazione": "Comune di Gamma", "tipo": "comune", "codice_fiscale": codice_fiscale_ente(),
            "comune": comune, "pec": "pec@gamma.example.it", "rappresentante_legale": "Gina Gamma",
            "nome": "Gina", "cognome": "Gamma", "email": "gina@gamma.example.it",
        }
    )  # fmt: skip
    mondo.oggetti["questionario"] = Questionario.objects.create(
        servizio=mondo.oggetti["servizi"]["a"], tipo=Questionario.Tipo.choices[0][0], inviato_il=OGGI, scadenza=OGGI
    )
    return mondo


def pk_ostile(*altrui):
    return st.one_of(st.sampled_from([str(v) for v in altrui] or ["0"]), numero_testo, testo_ostile)


@given(data=st.data(), persona=st.sampled_from(["referente_a", "nodo_lombardia", "olp_a"]))
def test_invito(client, mondo, data, persona):
    ente_a = mondo.oggetti["enti"]["a"]
    dati = data.draw(
        modulo(
            {
                "email": st.just("persona@example.org"),
                "ruolo": st.sampled_from([Ruolo.STAFF_ENTE.value, Ruolo.REFERENTE.value, Ruolo.OLP.value]),
                "ente": st.just(str(ente_a.pk)),
                "nodo": st.just(str(mondo.oggetti["nodi"]["lombardia"].pk)),
                "sede": st.just(""),
                "olp": st.just(str(mondo.oggetti["servizi"]["a"].olp_id)),
                "volontario": st.just(""),
            },
            {
                "email": email_ostile,
                "ruolo": st.one_of(st.sampled_from(RUOLI), testo_ostile),
                "ente": pk_ostile(mondo.oggetti["enti"]["v"].pk),
                "nodo": pk_ostile(mondo.oggetti["nodi"]["veneto"].pk),
                "sede": pk_ostile(),
                "olp": pk_ostile(mondo.oggetti["servizi"]["v"].olp_id),
                "volontario": pk_ostile(mondo.oggetti["servizi"]["v"].volontario_id),
            },
        )
    )
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(Invito)
        r = client.post(reverse("inviti:nuovo"), dati)
        if successo(r):
            verifica_righe_pulite(Invito)
        else:
            assert istantanea(Invito) == prima
            if r.status_code != 429:
                verifica_rifiuto(r)


@given(
    data=st.data(),
    password=st.one_of(st.just("una-password-lunga-e-sicura"), testo_ostile),
    token=st.one_of(st.none(), testo_ostile.filter(lambda t: "/" not in t and t.strip())),
)
def test_accetta_invito(client, mondo, data, password, token):
    dati = data.draw(
        modulo(
            {"nome": st.just("Nadia"), "cognome": st.just("Nuova"), "password2": st.just(password)},
            {"nome": testo_ostile, "cognome": testo_ostile, "password2": testo_ostile},
        )
    )
    client_per(client, mondo, "anonimo")
    with esempio():
        prima = istantanea(User, Membership, Invito)
        url = reverse("inviti:accetta", args=[mondo.oggetti["token"] if token is None else token])
        r = client.post(url, {**dati, "password1": password})
        assert r.status_code in (200, 302, 410, 429)
        if successo(r):
            verifica_righe_pulite(User, Membership)
        else:
            assert istantanea(User, Membership, Invito) == prima
            if r.status_code == 200:
                verifica_rifiuto(r)


codice_fiscale_ente_ostile = st.one_of(
    st.builds(codice_fiscale_ente),
    st.builds(lambda: codice_fiscale_ente()[:10] + "X"),
    st.text(alphabet="0123456789", min_size=0, max_size=14),
    testo_ostile,
)


@given(data=st.data())
def test_richiesta_di_accesso(client, mondo, data):
    dati = data.draw(
        modulo(
            {
                "denominazione": st.just("Comune di Delta"),
                "tipo": st.just("comune"),
                "codice_fiscale": st.builds(codice_fiscale_ente),
                "comune": st.just(mondo.oggetti["comune"].nome),
                "pec": st.just("pec@delta.example.it"),
                "rappresentante_legale": st.just("Dario Delta"),
                "nome": st.just("Dario"),
                "cognome": st.just("Delta"),
                "email": st.just("dario@delta.example.it"),
            },
            {
                "denominazione": testo_ostile,
                "tipo": testo_ostile,
                "codice_fiscale": st.one_of(
                    st.just(mondo.oggetti["enti"]["a"].codice_fiscale),
                    st.just(mondo.oggetti["richiesta"].codice_fiscale),
                    codice_fiscale_ente_ostile,
                ),
                "comune": st.one_of(st.just("Calliano"), testo_ostile),
                "pec": email_ostile,
                "rappresentante_legale": testo_ostile,
                "nome": testo_ostile,
                "cognome": testo_ostile,
                "email": email_ostile,
            },
        )
    )
    client_per(client, mondo, "anonimo")
    with esempio():
        prima = istantanea(RichiestaAccesso)
        r = client.post(reverse("inviti:richiesta"), dati)
        if successo(r):
            verifica_righe_pulite(RichiestaAccesso)
        else:
            assert istantanea(RichiestaAccesso) == prima
            if r.status_code != 429:
                verifica_rifiuto(r)


@given(approva=st.one_of(st.sampled_from(["1", "0"]), testo_ostile), motivo=testo_ostile)
def test_decisione_su_una_richiesta(client, mondo, approva, motivo):
    richiesta = mondo.oggetti["richiesta"]
    client_per(client, mondo, "nazionale")  # no regional node covers the comune of the request
    with esempio():
        prima = istantanea(RichiestaAccesso, Invito)
        r = client.post(reverse("inviti:richiesta_decidi", args=[richiesta.pk]), {"approva": approva, "motivo": motivo})
        assert r.status_code == 302
        if successo(r):
            verifica_righe_pulite(RichiestaAccesso, Invito)
        else:
            assert istantanea(RichiestaAccesso, Invito) == prima
            verifica_rifiuto(r)


@given(data=st.data(), persona=st.sampled_from(["nodo_lombardia", "referente_a"]))
def test_ordine_di_un_report(client, mondo, data, persona):
    dati = data.draw(
        modulo(
            {
                "tipo": st.sampled_from([t for t, _l in Report.Tipo.choices]),
                "mese": st.just(f"{OGGI:%Y-%m}"),
                "nodo": st.just(str(mondo.oggetti["nodi"]["lombardia"].pk)),
                "ente": st.just(str(mondo.oggetti["enti"]["a"].pk)),
                "progetto": st.just(str(mondo.oggetti["servizi"]["a"].posto.progetto_id)),
            },
            {
                "tipo": testo_ostile,
                "mese": mese_testo,
                "nodo": pk_ostile(mondo.oggetti["nodi"]["veneto"].pk),
                "ente": pk_ostile(mondo.oggetti["enti"]["v"].pk),
                "progetto": pk_ostile(mondo.oggetti["servizi"]["v"].posto.progetto_id),
            },
        )
    )
    client_per(client, mondo, persona)
    with esempio():
        prima = istantanea(Report)
        r = client.post(reverse("report:nuovo"), dati)
        if r.status_code == 302 and r.url != reverse("report:lista"):
            verifica_righe_pulite(Report)
            for report in Report.objects.all():
                assert report.periodo_inizio <= report.periodo_fine
                assert 2000 <= report.periodo_inizio.year <= report.periodo_fine.year <= 2100
        else:
            assert istantanea(Report) == prima
            verifica_rifiuto(r)


@given(
    risposte=modulo(
        {**dict.fromkeys(DOMANDE, st.sampled_from(["1", "3", "5"])), "commento": st.just("")},
        {**dict.fromkeys(DOMANDE, st.one_of(numero_testo, testo_ostile)), "commento": testo_ostile},
    )
)
def test_questionario(client, mondo, risposte):
    q = mondo.oggetti["questionario"]
    client_per(client, mondo, "volontario")
    with esempio():
        prima = istantanea(Questionario)
        r = client.post(reverse("volontari:questionario", args=[q.pk]), {"csrfmiddlewaretoken": "x", **risposte})
        if successo(r):
            verifica_righe_pulite(Questionario)
        else:
            assert istantanea(Questionario) == prima
            verifica_rifiuto(r)


@given(login=st.one_of(st.just("olp.a@example.org"), email_ostile), password=testo_ostile)
def test_accesso(client, mondo, login, password):
    client_per(client, mondo, "anonimo")
    with esempio():
        r = client.post(reverse("account_login"), {"login": login, "password": password})
        assert r.status_code in (200, 302, 429)
        if r.status_code == 200:
            verifica_rifiuto(r)


def test_valori_critici(client, mondo):
    """Each form of this file, one field at a time, with the critical values of its kind."""
    n = 0

    def prova(url, *modelli, rifiuto_senza_messaggio=(429,)):
        def _prova(dati):
            prima = istantanea(*modelli)
            r = client.post(url, dati)
            if successo(r):
                verifica_righe_pulite(*modelli)
            else:
                assert istantanea(*modelli) == prima
                if r.status_code not in rifiuto_senza_messaggio:
                    verifica_rifiuto(r)
            return r

        return _prova

    client_per(client, mondo, "referente_a")
    invito = {
        "email": "persona@example.org",
        "ruolo": Ruolo.STAFF_ENTE.value,
        "ente": str(mondo.oggetti["enti"]["a"].pk),
    }
    tipi = {"email": "email", "ruolo": "testo", "ente": "id"}
    n += prova_valori_critici(prova(reverse("inviti:nuovo"), Invito), invito, tipi, accettati=successo)
    richiesta = {
        "denominazione": "Comune di Delta", "tipo": "comune", "codice_fiscale": codice_fiscale_ente(),
        "comune": mondo.oggetti["comune"].nome, "pec": "pec@delta.example.it", "rappresentante_legale": "Dario Delta",
        "nome": "Dario", "cognome": "Delta", "email": "dario@delta.example.it",
    }  # fmt: skip
    tipi = {k: "email" if k in ("pec", "email") else "numero" if k == "codice_fiscale" else "testo" for k in richiesta}
    client_per(client, mondo, "anonimo")
    n += prova_valori_critici(prova(reverse("inviti:richiesta"), RichiestaAccesso), richiesta, tipi, accettati=successo)
    url = reverse("inviti:accetta", args=[mondo.oggetti["token"]])
    accetta = {"nome": "Nadia", "cognome": "Nuova", "password1": "una-password-lunga-e-sicura"}

    def accetta_con(dati):
        dati = {**dati, "password2": dati["password1"]}
        return prova(url, User, Membership, Invito)(dati)

    tipi = {"nome": "testo", "cognome": "testo", "password1": "password"}
    n += prova_valori_critici(accetta_con, accetta, tipi, accettati=successo)
    client_per(client, mondo, "nazionale")
    url = reverse("inviti:richiesta_decidi", args=[mondo.oggetti["richiesta"].pk])
    decisione = {"approva": "0", "motivo": "Non è un comune"}
    tipi = dict.fromkeys(decisione, "testo")
    n += prova_valori_critici(prova(url, RichiestaAccesso, Invito), decisione, tipi, accettati=successo)
    client_per(client, mondo, "nodo_lombardia")
    report = {"tipo": "mensile_ente", "mese": f"{OGGI:%Y-%m}", "ente": str(mondo.oggetti["enti"]["a"].pk)}

    def ordina(dati):
        prima = istantanea(Report)
        r = client.post(reverse("report:nuovo"), dati)
        if r.status_code == 302 and r.url != reverse("report:lista"):
            for report in Report.objects.all():
                assert 2000 <= report.periodo_inizio.year <= report.periodo_fine.year <= 2100
        else:
            assert istantanea(Report) == prima
            verifica_rifiuto(r)
        return r

    ordinato = lambda r: r.status_code == 302 and r.url != reverse("report:lista")  # noqa: E731
    n += prova_valori_critici(ordina, report, {"tipo": "testo", "mese": "mese", "ente": "id"}, accettati=ordinato)
    client_per(client, mondo, "volontario")
    url = reverse("volontari:questionario", args=[mondo.oggetti["questionario"].pk])
    risposte = {**dict.fromkeys(DOMANDE, "4"), "commento": "Tutto bene"}
    tipi = {**dict.fromkeys(DOMANDE, "numero"), "commento": "testo"}
    n += prova_valori_critici(prova(url, Questionario), risposte, tipi, accettati=successo)
    assert n > 150
