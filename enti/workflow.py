"""State machines declared as data: the allowed moves, who may make them, and whether they
need a reason. One function refuses every other move."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Transizione:
    da: str
    a: str
    ruoli: frozenset[str]
    motivo_obbligatorio: bool = False
    azione: str = ""  # the verb shown on the button


class MacchinaStati:
    def __init__(self, transizioni: Iterable[Transizione]):
        self.transizioni = {(t.da, t.a): t for t in transizioni}

    def trova(self, da: str, a: str) -> Transizione | None:
        return self.transizioni.get((da, a))

    def possibili(self, da: str, ruoli: Iterable[str]) -> list[Transizione]:
        ruoli = frozenset(ruoli)
        return [t for (d, _a), t in self.transizioni.items() if d == da and t.ruoli & ruoli]

    def verifica(self, *, da: str, a: str, ruoli: Iterable[str], motivo: str = "") -> Transizione:
        """The transition from `da` to `a` for someone with `ruoli`, or an error saying why not."""
        t = self.trova(da, a)
        if t is None:
            raise ValidationError(_("This change of state is not allowed."), code="transizione_non_ammessa")
        if not t.ruoli & frozenset(ruoli):
            raise PermissionDenied(_("Your role cannot make this change of state."))
        if t.motivo_obbligatorio and not motivo.strip():
            raise ValidationError({"motivo": _("Write the reason: the other side will read it.")})
        try:
            ProhibitNullCharactersValidator()(motivo)  # PostgreSQL refuses NUL in text
        except ValidationError as exc:
            raise ValidationError({"motivo": exc.messages}) from exc
        return t

    def stati(self) -> set[str]:
        return {s for pair in self.transizioni for s in pair}
