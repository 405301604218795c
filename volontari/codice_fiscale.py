"""Personal tax code (codice fiscale) checks, on python-codicefiscale."""

import datetime
from dataclasses import dataclass

from codicefiscale import codicefiscale
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DatiCodiceFiscale:
    data_nascita: datetime.date
    sesso: str
    luogo_nascita_codice: str
    luogo_nascita_nome: str
    luogo_nascita_provincia: str


def normalizza(value: str) -> str:
    return "".join(value.split()).upper()


def validate_codice_fiscale_persona(value: str) -> None:
    """Format, check character and omocodia (digits replaced by letters) are all checked."""
    cf = normalizza(value)
    if len(cf) != 16:
        raise ValidationError(_("A personal tax code has 16 characters."), code="cf_lunghezza")
    if not codicefiscale.is_valid(cf):
        raise ValidationError(
            _("The tax code %(value)s is not valid: check the characters and the final check letter."),
            code="cf_non_valido",
            params={"value": cf},
        )


def decodifica(value: str) -> DatiCodiceFiscale:
    """Birth date, sex and birthplace read from a valid tax code."""
    cf = normalizza(value)
    validate_codice_fiscale_persona(cf)
    data = codicefiscale.decode(cf)
    birthplace = data.get("birthplace") or {}
    return DatiCodiceFiscale(
        data_nascita=data["birthdate"].date(),
        sesso=data["gender"],
        luogo_nascita_codice=data["raw"]["birthplace"],
        luogo_nascita_nome=birthplace.get("name", ""),
        luogo_nascita_provincia=birthplace.get("province", ""),
    )
