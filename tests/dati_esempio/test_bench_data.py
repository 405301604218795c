"""The benchmark data generator (dati_esempio.bench_data, manage.py seed_bench) at its tiny scale:
the rows keep the models' constraints and the register's rules, the counters read the
scale's figures, and the same seed gives the same rows."""

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from dati_esempio.bench_data import BenchBuilder, build_bench, festivi, network_present, scala, svuota
from dati_esempio.demo import add_months, first_of_month
from enti.models import Ente, Nodo, Olp, Sede
from progetti import carico_olp, rules
from progetti.models import Bando, PostoSede, Progetto
from pubblico import counters
from pubblico.models import Istantanea
from tests.conftest import need
from volontari import rules as regole_registro
from volontari.actions import _fuori_dal_mese, carica_mese
from volontari.codice_fiscale import validate_codice_fiscale_persona
from volontari.models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, Servizio, Volontario

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SEED = 7
FINESTRA = add_months(first_of_month(TODAY), -12)
MODELLI = [Nodo, Ente, Sede, Olp, Progetto, PostoSede, Volontario, Servizio, Presenza, ChiusuraMensile, Questionario,
           RelazioneMensile, Istantanea]  # fmt: skip


def impronta() -> dict:
    """What two builds with the same seed must share: row counts, tax codes, the day codes."""
    return {
        "righe": {m.__name__: m.objects.count() for m in MODELLI},
        "codici_fiscali": list(Volontario.objects.order_by("pk").values_list("codice_fiscale", flat=True)[:25]),
        "enti": list(Ente.objects.order_by("pk").values_list("codice_fiscale", "denominazione")[:25]),
        "codici": dict(Counter(Presenza.objects.values_list("codice", flat=True))),
        "ore": Presenza.objects.aggregate(h=Sum("ore"))["h"],
    }


def seed_bench(*args) -> str:
    out = io.StringIO()
    call_command("seed_bench", "--scale", "tiny", "--today", TODAY.isoformat(), "--no-progress", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """Three tiny builds (another seed, then the same seed twice through the command with
    --reset); the last stays for the module's tests and is removed at the end."""
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL (seed_bench uses COPY)")
    with django_db_blocker.unblock():
        call_command("load_reference", stdout=io.StringIO())
        if network_present():
            svuota()
        build_bench("tiny", today=TODAY, seed=SEED + 1, out=None)
        altro = impronta()
        uscita = seed_bench("--seed", str(SEED), "--reset")
        prima = impronta()
        seed_bench("--seed", str(SEED), "--reset")
        seconda = impronta()
        yield {"altro": altro, "prima": prima, "seconda": seconda, "uscita": uscita}
        svuota()


def test_counters_read_the_scales_figures(bench):
    tiny = scala("tiny")
    rete = counters.calcola(TODAY)["rete"]
    assert rete == tiny.attesi == {"enti": 22, "olp": 14, "volontari": 35}
    per_nodo = {n["slug"]: n for n in counters.calcola(TODAY)["nodi"]}
    for piano in tiny.nodi:
        cifre = per_nodo[piano.slug]
        assert (cifre["enti"], cifre["olp"], cifre["volontari"]) == (piano.aderenti, piano.olp, piano.volontari)
    assert counters.get(TODAY)["rete"] == rete  # refreshed at the end of the build
    assert "22 enti, 14 active OLP, 35 active volunteers" in bench["uscita"]


def test_same_seed_same_rows_another_seed_other_people(bench):
    assert bench["prima"] == bench["seconda"]
    assert bench["prima"]["righe"]["Presenza"] > 5000
    assert bench["altro"]["codici_fiscali"] != bench["prima"]["codici_fiscali"]


def test_the_build_fills_the_registers_rollup(bench):
    """seed_bench writes the register with COPY, then its rollup in one statement: the same rows
    as the definition (RiepilogoMensile.objects.attese), one or more per service with days."""
    from volontari import riepiloghi
    from volontari.models import RiepilogoMensile

    d = riepiloghi.verifica()
    assert d.nessuna, (d.mancanti[:5], d.in_piu[:5], d.diverse[:5])
    con_giorni = Presenza.objects.order_by().values("servizio_id").distinct().count()
    assert d.righe >= con_giorni > 0
    assert RiepilogoMensile.objects.filter(ultimo=True).count() == con_giorni
    assert "volontari_riepilogomensile" in bench["uscita"]


def test_the_command_refuses_a_database_with_enti_or_not_postgresql(bench, monkeypatch):
    righe = Presenza.objects.count()
    with pytest.raises(CommandError, match="already holds enti"):
        seed_bench()
    assert Presenza.objects.count() == righe
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="COPY"):
        seed_bench("--reset")
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        BenchBuilder("tiny", out=None).build()


def test_rows_pass_the_models_validation(bench):
    """full_clean: field validators (tax codes), choices and every Meta constraint."""
    # Who wrote a row is set by the portal's users; generated rows have nobody.
    scritti_da = {"autore", "compilata_da"}
    for model in (Nodo, Ente, Sede, Olp, Progetto, PostoSede, Volontario, Servizio, ChiusuraMensile, Questionario,
                  RelazioneMensile):  # fmt: skip
        for obj in model.objects.order_by("?")[:150]:
            try:
                obj.full_clean(exclude=scritti_da)
            except ValidationError as e:
                pytest.fail(f"{model.__name__} {obj.pk}: {e}")
    for obj in Presenza.objects.order_by("?")[:300]:
        obj.full_clean()


def test_every_stage_and_the_shape_of_services(bench):
    bando = Bando.objects.order_by("-anno").first()
    stati = Counter(Servizio.objects.values_list("stato", flat=True))
    assert set(stati) == set(Servizio.Stato.values)
    assert Servizio.objects.filter(subentra_a__isnull=False).exists()
    assert Ente.objects.exclude(stato_adesione=Ente.StatoAdesione.ADERENTE).exists()
    in_corso = Servizio.objects.in_corso(TODAY)
    # The OLP works for the ente of the sede, and follows at most the call's maximum at once.
    assert not in_corso.exclude(olp__ente_id=F("posto__sede__ente_id")).exists()
    assert not Servizio.objects.exclude(olp__ente_id=F("posto__sede__ente_id")).exists()
    per_olp = in_corso.values("olp").annotate(n=Count("id")).values_list("n", flat=True)
    assert max(per_olp) <= bando.max_volontari_per_olp
    # Nor is any OLP's load (progetti.carico_olp, what every save checks) above the maximum of their calls,
    # and every OLP meets the requirements (degree or experience, the course, 10 hours a week).
    carichi = carico_olp.carichi_olp(Olp.objects.values("pk"), giorno=TODAY)
    oltre = {pk: c for pk, c in carichi.items() if c.volontari > c.massimo}
    assert carichi and not oltre, list(oltre.items())[:5]
    assert all(not rules.requisiti_olp_mancanti(o) for o in Olp.objects.all())
    # The OLP of a service is one of the place's OLP; no place over its places today.
    assert not Servizio.objects.exclude(posto__olp=F("olp")).exists()
    for posto in PostoSede.objects.annotate(attivi=Count("servizi", filter=Q(servizi__in=in_corso))):
        assert posto.attivi <= posto.posti_totali
    for s in Servizio.objects.select_related("volontario", "posto__progetto"):
        progetto = s.posto.progetto
        eta = (s.data_inizio - s.volontario.data_nascita).days / 365.25
        assert rules.ETA_MIN <= eta < rules.ETA_MAX + 1
        validate_codice_fiscale_persona(s.volontario.codice_fiscale)
        assert s.data_inizio <= TODAY  # nothing starts in the future
        if s.subentra_a_id is None:
            assert s.data_inizio == progetto.data_avvio  # services start on the project's start date
        else:
            assert (s.data_inizio - progetto.data_avvio).days <= bando.finestra_subentro_giorni
            assert s.subentra_a.data_fine < s.data_inizio
        if s.stato == Servizio.Stato.IN_SERVIZIO:
            assert progetto.stato == Progetto.Stato.IN_CORSO and s.data_fine >= TODAY
        if s.stato == Servizio.Stato.CONCLUSO:
            assert s.data_fine == s.data_fine_prevista < TODAY
    # Every project with volunteers ran in the attendance window (someone may have left before it).
    progetti = Progetto.objects.filter(posti__servizi__isnull=False).annotate(fine=Max("posti__servizi__data_fine"))
    assert not progetti.filter(fine__lt=FINESTRA).exists()


def test_one_attendance_row_per_service_per_day_of_service(bench):
    ieri = TODAY - datetime.timedelta(days=1)
    per_servizio = dict(Presenza.objects.values("servizio").annotate(n=Count("id")).values_list("servizio", "n"))
    for s in Servizio.objects.all():
        if s.stato == Servizio.Stato.RINUNCIA:
            assert s.pk not in per_servizio
            continue
        giorni = (min(s.data_fine, ieri) - max(s.data_inizio, FINESTRA)).days + 1
        assert per_servizio.get(s.pk, 0) == max(giorni, 0), s
    estremi = Presenza.objects.aggregate(primo=Min("giorno"), ultimo=Max("giorno"))
    assert estremi == {"primo": FINESTRA, "ultimo": ieri}
    fuori = Q(giorno__lt=F("servizio__data_inizio")) | Q(giorno__gt=F("servizio__data_fine"))
    assert not Presenza.objects.filter(fuori).exists()
    # Hours only on P days, and never more than the call's daily maximum.
    assert not Presenza.objects.exclude(codice="P").exclude(ore=0).exists()
    assert Presenza.objects.aggregate(m=Max("ore"))["m"] <= Bando.objects.get().ore_max_giorno
    # Sundays and public holidays are not service days; 5-day projects have Saturdays off too.
    rossi = festivi(range(FINESTRA.year, TODAY.year + 1))
    for p in Presenza.objects.exclude(codice="NL").select_related("servizio__posto__progetto"):
        assert p.giorno.weekday() < p.servizio.posto.progetto.giorni_settimana and p.giorno not in rossi
    assert Presenza.objects.filter(attivita=Presenza.Attivita.FORMAZIONE_GENERALE).exists()
    assert Presenza.objects.filter(attivita=Presenza.Attivita.FORMAZIONE_SPECIFICA).exists()
    assert {"PR", "MAL"} <= set(Presenza.objects.values_list("codice", flat=True))


def test_a_full_week_of_service_is_25_hours(bench):
    settimane = defaultdict(list)
    presenze = Presenza.objects.filter(servizio__posto__progetto__modello_orario="settimanale").annotate(
        giorni_settimana=F("servizio__posto__progetto__giorni_settimana")
    )
    for p in presenze.order_by("giorno"):
        settimane[(p.servizio_id, p.giorno - datetime.timedelta(days=p.giorno.weekday()))].append(p)
    # Whole weeks of service with no absence and no public holiday.
    piene = [g for g in settimane.values() if len(g) == 7 and sum(x.codice == "P" for x in g) == g[0].giorni_settimana]
    assert piene
    for giorni in piene:
        assert abs(sum(g.ore for g in giorni) - 25) <= Decimal("0.05")


def test_every_month_keeps_the_register_rules(bench):
    """verifica_mese, as when an OLP saves the month: caps on leave and sickness, training
    deadlines, daily and weekly hours."""
    bando = Bando.objects.get()
    servizi = list(Servizio.objects.exclude(stato=Servizio.Stato.RINUNCIA).select_related("posto__progetto__bando"))
    mese = FINESTRA
    controllati = 0
    while mese < TODAY:
        fuori = _fuori_dal_mese(servizi, mese)
        righe = carica_mese([s.pk for s in servizi], mese)
        for s in servizi:
            if not righe.get(s.pk):
                continue
            voci = {g: regole_registro.Voce(g, p.codice, p.attivita, p.ore, p.nota) for g, p in righe[s.pk].items()}
            esito = regole_registro.verifica_mese(
                servizio=s, bando=bando, progetto=s.posto.progetto, voci=voci, fuori=fuori[s.pk], oggi=TODAY
            )
            assert esito.valido, (s.pk, mese, esito.errori, esito.errori_mese)
            controllati += 1
        mese = add_months(mese, 1)
    assert controllati > 100


def test_monthly_closes_of_the_complete_months(bench):
    questo = first_of_month(TODAY)
    assert not ChiusuraMensile.objects.filter(mese__gte=questo).exists()
    assert not ChiusuraMensile.objects.filter(servizio__stato=Servizio.Stato.RINUNCIA).exists()
    stati = Counter(ChiusuraMensile.objects.values_list("stato", flat=True))
    assert stati[ChiusuraMensile.Stato.CONFERMATA] > 0.8 * sum(stati.values())
    adesso = timezone.now()
    assert not ChiusuraMensile.objects.filter(Q(confermata_il__gt=adesso) | Q(conferma_preliminare_il__gt=adesso))
    # A close for a month the service was in, with its days written.
    for c in ChiusuraMensile.objects.select_related("servizio")[:200]:
        assert first_of_month(c.servizio.data_inizio) <= c.mese <= c.servizio.data_fine
        assert Presenza.objects.filter(servizio=c.servizio, giorno__year=c.mese.year, giorno__month=c.mese.month)
    assert Questionario.objects.filter(compilato_il__isnull=False).exists()
    assert RelazioneMensile.objects.exists()


def test_snapshots_agree_with_the_counters(bench):
    assert Istantanea.objects.count() == 365
    for giorni_fa in (1, 45, 120, 250, 365):
        giorno = TODAY - datetime.timedelta(days=giorni_fa)
        istantanea = Istantanea.objects.get(giorno=giorno)
        c = counters.calcola(giorno)
        assert (istantanea.enti, istantanea.olp, istantanea.volontari) == tuple(c["rete"].values())
        assert istantanea.nodi == [{k: n[k] for k in ("slug", "nome", "enti", "olp", "volontari")} for n in c["nodi"]]
