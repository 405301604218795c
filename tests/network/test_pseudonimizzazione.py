"""Pseudonymisation of volunteers whose every service ended more than N years ago: names,
tax codes, birth data, contacts, notes and accounts go; every figure stays."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from monitoraggio import indicatori
from monitoraggio.models import Allerta, EventoAllerta
from network.celery import app
from network.pseudonimizzazione import MARCATORE, pseudonimizza, soglia
from network.tasks import pseudonimizza as task_pseudonimizza
from pubblico import counters, opendata
from tests.factories import OlpFactory, PostoSedeFactory, PresenzaFactory, ServizioFactory, UserFactory
from volontari.codice_fiscale import validate_codice_fiscale_persona
from volontari.models import ChiusuraMensile, Presenza, Questionario, RelazioneMensile, Servizio, Volontario

pytestmark = pytest.mark.django_db

OGGI = datetime.date(2031, 6, 15)


def servizio_finito_il(fine: datetime.date, **kwargs) -> Servizio:
    inizio = fine - datetime.timedelta(days=300)
    kwargs.setdefault("stato", Servizio.Stato.CONCLUSO)
    return ServizioFactory(data_inizio=inizio, data_fine_prevista=fine, data_fine=fine, **kwargs)


def con_giorni(servizio: Servizio) -> Servizio:
    inizio = servizio.data_inizio
    PresenzaFactory(servizio=servizio, giorno=inizio, nota="visita medica dal dott. Rossi")
    PresenzaFactory(servizio=servizio, giorno=inizio + datetime.timedelta(days=1), ore=6)
    Presenza.objects.create(servizio=servizio, giorno=inizio + datetime.timedelta(days=2), codice="MAL", nota="febbre")
    Presenza.objects.create(servizio=servizio, giorno=inizio + datetime.timedelta(days=3), codice="PR")
    return servizio


def con_account(servizio: Servizio, email: str):
    user = UserFactory(email=email, first_name="Giulia", last_name="Antica")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Volontario.objects.filter(pk=servizio.volontario_id).update(
        user=user, email=email, telefono="333 1234567", luogo_nascita="Bergamo", codice_volontario=f"V{user.pk}",
        ical_token=f"chiave-{user.pk}",
    )  # fmt: skip
    return user


@pytest.fixture
def limite(settings):
    settings.PSEUDONIMIZZA_DOPO_ANNI = 5
    return soglia(OGGI)


def test_the_threshold_is_n_years_before_today(settings):
    settings.PSEUDONIMIZZA_DOPO_ANNI = 5
    assert soglia(OGGI) == datetime.date(2026, 6, 15)
    assert soglia(datetime.date(2032, 2, 29)) == datetime.date(2027, 2, 28)
    settings.PSEUDONIMIZZA_DOPO_ANNI = 0
    with pytest.raises(ValueError):
        soglia(OGGI)


def test_ended_n_years_and_a_day_ago_is_pseudonymised_a_day_less_is_not(limite):
    vecchio = servizio_finito_il(limite - datetime.timedelta(days=1))
    recente = servizio_finito_il(limite + datetime.timedelta(days=1))
    esatto = servizio_finito_il(limite)  # exactly N years: not *more* than N
    esito = pseudonimizza(oggi=OGGI)
    assert esito.volontari == 1
    assert Volontario.objects.get(pk=vecchio.volontario_id).pseudonimizzato_il is not None
    for s in (recente, esatto):
        v = Volontario.objects.get(pk=s.volontario_id)
        assert v.pseudonimizzato_il is None
        assert v.cognome == s.volontario.cognome


def test_a_volunteer_with_an_old_and_a_recent_service_is_not(limite):
    vecchio = servizio_finito_il(limite - datetime.timedelta(days=800))
    servizio_finito_il(limite + datetime.timedelta(days=10), volontario=vecchio.volontario)
    assert pseudonimizza(oggi=OGGI).volontari == 0
    assert Volontario.objects.get(pk=vecchio.volontario_id).pseudonimizzato_il is None


def test_what_names_the_person_goes(limite):
    s = con_giorni(servizio_finito_il(limite - datetime.timedelta(days=1)))
    user = con_account(s, "giulia.antica@example.org")
    originale = Volontario.objects.get(pk=s.volontario_id)
    Questionario.objects.create(
        servizio=s, tipo="fine", inviato_il=s.data_fine, scadenza=s.data_fine, compilato_il=timezone.now(),
        attivita=4, olp=4, formazione=4, accoglienza=4, soddisfazione=5, commento="Grazie a Marco",
    )  # fmt: skip
    mese = s.data_inizio.replace(day=1)
    RelazioneMensile.objects.create(servizio=s, mese=mese, andamento=2, obiettivi=2, criticita=True, note="ansia")
    pseudonimizza(oggi=OGGI)

    v = Volontario.objects.get(pk=s.volontario_id)
    assert (v.cognome, v.nome) == ("Volontario", str(v.pk))
    assert v.codice_fiscale == f"PSEUDO{v.pk:010d}"
    with pytest.raises(ValidationError):  # never a real tax code, so never a collision
        validate_codice_fiscale_persona(v.codice_fiscale)
    assert v.data_nascita == originale.data_nascita.replace(month=1, day=1)
    assert (v.luogo_nascita, v.email, v.telefono, v.codice_volontario, v.ical_token) == ("", "", "", None, None)
    assert v.sesso == originale.sesso
    assert not Presenza.objects.filter(servizio=s).exclude(nota="").exists()
    assert Questionario.objects.get(servizio=s).commento == ""
    assert Questionario.objects.get(servizio=s).soddisfazione == 5  # the score stays
    assert RelazioneMensile.objects.get(servizio=s).note == MARCATORE  # a flagged problem keeps a note

    user.refresh_from_db()
    assert not user.is_active
    assert user.email.endswith("@pseudonimizzato.invalid")
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert authenticate(email="giulia.antica@example.org", password="password-for-tests") is None


def test_interruption_reason_alerts_and_signed_sheets(limite, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    s = servizio_finito_il(
        limite - datetime.timedelta(days=1), stato=Servizio.Stato.INTERROTTO, motivo_interruzione="ricovero"
    )
    chiusura = ChiusuraMensile.objects.create(
        servizio=s, mese=s.data_inizio.replace(day=1), stato="confermata", conferma_preliminare_il=timezone.now(),
        confermata_il=timezone.now(),
    )  # fmt: skip
    chiusura.foglio_firmato.save("PRESENZE_x.pdf", ContentFile(b"%PDF-1.4 firmato"))
    percorso = chiusura.foglio_firmato.path
    allerta = Allerta.objects.create(
        tipo="malattia_oltre", chiave=f"malattia:{s.pk}", ente=s.posto.sede.ente, servizio=s,
        messaggio=f"{s.volontario.cognome} {s.volontario.nome}: 20 days of sickness",
    )  # fmt: skip
    # A note of the worklist's history about the volunteer.
    nota = EventoAllerta.objects.create(allerta=allerta, tipo="nota", testo="Ricoverata, sentita la famiglia.")
    with django_capture_on_commit_callbacks(execute=True):
        esito = pseudonimizza(oggi=OGGI)
    assert esito.fogli_firmati == 1
    assert Servizio.objects.get(pk=s.pk).motivo_interruzione == MARCATORE
    assert ChiusuraMensile.objects.get(pk=chiusura.pk).foglio_firmato.name == ""
    assert not (tmp_path / percorso).exists()
    assert Allerta.objects.get(servizio=s).messaggio == MARCATORE
    assert EventoAllerta.objects.get(pk=nota.pk).testo == MARCATORE


def test_an_account_with_another_role_stays_but_is_unlinked(limite):
    s = servizio_finito_il(limite - datetime.timedelta(days=1))
    user = con_account(s, "ora.olp@example.org")
    OlpFactory(user=user, ente=s.posto.sede.ente)
    pseudonimizza(oggi=OGGI)
    user.refresh_from_db()
    assert user.is_active and user.email == "ora.olp@example.org"
    v = Volontario.objects.get(pk=s.volontario_id)
    assert v.user_id is None and v.pseudonimizzato_il is not None


def test_the_audit_log_loses_the_names_and_records_counts_only(limite):
    s = servizio_finito_il(limite - datetime.timedelta(days=1))
    user = con_account(s, "giulia.antica@example.org")
    nome = f"{s.volontario.cognome} {s.volontario.nome}"
    AuditEvent.objects.create(
        verb="servizio.avviato", target_type="volontari.servizio", target_id=str(s.pk), target_repr=f"{nome} - X"
    )
    AuditEvent.objects.create(actor=user, verb="accesso", target_type="accounts.user", target_id=str(user.pk),
                              target_repr=str(user), ip_address="10.0.0.1")  # fmt: skip
    AuditEvent.objects.create(verb="accesso.fallito", data={"email": "giulia.antica@example.org"})
    pseudonimizza(oggi=OGGI)
    tutto = " ".join(
        f"{e.target_repr} {e.data} {e.ip_address}"
        for e in AuditEvent.objects.exclude(verb="dati_personali.pseudonimizzati")
    )
    assert s.volontario.cognome not in tutto
    assert "giulia.antica@example.org" not in tutto
    assert "10.0.0.1" not in tutto
    evento = AuditEvent.objects.get(verb="dati_personali.pseudonimizzati")
    assert evento.data["volontari"] == 1 and evento.data["account_chiusi"] == 1
    assert s.volontario.cognome not in str(evento.data) and evento.target_repr == ""


def test_idempotent(limite):
    s = con_giorni(servizio_finito_il(limite - datetime.timedelta(days=1)))
    con_account(s, "giulia.antica@example.org")
    assert pseudonimizza(oggi=OGGI).volontari == 1
    dopo = Volontario.objects.values().get(pk=s.volontario_id)
    eventi = AuditEvent.objects.count()
    seconda = pseudonimizza(oggi=OGGI)
    assert seconda.volontari == 0
    assert Volontario.objects.values().get(pk=s.volontario_id) == dopo
    assert AuditEvent.objects.count() == eventi  # nothing done, nothing recorded


def test_in_batches(limite):
    servizi = [servizio_finito_il(limite - datetime.timedelta(days=1 + i)) for i in range(5)]
    esito = pseudonimizza(oggi=OGGI, lotto=2)
    assert esito.volontari == 5
    assert Volontario.objects.filter(pk__in=[s.volontario_id for s in servizi], pseudonimizzato_il=None).count() == 0
    assert len({Volontario.objects.get(pk=s.volontario_id).codice_fiscale for s in servizi}) == 5


def _figure(servizi_vecchi: list[Servizio]) -> dict:
    da = min(s.data_inizio for s in servizi_vecchi)
    a = max(s.data_fine for s in servizi_vecchi)
    giorno = da + datetime.timedelta(days=2)
    c = counters.calcola(giorno)
    c.pop("calcolati_il")
    valori = indicatori.calcola(Servizio.objects.all(), da, a, oggi=OGGI)
    return {
        "contatori": c,
        "oggi": {k: v for k, v in counters.calcola(OGGI).items() if k != "calcolati_il"},
        "indicatori": {k: (v.valore, v.totale) for k, v in valori.items()},
        "opendata": {n: d.righe() for n, d in opendata.DATASETS.items() if n != "contatori"},
        "servizi": list(Servizio.objects.order_by("pk").values_list("pk", "stato", "data_inizio", "data_fine", "olp")),
        "presenze": list(Presenza.objects.order_by("pk").values_list("pk", "codice", "ore", "attivita", "giorno")),
        "chiusure": ChiusuraMensile.objects.count(),
    }


def test_every_figure_stays_the_same(limite):
    vecchi = [con_giorni(servizio_finito_il(limite - datetime.timedelta(days=1 + 40 * i))) for i in range(3)]
    Presenza.objects.filter(servizio=vecchi[0]).update(codice="MAL", attivita="", ore=0)
    con_account(vecchi[0], "giulia.antica@example.org")
    interrotto = servizio_finito_il(
        limite - datetime.timedelta(days=3), stato=Servizio.Stato.INTERROTTO, motivo_interruzione="salute",
        posto=PostoSedeFactory(),
    )  # fmt: skip
    vecchi.append(con_giorni(interrotto))
    attuale = con_giorni(ServizioFactory(data_inizio=OGGI - datetime.timedelta(days=30)))
    ChiusuraMensile.objects.create(servizio=vecchi[1], mese=vecchi[1].data_inizio.replace(day=1))
    prima = _figure(vecchi)
    assert pseudonimizza(oggi=OGGI).volontari == 4
    assert _figure(vecchi) == prima
    assert Volontario.objects.get(pk=attuale.volontario_id).pseudonimizzato_il is None


def test_the_setting_is_honoured(settings):
    s = servizio_finito_il(OGGI - datetime.timedelta(days=3 * 365))
    settings.PSEUDONIMIZZA_DOPO_ANNI = 5
    assert pseudonimizza(oggi=OGGI).volontari == 0
    settings.PSEUDONIMIZZA_DOPO_ANNI = 2
    assert pseudonimizza(oggi=OGGI).volontari == 1
    assert Volontario.objects.get(pk=s.volontario_id).pseudonimizzato_il is not None


def test_dry_run_command_changes_nothing(limite):
    s = servizio_finito_il(timezone.localdate() - datetime.timedelta(days=9 * 366))
    out = StringIO()
    call_command("pseudonimizza", "--dry-run", stdout=out)
    assert "1 volunteers" in out.getvalue()
    assert Volontario.objects.get(pk=s.volontario_id).pseudonimizzato_il is None
    assert not AuditEvent.objects.filter(verb="dati_personali.pseudonimizzati").exists()
    call_command("pseudonimizza", stdout=out)
    assert Volontario.objects.get(pk=s.volontario_id).pseudonimizzato_il is not None


def test_beat_runs_it_every_night_through_a_task():
    voci = [v for v in app.conf.beat_schedule.values() if v["task"] == "network.tasks.pseudonimizza"]
    assert len(voci) == 1
    assert task_pseudonimizza.delay().get()["volontari"] == 0
