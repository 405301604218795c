"""Programmes: at least 2 projects and 12 volunteers, one call; managed by the nodo."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from progetti import actions
from progetti.models import AmbitoAzione, Programma
from progetti.rules import errori_programma
from tests.factories import BandoFactory, PostoSedeFactory, ProgettoFactory
from tests.personas import costruisci_mondo

pytestmark = pytest.mark.django_db


@pytest.fixture
def programma():
    mondo = costruisci_mondo()
    bando = BandoFactory()
    prog = Programma.objects.create(
        titolo="Giovani e biblioteche",
        nodo=mondo.oggetti["nodi"]["lombardia"],
        bando=bando,
        obiettivo_2030=4,
        ambito=AmbitoAzione.objects.get_or_create(codice="c", defaults={"nome": "Cultura"})[0],
    )
    return mondo, prog


def add(prog, posti, **extra):
    extra.setdefault("stato", "presentato")
    progetto = ProgettoFactory(programma=prog, bando=extra.pop("bando", prog.bando), **extra)
    PostoSedeFactory(progetto=progetto, posti_senza_vitto_alloggio=posti)
    return progetto


def test_at_least_two_projects(programma):
    _mondo, prog = programma
    add(prog, 12)
    assert any("almeno 2 progetti" in e for e in errori_programma(prog))
    add(prog, 1)
    assert errori_programma(prog) == []


def test_at_least_twelve_volunteers(programma):
    _mondo, prog = programma
    add(prog, 5)
    add(prog, 6)
    assert any("12" in e for e in errori_programma(prog))
    add(prog, 1)
    assert errori_programma(prog) == []


def test_rejected_projects_do_not_count_and_one_call_only(programma):
    _mondo, prog = programma
    add(prog, 6)
    add(prog, 6, stato="respinto")
    assert errori_programma(prog)
    add(prog, 6, bando=BandoFactory(nome="Altro bando"))
    assert any("bando" in e for e in errori_programma(prog))


def test_nodo_staff_build_the_programme(client, programma):
    mondo, prog = programma
    progetto = ProgettoFactory(ente=mondo.oggetti["enti"]["a"], bando=prog.bando, stato="presentato")
    client.force_login(mondo.users["nodo_lombardia"])
    response = client.post(
        reverse("progetti:programma_modifica", args=[prog.pk]),
        {
            "titolo": prog.titolo,
            "nodo": prog.nodo_id,
            "bando": prog.bando_id,
            "obiettivo_2030": 4,
            "ambito": prog.ambito_id,
            "progetti": [progetto.pk],
        },
    )
    assert response.status_code == 302
    progetto.refresh_from_db()
    assert progetto.programma == prog
    client.force_login(mondo.users["nodo_veneto"])
    assert client.get(reverse("progetti:programma_modifica", args=[prog.pk])).status_code == 404


def test_salva_programma_tiene_esattamente_i_progetti_scelti(programma):
    mondo, prog = programma
    resta, esce = add(prog, 6), add(prog, 6)
    entra = ProgettoFactory(stato="presentato")
    actions.salva_programma(
        acting_user=mondo.users["nodo_lombardia"], programma=prog, progetti=[resta, entra], ip_address="127.0.0.1"
    )
    assert set(prog.progetti.values_list("pk", flat=True)) == {resta.pk, entra.pk}
    esce.refresh_from_db()
    assert esce.programma_id is None
    evento = AuditEvent.objects.get(verb="programma.salvato")
    assert (evento.target_id, evento.ambito_nodo) == (str(prog.pk), prog.nodo_id)
