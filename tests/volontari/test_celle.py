"""volontari.celle: the register's input read from plain data, without a request."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from volontari.celle import giorni_da_riempire, giorni_della_settimana, leggi_celle
from volontari.rules import Voce

MESE = datetime.date(2027, 3, 1)


def test_leggi_celle_da_un_dizionario():
    dati = {
        "ver-7": "x",
        "c-7-20270301": "p",
        "o-7-20270301": "4,5",
        "c-7-20270302": "PR",
        "o-7-20270302": "3",  # hours of a P row left behind: dropped
        "a-7-20270302": "servizio",
        "c-7-20270303": "ZZ",
        "c-7-20270304": "",
        "c-8-20270301": "P",  # no version token for service 8: not read
    }
    modifiche, valori, errori = leggi_celle(dati, [7, 8], MESE)
    assert modifiche == {
        7: {
            datetime.date(2027, 3, 1): Voce(datetime.date(2027, 3, 1), "P", "servizio", Decimal("4.5"), None),
            datetime.date(2027, 3, 2): Voce(datetime.date(2027, 3, 2), "PR", "", Decimal("0"), None),
            datetime.date(2027, 3, 4): None,
        }
    }
    assert list(errori) == [7] and list(errori[7]) == [datetime.date(2027, 3, 3)]
    assert valori["7-20270301"] == {"codice": "P", "attivita": "", "ore": "4,5", "nota": ""}


def test_giorni_da_riempire():
    progetto = SimpleNamespace(ore_settimanali=25, giorni_settimana=5, monte_ore=0, durata_mesi=12)
    servizio = SimpleNamespace(
        pk=1,
        data_inizio=datetime.date(2027, 3, 2),
        data_fine=datetime.date(2028, 3, 1),
        posto=SimpleNamespace(progetto=progetto),
    )
    confermato = SimpleNamespace(**{**vars(servizio), "pk": 2})
    giorni = giorni_della_settimana("2027-03-01", MESE)  # Monday 1 to Sunday 7
    assert giorni == [datetime.date(2027, 3, d) for d in range(1, 8)]
    modifiche = giorni_da_riempire(
        [servizio, confermato],
        giorni,
        mese=MESE,
        oggi=datetime.date(2027, 3, 6),
        scritti={1: {datetime.date(2027, 3, 3)}},
        confermati={2},
    )
    # Not before the service, not what is written, not after today; Saturday is not working.
    assert modifiche == {
        1: {
            datetime.date(2027, 3, 2): Voce(datetime.date(2027, 3, 2), "P", "servizio", Decimal("5.00")),
            datetime.date(2027, 3, 4): Voce(datetime.date(2027, 3, 4), "P", "servizio", Decimal("5.00")),
            datetime.date(2027, 3, 5): Voce(datetime.date(2027, 3, 5), "P", "servizio", Decimal("5.00")),
            datetime.date(2027, 3, 6): Voce(datetime.date(2027, 3, 6), "NL"),
        }
    }
    assert len(giorni_della_settimana("non una data", MESE)) == 31
