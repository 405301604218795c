"""The admin is no second write path: state fields and register rows are read-only there,
and the state changes it offers are admin actions that call the portal's own functions, with
their rules and audit events; refusals come back as admin messages and nothing is changed."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from enti.models import Ente, EventoAdesione, Sede
from progetti.models import EventoProgetto, IncaricoEsperto, Progetto
from tests.personas import costruisci_mondo
from volontari.models import ChiusuraMensile, Presenza, RelazioneMensile, Servizio

pytestmark = pytest.mark.django_db
OGGI = timezone.localdate()


@pytest.fixture
def mondo():
    return costruisci_mondo()


def _admin_client(client, user):
    user.is_staff = user.is_superuser = True
    user.save()
    if not Authenticator.objects.filter(user=user).exists():
        TOTP.activate(user, generate_totp_secret())  # the admin requires a second factor
    client.force_login(user)
    return client


@pytest.fixture
def nazionale(client, mondo):
    """National staff who is also the technical administrator."""
    return _admin_client(client, mondo.users["nazionale"])


def _azione(c, model, azione, oggetti, **dati):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    post = {"action": azione, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in oggetti], **dati}
    return c.post(url, post, follow=True)


def _messaggi(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("model", "campi"),
    [
        (Ente, {"stato_adesione", "data_adesione", "data_cessazione", "data_richiesta"}),
        (Progetto, {"stato", "data_avvio"}),
        (Servizio, {"stato", "data_fine", "subentra_a", "motivo_interruzione"}),
        (Sede, {"data_chiusura"}),
        (IncaricoEsperto, {"stato", "esperto"}),
    ],
)
def test_state_fields_are_not_in_the_admin_forms(mondo, model, campi):
    request = RequestFactory().get("/")
    request.user = mondo.users["nazionale"]
    request.user.is_superuser = request.user.is_staff = True
    model_admin = admin.site._registry[model]
    obj = model.objects.first()
    assert campi <= set(model_admin.get_readonly_fields(request, obj))
    assert not campi & set(model_admin.get_form(request, obj).base_fields)


@pytest.mark.parametrize("model", [Presenza, ChiusuraMensile, RelazioneMensile, EventoAdesione, EventoProgetto])
def test_register_rows_and_histories_are_read_only(mondo, model):
    request = RequestFactory().get("/")
    request.user = mondo.users["nazionale"]
    request.user.is_superuser = request.user.is_staff = True
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, None)
    assert not model_admin.has_delete_permission(request, None)


def test_a_posted_state_is_ignored_by_the_change_form(nazionale, mondo):
    ente = mondo.oggetti["enti"]["a"]
    Ente.objects.filter(pk=ente.pk).update(stato_adesione="aderente")
    url = reverse("admin:enti_ente_change", args=[ente.pk])
    response = nazionale.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    dati = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    dati.update({"stato_adesione": "cessato", "sede_set-TOTAL_FORMS": 0, "sede_set-INITIAL_FORMS": 0})
    dati["comune"] = ente.comune_id
    dati["nodo"] = ente.nodo_id
    nazionale.post(url, dati)
    ente.refresh_from_db()
    assert ente.stato_adesione == "aderente"


def test_the_admin_cannot_add_a_day_of_the_register(nazionale, mondo):
    assert nazionale.get(reverse("admin:volontari_presenza_add")).status_code == 403
    servizio = mondo.oggetti["servizi"]["a"]
    p = Presenza.objects.create(servizio=servizio, giorno=servizio.data_inizio, codice="P", attivita="progetto", ore=5)
    response = nazionale.post(reverse("admin:volontari_presenza_change", args=[p.pk]), {"codice": "MAL"})
    assert response.status_code == 403
    p.refresh_from_db()
    assert p.codice == "P"


def test_the_adhesion_moves_through_its_state_machine_with_event_and_audit(nazionale, mondo):
    ente = mondo.oggetti["enti"]["a"]
    Ente.objects.filter(pk=ente.pk).update(stato_adesione="richiesta", data_adesione=None)
    pagina = _azione(nazionale, Ente, "cambia_adesione", [ente])
    assert pagina.status_code == 200 and b'name="conferma"' in pagina.content  # the intermediate page
    response = _azione(nazionale, Ente, "cambia_adesione", [ente], a="in_istruttoria", motivo="", conferma="1")
    ente.refresh_from_db()
    assert ente.stato_adesione == "in_istruttoria"
    assert EventoAdesione.objects.filter(ente=ente, a_stato="in_istruttoria").count() == 1
    evento = AuditEvent.objects.get(verb="adesione.in_istruttoria")
    assert evento.actor == mondo.users["nazionale"] and evento.target_id == str(ente.pk)
    assert any("1" in m for m in _messaggi(response))


def test_a_move_the_state_machine_refuses_is_an_error_message_and_changes_nothing(nazionale, mondo):
    ente = mondo.oggetti["enti"]["a"]
    Ente.objects.filter(pk=ente.pk).update(stato_adesione="richiesta", data_adesione=None)
    response = _azione(nazionale, Ente, "cambia_adesione", [ente], a="cessato", motivo="", conferma="1")
    assert response.status_code == 200
    ente.refresh_from_db()
    assert ente.stato_adesione == "richiesta"
    assert not EventoAdesione.objects.filter(ente=ente).exists()
    messaggi = _messaggi(response)
    assert any(m.startswith(str(ente)) for m in messaggi)
    assert any("Nessuna modifica" in m for m in messaggi)


def test_several_rows_all_or_none(nazionale, mondo):
    a, b = mondo.oggetti["enti"]["a"], mondo.oggetti["enti"]["b"]
    Ente.objects.filter(pk=a.pk).update(stato_adesione="aderente")
    Ente.objects.filter(pk=b.pk).update(stato_adesione="cessato", data_cessazione=OGGI)
    response = _azione(nazionale, Ente, "cambia_adesione", [a, b], a="sospeso", motivo="Verifica", conferma="1")
    assert Ente.objects.get(pk=a.pk).stato_adesione == "aderente"  # b was refused: a is undone
    assert not AuditEvent.objects.filter(verb="adesione.sospeso").exists()
    assert any(m.startswith(str(b)) for m in _messaggi(response))


def test_an_administrator_without_a_role_is_refused_by_the_rules(client, mondo):
    tecnico = _admin_client(client, mondo.users["referente_b"])
    progetto = mondo.oggetti["servizi"]["a"].posto.progetto
    stato = progetto.stato
    response = _azione(tecnico, Progetto, "cambia_stato", [progetto], a="concluso", motivo="", conferma="1")
    progetto.refresh_from_db()
    assert progetto.stato == stato
    assert any(m.startswith(str(progetto)) for m in _messaggi(response))


def test_the_project_state_moves_through_its_state_machine(nazionale, mondo):
    progetto = mondo.oggetti["servizi"]["a"].posto.progetto
    Progetto.objects.filter(pk=progetto.pk).update(stato="presentato")
    _azione(nazionale, Progetto, "cambia_stato", [progetto], a="in_valutazione", motivo="", conferma="1")
    progetto.refresh_from_db()
    assert progetto.stato == "in_valutazione"
    assert AuditEvent.objects.filter(verb="progetto.in_valutazione", target_id=str(progetto.pk)).exists()


def test_interruption_and_reopening_go_through_the_register_functions(client, mondo):
    referente = _admin_client(client, mondo.users["referente_a"])
    servizio = mondo.oggetti["servizi"]["a"]
    Servizio.objects.filter(pk=servizio.pk).update(data_inizio=OGGI - datetime.timedelta(days=40))
    response = _azione(
        referente,
        Servizio,
        "interrompi",
        [servizio],
        ultimo_giorno="",
        motivo="",
        conferma="1",
    )
    assert b"errorlist" in response.content  # the form's own errors, on the intermediate page
    ultimo = (OGGI - datetime.timedelta(days=2)).isoformat()
    _azione(referente, Servizio, "interrompi", [servizio], ultimo_giorno=ultimo, motivo="Lavoro", conferma="1")
    servizio.refresh_from_db()
    assert servizio.stato == "interrotto" and servizio.data_fine.isoformat() == ultimo
    assert AuditEvent.objects.filter(verb="servizio.interrotto", target_id=str(servizio.pk)).exists()

    mese = (OGGI - datetime.timedelta(days=40)).replace(day=1)
    chiusura = ChiusuraMensile.objects.create(
        servizio=servizio,
        mese=mese,
        stato="confermata",
        conferma_preliminare_il=timezone.now(),
        confermata_il=timezone.now(),
    )
    # The referente is no network staff: the register's rule refuses, shown as a message.
    response = _azione(referente, ChiusuraMensile, "riapri_mese", [chiusura], motivo="Errore", conferma="1")
    chiusura.refresh_from_db()
    assert chiusura.stato == "confermata"
    assert any("staff della rete" in m for m in _messaggi(response))
    client.logout()
    nazionale = _admin_client(client, mondo.users["nazionale"])
    _azione(nazionale, ChiusuraMensile, "riapri_mese", [chiusura], motivo="Errore di battitura", conferma="1")
    chiusura.refresh_from_db()
    assert chiusura.stato == "aperta" and chiusura.riaperta
    assert AuditEvent.objects.get(verb="mese.riaperto").data["motivo"] == "Errore di battitura"
