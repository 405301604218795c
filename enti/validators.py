from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def codice_fiscale_numerico_valido(value: str) -> bool:
    """The 11-digit tax code of a body (same algorithm as the partita IVA check digit)."""
    if len(value) != 11 or not value.isdigit():
        return False
    total = 0
    for i, ch in enumerate(value[:10]):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10 == int(value[10])


def validate_codice_fiscale_ente(value: str) -> None:
    if not value.isdigit() or len(value) != 11:
        raise ValidationError(_("The tax code of a body has exactly 11 digits."), code="cf_ente_formato")
    if not codice_fiscale_numerico_valido(value):
        raise ValidationError(
            _("The tax code %(value)s is not valid: its check digit does not match."),
            code="cf_ente_controllo",
            params={"value": value},
        )
