"""The adhesion state machine: allowed moves, who makes them, reasons, history, e-mails."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from enti.actions import ADESIONE, aggiorna_dati_ente, cambia_stato_adesione
from enti.models import Ente, EventoAdesione
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db
A = Ente.StatoAdesione


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    ente = mondo.oggetti["enti"]["a"]
    ente.stato_adesione, ente.data_adesione = A.RICHIESTA, None
    ente.save()
    return mondo


def test_full_path_with_a_return_for_changes(mondo, django_capture_on_commit_callbacks):
    ente = mondo.oggetti["enti"]["a"]
    nodo, referente = mondo.users["nodo_lombardia"], mondo.users["referente_a"]
    with django_capture_on_commit_callbacks(execute=True):
        cambia_stato_adesione(acting_user=nodo, ente=ente, a=A.IN_ISTRUTTORIA)
        cambia_stato_adesione(acting_user=nodo, ente=ente, a=A.DA_INTEGRARE, motivo="Manca la PEC")
        cambia_stato_adesione(acting_user=referente, ente=ente, a=A.RICHIESTA)
        cambia_stato_adesione(acting_user=nodo, ente=ente, a=A.IN_ISTRUTTORIA)
        ente = cambia_stato_adesione(acting_user=nodo, ente=ente, a=A.ADERENTE)
    assert ente.stato_adesione == A.ADERENTE and ente.data_adesione is not None
    storia = list(
        EventoAdesione.objects.filter(ente=ente).order_by("creato_il", "id").values_list("a_stato", flat=True)
    )
    assert storia == [A.IN_ISTRUTTORIA, A.DA_INTEGRARE, A.RICHIESTA, A.IN_ISTRUTTORIA, A.ADERENTE]
    assert EventoAdesione.objects.get(a_stato=A.DA_INTEGRARE).motivo == "Manca la PEC"
    # The referente is told of the nodo's steps; the nodo of the referente's.
    assert any(m.to == ["referente.a@example.org"] and "Manca la PEC" in m.body for m in mail.outbox)
    assert any(m.to == ["nodo.lombardia@example.org"] for m in mail.outbox)


def test_emails_leave_only_after_commit(mondo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        cambia_stato_adesione(
            acting_user=mondo.users["nodo_lombardia"], ente=mondo.oggetti["enti"]["a"], a=A.IN_ISTRUTTORIA
        )
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("da", "a"),
    [(A.RICHIESTA, A.ADERENTE), (A.CESSATO, A.ADERENTE), (A.DA_INTEGRARE, A.ADERENTE), (A.RICHIESTA, A.SOSPESO)],
)
def test_moves_not_in_the_table_are_refused(mondo, da, a):
    ente = mondo.oggetti["enti"]["a"]
    Ente.objects.filter(pk=ente.pk).update(stato_adesione=da, data_adesione="2025-01-01", data_cessazione="2025-06-01")
    with pytest.raises(ValidationError):
        cambia_stato_adesione(acting_user=mondo.users["nazionale"], ente=ente, a=a, motivo="x")
    ente.refresh_from_db()
    assert ente.stato_adesione == da


def test_only_the_right_side_moves(mondo):
    ente = mondo.oggetti["enti"]["a"]
    with pytest.raises(PermissionDenied):  # the referente cannot approve themselves
        cambia_stato_adesione(acting_user=mondo.users["referente_a"], ente=ente, a=A.IN_ISTRUTTORIA)
    with pytest.raises(PermissionDenied):  # another region's nodo
        cambia_stato_adesione(acting_user=mondo.users["nodo_veneto"], ente=ente, a=A.IN_ISTRUTTORIA)


def test_returning_needs_a_reason(mondo):
    ente = mondo.oggetti["enti"]["a"]
    with pytest.raises(ValidationError) as exc:
        cambia_stato_adesione(acting_user=mondo.users["nodo_lombardia"], ente=ente, a=A.DA_INTEGRARE, motivo="  ")
    assert "motivo" in exc.value.message_dict


def test_suspension_and_cessation_keep_dates(mondo):
    ente = mondo.oggetti["enti"]["a"]
    nodo = mondo.users["nodo_lombardia"]
    for a, motivo in ((A.IN_ISTRUTTORIA, ""), (A.ADERENTE, ""), (A.SOSPESO, "Verifica"), (A.ADERENTE, "")):
        ente = cambia_stato_adesione(acting_user=nodo, ente=ente, a=a, motivo=motivo)
    adesione = ente.data_adesione
    ente = cambia_stato_adesione(acting_user=nodo, ente=ente, a=A.CESSATO, motivo="Recesso")
    assert ente.data_adesione == adesione and ente.data_cessazione is not None


def test_every_state_has_a_way_in():
    assert ADESIONE.stati() == set(A.values)


def test_referente_edits_data_only_where_the_state_allows(mondo):
    ente = mondo.oggetti["enti"]["a"]
    referente = mondo.users["referente_a"]
    aggiorna_dati_ente(
        acting_user=referente, ente=ente, dati={"pec": "nuova@pec.example", "denominazione": "Comune di Alfa Nuova"}
    )
    cambia_stato_adesione(acting_user=mondo.users["nodo_lombardia"], ente=ente, a=A.IN_ISTRUTTORIA)
    cambia_stato_adesione(acting_user=mondo.users["nodo_lombardia"], ente=ente, a=A.ADERENTE)
    with pytest.raises(ValidationError) as exc:
        aggiorna_dati_ente(acting_user=referente, ente=ente, dati={"codice_fiscale": "01234567897"})
    assert "codice_fiscale" in exc.value.message_dict
    aggiorna_dati_ente(acting_user=referente, ente=ente, dati={"pec": "altra@pec.example"})
    with pytest.raises(PermissionDenied):
        aggiorna_dati_ente(acting_user=mondo.users["referente_b"], ente=ente, dati={"pec": "x@pec.example"})


def test_a_bad_tax_code_is_refused(mondo):
    with pytest.raises(ValidationError) as exc:
        aggiorna_dati_ente(
            acting_user=mondo.users["referente_a"],
            ente=mondo.oggetti["enti"]["a"],
            dati={"codice_fiscale": "01234567890"},
        )
    assert "codice_fiscale" in exc.value.message_dict
