import datetime

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enti.models import Olp
from infra.scelte import preseleziona_unica

from . import rules
from .models import Servizio


class DataDiServizio(forms.DateField):
    """A date of the register's years (rules.PRIMO_ANNO to ULTIMO_ANNO): 31/12/9999 would
    overflow the end of service computed from it."""

    default_validators = [
        MinValueValidator(datetime.date(rules.PRIMO_ANNO, 1, 1)),
        MaxValueValidator(datetime.date(rules.ULTIMO_ANNO, 12, 31)),
    ]


class VolontarioForm(forms.Form):
    codice_fiscale = forms.CharField(
        label=_("Tax code"), max_length=16, help_text=_("Birth date and sex are read from it.")
    )
    nome = forms.CharField(label=_("First name"), max_length=100)
    cognome = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)  # the column's length
    codice_volontario = forms.CharField(label=_("Volunteer code (Helios)"), max_length=15, required=False)
    data_domanda = DataDiServizio(
        label=_("Application date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    data_inizio = DataDiServizio(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )


class AvvioForm(VolontarioForm):
    olp = forms.ModelChoiceField(label=_("OLP"), queryset=Olp.objects.none())
    tipo_posto = forms.TypedChoiceField(
        label=_("Place type"), choices=Servizio.TipoPosto.choices, coerce=int, initial=3
    )
    gmo = forms.BooleanField(label=_("Place for young people with fewer opportunities"), required=False)

    def __init__(self, *args, posto, **kwargs):
        super().__init__(*args, **kwargs)
        # The OLP named at the place: a few by the rule on volunteers per OLP, so a plain list;
        # with one, it comes chosen.
        self.fields["olp"].queryset = posto.olp.all()
        preseleziona_unica(self.fields["olp"])


class InterruzioneForm(forms.Form):
    ultimo_giorno = DataDiServizio(
        label=_("Last day of service"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    motivo = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    documentata = forms.BooleanField(
        label=_("Documented health, service or force-majeure reasons"),
        required=False,
        help_text=_("After at least six months of service it gives the right to the certificate."),
    )


class FoglioFirmatoForm(forms.Form):
    """The signed monthly sheet. What the file is (a PDF by its content, not too large) is
    checked by services.carica_foglio_firmato, whose messages come back at this field."""

    file = forms.FileField(
        label=_("Signed sheet"),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Choose the signed PDF to upload.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("A PDF of at most %(mb)s MB.") % {"mb": settings.FOGLIO_FIRMATO_MAX_MB}


class CodiceVolontarioForm(forms.Form):
    """The Department's code of a volunteer, written by their ente (helios.imposta_codice_volontario)."""

    codice_volontario = forms.CharField(
        label=_("Volunteer code (Helios)"),
        max_length=15,
        help_text=_("The Department's code of the volunteer, used by attendance files."),
    )
