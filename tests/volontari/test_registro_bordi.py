"""The register's rules over consecutive days and whole weeks, across the month's edges in
both directions; fixed allowances; absences on non-working days; the project's weekly band
with an annual quota; specific training in one or two tranches. The clock is pinned: every
case puts its days on the calendar on purpose."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from progetti.models import Progetto
from tests.personas import costruisci_mondo
from volontari import actions
from volontari.models import Presenza
from volontari.rules import Voce

pytestmark = pytest.mark.django_db

# 20 November 2025: September and October 2025 are past. 29/09/2025 is a Monday.
ADESSO = datetime.datetime(2025, 11, 20, 10, tzinfo=datetime.UTC)
# 20 November 2023: Friday 29/09/2023 and Monday 02/10/2023 hold a weekend across the edge.
ADESSO_2023 = datetime.datetime(2023, 11, 20, 10, tzinfo=datetime.UTC)


def mondo_fermo(inizio=datetime.date(2025, 3, 3), fine=datetime.date(2026, 3, 2), **progetto):
    """The personas' world with volunteer A in service from `inizio` to `fine` (call it with
    the clock pinned); `progetto` changes fields of A's project."""
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = inizio
    servizio.data_fine = servizio.data_fine_prevista = fine
    servizio.save()
    if progetto:
        Progetto.objects.filter(pk=servizio.posto.progetto_id).update(**progetto)
        servizio.posto.progetto.refresh_from_db()
    return mondo


def salva(mondo, giorni: dict):
    """Save month by month in the order the days are given."""
    servizio = mondo.oggetti["servizi"]["a"]
    per_mese: dict = {}
    for g, v in giorni.items():
        per_mese.setdefault(g.replace(day=1), {})[g] = v
    esiti = []
    for mese, cambi in per_mese.items():
        esiti.append(
            actions.salva_griglia(
                acting_user=mondo.users["olp_a"], mese=mese, modifiche={servizio.pk: cambi}, versioni={}
            )
        )
    return esiti


def errori(mondo, giorni: dict) -> dict:
    """The save is refused: the messages by day."""
    with pytest.raises(actions.ErroriGriglia) as exc:
        salva(mondo, giorni)
    assert not exc.value.servizi
    return {g: " ".join(m) for per_servizio in exc.value.giorni.values() for g, m in per_servizio.items()}


def c(g, codice):
    return Voce(g, codice)


def p(g, ore=5, attivita="servizio"):
    return Voce(g, "P", attivita, Decimal(ore))


def giorni_da(inizio: datetime.date, n: int) -> list[datetime.date]:
    return [inizio + datetime.timedelta(days=i) for i in range(n)]


SETTEMBRE_29 = datetime.date(2025, 9, 29)


# --- Runs across the month's edges ----------------------------------------------------------


@time_machine.travel(ADESSO, tick=False)
def test_bereavement_september_save_sees_october():
    mondo = mondo_fermo()
    ottobre = giorni_da(datetime.date(2025, 10, 1), 2)
    salva(mondo, {g: c(g, "L") for g in ottobre})
    settembre = giorni_da(SETTEMBRE_29, 2)
    trovati = errori(mondo, {g: c(g, "L") for g in settembre})
    assert set(trovati) == set(settembre)
    assert "al massimo di 3 giorni consecutivi" in trovati[settembre[0]]
    assert "dal 29/09/2025 al 02/10/2025" in trovati[settembre[0]]
    assert not Presenza.objects.filter(giorno__in=settembre).exists()


@time_machine.travel(ADESSO, tick=False)
def test_bereavement_october_save_sees_september():
    mondo = mondo_fermo()
    salva(mondo, {g: c(g, "L") for g in giorni_da(SETTEMBRE_29, 2)})
    ottobre = giorni_da(datetime.date(2025, 10, 1), 2)
    trovati = errori(mondo, {g: c(g, "L") for g in ottobre})
    assert set(trovati) == set(ottobre) and "4" in trovati[ottobre[1]]


@time_machine.travel(ADESSO, tick=False)
def test_bereavement_of_three_days_across_the_edge_is_saved():
    mondo = mondo_fermo()
    salva(mondo, {g: c(g, "L") for g in giorni_da(datetime.date(2025, 9, 30), 3)})
    # A day between breaks the run: two runs of three are each within the limit.
    salva(mondo, {datetime.date(2025, 10, 3): c(datetime.date(2025, 10, 3), "P104")})
    assert Presenza.objects.filter(codice="L").count() == 3


def _confermato_con_ponte(mondo, mese, sabato, domenica):
    servizio = mondo.oggetti["servizi"]["a"]
    with pytest.raises(ValidationError) as exc:
        actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese)
    assert "certificato_continuo" in exc.value.message_dict
    actions.conferma_preliminare(
        acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese, certificato_continuo=True
    )
    codici = dict(Presenza.objects.filter(giorno__in=[sabato, domenica]).values_list("giorno", "codice"))
    return codici


def _mese_pieno(mondo, mese, **eccezioni):
    giorni = actions.rules.giorni_del_mese(mese)
    salva(mondo, {g: eccezioni.get(g.isoformat()) or (p(g) if g.weekday() < 5 else c(g, "NL")) for g in giorni})


@time_machine.travel(ADESSO_2023, tick=False)
def test_weekend_rule_september_sees_the_monday_of_october():
    """Friday 29/09/2023 MAL, Monday 02/10/2023 MAL already written in October: confirming
    September asks about the certificate and fills Saturday 30 (Sunday 1 is October's)."""
    mondo = mondo_fermo(datetime.date(2023, 3, 6), datetime.date(2024, 3, 5))
    salva(mondo, {datetime.date(2023, 10, 2): c(datetime.date(2023, 10, 2), "MAL")})
    _mese_pieno(mondo, datetime.date(2023, 9, 1), **{"2023-09-29": c(datetime.date(2023, 9, 29), "MAL")})
    codici = _confermato_con_ponte(mondo, datetime.date(2023, 9, 1), datetime.date(2023, 9, 30), None)
    assert codici == {datetime.date(2023, 9, 30): "MAL"}


@time_machine.travel(ADESSO_2023, tick=False)
def test_weekend_rule_october_sees_the_friday_of_september():
    mondo = mondo_fermo(datetime.date(2023, 3, 6), datetime.date(2024, 3, 5))
    salva(mondo, {datetime.date(2023, 9, 29): c(datetime.date(2023, 9, 29), "MAL")})
    _mese_pieno(mondo, datetime.date(2023, 10, 1), **{"2023-10-02": c(datetime.date(2023, 10, 2), "MAL")})
    codici = _confermato_con_ponte(mondo, datetime.date(2023, 10, 1), None, datetime.date(2023, 10, 1))
    assert codici == {datetime.date(2023, 10, 1): "MAL"}
    assert not Presenza.objects.filter(giorno=datetime.date(2023, 9, 30)).exists()  # September's, not written


# --- Fixed allowances -----------------------------------------------------------------------


@time_machine.travel(ADESSO, tick=False)
@pytest.mark.parametrize(
    ("codice", "massimo", "frammento"),
    [("DS", 1, "donazione"), ("T", 1, "autorità giudiziaria"), ("DV", 2, "diritto di voto")],
)
def test_fixed_allowances_are_runs_of_at_most_their_days(codice, massimo, frammento):
    mondo = mondo_fermo()
    lunedi = datetime.date(2025, 10, 13)
    salva(mondo, {g: c(g, codice) for g in giorni_da(lunedi, massimo)})
    troppi = lunedi + datetime.timedelta(days=massimo)
    trovati = errori(mondo, {troppi: c(troppi, codice)})
    assert frammento in trovati[troppi] and str(massimo + 1) in trovati[troppi]
    # Another donation, another summons, another vote: a day apart is a new run.
    dopo = troppi + datetime.timedelta(days=1)
    salva(mondo, {dopo: c(dopo, codice)})


@time_machine.travel(ADESSO, tick=False)
def test_blood_donation_run_across_the_edge_both_ways():
    mondo = mondo_fermo()
    salva(mondo, {datetime.date(2025, 10, 1): c(datetime.date(2025, 10, 1), "DS")})
    assert (
        "donazione"
        in errori(mondo, {SETTEMBRE_29 + datetime.timedelta(days=1): c(SETTEMBRE_29, "DS")})[datetime.date(2025, 9, 30)]
    )
    Presenza.objects.all().delete()
    salva(mondo, {datetime.date(2025, 9, 30): c(datetime.date(2025, 9, 30), "DS")})
    assert (
        "donazione"
        in errori(mondo, {datetime.date(2025, 10, 1): c(datetime.date(2025, 10, 1), "DS")})[datetime.date(2025, 10, 1)]
    )


# --- Absences on non-working days -----------------------------------------------------------


@time_machine.travel(ADESSO, tick=False)
@pytest.mark.parametrize("codice", ["PR", "P104", "DS", "DV", "T", "L", "EU", "AR"])
def test_day_based_absences_not_on_the_projects_days_off(codice):
    mondo = mondo_fermo()  # 5 days a week: Saturday and Sunday off
    sabato, domenica = datetime.date(2025, 10, 11), datetime.date(2025, 10, 12)
    for g in (sabato, domenica):
        assert "scrivi NL" in errori(mondo, {g: c(g, codice)})[g]
    salva(mondo, {datetime.date(2025, 10, 10): c(datetime.date(2025, 10, 10), codice)})  # a Friday is fine


@time_machine.travel(ADESSO, tick=False)
def test_six_day_projects_serve_on_saturday_and_sickness_covers_any_day():
    mondo = mondo_fermo(giorni_settimana=6)
    sabato, domenica = datetime.date(2025, 10, 11), datetime.date(2025, 10, 12)
    salva(mondo, {sabato: c(sabato, "PR")})
    assert "6 giorni" in errori(mondo, {domenica: c(domenica, "PR")})[domenica]
    salva(mondo, {domenica: c(domenica, "MAL"), datetime.date(2025, 10, 19): c(datetime.date(2025, 10, 19), "MAT")})


# --- Annual quota: the project's weekly band ------------------------------------------------

MONTE_ORE = {"modello_orario": "monte_ore", "ore_settimanali": None, "monte_ore": 1145}


@time_machine.travel(ADESSO, tick=False)
def test_a_week_above_the_projects_maximum_is_refused():
    mondo = mondo_fermo(**MONTE_ORE, ore_settimana_min=20, ore_settimana_max=30)
    lunedi = datetime.date(2025, 10, 13)
    salva(mondo, {g: p(g, ore=7) for g in giorni_da(lunedi, 4)})  # 28 hours
    venerdi = lunedi + datetime.timedelta(days=4)
    assert "massimo di questo progetto è 30" in errori(mondo, {venerdi: p(venerdi, ore=3)})[venerdi]
    salva(mondo, {venerdi: p(venerdi, ore=2)})


@time_machine.travel(ADESSO, tick=False)
def test_a_week_across_the_edge_counts_the_days_of_the_other_month():
    mondo = mondo_fermo(**MONTE_ORE)
    salva(mondo, {g: p(g, ore=8) for g in giorni_da(SETTEMBRE_29, 2)})  # 16 hours in September
    ottobre = giorni_da(datetime.date(2025, 10, 1), 3)
    assert "36" in errori(mondo, {g: p(g, ore=8) for g in ottobre})[ottobre[-1]]  # 40 hours
    salva(mondo, {g: p(g, ore=6) for g in ottobre})  # 34 hours


@time_machine.travel(ADESSO, tick=False)
def test_a_completed_week_under_the_minimum_is_a_notice_and_the_save_goes_through():
    mondo = mondo_fermo(**MONTE_ORE, ore_settimana_min=24, ore_settimana_max=36)
    servizio = mondo.oggetti["servizi"]["a"]
    # Week of 29/09: 16 hours in September, 7 in October: 23 < 24, noted at October's Sunday.
    salva(mondo, {g: p(g, ore=8) for g in giorni_da(SETTEMBRE_29, 2)})
    (esito,) = salva(mondo, {datetime.date(2025, 10, 1): p(datetime.date(2025, 10, 1), ore=7)})
    avvisi = esito.avvisi[servizio.pk]
    assert "minimo di questo progetto è 24" in " ".join(avvisi[datetime.date(2025, 10, 5)])
    assert "29/09" in " ".join(avvisi[datetime.date(2025, 10, 5)])
    assert Presenza.objects.filter(giorno=datetime.date(2025, 10, 1)).exists()
    # September's save sees October's hours: the same week, noted at September's last day.
    (esito,) = salva(mondo, {SETTEMBRE_29: p(SETTEMBRE_29, ore=8)})
    assert "23" in " ".join(esito.avvisi[servizio.pk][datetime.date(2025, 9, 30)])
    (esito,) = salva(mondo, {datetime.date(2025, 10, 2): p(datetime.date(2025, 10, 2), ore=1)})  # 24 hours
    assert datetime.date(2025, 10, 5) not in esito.avvisi.get(servizio.pk, {})


@time_machine.travel(datetime.datetime(2025, 10, 15, 10, tzinfo=datetime.UTC), tick=False)
def test_a_week_not_ended_or_not_within_the_service_has_no_notice():
    mondo = mondo_fermo(datetime.date(2025, 10, 8), datetime.date(2026, 10, 7), **MONTE_ORE)
    servizio = mondo.oggetti["servizi"]["a"]
    # Week of 6/10 starts before the service; week of 13/10 ends on Sunday 19, after today.
    (esito,) = salva(mondo, {g: p(g, ore=2) for g in giorni_da(datetime.date(2025, 10, 8), 7)})
    assert not esito.avvisi.get(servizio.pk)
    with time_machine.travel(datetime.datetime(2025, 10, 21, 10, tzinfo=datetime.UTC), tick=False):
        (esito,) = salva(mondo, {datetime.date(2025, 10, 20): p(datetime.date(2025, 10, 20), ore=2)})
    assert list(esito.avvisi[servizio.pk]) == [datetime.date(2025, 10, 19)]


# --- Specific training: one or two tranches -------------------------------------------------


@time_machine.travel(ADESSO, tick=False)
def test_specific_training_in_two_tranches():
    mondo = mondo_fermo(formazione_specifica_tranche="due", formazione_specifica_ore=50)
    servizio = mondo.oggetti["servizi"]["a"]
    giorno = {n: servizio.data_inizio + datetime.timedelta(days=n - 1) for n in (10, 11, 12, 13, 14, 100, 280)}
    assert "due tranche" in errori(mondo, {giorno[100]: p(giorno[100], attivita="formazione_specifica")})[giorno[100]]
    # 35 of 50 hours (70%) by day 90: the rest may follow until day 270.
    salva(mondo, {giorno[n]: p(giorno[n], ore=7, attivita="formazione_specifica") for n in (10, 11, 12, 13, 14)})
    salva(mondo, {giorno[100]: p(giorno[100], attivita="formazione_specifica")})
    assert "270" in errori(mondo, {giorno[280]: p(giorno[280], attivita="formazione_specifica")})[giorno[280]]
    # In one tranche the same day 100 is late.
    Presenza.objects.filter(giorno=giorno[100]).delete()
    Progetto.objects.filter(pk=servizio.posto.progetto_id).update(formazione_specifica_tranche="unica")
    assert "90" in errori(mondo, {giorno[100]: p(giorno[100], attivita="formazione_specifica")})[giorno[100]]


@time_machine.travel(ADESSO, tick=False)
def test_the_grid_shows_the_weeks_notice_after_the_save(client):
    mondo = mondo_fermo(**MONTE_ORE, ore_settimana_min=24, ore_settimana_max=36)
    servizio = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["olp_a"])
    data = {"mese": "2025-10", f"ver-{servizio.pk}": "0"}
    for g in giorni_da(datetime.date(2025, 10, 13), 7):  # 5 days of 4 hours: 20 < 24
        chiave = f"{servizio.pk}-{g:%Y%m%d}"
        lavoro = g.weekday() < 5
        data |= {f"c-{chiave}": "P" if lavoro else "NL", f"o-{chiave}": "4" if lavoro else "", f"a-{chiave}": ""}
    risposta = client.post(reverse("registro:griglia"), data)
    assert risposta.status_code == 200
    assert "La settimana del 13/10 ha 20 ore: il minimo di questo progetto è 24" in risposta.content.decode()
    assert Presenza.objects.filter(servizio=servizio).count() == 7


@time_machine.travel(ADESSO, tick=False)
def test_the_helios_import_counts_a_run_across_its_months():
    """The import applies the register month by month: October's lines see September's."""
    from volontari import helios
    from volontari.models import Volontario

    mondo = mondo_fermo()
    servizio = mondo.oggetti["servizi"]["a"]
    Volontario.objects.filter(pk=servizio.volontario_id).update(codice_volontario="VOL1", nome="Ada", cognome="Neri")
    righe = ["CodiceVolontario;Cognome;Nome;Giorno;Causale;Note"]
    righe += [f"VOL1;Neri;Ada;{g:%d/%m/%Y};L;" for g in giorni_da(SETTEMBRE_29, 4)]
    with pytest.raises(helios.ErroriImportazione) as exc:
        helios.importa_presenze(
            acting_user=mondo.users["referente_a"],
            ente=mondo.oggetti["enti"]["a"],
            dati=("\r\n".join(righe) + "\r\n").encode(),
        )
    assert [n for n, _m in exc.value.righe] == [4, 5]  # the October lines of the run of four
    assert not Presenza.objects.exists()
