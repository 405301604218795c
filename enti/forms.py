from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Comune, Ente, Olp, Sede


class ComuneField(forms.CharField):
    """A comune typed as its name ("Bergamo", or "Calliano (TN)" where two share a name), its
    ISTAT code or its cadastral code."""

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        # Validators run after to_python, but the lookups below already send the value to
        # the database, and PostgreSQL refuses NUL in text.
        ProhibitNullCharactersValidator()(value)
        qs = Comune.objects.select_related("provincia")
        if value.isdigit():
            found = list(qs.filter(codice_istat=value.zfill(6)))
        elif len(value) == 4 and value[0].isalpha() and value[1:].isdigit():
            found = list(qs.filter(codice_catastale__iexact=value))
        else:
            nome, _sep, sigla = value.partition("(")
            found = list(qs.filter(nome__iexact=nome.strip()))
            if sigla:
                found = [c for c in found if c.provincia.sigla.lower() == sigla.strip(" )").lower()]
        if not found:
            raise forms.ValidationError(_("No comune is called %(value)s.") % {"value": value})
        if len(found) > 1:
            raise forms.ValidationError(
                _("More comuni are called %(value)s: add the province, e.g. %(example)s.")
                % {"value": value, "example": f"{found[0].nome} ({found[0].provincia.sigla})"}
            )
        return found[0]


def nome_con_provincia(comune: Comune) -> str:
    """The way ComuneField reads a comune back without ambiguity: "Calliano (TN)"."""
    return f"{comune.nome} ({comune.provincia.sigla})"


class EnteForm(forms.ModelForm):
    comune = ComuneField(label=_("Municipality"), help_text=_("The name of the comune (or its ISTAT code)."))

    class Meta:
        model = Ente
        fields = ["denominazione", "tipo", "codice_fiscale", "comune", "pec", "rappresentante_legale"]

    def __init__(self, *args, modificabili: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["comune"] = nome_con_provincia(self.instance.comune)
        for name, field in self.fields.items():
            if name not in modificabili:
                field.disabled = True
                field.required = False


class SedeForm(forms.ModelForm):
    comune = ComuneField(label=_("Municipality"), help_text=_("The name of the comune (or its ISTAT code)."))

    class Meta:
        model = Sede
        fields = ["denominazione", "comune", "indirizzo", "civico", "cap", "codice_helios"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["comune"] = nome_con_provincia(self.instance.comune)


class OlpForm(forms.ModelForm):
    """An OLP of the body with the requirements checked when a project names them (DOMAIN.md):
    a relevant degree or two years' experience, the OLP course, the weekly hours at the site."""

    ore_settimanali_sede = forms.IntegerField(
        label=capfirst(Olp._meta.get_field("ore_settimanali_sede").verbose_name),
        help_text=Olp._meta.get_field("ore_settimanali_sede").help_text,
        min_value=0,
        max_value=7 * 24,
    )

    class Meta:
        model = Olp
        fields = [
            "nome", "cognome", "email", "telefono", "requisito", "titolo_o_esperienza", "corso_olp_il",
            "ore_settimanali_sede", "attivo",
        ]  # fmt: skip
        widgets = {"corso_olp_il": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required here, though the columns allow empty values for OLP recorded before they were asked.
        for campo in ("requisito", "titolo_o_esperienza", "corso_olp_il"):
            self.fields[campo].required = True
