import datetime

import pytest
from django.core.exceptions import ValidationError

from volontari.codice_fiscale import decodifica, validate_codice_fiscale_persona

# Rossi Mario, male, born 3 April 2001 in Bergamo (A794).
VALID = "RSSMRA01D03A794F"


def test_valid_code_passes():
    validate_codice_fiscale_persona(VALID)


def test_lowercase_and_spaces_are_normalised():
    validate_codice_fiscale_persona(" rssmra01d03a794f ")


@pytest.mark.parametrize(
    "value",
    [
        "RSSMRA01D03A794A",  # wrong check character
        "RSSMRA01D03A794",  # too short
        "RSSMRA01D03A794FF",  # too long
        "RSSMRA01Z03A794F",  # no month Z
        "1234567890123456",
    ],
)
def test_invalid_codes_are_refused_with_a_message(value):
    with pytest.raises(ValidationError) as exc:
        validate_codice_fiscale_persona(value)
    assert exc.value.messages


def test_omocodia_variant_is_valid_and_decodes_to_the_same_person():
    # Digits replaced by letters (L=0, M=1, ... V=9) when two people share a code.
    omocode = "RSSMRA01D03A79QC"
    validate_codice_fiscale_persona(omocode)
    assert decodifica(omocode).data_nascita == decodifica(VALID).data_nascita


def test_birth_date_sex_and_place_are_read_from_the_code():
    dati = decodifica(VALID)
    assert dati.data_nascita == datetime.date(2001, 4, 3)
    assert dati.sesso == "M"
    assert dati.luogo_nascita_codice == "A794"
    assert dati.luogo_nascita_nome == "Bergamo"


def test_female_code_reads_day_plus_forty():
    # Rossi Maria, female, born 3 April 2001 in Bergamo: day 43.
    dati = decodifica("RSSMRA01D43A794J")
    assert dati.sesso == "F"
    assert dati.data_nascita == datetime.date(2001, 4, 3)
