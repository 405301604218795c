"""The daily register: each rule with a failing case, concurrency, closed months, bounded
queries, monthly close."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from progetti.models import Progetto
from tests.factories import ServizioFactory
from tests.personas import costruisci_mondo
from tests.volontari.test_foglio_firmato import pdf_valido
from tests.volontari.test_registro_bordi import mondo_fermo
from volontari import actions
from volontari.models import ChiusuraMensile, Presenza
from volontari.rules import Voce

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


def lunedi_passato(settimane: int) -> datetime.date:
    return OGGI - datetime.timedelta(days=OGGI.weekday() + 7 * settimane)


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=300)
    servizio.data_fine = servizio.data_fine_prevista = OGGI + datetime.timedelta(days=60)
    servizio.save()
    return mondo


def salva(mondo, giorni: dict, *, chi="olp_a", servizio=None, versione=None):
    servizio = servizio or mondo.oggetti["servizi"]["a"]
    per_mese: dict = {}
    for g, v in giorni.items():
        per_mese.setdefault(g.replace(day=1), {})[g] = v
    for mese, cambi in per_mese.items():
        actions.salva_griglia(
            acting_user=mondo.users[chi],
            mese=mese,
            modifiche={servizio.pk: cambi},
            versioni={servizio.pk: versione} if versione is not None else {},
        )


def p(g, ore=5, attivita="servizio"):
    return Voce(g, "P", attivita, Decimal(ore))


def codice(g, c):
    return Voce(g, c)


def rifiutato(mondo, giorni, frammento, **kw):
    with pytest.raises(actions.ErroriGriglia) as exc:
        salva(mondo, giorni, **kw)
    messaggi = " ".join(m for per_giorno in exc.value.giorni.values() for ms in per_giorno.values() for m in ms)
    messaggi += " ".join(m for ms in exc.value.servizi.values() for m in ms)
    assert frammento in messaggi, messaggi
    return exc.value


def test_a_week_is_saved(mondo):
    lun = lunedi_passato(2)
    giorni = {lun + datetime.timedelta(days=i): p(lun + datetime.timedelta(days=i)) for i in range(5)}
    giorni |= {lun + datetime.timedelta(days=i): codice(lun + datetime.timedelta(days=i), "NL") for i in (5, 6)}
    salva(mondo, giorni)
    assert Presenza.objects.filter(servizio=mondo.oggetti["servizi"]["a"]).count() == 7


def test_no_day_in_the_future(mondo):
    domani = OGGI + datetime.timedelta(days=1)
    rifiutato(mondo, {domani: p(domani)}, "non è ancora arrivato")


def test_no_day_outside_the_service(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    prima = servizio.data_inizio - datetime.timedelta(days=1)
    rifiutato(mondo, {prima: p(prima)}, "fuori dal servizio")


def test_hours_only_on_presence_and_within_the_daily_maximum(mondo):
    g = lunedi_passato(3)
    rifiutato(mondo, {g: Voce(g, "PR", "", Decimal(3))}, "solo nei giorni di presenza")
    rifiutato(mondo, {g: p(g, ore=9)}, "8")
    rifiutato(mondo, {g: Voce(g, "P", "", Decimal(5))}, "formazione")


def test_daily_maximum_is_a_call_parameter(mondo):
    bando = mondo.oggetti["servizi"]["a"].posto.progetto.bando
    bando.ore_max_giorno = 9
    bando.save()
    g = lunedi_passato(3)
    salva(mondo, {g: p(g, ore=9)})


def test_paid_leave_within_the_pro_rata_cap(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    Progetto.objects.filter(pk=servizio.posto.progetto_id).update(durata_mesi=8)  # 20 * 8 // 12 = 13 days
    inizio = lunedi_passato(20)
    giorni = [
        inizio + datetime.timedelta(days=i) for i in range(40) if (inizio + datetime.timedelta(days=i)).weekday() < 5
    ]
    salva(mondo, {g: codice(g, "PR") for g in giorni[:13]})
    rifiutato(mondo, {giorni[13]: codice(giorni[13], "PR")}, "13")


def test_sickness_15_paid_plus_15_unpaid_then_the_service_must_end(mondo):
    inizio = lunedi_passato(20)
    giorni = [inizio + datetime.timedelta(days=i) for i in range(31)]
    salva(mondo, {g: codice(g, "MAL") for g in giorni[:30]})  # days 16-30 are saved, as unpaid
    rifiutato(mondo, {giorni[30]: codice(giorni[30], "MAL")}, "interruzione")


def test_p104_three_days_a_month(mondo):
    mese = (OGGI.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    # Working days only: P104 on a Saturday or Sunday is refused by another rule.
    giorni = [mese + datetime.timedelta(days=i) for i in range(10) if (mese + datetime.timedelta(days=i)).weekday() < 5]
    salva(mondo, {g: codice(g, "P104") for g in giorni[:3]})
    rifiutato(mondo, {giorni[3]: codice(giorni[3], "P104")}, "104")


@time_machine.travel(datetime.datetime(2025, 11, 20, 10, tzinfo=datetime.UTC), tick=False)
def test_bereavement_up_to_three_days():
    """Four L days from Monday 29 September to Thursday 2 October 2025: the run crosses the
    month's end on purpose, and October's save sees the two September days already written."""
    mondo = mondo_fermo()
    giorni = [datetime.date(2025, 9, 29) + datetime.timedelta(days=i) for i in range(4)]
    rifiutato(mondo, {g: codice(g, "L") for g in giorni}, "3")
    assert set(Presenza.objects.values_list("giorno", flat=True)) == set(giorni[:2])  # September's pair only


def test_general_training_by_day_180_or_in_the_second_tranche(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    giorno_200 = servizio.data_inizio + datetime.timedelta(days=199)
    rifiutato(mondo, {giorno_200: p(giorno_200, attivita="formazione_generale")}, "180")
    # 80% by day 180 (24 of 30 hours) opens days 210-270 for the rest.
    primi = [servizio.data_inizio + datetime.timedelta(days=i) for i in range(5)]
    salva(mondo, {g: p(g, ore=Decimal("4.8"), attivita="formazione_generale") for g in primi})
    giorno_220 = servizio.data_inizio + datetime.timedelta(days=219)
    salva(mondo, {giorno_220: p(giorno_220, attivita="formazione_generale")})
    giorno_280 = servizio.data_inizio + datetime.timedelta(days=279)
    rifiutato(mondo, {giorno_280: p(giorno_280, attivita="formazione_generale")}, "270")


def test_specific_training_within_the_call_deadline(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    giorno_100 = servizio.data_inizio + datetime.timedelta(days=99)
    rifiutato(mondo, {giorno_100: p(giorno_100, attivita="formazione_specifica")}, "90")
    bando = servizio.posto.progetto.bando
    bando.formazione_specifica_entro_giorni = 120
    bando.save()
    salva(mondo, {giorno_100: p(giorno_100, attivita="formazione_specifica")})


def test_with_an_annual_quota_a_week_has_at_most_36_hours(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    Progetto.objects.filter(pk=servizio.posto.progetto_id).update(
        modello_orario="monte_ore", ore_settimanali=None, monte_ore=1145
    )
    lun = lunedi_passato(4)
    settimana = {lun + datetime.timedelta(days=i): p(lun + datetime.timedelta(days=i), ore=8) for i in range(4)}
    salva(mondo, settimana)  # 32 hours
    venerdi = lun + datetime.timedelta(days=4)
    rifiutato(mondo, {venerdi: p(venerdi, ore=5)}, "36")


def test_nothing_is_half_written(mondo):
    lun = lunedi_passato(2)
    domani = OGGI + datetime.timedelta(days=1)
    giorni = (
        {lun: p(lun), domani: p(domani)}
        if domani.month == lun.month
        else {lun: p(lun), lun + datetime.timedelta(days=1): p(lun, ore=20)}
    )
    with pytest.raises(actions.ErroriGriglia):
        salva(mondo, giorni)
    assert not Presenza.objects.exists()


def test_two_people_saving_the_same_month_one_wins_the_other_is_told(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    lun = lunedi_passato(2)
    aperta = actions.versione(list(actions.carica_mese([servizio.pk], lun)[servizio.pk].values()))
    salva(mondo, {lun: p(lun, ore=5)}, versione=aperta)  # the OLP saves first
    errore = rifiutato(mondo, {lun: codice(lun, "PR")}, "ricarica", chi="referente_a", versione=aperta)
    assert servizio.pk in errore.servizi
    presenza = Presenza.objects.get(servizio=servizio, giorno=lun)
    assert presenza.codice == "P"  # the first save is kept


def test_a_confirmed_month_refuses_edits_until_reopened(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    lun = lunedi_passato(8)
    now = timezone.now()
    chiusura = ChiusuraMensile.objects.create(
        servizio=servizio, mese=lun.replace(day=1), stato="confermata", conferma_preliminare_il=now, confermata_il=now
    )
    rifiutato(mondo, {lun: p(lun)}, "sola lettura")
    with pytest.raises(PermissionDenied):
        actions.riapri_mese(acting_user=mondo.users["referente_a"], chiusura=chiusura, motivo="errore")
    with pytest.raises(ValidationError):
        actions.riapri_mese(acting_user=mondo.users["nodo_lombardia"], chiusura=chiusura, motivo=" ")
    actions.riapri_mese(acting_user=mondo.users["nodo_lombardia"], chiusura=chiusura, motivo="Correzione malattia")
    salva(mondo, {lun: p(lun)})
    assert AuditEvent.objects.filter(verb="mese.riaperto", data__motivo="Correzione malattia").exists()
    assert AuditEvent.objects.filter(verb="presenze.mese_riaperto_modificato").exists()


def test_only_the_olp_and_the_ente_write(mondo):
    g = lunedi_passato(2)
    for chi in ("nodo_lombardia", "referente_b"):
        with pytest.raises(PermissionDenied):
            salva(mondo, {g: p(g)}, chi=chi)


def test_saving_a_month_for_four_volunteers_runs_the_same_queries_as_for_one(mondo):
    a = mondo.oggetti["servizi"]["a"]
    altri = [
        ServizioFactory(
            posto=a.posto,
            olp=a.olp,
            data_inizio=a.data_inizio,
            data_fine=a.data_fine,
            data_fine_prevista=a.data_fine_prevista,
        )
        for _ in range(3)
    ]
    mese = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    giorni = [mese + datetime.timedelta(days=i) for i in range(28)]

    def mese_di(servizi, n_giorni):
        return {s.pk: {g: (p(g) if g.weekday() < 5 else codice(g, "NL")) for g in giorni[:n_giorni]} for s in servizi}

    with CaptureQueriesContext(connection) as uno:
        actions.salva_griglia(acting_user=mondo.users["olp_a"], mese=mese, modifiche=mese_di([a], 7), versioni={})
    with CaptureQueriesContext(connection) as quattro:
        actions.salva_griglia(
            acting_user=mondo.users["olp_a"], mese=mese, modifiche=mese_di([*altri, a], 28), versioni={}
        )
    assert len(quattro.captured_queries) <= len(uno.captured_queries) + 1  # +1: the updates of a's week
    assert Presenza.objects.filter(servizio__in=[*altri, a]).count() == 4 * 28


def mese_completo(mondo, mese):
    servizio = mondo.oggetti["servizi"]["a"]
    giorni = [g for g in actions.rules.giorni_di_servizio(servizio, mese) if g <= OGGI]
    salva(mondo, {g: (p(g) if g.weekday() < 5 else codice(g, "NL")) for g in giorni})
    return giorni


def test_preliminary_confirmation_needs_every_day(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    mese = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    giorni = mese_completo(mondo, mese)
    Presenza.objects.filter(servizio=servizio, giorno=giorni[3]).delete()
    with pytest.raises(ValidationError) as exc:
        actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese)
    assert giorni[3].strftime("%d/%m") in exc.value.messages[0]
    salva(mondo, {giorni[3]: codice(giorni[3], "PR" if giorni[3].weekday() < 5 else "NL")})
    assert (
        actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese).stato
        == "conferma_preliminare"
    )


def test_sickness_across_a_weekend_asks_about_the_certificate(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    mese = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    mese_completo(mondo, mese)
    venerdi = next(g for g in actions.rules.giorni_del_mese(mese) if g.weekday() == 4 and g.day <= 20)
    lunedi = venerdi + datetime.timedelta(days=3)
    salva(mondo, {venerdi: codice(venerdi, "MAL"), lunedi: codice(lunedi, "MAL")})
    with pytest.raises(ValidationError) as exc:
        actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese)
    assert "certificato_continuo" in exc.value.message_dict
    actions.conferma_preliminare(
        acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese, certificato_continuo=True
    )
    sabato = venerdi + datetime.timedelta(days=1)
    assert Presenza.objects.get(servizio=servizio, giorno=sabato).codice == "MAL"


def test_signed_sheet_and_general_confirmation(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    ente = servizio.posto.sede.ente
    mese = (OGGI.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    # Only volunteer A of comune A is in service: the other personas' services are elsewhere.
    mese_completo(mondo, mese)
    with pytest.raises(ValidationError):
        actions.conferma_generale(acting_user=mondo.users["referente_a"], ente=ente, mese=mese)
    actions.conferma_preliminare(acting_user=mondo.users["olp_a"], servizio=servizio, mese=mese)
    with pytest.raises(ValidationError) as exc:
        actions.conferma_generale(acting_user=mondo.users["referente_a"], ente=ente, mese=mese)
    assert "foglio firmato" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        actions.carica_foglio_firmato(
            acting_user=mondo.users["referente_a"],
            servizio=servizio,
            mese=mese,
            file=SimpleUploadedFile("foglio.pdf", b"not a pdf", content_type="application/pdf"),
        )
    grande = SimpleUploadedFile("foglio.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    grande.size = actions.foglio_max_bytes() + 1
    with pytest.raises(ValidationError):
        actions.carica_foglio_firmato(acting_user=mondo.users["referente_a"], servizio=servizio, mese=mese, file=grande)
    c = actions.carica_foglio_firmato(
        acting_user=mondo.users["referente_a"],
        servizio=servizio,
        mese=mese,
        file=SimpleUploadedFile("foglio.pdf", pdf_valido(), content_type="application/pdf"),
    )
    # Stored under a random name: nothing in it says whose sheet it is.
    assert re.fullmatch(r"fogli_presenze/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", c.foglio_firmato.name)
    with pytest.raises(PermissionDenied):
        actions.conferma_generale(acting_user=mondo.users["olp_a"], ente=ente, mese=mese)
    (confermata,) = actions.conferma_generale(acting_user=mondo.users["referente_a"], ente=ente, mese=mese)
    assert confermata.stato == "confermata"
    # The bulk confirmation's one audit event names every close it changed.
    assert AuditEvent.objects.get(verb="mese.conferma_generale").data["chiusure"] == [confermata.pk]
    c.foglio_firmato.delete(save=False)


def test_a_month_not_ended_cannot_be_confirmed(mondo):
    with pytest.raises(ValidationError):
        actions.conferma_generale(
            acting_user=mondo.users["referente_a"], ente=mondo.oggetti["enti"]["a"], mese=OGGI.replace(day=1)
        )


def test_confirmation_deadline_is_the_tenth():
    assert actions.scadenza_conferma(datetime.date(2026, 1, 1)) == datetime.date(2026, 2, 10)
    assert actions.scadenza_conferma(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 10)


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_instant_one_wins_the_other_is_refused():
    """Two threads save the same day on the same opened month, on PostgreSQL: the service row
    lock serialises them, the second sees the month changed and is refused."""
    import threading

    from django.db import close_old_connections

    from tests.conftest import need

    need(connection.vendor == "postgresql", "row locks need PostgreSQL")
    mondo = costruisci_mondo()
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=60)
    servizio.save()
    lun = lunedi_passato(2)
    token = actions.versione([])
    barriera = threading.Barrier(2)
    esiti = {}

    def salva_come(chi, voce):
        close_old_connections()
        barriera.wait()
        try:
            actions.salva_griglia(
                acting_user=mondo.users[chi],
                mese=lun.replace(day=1),
                modifiche={servizio.pk: {lun: voce}},
                versioni={servizio.pk: token},
            )
            esiti[chi] = "salvato"
        except actions.ErroriGriglia as exc:
            esiti[chi] = " ".join(m for ms in exc.servizi.values() for m in ms)
        finally:
            connection.close()

    fili = [
        threading.Thread(target=salva_come, args=("olp_a", p(lun))),
        threading.Thread(target=salva_come, args=("referente_a", codice(lun, "PR"))),
    ]
    for f in fili:
        f.start()
    for f in fili:
        f.join(30)
    assert sorted(esiti.values(), key=lambda e: e != "salvato")[0] == "salvato"
    perdente = next(e for e in esiti.values() if e != "salvato")
    assert "ricarica" in perdente
    assert Presenza.objects.filter(servizio=servizio, giorno=lun).count() == 1


def test_hour_plan_to_date(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=182)
    servizio.data_fine = servizio.data_fine_prevista = servizio.data_inizio + datetime.timedelta(days=364)
    servizio.save()
    piano = actions.piano_ore(servizio)  # 182 of 365 days served, none recorded
    assert piano["totale"] == 1304  # 25 h a week over 365 days
    assert piano["previste_ad_oggi"] == 650
    assert piano["fatte"] == 0 and piano["proiezione"] == 0 and piano["scarto"] == -650
    Progetto.objects.filter(pk=servizio.posto.progetto_id).update(
        modello_orario="monte_ore", monte_ore=1145, ore_settimanali=None
    )
    servizio.posto.progetto.refresh_from_db()
    assert actions.piano_ore(servizio)["totale"] == 1145


def test_hour_plan_projects_the_pace_kept(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=10)
    servizio.data_fine = servizio.data_fine_prevista = servizio.data_inizio + datetime.timedelta(days=99)
    servizio.save()
    giorni = [servizio.data_inizio + datetime.timedelta(days=i) for i in range(10)]
    salva(mondo, {g: p(g, ore=5) for g in giorni})
    piano = actions.piano_ore(servizio)
    assert piano["fatte"] == 50
    assert piano["proiezione"] == 500  # 5 hours a day, 100 days


def test_a_changed_day_is_written_whole(mondo):
    """Every field of a changed day reaches the database (one UPDATE ... FROM UNNEST on
    PostgreSQL, bulk_update elsewhere): code, activity, hours, note, who wrote it, when; the
    days left as they were are not touched."""
    lunedi = lunedi_passato(2)
    martedi = lunedi + datetime.timedelta(days=1)
    salva(mondo, {lunedi: p(lunedi), martedi: p(martedi)})
    prima = {x.giorno: x for x in Presenza.objects.filter(servizio=mondo.oggetti["servizi"]["a"])}
    referente = mondo.users["referente_a"]
    salva(
        mondo,
        {
            lunedi: Voce(lunedi, "PR", "", Decimal(0), "visita"),
            martedi: p(martedi),
        },
        chi="referente_a",
    )
    dopo = {x.giorno: x for x in Presenza.objects.filter(servizio=mondo.oggetti["servizi"]["a"])}
    cambiato = dopo[lunedi]
    assert (cambiato.codice, cambiato.attivita, cambiato.ore, cambiato.nota, cambiato.inserita_da_id) == (
        "PR", "", Decimal(0), "visita", referente.pk,
    )  # fmt: skip
    assert cambiato.aggiornata_il > prima[lunedi].aggiornata_il
    assert dopo[martedi].aggiornata_il == prima[martedi].aggiornata_il
    assert dopo[martedi].inserita_da_id == mondo.users["olp_a"].pk
