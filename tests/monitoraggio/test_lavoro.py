"""The worklist: red indicators list their items, network staff take them in charge, annotate
and close them (audited, with a history), a closed item reopens only when its fact changes,
each persona sees their own; the dashboard's parts are paginated, sorted and searched."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEvent
from infra import grafici
from monitoraggio import actions, allerte
from monitoraggio.models import Allerta, EventoAllerta
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari.models import Presenza, Servizio

pytestmark = pytest.mark.django_db
OGGI = datetime.date(2026, 8, 20)  # day 223 of A's service: general training was due by day 180
NIENTE = "Oggi non ci sono segnalazioni da gestire."


@pytest.fixture
def orologio():
    with time_machine.travel(datetime.datetime(2026, 8, 20, 10, tzinfo=ZoneInfo("Europe/Rome")), tick=False):
        yield


@pytest.fixture
def mondo(orologio):
    """A's service from 10 January: every day recorded up to yesterday, the specific training
    given (days 61-70), the general training never: one red indicator, one item."""
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=a.pk).update(
        data_inizio=datetime.date(2026, 1, 10),
        data_fine=datetime.date(2027, 1, 9),
        data_fine_prevista=datetime.date(2027, 1, 9),
    )
    a.refresh_from_db()
    giorno, righe = a.data_inizio, []
    while giorno < OGGI:
        n = (giorno - a.data_inizio).days
        attivita = "formazione_specifica" if 60 <= n < 70 else "servizio"
        righe.append(Presenza(servizio=a, giorno=giorno, codice="P", attivita=attivita, ore=5))
        giorno += datetime.timedelta(days=1)
    Presenza.objects.bulk_create(righe)
    Servizio.objects.filter(pk__in=[mondo.oggetti["servizi"][k].pk for k in ("b", "v")]).update(stato="rinuncia")
    return mondo


def cruscotto(client, **params):
    from urllib.parse import urlencode

    return client.get(reverse("monitoraggio:cruscotto") + "?" + urlencode({"mese": "2026-07", **params}))


def sezione(html: str) -> str:
    return html.split('id="allerte"')[1].split("</section>")[0]


def la_voce(mondo) -> Allerta:
    return Allerta.objects.get(chiave=f"generale_tardi:{mondo.oggetti['servizi']['a'].pk}")


def test_a_red_indicator_never_sits_beside_nothing_to_do(client, mondo):
    client.force_login(mondo.users["nodo_lombardia"])
    # The daily check has not run: the indicator is red and no item exists.
    risposta = cruscotto(client)
    rosso = {v.definizione.chiave for v in risposta.context["indicatori"] if v.semaforo == "rosso"}
    assert "formazione_generale" in rosso and not Allerta.objects.exists()
    html = sezione(risposta.content.decode())
    assert NIENTE not in html
    card = html.split('data-lavoro="formazione_generale"')[1].split("</div></div>")[0]
    assert "data-senza-voci" in card
    # Every red or amber indicator has its card in the worklist.
    for chiave in rosso:
        assert f'data-lavoro="{chiave}"' in html
    # Once the check ran, the item is listed under its indicator, with who acts and where.
    allerte.controlla(OGGI)
    html = sezione(cruscotto(client).content.decode())
    card = html.split('data-lavoro="formazione_generale"')[1].split("</div></div>")[0]
    a = mondo.oggetti["servizi"]["a"]
    assert "0 di 30 ore di formazione generale" in card
    assert reverse("registro:volontario", args=[a.pk]) in card and "OLP " in card
    assert NIENTE not in html
    # Closed by network staff: the indicator is still red, and the page still does not say
    # there is nothing to do: it says the items were closed and links to them.
    actions.chiudi(acting_user=mondo.users["nodo_lombardia"], allerta_id=la_voce(mondo).pk, nota="Sentito l'ente.")
    html = sezione(cruscotto(client).content.decode())
    card = html.split('data-lavoro="formazione_generale"')[1].split("</div></div>")[0]
    assert NIENTE not in html and "data-senza-voci" in card and "stato=chiusa" in card


def test_nothing_to_do_only_when_nothing_is_red_or_open(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    primi = [a.data_inizio + datetime.timedelta(days=i) for i in range(6)]
    Presenza.objects.filter(servizio=a, giorno__in=primi).update(attivita="formazione_generale")
    allerte.controlla(OGGI)
    client.force_login(mondo.users["nodo_lombardia"])
    risposta = cruscotto(client)
    accesi = [v for v in risposta.context["indicatori"] if v.semaforo in ("rosso", "giallo")]
    html = sezione(risposta.content.decode())
    assert (NIENTE in html) == (not accesi and not Allerta.objects.da_gestire().exists())


def test_take_in_charge_note_and_close_are_audited_and_kept_in_the_history(client, mondo):
    allerte.controlla(OGGI)
    voce = la_voce(mondo)
    url = reverse("monitoraggio:allerta", args=[voce.pk])
    nodo = mondo.users["nodo_lombardia"]
    client.force_login(nodo)
    risposta = client.post(url, {"azione": "prendi"}, follow=True)
    assert "Hai preso in carico la segnalazione." in risposta.content.decode()
    voce.refresh_from_db()
    assert voce.stato == "in_carico" and voce.in_carico_a == nodo
    # Closing needs a note: told at the field, nothing changes.
    risposta = client.post(url, {"azione": "chiudi", "nota": "  "})
    assert risposta.status_code == 422 and "Scrivi la nota." in risposta.content.decode()
    voce.refresh_from_db()
    assert voce.stato == "in_carico"
    # The ente's referente adds a note, but may not close.
    client.force_login(mondo.users["referente_a"])
    assert client.post(url, {"azione": "nota", "nota": "Formazione fissata per il 3 settembre."}).status_code == 302
    risposta = client.post(url, {"azione": "chiudi", "nota": "Fatto."})
    assert risposta.status_code == 422 and "Solo il personale della rete" in risposta.content.decode()
    client.force_login(nodo)
    risposta = client.post(
        url, {"azione": "chiudi", "nota": "Formazione in calendario."}, headers={"HX-Request": "true"}
    )
    assert risposta.status_code == 200 and "Segnalazione chiusa." in risposta.content.decode()
    voce.refresh_from_db()
    assert voce.stato == "chiusa"
    storia = list(voce.eventi.values_list("tipo", "testo"))
    assert storia == [
        ("trovata", ""),
        ("in_carico", ""),
        ("nota", "Formazione fissata per il 3 settembre."),
        ("chiusa", "Formazione in calendario."),
    ]
    verbi = list(AuditEvent.objects.filter(verb__startswith="allerta.").order_by("pk").values_list("verb", "actor_id"))
    assert verbi == [
        ("allerta.in_carico", nodo.pk),
        ("allerta.nota", mondo.users["referente_a"].pk),
        ("allerta.chiusa", nodo.pk),
    ]
    assert AuditEvent.objects.filter(verb="allerta.chiusa", ambito_ente=voce.ente_id).exists()
    # The audit log names the item by its key and keeps no note (notes may tell of a person;
    # they stay in the history, which pseudonymisation empties).
    for evento in AuditEvent.objects.filter(verb__startswith="allerta."):
        assert evento.target_repr == voce.chiave and "Formazione" not in str(evento.data)
    pagina = client.get(url).content.decode()
    assert "Formazione fissata per il 3 settembre." in pagina and "Chiusa" in pagina


def test_take_in_charge_from_a_list_with_htmx_answers_with_the_row(client, mondo):
    allerte.controlla(OGGI)
    voce = la_voce(mondo)
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(reverse("monitoraggio:allerte")).content.decode()
    assert f'id="voce-{voce.pk}"' in html and 'value="prendi"' in html
    risposta = client.post(
        reverse("monitoraggio:allerta", args=[voce.pk]),
        {"azione": "prendi", "vista": "riga"},
        headers={"HX-Request": "true"},
    )
    corpo = risposta.content.decode()
    assert risposta.status_code == 200 and corpo.lstrip().startswith("<li") and 'role="status"' in corpo
    assert 'data-stato="in_carico"' in corpo and 'value="prendi"' not in corpo
    # Again: refused with the reason, in the row.
    risposta = client.post(
        reverse("monitoraggio:allerta", args=[voce.pk]), {"azione": "prendi", "vista": "riga"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert risposta.status_code == 422 and "Hai già preso in carico" in risposta.content.decode()


def test_a_closed_item_stays_closed_until_its_fact_changes(mondo):
    allerte.controlla(OGGI)
    nodo = mondo.users["nodo_lombardia"]
    voce = la_voce(mondo)
    actions.chiudi(acting_user=nodo, allerta_id=voce.pk, nota="L'ente recupera a settembre.")
    # The next days find the same fact: the item stays closed, nothing is sent again.
    allerte.controlla(OGGI)
    allerte.controlla(OGGI + datetime.timedelta(days=1))
    voce.refresh_from_db()
    assert voce.stato == "chiusa" and voce.risolta_il is None
    assert not Allerta.objects.da_gestire().filter(pk=voce.pk).exists()
    # Six hours of general training are given, still short of 30: the fact changed, it reopens.
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.filter(servizio=a, giorno=OGGI - datetime.timedelta(days=1)).update(
        attivita="formazione_generale", ore=6
    )
    allerte.controlla(OGGI)
    voce.refresh_from_db()
    assert voce.stato == "aperta" and voce.in_carico_a is None and "6 di 30 ore" in voce.messaggio
    assert list(voce.eventi.values_list("tipo", flat=True)) == ["trovata", "chiusa", "riaperta"]
    assert AuditEvent.objects.filter(verb="allerta.riaperta", target_id=str(voce.pk)).count() == 1
    # All of it given: resolved, out of the worklist.
    primi = [a.data_inizio + datetime.timedelta(days=i) for i in range(5)]
    Presenza.objects.filter(servizio=a, giorno__in=primi).update(attivita="formazione_generale", ore=5)
    allerte.controlla(OGGI)
    voce.refresh_from_db()
    assert voce.risolta_il is not None and voce.eventi.last().tipo == EventoAllerta.Tipo.RISOLTA


def test_each_persona_sees_the_items_theirs_to_act_on(client, mondo):
    allerte.controlla(OGGI)
    voce = la_voce(mondo)
    lista = reverse("monitoraggio:allerte")
    for persona, vede in (
        ("olp_a", True),
        ("referente_a", True),
        ("referente_b", False),
        ("nodo_lombardia", True),
        ("nodo_veneto", False),
        ("nazionale", True),
    ):
        client.force_login(mondo.users[persona])
        html = client.get(lista).content.decode()
        assert (f'id="voce-{voce.pk}"' in html) == vede, persona
        dettaglio = client.get(reverse("monitoraggio:allerta", args=[voce.pk]))
        assert dettaglio.status_code == (200 if vede else 404), persona
        # Only network staff get the buttons to take in charge and close.
        assert ('value="chiudi"' in dettaglio.content.decode()) == (vede and persona in ("nodo_lombardia", "nazionale"))
        # Their personal dashboard has the panel with their items (ente and OLP).
        if persona in ("olp_a", "referente_a", "referente_b"):
            pannello = client.get(reverse("dashboard")).content.decode()
            assert 'id="pannello-da-gestire"' in pannello
            assert (f'id="voce-{voce.pk}"' in pannello) == vede, persona
    client.force_login(mondo.users["nodo_veneto"])
    assert client.post(reverse("monitoraggio:allerta", args=[voce.pk]), {"azione": "prendi"}).status_code == 404
    with pytest.raises(Allerta.DoesNotExist):
        actions.prendi_in_carico(acting_user=mondo.users["nodo_veneto"], allerta_id=voce.pk)


def test_the_list_filters_by_kind_state_and_text(client, mondo):
    allerte.controlla(OGGI)
    voce = la_voce(mondo)
    client.force_login(mondo.users["nodo_lombardia"])
    lista = reverse("monitoraggio:allerte")
    assert f'id="voce-{voce.pk}"' in client.get(lista + "?tipo=generale_in_ritardo").content.decode()
    assert f'id="voce-{voce.pk}"' not in client.get(lista + "?tipo=olp_oltre_massimo").content.decode()
    assert f'id="voce-{voce.pk}"' in client.get(lista + "?q=formazione+generale").content.decode()
    assert f'id="voce-{voce.pk}"' not in client.get(lista + "?q=zzz").content.decode()
    actions.chiudi(acting_user=mondo.users["nodo_lombardia"], allerta_id=voce.pk, nota="Ok.")
    assert f'id="voce-{voce.pk}"' not in client.get(lista).content.decode()
    assert f'id="voce-{voce.pk}"' in client.get(lista + "?stato=chiusa").content.decode()
    # The health-related kinds are one choice: the filter tells no more than the items.
    html = client.get(lista).content.decode()
    assert 'value="malattia_oltre"' not in html and 'value="assenze"' in html


def test_the_parts_are_paginated_sorted_and_searched(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    for i in range(30):
        s = ServizioFactory(
            posto=a.posto, olp=a.olp, data_inizio=a.data_inizio, data_fine=a.data_fine, data_fine_prevista=a.data_fine
        )
        s.volontario.cognome = f"Cognome{i:02d}"
        s.volontario.save(update_fields=["cognome"])
    client.force_login(mondo.users["nodo_lombardia"])
    progetto = a.posto.progetto_id
    prima = cruscotto(client, livello="progetto", id=progetto, ordina="nome")
    assert prima.context["page"].paginator.count == 31 and len(prima.context["page"].object_list) == 25
    nomi = [p["nome"] for p in prima.context["page"].object_list]
    assert nomi == sorted(nomi, key=str.lower) and nomi[0].startswith("Cognome00")
    html = prima.content.decode()
    assert 'aria-sort="ascending"' in html and "ordina=-nome" in html and "page=2" in html
    seconda = cruscotto(client, livello="progetto", id=progetto, ordina="nome", page=2)
    assert len(seconda.context["page"].object_list) == 6
    giu = cruscotto(client, livello="progetto", id=progetto, ordina="-nome")
    assert giu.context["page"].object_list[0]["nome"].startswith("VolontariaA")
    # Days without an entry, most first (the default): A has every day, the new ones none.
    assert (
        cruscotto(client, livello="progetto", id=progetto).context["page"].object_list[-1]["nome"].startswith("Cognome")
    )
    cercati = cruscotto(client, livello="progetto", id=progetto, q="cognome1")
    assert [p["nome"][:9] for p in cercati.context["page"].object_list] == [f"Cognome1{i}" for i in range(10)]
    # A sort that does not exist falls back on the default, no error.
    assert cruscotto(client, livello="progetto", id=progetto, ordina="password").context["ordina"] == "-senza_codice"


def test_charts_show_the_first_and_last_ten_and_group_the_rest():
    valori = [(f"Ente {i:02d}", i) for i in range(40)]
    barre = grafici.primi_e_ultimi(valori, altri="altri {n} (media)")
    assert len(barre) == 21
    assert [n for n, _v in barre[:10]] == [f"Ente {i:02d}" for i in range(39, 29, -1)]
    assert barre[10] == ("altri 20 (media)", Decimal("20"))  # 10..29, average 19.5 rounded half-even
    assert [n for n, _v in barre[11:]] == [f"Ente {i:02d}" for i in range(9, -1, -1)]
    assert grafici.primi_e_ultimi(valori[:21]) == sorted(valori[:21], key=lambda v: -v[1])
    svg = grafici.grafico_orizzontale(barre, titolo="t")
    assert len(re.findall("<rect", svg)) == 21
