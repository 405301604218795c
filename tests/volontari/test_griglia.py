"""The month grid page: one request saves a month for all the volunteers, errors come back
in their cell, the query count does not depend on days or volunteers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from volontari import actions
from volontari.models import Presenza

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
MESE_SCORSO = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=200)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    return mondo


def colleghi(mondo, n):
    a = mondo.oggetti["servizi"]["a"]
    return [
        ServizioFactory(
            posto=a.posto,
            olp=a.olp,
            data_inizio=a.data_inizio,
            data_fine=a.data_fine,
            data_fine_prevista=a.data_fine_prevista,
        )
        for _ in range(n)
    ]


def dati_mese(servizi, mese, *, fino_a=None):
    data = {"mese": f"{mese:%Y-%m}"}
    for s in servizi:
        data[f"ver-{s.pk}"] = "0"
        for g in actions.rules.giorni_di_servizio(s, mese):
            if fino_a and g > fino_a:
                break
            chiave = f"{s.pk}-{g:%Y%m%d}"
            if g.weekday() < 5:
                data |= {f"c-{chiave}": "P", f"o-{chiave}": "5", f"a-{chiave}": "servizio"}
            else:
                data |= {f"c-{chiave}": "NL", f"o-{chiave}": "", f"a-{chiave}": "servizio"}
    return data


def test_one_request_saves_a_month_for_four_volunteers(client, mondo):
    servizi = [mondo.oggetti["servizi"]["a"], *colleghi(mondo, 3)]
    client.force_login(mondo.users["olp_a"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            reverse("registro:griglia"), dati_mese(servizi, MESE_SCORSO), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    giorni = len(actions.rules.giorni_del_mese(MESE_SCORSO))
    assert Presenza.objects.filter(servizio__in=servizi).count() == 4 * giorni
    assert len(ctx.captured_queries) < 40  # bounded: see the test below for its independence of the data
    assert 'id="griglia"' in response.content.decode() and "<html" not in response.content.decode()


def test_save_query_count_is_independent_of_days_and_volunteers(client, mondo):
    client.force_login(mondo.users["olp_a"])
    client.get(reverse("dashboard"))  # the session's first request records it
    uno = [mondo.oggetti["servizi"]["a"]]
    with CaptureQueriesContext(connection) as piccolo:
        client.post(
            reverse("registro:griglia"), dati_mese(uno, MESE_SCORSO, fino_a=MESE_SCORSO + datetime.timedelta(days=2))
        )
    quattro = [*uno, *colleghi(mondo, 3)]
    due_mesi_fa = (MESE_SCORSO - datetime.timedelta(days=1)).replace(day=1)
    with CaptureQueriesContext(connection) as grande:
        client.post(reverse("registro:griglia"), dati_mese(quattro, due_mesi_fa))
    assert len(grande.captured_queries) == len(piccolo.captured_queries)


def test_grid_page_query_count_is_independent_of_volunteers(client, mondo):
    client.force_login(mondo.users["olp_a"])
    url = reverse("registro:griglia") + f"?mese={MESE_SCORSO:%Y-%m}"
    client.get(url)
    with CaptureQueriesContext(connection) as uno:
        client.get(url)
    colleghi(mondo, 3)
    with CaptureQueriesContext(connection) as quattro:
        client.get(url)
    assert len(quattro.captured_queries) == len(uno.captured_queries)


def test_a_wrong_day_is_marked_in_its_cell_and_nothing_is_saved(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["olp_a"])
    data = dati_mese([a], MESE_SCORSO)
    chiave = f"{a.pk}-{MESE_SCORSO:%Y%m%d}"
    data[f"c-{chiave}"], data[f"o-{chiave}"] = "P", "10"  # the call allows 8 hours a day
    response = client.post(reverse("registro:griglia"), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert f'id="e-{chiave}"' in html and f'aria-describedby="e-{chiave}"' in html
    # ... and in the summary at the top, which links to the cell.
    assert f'href="#c-{chiave}"' in html
    assert not Presenza.objects.filter(servizio=a).exists()


def test_fill_the_week_writes_only_empty_days(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["olp_a"])
    lunedi = next(g for g in actions.rules.giorni_del_mese(MESE_SCORSO) if g.weekday() == 0)
    Presenza.objects.create(servizio=a, giorno=lunedi + datetime.timedelta(days=1), codice="PR")
    client.post(reverse("registro:riempi"), {"mese": f"{MESE_SCORSO:%Y-%m}", "settimana": f"{lunedi:%Y-%m-%d}"})
    settimana = {p.giorno: p.codice for p in Presenza.objects.filter(servizio=a)}
    assert settimana[lunedi] == "P" and settimana[lunedi + datetime.timedelta(days=1)] == "PR"
    assert settimana[lunedi + datetime.timedelta(days=5)] == "NL"
    assert len(settimana) == 7


def test_network_staff_read_but_do_not_write(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["nodo_lombardia"])
    url = reverse("registro:volontario", args=[a.pk]) + f"?mese={MESE_SCORSO:%Y-%m}"
    assert 'name="c-' not in client.get(url).content.decode()
    response = client.post(url, dati_mese([a], MESE_SCORSO))
    assert response.status_code == 403
    assert not Presenza.objects.filter(servizio=a).exists()


def test_pdf_sheet_downloads(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["olp_a"])
    client.post(reverse("registro:griglia"), dati_mese([a], MESE_SCORSO))
    response = client.get(reverse("registro:foglio", args=[a.pk]) + f"?mese={MESE_SCORSO:%Y-%m}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "PRESENZE_" in response["Content-Disposition"]


def test_ids_in_pages_are_never_written_with_thousand_separators(client, mondo):
    """Italian number format writes 12345 as 12.345: ids in forms and links must not be."""
    a = mondo.oggetti["servizi"]["a"]
    grande = ServizioFactory(
        pk=12345,
        posto=a.posto,
        olp=a.olp,
        data_inizio=a.data_inizio,
        data_fine=a.data_fine,
        data_fine_prevista=a.data_fine_prevista,
    )
    client.force_login(mondo.users["olp_a"])
    html = client.get(reverse("registro:griglia") + f"?mese={MESE_SCORSO:%Y-%m}").content.decode()
    assert 'name="ver-12345"' in html and "12.345" not in html
    client.post(reverse("registro:griglia"), dati_mese([grande], MESE_SCORSO))
    assert Presenza.objects.filter(servizio=grande).exists()
    client.force_login(mondo.users["nodo_lombardia"])
    html = client.get(
        reverse("monitoraggio:cruscotto") + f"?mese={MESE_SCORSO:%Y-%m}&livello=ente&id={a.posto.sede.ente_id}"
    ).content.decode()
    assert "12.345" not in html


def _griglia_senza_esito(html: str) -> str:
    """The grid as the page shows it, without what only a save's answer carries (the outcome
    message, the saved flag, the CSRF token)."""
    import re

    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = html.replace(" data-salvato", "")
    inizio, fine = html.index("<table"), html.index("</table>")
    versioni = sorted(re.findall(r'name="ver-\d+" value="[^"]*"', html))
    return "\n".join(versioni) + html[inizio:fine]


def test_the_grid_after_a_save_is_the_grid_read_again(client, mondo):
    """The save's answer shows the month from what salva_griglia wrote, not read back: it must
    equal a fresh read, version tokens included (the next save of the page goes through), also
    when a save creates, changes and clears days and takes back a preliminary confirmation."""
    from volontari.models import ChiusuraMensile

    servizi = [mondo.oggetti["servizi"]["a"], *colleghi(mondo, 2)]
    client.force_login(mondo.users["olp_a"])
    url = reverse("registro:griglia") + f"?mese={MESE_SCORSO:%Y-%m}"
    hx = {"HX-Request": "true"}
    primo = client.post(url, dati_mese(servizi, MESE_SCORSO), headers=hx)
    assert primo.status_code == 200
    assert _griglia_senza_esito(primo.content.decode()) == _griglia_senza_esito(
        client.get(url, headers=hx).content.decode()
    )

    ChiusuraMensile.objects.create(
        servizio=servizi[0], mese=MESE_SCORSO, stato=ChiusuraMensile.Stato.CONFERMA_PRELIMINARE,
        conferma_preliminare_il=timezone.now(), conferma_preliminare_da=mondo.users["olp_a"],
    )  # fmt: skip
    pagina = client.get(url, headers=hx).content.decode()
    import re

    dati = dati_mese(servizi, MESE_SCORSO)
    for s in servizi:
        dati[f"ver-{s.pk}"] = re.search(rf'name="ver-{s.pk}" value="([^"]*)"', pagina).group(1)
    # Two working days (leave is refused on a day off, whatever today is: --oggi).
    feriali = [g for g in (MESE_SCORSO + datetime.timedelta(days=i) for i in range(10)) if g.weekday() < 5]
    primo_giorno, secondo_giorno = (f"{servizi[0].pk}-{g:%Y%m%d}" for g in feriali[:2])
    dati[f"c-{primo_giorno}"] = ""  # cleared
    dati[f"c-{secondo_giorno}"], dati[f"o-{secondo_giorno}"] = "PR", ""  # changed
    secondo = client.post(url, dati, headers=hx)
    assert secondo.status_code == 200 and "is-invalid" not in secondo.content.decode()
    assert ChiusuraMensile.objects.get(servizio=servizi[0], mese=MESE_SCORSO).stato == ChiusuraMensile.Stato.APERTA
    salvata = _griglia_senza_esito(secondo.content.decode())
    assert salvata == _griglia_senza_esito(client.get(url, headers=hx).content.decode())
    assert f'name="c-{primo_giorno}" id="c-{primo_giorno}" value=""' in salvata

    # The next save from the answer's own tokens goes through.
    for s in servizi:
        dati[f"ver-{s.pk}"] = re.search(rf'name="ver-{s.pk}" value="([^"]*)"', secondo.content.decode()).group(1)
    dati[f"c-{primo_giorno}"], dati[f"o-{primo_giorno}"], dati[f"a-{primo_giorno}"] = "P", "4", "servizio"
    terzo = client.post(url, dati, headers=hx)
    assert terzo.status_code == 200, terzo.content.decode()[:500]
    assert Presenza.objects.get(servizio=servizi[0], giorno=feriali[0]).ore == 4
