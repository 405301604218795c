"""Helios files, never a silent loss: an import reads every line as one record and reports the
errors of every month at once; an export in the Department's layout is one the Department
takes (no ASS, no volunteer without code, notes within the Note column), or it is not made."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from tests.personas import costruisci_mondo
from volontari import helios, rules
from volontari.models import Presenza, Volontario

pytestmark = pytest.mark.django_db
ROMA = zoneinfo.ZoneInfo("Europe/Rome")
OGGI = datetime.date(2026, 6, 15)  # a Monday
APRILE, MAGGIO = datetime.date(2026, 4, 1), datetime.date(2026, 5, 1)
CODICE = "VOL00000001"


@pytest.fixture(autouse=True)
def orologio():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=ROMA), tick=False):
        yield


@pytest.fixture
def mondo():
    mondo = costruisci_mondo()
    a = mondo.oggetti["servizi"]["a"]
    a.data_inizio = datetime.date(2026, 1, 5)
    a.data_fine = a.data_fine_prevista = datetime.date(2027, 1, 4)
    a.save()
    Volontario.objects.filter(pk=a.volontario_id).update(codice_volontario=CODICE, nome="Nicolò", cognome="Rossi")
    return mondo


def file(*righe, fine="\r\n"):
    return ("\r\n".join(["CodiceVolontario;Cognome;Nome;Giorno;Causale;Note", *righe]) + fine).encode("utf-8")


def riga(giorno, causale="P", nota=""):
    return f"{CODICE};Rossi;Nicolò;{giorno:%d/%m/%Y};{causale};{nota}"


def importa(mondo, dati):
    return helios.importa_presenze(acting_user=mondo.users["referente_a"], ente=mondo.oggetti["enti"]["a"], dati=dati)


def rifiuto(mondo, dati) -> list[tuple[int, str]]:
    with translation.override("it"), pytest.raises(helios.ErroriImportazione) as exc:
        importa(mondo, dati)
    assert not Presenza.objects.exists()  # all or nothing
    return exc.value.righe


def lunedi(mese, settimana=0):
    primo = mese + datetime.timedelta(days=(7 - mese.weekday()) % 7)
    return primo + datetime.timedelta(weeks=settimana)


# --- Import: every line is one record ------------------------------------------------------


@pytest.mark.parametrize("dopo", ["closed-lines-later", "never-closed", "on-the-last-line"])
def test_an_unclosed_quote_refuses_the_file_at_its_line(mondo, dopo):
    g = lunedi(APRILE)
    righe = [riga(g), riga(g + datetime.timedelta(days=1), "PR", '"visita')]
    if dopo != "on-the-last-line":
        righe.append(riga(g + datetime.timedelta(days=2)))
    if dopo == "closed-lines-later":
        righe.append(riga(g + datetime.timedelta(days=3), nota='medica"'))
    errori = rifiuto(mondo, file(*righe))
    assert [n for n, _m in errori] == [3]


def test_a_single_empty_last_line_is_accepted_not_two_nor_one_inside(mondo):
    g = lunedi(APRILE)
    with pytest.raises(helios.ErroriImportazione) as exc:
        importa(mondo, file(riga(g), fine="\r\n\r\n\r\n"))  # two empty lines at the end
    assert [n for n, _m in exc.value.righe] == [3]
    with pytest.raises(helios.ErroriImportazione):
        importa(mondo, file(riga(g), "", riga(g + datetime.timedelta(days=1))))
    assert not Presenza.objects.exists()
    assert importa(mondo, file(riga(g), fine="\r\n\r\n")) == 1


def test_a_date_that_does_not_exist_is_not_a_wrong_format(mondo):
    errori = rifiuto(mondo, file(f"{CODICE};Rossi;Nicolò;31/02/2026;P;", f"{CODICE};Rossi;Nicolò;2026-02-03;P;"))
    assert errori[0] == (2, "La data 31/02/2026 non esiste.")
    assert errori[1][0] == 3 and "gg/mm/aaaa" in errori[1][1]


def test_errors_of_every_month_and_every_line_in_one_pass(mondo):
    """P104 is capped at 3 days a month: the fourth of April and the fourth of May are both
    refused, with a line that is wrong in itself, all in one answer."""
    aprile = [riga(lunedi(APRILE) + datetime.timedelta(days=n), "P104") for n in range(4)]
    maggio = [riga(lunedi(MAGGIO) + datetime.timedelta(days=n), "P104") for n in range(4)]
    errori = rifiuto(mondo, file(*aprile, *maggio, riga(lunedi(MAGGIO, 2), "XX")))
    assert [n for n, _m in errori] == [5, 9, 10]
    assert "104/92" in errori[0][1] and "104/92" in errori[1][1]


def test_the_right_days_of_a_refused_month_still_count_for_the_next(mondo):
    """A month that breaks a rule is checked again without its wrong days: its paid leave
    counts against the cap of the following month, as it will once the file is corrected."""
    a = mondo.oggetti["servizi"]["a"]
    tetto = rules.tetto_permessi(a, a.posto.progetto.bando)
    feriali = [g for g in (APRILE + datetime.timedelta(days=n) for n in range(61)) if g.weekday() < 5]
    p104, permessi = feriali[:4], feriali[4 : 4 + tetto + 1]
    # The cap is passed in May only if April's paid leave counts.
    assert permessi[-1].month == 5 and sum(g.month == 5 for g in permessi) <= tetto
    righe = [riga(g, "P104") for g in p104] + [riga(g, "PR") for g in permessi]
    errori = rifiuto(mondo, file(*righe))
    # The fourth P104 of April, and the paid leave day beyond the cap in May.
    assert [n for n, _m in errori] == [5, len(righe) + 1]
    assert "104/92" in errori[0][1] and str(tetto) in errori[1][1]


def test_a_note_is_measured_as_the_department_file_writes_it(mondo):
    g = lunedi(APRILE)
    errori = rifiuto(mondo, file(riga(g, "PR", "à" * 151)))  # 151 characters here, 302 in Helios
    assert errori == [(2, errori[0][1])] and "302" in errori[0][1] and "300" in errori[0][1]
    assert importa(mondo, file(riga(g, "PR", "à" * 150))) == 1


def test_the_import_page_lists_every_error(client, mondo):
    client.force_login(mondo.users["referente_a"])
    dati = file(riga(lunedi(APRILE), "PR", '"visita'), riga(lunedi(APRILE, 1)))
    r = client.post(
        reverse("registro:importa", args=[mondo.oggetti["enti"]["a"].pk]),
        {"file": SimpleUploadedFile("presenze.csv", dati)},
        headers={"Accept-Language": "it"},
    )
    assert r.status_code == 422
    assert "Riga 2" in r.content.decode() and not Presenza.objects.exists()


# --- The note, when it is typed ------------------------------------------------------------


def test_the_note_typed_in_the_register_must_fit_the_department_file(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    g = lunedi(MAGGIO)
    chiave = f"{a.pk}-{g:%Y%m%d}"
    client.force_login(mondo.users["olp_a"])
    url = reverse("registro:volontario", args=[a.pk])
    dati = {"mese": "2026-05", f"ver-{a.pk}": "0", f"c-{chiave}": "PR", f"o-{chiave}": "", f"a-{chiave}": ""}
    r = client.post(url, dati | {f"n-{chiave}": "è" * 160}, headers={"Accept-Language": "it"})
    html = r.content.decode()
    assert "320 caratteri" in html and "al massimo 300" in html
    assert not Presenza.objects.exists()
    r = client.post(url, dati | {f"n-{chiave}": "è" * 150})
    assert r.status_code == 302
    assert Presenza.objects.get(servizio=a, giorno=g).nota == "è" * 150


# --- Export: valid for the Department, or not produced ----------------------------------------


def esporta(client, mondo, persona, **parametri):
    client.force_login(mondo.users[persona])
    url = reverse("registro:esporta", args=[mondo.oggetti["enti"]["a"].pk])
    return client.get(url, {"mese": "2026-05", **parametri}, headers={"Accept-Language": "it"})


@pytest.fixture
def malattia(mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=lunedi(MAGGIO), codice="MAL", nota="certificato")
    return a


@pytest.mark.parametrize("persona", ["nodo_lombardia", "nazionale"])
def test_roles_that_see_ass_get_no_helios_file(client, mondo, malattia, persona):
    r = esporta(client, mondo, persona)
    assert r.status_code == 422 and not r["Content-Type"].startswith("text/csv")
    html = r.content.decode()
    assert "ASS" in html and "non è un codice del Dipartimento" in html
    assert "formato=excel" in html  # the spreadsheet file is offered instead
    foglio = esporta(client, mondo, persona, formato="excel")
    assert foglio.status_code == 200 and ";ASS;" in foglio.content.decode("utf-8-sig")
    formazione = esporta(client, mondo, persona, tipo="generale")
    assert formazione.status_code == 422 and "codici fiscali" in formazione.content.decode()
    pagina = client.get(
        reverse("registro:chiusura_ente", args=[mondo.oggetti["enti"]["a"].pk]), {"mese": "2026-05"}
    ).content.decode()
    assert "formato=excel" in pagina and "?tipo=presenze&amp;mese=" not in pagina


def test_the_body_gets_the_helios_file_with_the_health_code(client, mondo, malattia):
    r = esporta(client, mondo, "referente_a")
    assert (
        r.status_code == 200
        and f"{CODICE};Rossi;Nicolo';{lunedi(MAGGIO):%d/%m/%Y};MAL;certificato" in r.content.decode()
    )
    pagina = client.get(
        reverse("registro:chiusura_ente", args=[mondo.oggetti["enti"]["a"].pk]), {"mese": "2026-05"}
    ).content.decode()
    assert "?tipo=presenze&amp;mese=2026-05" in pagina


def test_a_volunteer_without_code_stops_the_helios_file_until_it_is_written(client, mondo, malattia):
    Volontario.objects.filter(pk=malattia.volontario_id).update(codice_volontario=None)
    for tipo in ("presenze", "generale", "specifica"):
        r = esporta(client, mondo, "referente_a", tipo=tipo)
        assert r.status_code == 422, tipo
        html = r.content.decode()
        assert "Rossi Nicolò" in html and "CodiceVolontario" in html
    link = reverse("volontari:codice_helios", args=[malattia.volontario_id])
    esporta_url = reverse("registro:esporta", args=[mondo.oggetti["enti"]["a"].pk])
    assert f'href="{link}?next={esporta_url}%3F' in html  # back to the download once the code is written
    assert esporta(client, mondo, "referente_a", formato="excel").status_code == 200  # the spreadsheet is not held
    prossima = reverse("registro:esporta", args=[mondo.oggetti["enti"]["a"].pk]) + "?mese=2026-05"
    r = client.post(link, {"codice_volontario": "VOL00000009", "next": prossima})
    assert r.status_code == 302 and r["Location"] == prossima
    assert AuditEvent.objects.filter(verb="volontario.codice_helios").exists()
    testo = client.get(prossima).content.decode("ascii")
    assert f"VOL00000009;Rossi;Nicolo';{lunedi(MAGGIO):%d/%m/%Y};MAL;" in testo


def test_the_volunteer_code_is_one_volunteer_s_letters_and_digits(client, mondo):
    altro = mondo.oggetti["servizi"]["b"].volontario
    Volontario.objects.filter(pk=altro.pk).update(codice_volontario="VOLB")
    a = mondo.oggetti["servizi"]["a"]
    client.force_login(mondo.users["referente_a"])
    link = reverse("volontari:codice_helios", args=[a.volontario_id])
    for codice, messaggio in (("volb", "Un altro volontario ha già questo codice."), ("VOL;1", "lettere e cifre")):
        r = client.post(link, {"codice_volontario": codice}, headers={"Accept-Language": "it"})
        assert r.status_code == 422 and messaggio in r.content.decode()
    assert Volontario.objects.get(pk=a.volontario_id).codice_volontario == CODICE
    assert link in client.get(reverse("volontari:dettaglio", args=[a.volontario_id])).content.decode()


def test_a_stored_note_too_long_for_helios_stops_the_file_at_its_day(client, mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=lunedi(MAGGIO), codice="PR", nota="ò" * 200)
    r = esporta(client, mondo, "referente_a")
    assert r.status_code == 422
    html = r.content.decode()
    assert f"{lunedi(MAGGIO):%d/%m/%Y}" in html and "400 caratteri" in html
    assert esporta(client, mondo, "referente_a", formato="excel").status_code == 200


def test_a_helios_file_holds_one_record_a_line(mondo):
    a = mondo.oggetti["servizi"]["a"]
    Presenza.objects.create(servizio=a, giorno=lunedi(MAGGIO), codice="PR", nota="visita\r\nmedica")
    righe = helios.esporta_presenze(mondo.oggetti["enti"]["a"], MAGGIO).decode("ascii").split("\r\n")
    assert righe[1] == f"{CODICE};Rossi;Nicolo';{lunedi(MAGGIO):%d/%m/%Y};PR;visita medica"
    assert importa(mondo, helios.esporta_presenze(mondo.oggetti["enti"]["a"], MAGGIO)) == 1  # it reads back
    assert Presenza.objects.get(servizio=a).nota == "visita medica"
