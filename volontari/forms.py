from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enti.models import Olp

from .models import Servizio


class VolontarioForm(forms.Form):
    codice_fiscale = forms.CharField(
        label=_("Tax code"), max_length=16, help_text=_("Birth date and sex are read from it.")
    )
    nome = forms.CharField(label=_("First name"), max_length=100)
    cognome = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    codice_volontario = forms.CharField(label=_("Volunteer code (Helios)"), max_length=15, required=False)
    data_domanda = forms.DateField(label=_("Application date"), widget=forms.DateInput(attrs={"type": "date"}))
    data_inizio = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )


class AvvioForm(VolontarioForm):
    olp = forms.ModelChoiceField(label=_("OLP"), queryset=Olp.objects.none())
    tipo_posto = forms.TypedChoiceField(
        label=_("Place type"), choices=Servizio.TipoPosto.choices, coerce=int, initial=3
    )
    gmo = forms.BooleanField(label=_("Place for young people with fewer opportunities"), required=False)

    def __init__(self, *args, posto, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["olp"].queryset = posto.olp.all()


class InterruzioneForm(forms.Form):
    ultimo_giorno = forms.DateField(label=_("Last day of service"), widget=forms.DateInput(attrs={"type": "date"}))
    motivo = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    documentata = forms.BooleanField(
        label=_("Documented health, service or force-majeure reasons"),
        required=False,
        help_text=_("After at least six months of service it gives the right to the certificate."),
    )
