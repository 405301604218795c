"""accounts.audit: every event kind is one member of `Evento`, stored with the same string as
before; an unknown kind is refused and nothing is written."""

import pytest

from accounts.audit import Evento, NuovoEvento, record_event, record_events
from accounts.models import AuditEvent
from enti.models import Ente
from progetti.models import Progetto
from tests.factories import EnteFactory, UserFactory


@pytest.mark.django_db
def test_record_event_rifiuta_un_tipo_sconosciuto():
    with pytest.raises(ValueError, match="Unknown audit event kind"):
        record_event(verb="presenze.salvat")
    assert not AuditEvent.objects.exists()
    record_event(verb=Evento.PRESENZE_SALVATE)
    record_event(verb="presenze.salvate")  # the stored value is the same kind
    assert list(AuditEvent.objects.values_list("verb", flat=True)) == ["presenze.salvate"] * 2


@pytest.mark.django_db
def test_record_events_un_solo_insert_e_nessuna_riga_se_un_tipo_e_sconosciuto(django_assert_num_queries):
    user = UserFactory()
    ente = EnteFactory()
    eventi = [
        NuovoEvento(verb=Evento.PRESENZE_SALVATE, target=ente, target_repr="1/03-2027", ente_id=ente.pk),
        NuovoEvento(verb=Evento.PRESENZE_MESE_RIAPERTO_MODIFICATO, target=ente, data={"giorni": 2}),
    ]
    with django_assert_num_queries(1):
        record_events(eventi, acting_user=user, ip_address="127.0.0.1")
    righe = list(AuditEvent.objects.order_by("pk"))
    assert [(r.verb, r.target_repr, r.actor_id, r.ambito_ente) for r in righe] == [
        ("presenze.salvate", "1/03-2027", user.pk, ente.pk),
        ("presenze.mese_riaperto_modificato", str(ente), user.pk, None),
    ]
    assert righe[1].data == {"giorni": 2} and righe[0].target_id == str(ente.pk)
    with pytest.raises(ValueError):
        record_events([NuovoEvento(verb=Evento.PRESENZE_SALVATE), NuovoEvento(verb="nuovo.tipo")])
    assert AuditEvent.objects.count() == 2


def test_i_valori_memorizzati_non_cambiano():
    # Rows exist with these strings: a renamed value would orphan them.
    assert Evento.PRESENZE_SALVATE.value == "presenze.salvate"
    assert Evento.REPORT_ORDINATO.value == "report.ordinato"
    assert Evento.ACCESSO.value == "accesso"
    assert Evento.ADMIN_MODIFICA.value == "admin.modifica"
    assert len({e.value for e in Evento}) == len(Evento)


def test_ogni_stato_di_adesione_e_di_progetto_ha_il_suo_evento():
    for stato in Ente.StatoAdesione:
        assert Evento.adesione(stato).value == f"adesione.{stato.value}"
    for stato in Progetto.Stato:
        assert Evento.progetto(stato).value == f"progetto.{stato.value}"
