"""The register's monthly rollup (RiepilogoMensile) follows every write of the register, and
its running totals read at any day equal the sums over the register's rows."""

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tests.conftest import need
from tests.factories import PresenzaFactory, ServizioFactory
from tests.personas import costruisci_mondo
from volontari import actions, ciclo, riepiloghi
from volontari.models import Presenza, RiepilogoMensile, Servizio
from volontari.rules import Voce

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()
D = datetime.date


def totali_da_presenze(servizi, giorni, oggi=None) -> dict:
    """The same totals as riepiloghi.totali_al, summed straight from the register's rows."""
    out = {}
    for g in set(giorni):
        out[g] = {
            r.pop("servizio_id"): riepiloghi.Totali(**{k.removeprefix("n_"): v or 0 for k, v in r.items()})
            for r in Presenza.objects.filter(servizio__in=servizi, giorno__lte=g)
            .order_by()
            .values("servizio_id")
            .annotate(
                n_giorni=Count("pk"),
                n_ore=Sum("ore"),
                n_ore_generale=Sum("ore", filter=Q(attivita="formazione_generale")),
                n_ore_specifica=Sum("ore", filter=Q(attivita="formazione_specifica")),
                n_permessi=Count("pk", filter=Q(codice="PR")),
                n_malattia=Count("pk", filter=Q(codice="MAL")),
            )
        }
    return out


def in_regola():
    d = riepiloghi.verifica()
    assert d.nessuna, (d.mancanti[:5], d.in_piu[:5], d.diverse[:5])
    return d


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = OGGI - datetime.timedelta(days=200)
    a.data_fine = a.data_fine_prevista = OGGI + datetime.timedelta(days=100)
    a.save()
    # A second volunteer of the same OLP: one save writes both.
    mondo.oggetti["servizi"]["a2"] = ServizioFactory(
        posto=a.posto, olp=a.olp, data_inizio=a.data_inizio + datetime.timedelta(days=20),
        data_fine_prevista=a.data_fine, data_fine=a.data_fine,
    )  # fmt: skip
    return mondo


def voce_a_caso(rng: random.Random, giorno: datetime.date) -> Voce | None:
    if rng.random() < 0.15:
        return None  # clears the day
    if giorno.weekday() >= 5:
        return Voce(giorno, "NL")
    r = rng.random()
    if r < 0.1:
        return Voce(giorno, "PR")
    if r < 0.18:
        return Voce(giorno, "MAL")
    attivita = rng.choice(["servizio", "servizio", "servizio", "formazione_generale", "formazione_specifica"])
    return Voce(giorno, "P", attivita, Decimal(rng.choice(["4", "5", "5.5", "6"])))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_rollup_follows_random_months_written_through_the_register(mondo, seed):
    """Months written, rewritten and cleared at random through `salva_griglia` (some saves refused
    by the register's rules): after each, the table equals the rollup computed from scratch, and
    the totals read from it at any day equal the sums over the rows."""
    rng = random.Random(seed)
    servizi = [mondo.oggetti["servizi"]["a"], mondo.oggetti["servizi"]["a2"]]
    ieri = OGGI - datetime.timedelta(days=1)
    mesi = sorted({(OGGI - datetime.timedelta(days=30 * k)).replace(day=1) for k in range(6)})
    salvati = rifiutati = 0
    for _passo in range(14):
        mese = rng.choice(mesi)
        modifiche = {}
        for s in rng.sample(servizi, rng.randint(1, 2)):
            giorni = [
                mese + datetime.timedelta(days=n)
                for n in range(31)
                if (mese + datetime.timedelta(days=n)).month == mese.month
                and s.data_inizio <= mese + datetime.timedelta(days=n) <= ieri
            ]
            if giorni:
                scelti = rng.sample(giorni, rng.randint(1, len(giorni)))
                modifiche[s.pk] = {g: voce_a_caso(rng, g) for g in scelti}
        if not modifiche:
            continue
        try:
            actions.salva_griglia(acting_user=mondo.users["olp_a"], mese=mese, modifiche=modifiche, versioni={})
            salvati += 1
        except actions.ErroriGriglia:
            rifiutati += 1
        in_regola()
    assert salvati >= 3, (salvati, rifiutati)  # the test wrote something
    assert RiepilogoMensile.objects.filter(servizio__in=servizi).exists()

    ids = Servizio.objects.filter(pk__in=[s.pk for s in servizi]).values("pk")
    giorni = [mesi[0] - datetime.timedelta(days=1), ieri, OGGI] + [
        mesi[0] + datetime.timedelta(days=rng.randint(0, 200)) for _ in range(12)
    ]
    for oggi in (None, OGGI):
        assert riepiloghi.totali_al(ids, giorni, oggi) == totali_da_presenze(ids, giorni)


def test_direct_writes_of_the_rows_keep_the_rollup(mondo):
    """Whatever writes Presenza through the ORM (the admin, a shell, a fix) keeps the rollup."""
    s = mondo.oggetti["servizi"]["a"]
    inizio = s.data_inizio
    p = Presenza.objects.create(servizio=s, giorno=inizio, codice="P", attivita="servizio", ore=5)
    in_regola()
    p.codice, p.attivita, p.ore = "MAL", "", 0
    p.save()
    in_regola()
    Presenza.objects.bulk_create(
        [Presenza(servizio=s, giorno=inizio + datetime.timedelta(days=n), codice="PR") for n in range(40, 45)]
    )
    assert RiepilogoMensile.objects.get(servizio=s, ultimo=True).tot_permessi == 5
    in_regola()
    Presenza.objects.filter(servizio=s, codice="PR").update(codice="NL")
    in_regola()
    righe = list(Presenza.objects.filter(servizio=s, codice="NL"))
    for r in righe:
        r.codice, r.attivita, r.ore = "P", "formazione_specifica", Decimal("4.5")
    Presenza.objects.bulk_update(righe, ["codice", "attivita", "ore"])
    assert RiepilogoMensile.objects.get(servizio=s, ultimo=True).tot_ore_specifica == Decimal("22.5")
    in_regola()
    Presenza.objects.filter(servizio=s, giorno__gt=inizio + datetime.timedelta(days=42)).delete()
    in_regola()
    p.delete()
    in_regola()
    Presenza.objects.filter(servizio=s).delete()
    assert not RiepilogoMensile.objects.filter(servizio=s).exists()
    in_regola()


def test_months_without_days_have_their_row_and_the_last_month_is_marked():
    s = ServizioFactory(data_inizio=D(2026, 1, 5), data_fine_prevista=D(2026, 12, 31), data_fine=D(2026, 12, 31))
    PresenzaFactory(servizio=s, giorno=D(2026, 1, 5), ore=5)
    PresenzaFactory(servizio=s, giorno=D(2026, 4, 1), ore=6)
    righe = list(RiepilogoMensile.objects.filter(servizio=s).values_list("mese", "giorni", "tot_ore", "ultimo"))
    assert righe == [
        (D(2026, 1, 1), 1, Decimal(5), False),
        (D(2026, 2, 1), 0, Decimal(5), False),
        (D(2026, 3, 1), 0, Decimal(5), False),
        (D(2026, 4, 1), 1, Decimal(11), True),
    ]
    ids = Servizio.objects.filter(pk=s.pk).values("pk")
    giorni = [D(2025, 12, 31), D(2026, 1, 4), D(2026, 1, 5), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 1),
              D(2026, 4, 2), D(2026, 7, 31), D(2026, 8, 15)]  # fmt: skip
    for oggi in (None, D(2026, 4, 2)):
        letti = riepiloghi.totali_al(ids, giorni, oggi)
        assert letti == totali_da_presenze(ids, giorni)
        assert letti[D(2026, 2, 28)][s.pk].ore == 5 and letti[D(2026, 8, 15)][s.pk].ore == 11
        assert s.pk not in letti[D(2026, 1, 4)]


def test_a_renunciation_empties_the_rollup(mondo):
    s = mondo.oggetti["servizi"]["b"]
    s.data_inizio = OGGI - datetime.timedelta(days=3)
    s.save()
    PresenzaFactory(servizio=s, giorno=s.data_inizio, codice="NL", attivita="", ore=0)
    assert RiepilogoMensile.objects.filter(servizio=s).exists()
    ciclo.registra_rinuncia(acting_user=mondo.users["referente_b"], servizio=s, motivo="Altro impiego")
    assert not RiepilogoMensile.objects.filter(servizio=s).exists()
    in_regola()


def test_the_command_rebuilds_and_its_check_finds_every_difference(mondo, capsys):
    s = mondo.oggetti["servizi"]["a"]
    for n in range(0, 70, 3):
        PresenzaFactory(servizio=s, giorno=s.data_inizio + datetime.timedelta(days=n), ore=5)
    attese = list(RiepilogoMensile.objects.values_list())
    call_command("ricostruisci_riepiloghi", "--check")
    assert "all as the register" in capsys.readouterr().out

    RiepilogoMensile.objects.filter(servizio=s, ultimo=True).update(tot_ore=1)  # a wrong value
    RiepilogoMensile.objects.filter(servizio=s, ultimo=False).first().delete()  # a missing row
    RiepilogoMensile.objects.create(servizio=mondo.oggetti["servizi"]["b"], mese=D(2020, 1, 1))  # a row too many
    with pytest.raises(CommandError, match="1 rows missing, 1 not expected, 1 values different"):
        call_command("ricostruisci_riepiloghi", "--check")
    uscita = capsys.readouterr().out
    assert "tot_ore: 1.00 instead of" in uscita and "missing: service" in uscita and "not expected" in uscita

    call_command("ricostruisci_riepiloghi")
    assert "Rollup rebuilt" in capsys.readouterr().out
    assert [r[1:] for r in RiepilogoMensile.objects.values_list()] == [r[1:] for r in attese]
    call_command("ricostruisci_riepiloghi", "--check")


def test_the_postgresql_rebuild_equals_the_definition(mondo):
    """PostgreSQL rebuilds the table in one statement (riepiloghi.RICOSTRUZIONE_SQL): the same rows
    as RiepilogoMensile.objects.attese, gaps and running totals included."""
    need(connection.vendor == "postgresql", "the one-statement rebuild is PostgreSQL's")
    rng = random.Random(7)
    for s in mondo.oggetti["servizi"].values():
        for n in rng.sample(range(0, 150), 40):
            voce = voce_a_caso(rng, s.data_inizio + datetime.timedelta(days=n)) or Voce(s.data_inizio, "NL")
            Presenza.objects.update_or_create(
                servizio=s, giorno=s.data_inizio + datetime.timedelta(days=n),
                defaults={"codice": voce.codice, "attivita": voce.attivita, "ore": voce.ore},
            )  # fmt: skip
    prima = list(RiepilogoMensile.objects.values_list("servizio_id", "mese", "tot_ore", "tot_giorni", "ultimo"))
    assert riepiloghi.ricostruisci() == len(prima)
    assert list(RiepilogoMensile.objects.values_list("servizio_id", "mese", "tot_ore", "tot_giorni", "ultimo")) == prima
    assert in_regola().righe == len(prima)
