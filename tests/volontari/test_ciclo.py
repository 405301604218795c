"""The life of a service: start, renunciation, interruption, replacement, end, certificate."""

import datetime

import pytest
from codicefiscale import codicefiscale
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from progetti.models import Progetto
from tests.factories import OlpFactory
from tests.personas import costruisci_mondo
from volontari import ciclo
from volontari.models import Presenza, Servizio

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


def cf(nascita: datetime.date, cognome="Nuovi", nome="Nina") -> str:
    return codicefiscale.encode(
        lastname=cognome, firstname=nome, gender="F", birthdate=f"{nascita:%d/%m/%Y}", birthplace="A794"
    )


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    posto = mondo.oggetti["servizi"]["a"].posto
    Progetto.objects.filter(pk=posto.progetto_id).update(
        stato="approvato", data_avvio=OGGI - datetime.timedelta(days=30)
    )
    return mondo


def avvia(mondo, *, nascita=datetime.date(2003, 5, 1), domanda=None, inizio=None, chi="referente_a", **extra):
    posto = mondo.oggetti["servizi"]["a"].posto
    posto.refresh_from_db()
    return ciclo.avvia_servizio(
        acting_user=mondo.users[chi],
        posto=posto,
        olp=extra.pop("olp", mondo.oggetti["servizi"]["a"].olp),
        volontario={"codice_fiscale": extra.pop("codice_fiscale", cf(nascita)), "nome": "Nina", "cognome": "Nuovi"},
        data_inizio=inizio or OGGI,
        data_domanda=domanda or OGGI - datetime.timedelta(days=60),
        **extra,
    )


def test_start_reads_birth_date_and_sex_from_the_tax_code(mondo):
    servizio = avvia(mondo)
    assert servizio.volontario.data_nascita == datetime.date(2003, 5, 1)
    assert servizio.volontario.sesso == "F"
    durata = servizio.posto.progetto.durata_mesi
    assert servizio.data_fine == ciclo.aggiungi_mesi(OGGI, durata) - datetime.timedelta(days=1)


def test_a_wrong_tax_code_is_refused_at_its_field(mondo):
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, codice_fiscale="RSSMRA01D03A794A")
    assert "codice_fiscale" in exc.value.message_dict


@pytest.mark.parametrize(
    ("anni_giorni", "ammesso"),
    [((18, 0), True), ((17, 364), False), ((28, 364), True), ((29, 0), False)],
)
def test_age_18_to_28_years_and_364_days_at_the_application(mondo, anni_giorni, ammesso):
    anni, giorni = anni_giorni
    domanda = datetime.date(2026, 3, 10)
    nascita = ciclo.aggiungi_mesi(domanda, -12 * anni) - datetime.timedelta(days=giorni)
    assert ciclo.eta_ammessa(nascita, domanda) is ammesso


def test_too_old_at_the_application_is_refused(mondo):
    domanda = OGGI - datetime.timedelta(days=60)
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, nascita=ciclo.aggiungi_mesi(domanda, -12 * 29), domanda=domanda)
    assert "codice_fiscale" in exc.value.message_dict


def test_only_approved_projects_start_volunteers(mondo):
    Progetto.objects.filter(pk=mondo.oggetti["servizi"]["a"].posto.progetto_id).update(stato="presentato")
    with pytest.raises(ValidationError) as exc:
        avvia(mondo)
    assert "posto" in exc.value.message_dict


def test_places_and_olp_limits(mondo):
    posto = mondo.oggetti["servizi"]["a"].posto  # 4 places; volunteer A holds one
    for i in range(3):
        avvia(mondo, codice_fiscale=cf(datetime.date(2002, 1, 1 + i), cognome=f"Posto{i}"))
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, codice_fiscale=cf(datetime.date(2002, 2, 1), cognome="Quinto"))
    assert "tipo_posto" in exc.value.message_dict and "olp" in exc.value.message_dict  # 4 places, 4 per OLP
    estraneo = OlpFactory(ente=posto.sede.ente)
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, codice_fiscale=cf(datetime.date(2002, 3, 1), cognome="Sesto"), olp=estraneo)
    assert "olp" in exc.value.message_dict


def test_gmo_places(mondo):
    with pytest.raises(ValidationError) as exc:
        avvia(mondo, gmo=True)
    assert "gmo" in exc.value.message_dict


def test_only_the_ente_starts_services(mondo):
    for chi in ("olp_a", "referente_b", "nodo_lombardia"):
        with pytest.raises(PermissionDenied):
            avvia(mondo, chi=chi)


def test_renunciation_only_before_serving(mondo):
    servizio = avvia(mondo)
    Presenza.objects.create(servizio=servizio, giorno=OGGI, codice="P", attivita="servizio", ore=5)
    with pytest.raises(ValidationError):
        ciclo.registra_rinuncia(acting_user=mondo.users["referente_a"], servizio=servizio)
    Presenza.objects.filter(servizio=servizio).delete()
    servizio = ciclo.registra_rinuncia(acting_user=mondo.users["referente_a"], servizio=servizio, motivo="Altro lavoro")
    assert servizio.stato == "rinuncia" and servizio.data_fine == servizio.data_inizio


def test_interruption_needs_reason_and_tracks_the_5_day_deadline(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    with pytest.raises(ValidationError) as exc:
        ciclo.interrompi_servizio(
            acting_user=mondo.users["referente_a"], servizio=servizio, ultimo_giorno=OGGI, motivo=" "
        )
    assert "motivo" in exc.value.message_dict
    with pytest.raises(ValidationError):
        ciclo.interrompi_servizio(
            acting_user=mondo.users["referente_a"],
            servizio=servizio,
            ultimo_giorno=OGGI + datetime.timedelta(days=1),
            motivo="x",
        )
    ultimo = OGGI - datetime.timedelta(days=6)
    servizio = ciclo.interrompi_servizio(
        acting_user=mondo.users["referente_a"], servizio=servizio, ultimo_giorno=ultimo, motivo="Lavoro"
    )
    assert servizio.stato == "interrotto" and servizio.data_fine == ultimo
    assert ciclo.interruzione_in_ritardo(servizio)  # reported 6 days after the last day
    Servizio.objects.filter(pk=servizio.pk).update(interruzione_comunicata_il=ultimo + datetime.timedelta(days=5))
    servizio.refresh_from_db()
    assert not ciclo.interruzione_in_ritardo(servizio)


def test_replacement_within_the_window_of_the_call(mondo):
    uscito = mondo.oggetti["servizi"]["a"]
    uscito = ciclo.interrompi_servizio(
        acting_user=mondo.users["referente_a"],
        servizio=uscito,
        ultimo_giorno=OGGI - datetime.timedelta(days=2),
        motivo="Lavoro",
    )
    progetto = uscito.posto.progetto
    progetto.refresh_from_db()
    tardi = progetto.data_avvio + datetime.timedelta(days=121)
    with pytest.raises(ValidationError) as exc:
        ciclo.subentro(
            acting_user=mondo.users["referente_a"],
            uscito=uscito,
            data_inizio=tardi,
            data_domanda=OGGI - datetime.timedelta(days=90),
            volontario={
                "codice_fiscale": cf(datetime.date(2001, 1, 1), cognome="Tardi"),
                "nome": "T",
                "cognome": "Tardi",
            },
        )
    assert "data_inizio" in exc.value.message_dict
    nuovo = ciclo.subentro(
        acting_user=mondo.users["referente_a"],
        uscito=uscito,
        data_inizio=OGGI,
        data_domanda=OGGI - datetime.timedelta(days=90),
        volontario={
            "codice_fiscale": cf(datetime.date(2001, 1, 1), cognome="Subentra"),
            "nome": "S",
            "cognome": "Subentra",
        },
    )
    assert nuovo.subentra_a == uscito and nuovo.data_fine == uscito.data_fine_prevista
    with pytest.raises(ValidationError):  # one replacement per volunteer who left
        ciclo.subentro(
            acting_user=mondo.users["referente_a"],
            uscito=uscito,
            data_inizio=OGGI,
            data_domanda=OGGI - datetime.timedelta(days=90),
            volontario={
                "codice_fiscale": cf(datetime.date(2001, 2, 2), cognome="Altra"),
                "nome": "A",
                "cognome": "Altra",
            },
        )


def test_end_of_service_and_certificate(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    assert not ciclo.certificato_disponibile(servizio)
    Servizio.objects.filter(pk=servizio.pk).update(data_fine=OGGI - datetime.timedelta(days=1), data_fine_prevista=OGGI)
    assert ciclo.concludi_servizi_terminati() == 1
    servizio.refresh_from_db()
    assert servizio.stato == "concluso" and ciclo.certificato_disponibile(servizio)


def test_the_nightly_conclusion_writes_one_audit_event_per_service(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=servizio.pk).update(data_fine=OGGI - datetime.timedelta(days=1), data_fine_prevista=OGGI)
    assert ciclo.concludi_servizi_terminati() == 1
    eventi = list(AuditEvent.objects.filter(verb="servizio.concluso"))
    assert [(e.target_id, e.actor_id, e.ambito_ente, e.data["a"]) for e in eventi] == [
        (str(servizio.pk), None, servizio.posto.sede.ente_id, "concluso")
    ]
    assert ciclo.concludi_servizi_terminati() == 0  # nothing left: no second event
    assert AuditEvent.objects.filter(verb="servizio.concluso").count() == 1


def test_certificate_after_a_documented_interruption_of_six_months(mondo):
    servizio = mondo.oggetti["servizi"]["a"]
    servizio.data_inizio = OGGI - datetime.timedelta(days=250)
    servizio.save()
    interrotto = ciclo.interrompi_servizio(
        acting_user=mondo.users["referente_a"],
        servizio=servizio,
        ultimo_giorno=OGGI - datetime.timedelta(days=1),
        motivo="Motivi di salute",
        documentata=True,
    )
    assert ciclo.certificato_disponibile(interrotto)
    Servizio.objects.filter(pk=servizio.pk).update(interruzione_documentata=False)
    interrotto.refresh_from_db()
    assert not ciclo.certificato_disponibile(interrotto)
    Servizio.objects.filter(pk=servizio.pk).update(
        interruzione_documentata=True, data_inizio=OGGI - datetime.timedelta(days=100)
    )
    interrotto.refresh_from_db()
    assert not ciclo.certificato_disponibile(interrotto)
