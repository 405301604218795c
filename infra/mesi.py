"""Calendar months, as the register, the questionnaires and the reports count them."""

import calendar
import datetime


def primo_del_mese(giorno: datetime.date) -> datetime.date:
    return giorno.replace(day=1)


def ultimo_del_mese(mese: datetime.date) -> datetime.date:
    return mese.replace(day=calendar.monthrange(mese.year, mese.month)[1])


def periodo_del_mese(mese: datetime.date) -> tuple[datetime.date, datetime.date]:
    inizio = mese.replace(day=1)
    return inizio, ultimo_del_mese(inizio)
