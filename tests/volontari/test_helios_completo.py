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

from tests.personas import costruisci_mondo
from volontari import helios, regole
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
    tetto = regole.tetto_permessi(a, a.posto.progetto.bando)
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
