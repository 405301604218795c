"""The demo network reproduces the network's public figures and respects the rules."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from dati_esempio.demo import delete_demo
from enti.models import Ente, Nodo, Olp
from progetti import carico_olp, rules
from progetti.models import PostoSede
from pubblico import counters
from volontari.codice_fiscale import validate_codice_fiscale_persona
from volontari.models import ChiusuraMensile, Presenza, Servizio

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Built once for the module (it takes seconds), removed at the end."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        call_command("seed_demo", verbosity=0)
        yield
        delete_demo()


def test_demo_reproduces_the_three_figures_and_is_idempotent(demo):
    rete = counters.calcola(timezone.localdate())["rete"]
    assert rete == {"enti": 1308, "olp": 1240, "volontari": 1756}
    # The cached figures the home page reads are the same.
    assert counters.get()["rete"] == rete
    # Running it again changes nothing.
    before = (Ente.objects.count(), Servizio.objects.count(), Presenza.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Ente.objects.count(), Servizio.objects.count(), Presenza.objects.count()) == before
    assert Nodo.objects.count() == 11


def test_demo_figures_hold_for_the_next_weeks(demo):
    today = timezone.localdate()
    for offset in (1, 30, 80):
        assert counters.calcola(today + datetime.timedelta(days=offset))["rete"] == {
            "enti": 1308,
            "olp": 1240,
            "volontari": 1756,
        }


def test_demo_is_mostly_lombardia(demo):
    per_nodo = {n["slug"]: n for n in counters.calcola(timezone.localdate())["nodi"]}
    for key, total in (("enti", 1308), ("olp", 1240), ("volontari", 1756)):
        share = per_nodo["lombardia"][key] / total
        assert 0.85 <= share <= 0.95, (key, share)
    assert all(n["enti"] > 0 for n in per_nodo.values())


def test_demo_has_services_at_every_stage(demo):
    stati = Counter(Servizio.objects.values_list("stato", flat=True))
    assert stati[Servizio.Stato.CONCLUSO] > 0
    assert stati[Servizio.Stato.INTERROTTO] > 0
    assert stati[Servizio.Stato.RINUNCIA] > 0
    assert Servizio.objects.filter(subentra_a__isnull=False).exists()
    assert Ente.objects.exclude(stato_adesione=Ente.StatoAdesione.ADERENTE).exists()


def test_demo_respects_the_rules(demo):
    today = timezone.localdate()
    in_corso = Servizio.objects.in_corso(today)
    # No OLP follows more than the call's maximum at once.
    assert max(in_corso.values("olp").annotate(n=Count("id")).values_list("n", flat=True)) <= 4
    # Nor does any OLP's load (the figure every save checks) exceed the maximum of their calls.
    carichi = carico_olp.carichi_olp(Olp.objects.values("pk"), giorno=today)
    assert carichi and all(c.volontari <= c.massimo for c in carichi.values())
    # Every OLP meets the requirements: a relevant degree or experience, the course, 10 hours.
    assert all(not rules.requisiti_olp_mancanti(o) for o in Olp.objects.all())
    # No place holds more volunteers than it has places.
    over = (
        PostoSede.objects.annotate(
            attivi=Count("servizi", filter=Q(servizi__in=in_corso)),
            posti=F("posti_vitto_alloggio") + F("posti_solo_vitto") + F("posti_senza_vitto_alloggio"),
        )
        .filter(attivi__gt=F("posti"))
        .count()
    )
    assert over == 0
    # Every volunteer was 18 to 28 at the start, with a valid tax code.
    for s in Servizio.objects.select_related("volontario")[:300]:
        eta = (s.data_inizio - s.volontario.data_nascita).days / 365.25
        assert rules.ETA_MIN <= eta < rules.ETA_MAX + 1
        validate_codice_fiscale_persona(s.volontario.codice_fiscale)
    # Replacements start within the call's window from the project start.
    for s in Servizio.objects.filter(subentra_a__isnull=False).select_related("posto__progetto"):
        assert (s.data_inizio - s.posto.progetto.data_avvio).days <= 120
    # No attendance in the future or outside a service.
    assert not Presenza.objects.filter(giorno__gte=today).exists()
    assert not Presenza.objects.filter(
        Q(giorno__lt=F("servizio__data_inizio")) | Q(giorno__gt=F("servizio__data_fine"))
    ).exists()


def test_demo_has_three_months_of_attendance_and_closes(demo):
    today = timezone.localdate()
    first = Presenza.objects.order_by("giorno").values_list("giorno", flat=True).first()
    assert (today - first).days >= 89
    # Every active service that started before the window has a code on every past day.
    servizio = Servizio.objects.in_corso(today).filter(data_inizio__lte=first).first()
    assert servizio.presenze.count() == (today - first).days
    assert ChiusuraMensile.objects.filter(stato=ChiusuraMensile.Stato.CONFERMATA).exists()
    assert Presenza.objects.filter(attivita=Presenza.Attivita.FORMAZIONE_GENERALE).aggregate(h=Sum("ore"))["h"] > 0


def test_demo_holds_projects_in_every_state(demo):
    from progetti.models import Progetto

    assert set(Progetto.objects.values_list("stato", flat=True)) == set(Progetto.Stato.values)


def test_demo_history_leads_to_each_state(demo):
    from enti.models import EventoAdesione
    from progetti.models import EventoProgetto, Progetto

    for progetto in Progetto.objects.order_by("?")[:50]:
        ultimo = EventoProgetto.objects.filter(progetto=progetto).order_by("-id").first()
        assert ultimo.a_stato == progetto.stato
    for ente in Ente.objects.order_by("?")[:50]:
        assert EventoAdesione.objects.filter(ente=ente).order_by("-id").first().a_stato == ente.stato_adesione


def test_demo_has_open_and_closed_months(demo):
    from volontari.models import ChiusuraMensile

    today = timezone.localdate()
    assert ChiusuraMensile.objects.filter(stato=ChiusuraMensile.Stato.CONFERMATA).exists()
    # The current month is open for every active service: no close yet.
    assert not ChiusuraMensile.objects.filter(mese=today.replace(day=1)).exists()
    assert Servizio.objects.in_corso(today).exists()


def test_demo_attendance_keeps_the_register_rules(demo):
    """verifica_mese on every month of attendance, as when an OLP saves it: no leave on a day
    off, no two blood-donation days in a row, at most 36 hours in a week of annual quota."""
    from volontari import rules as regole_registro
    from volontari.actions import _fuori_dal_mese, carica_mese

    today = timezone.localdate()
    servizi = list(
        Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA)
        .filter(presenze__isnull=False)
        .distinct()
        .select_related("posto__progetto__bando")
    )
    mesi = sorted({g.replace(day=1) for g in Presenza.objects.dates("giorno", "month")})
    controllati = 0
    for mese in mesi:
        fuori = _fuori_dal_mese(servizi, mese)
        righe = carica_mese([s.pk for s in servizi], mese)
        for s in servizi:
            if not righe.get(s.pk):
                continue
            voci = {g: regole_registro.Voce(g, p.codice, p.attivita, p.ore, p.nota) for g, p in righe[s.pk].items()}
            progetto = s.posto.progetto
            esito = regole_registro.verifica_mese(
                servizio=s, bando=progetto.bando, progetto=progetto, voci=voci, fuori=fuori[s.pk], oggi=today
            )
            assert esito.valido, (s.pk, mese, esito.errori, esito.errori_mese)
            controllati += 1
    assert controllati > 1000


def test_demo_indicators_from_the_rollup_equal_those_from_the_register(demo, monkeypatch):
    """The demo's rollup is the one its register makes, and every indicator read from it equals the
    same indicator summed straight from the register's rows, for the network and a nodo, over the
    last month, this month to date and a span across months."""
    from monitoraggio import indicatori
    from tests.volontari.test_riepiloghi import totali_da_presenze
    from volontari import riepiloghi

    verifica = riepiloghi.verifica()
    assert verifica.nessuna and verifica.righe > 1000
    oggi = timezone.localdate()
    fine_scorso = oggi.replace(day=1) - datetime.timedelta(days=1)
    fine_questo = (oggi.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    periodi = [
        (fine_scorso.replace(day=1), fine_scorso),
        (oggi.replace(day=1), fine_questo),
        (fine_scorso.replace(day=1) - datetime.timedelta(days=20), oggi - datetime.timedelta(days=3)),
    ]
    nodo = Nodo.objects.get(slug="lombardia")
    for ambito in (indicatori.servizi_ambito(), indicatori.servizi_ambito(nodo=nodo)):
        for da, a in periodi:
            dal_riepilogo = indicatori.calcola(ambito, da, a, oggi)
            with monkeypatch.context() as m:
                m.setattr(riepiloghi, "totali_al", totali_da_presenze)
                dal_registro = indicatori.calcola(ambito, da, a, oggi)
            assert {k: (v.valore, v.totale) for k, v in dal_riepilogo.items()} == {
                k: (v.valore, v.totale) for k, v in dal_registro.items()
            }, (da, a)
            assert dal_riepilogo["ore"].valore > 0


def test_demo_dashboard_of_lombardia_is_a_worklist_under_150_kb(demo, client):
    """ANCI Lombardia's monitoring page on the demo: the red indicators list their items
    (built by the daily check the demo runs), never beside "nothing to do", and the page stays
    small: the parts are paginated, the charts show the first and last ten."""
    from accounts.models import User
    from monitoraggio.models import Allerta

    assert Allerta.objects.da_gestire().filter(tipo="generale_in_ritardo").exists()
    client.force_login(User.objects.get(email="nodo.lombardia@demo.example"))
    risposta = client.get("/monitoraggio/")
    html = risposta.content.decode()
    assert risposta.status_code == 200 and len(risposta.content) < 150_000, len(risposta.content)
    rossi = [v.definizione.chiave for v in risposta.context["indicatori"] if v.semaforo == "rosso"]
    assert rossi and "Oggi non ci sono segnalazioni da gestire." not in html
    sezione = html.split('id="allerte"')[1].split("</section>")[0]
    for chiave in rossi:
        assert f'data-lavoro="{chiave}"' in sezione
    assert sezione.count('class="voce-lavoro') >= 5
    assert len(risposta.context["page"].object_list) <= 25
    assert html.count("<rect") <= 21 + 6  # the distribution (first and last ten, the rest) and six months
