from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from enti import policy
from enti.forms import ComuneField
from enti.models import Nodo
from enti.roles import Ruolo
from enti.scelte import ENTE, OLP_INVITO, SEDE_INVITO, nodi
from infra.scelte import SELEZIONA, campo_scelta, preseleziona_unica
from volontari.scelte import VOLONTARIO_INVITO

from .models import RichiestaAccesso


class InvitoForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person to invite"), max_length=254)  # the column's length
    ruolo = forms.ChoiceField(label=_("Role"))
    nodo = forms.ModelChoiceField(label=_("Network node"), queryset=Nodo.objects.none(), required=False)
    # Type-ahead lists (infra.scelte): the endpoint offers the rows this form accepts.
    ente = campo_scelta(ENTE, label=_("Body"), required=False, preseleziona=True)
    sede = campo_scelta(SEDE_INVITO, label=_("Site"), required=False, preseleziona=True)
    olp = campo_scelta(OLP_INVITO, label=_("OLP"), required=False, preseleziona=True)
    volontario = campo_scelta(VOLONTARIO_INVITO, label=_("Volunteer"), required=False, preseleziona=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        invitabili = policy.ruoli_invitabili(user)
        self.fields["ruolo"].choices = [(r.value, r.label) for r in Ruolo if r in invitabili]
        # Every choice list is limited to what the inviter may give.
        self.fields["nodo"].queryset = nodi(user)
        self.fields["nodo"].empty_label = SELEZIONA
        self.fields["ente"].queryset = ENTE.per(user)
        self.fields["sede"].queryset = SEDE_INVITO.per(user)
        self.fields["olp"].queryset = OLP_INVITO.per(user)
        self.fields["volontario"].queryset = VOLONTARIO_INVITO.per(user)
        # Hide the scope fields this inviter never uses.
        wanted = {
            Ruolo.STAFF_NODO: "nodo",
            Ruolo.STAFF_NAZIONALE: "nodo",
            Ruolo.REFERENTE: "ente",
            Ruolo.STAFF_ENTE: "ente",
            Ruolo.RESPONSABILE_SEDE: "sede",
            Ruolo.OLP: "olp",
            Ruolo.VOLONTARIO: "volontario",
        }
        used = {wanted[r] for r in invitabili}
        for name in ("nodo", "ente", "sede", "olp", "volontario"):
            if name not in used:
                del self.fields[name]
        if "nodo" in self.fields:
            preseleziona_unica(self.fields["nodo"])


class AccettaInvitoForm(forms.Form):
    nome = forms.CharField(label=_("First name"), max_length=100)
    cognome = forms.CharField(label=_("Last name"), max_length=100)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        if p1:
            from accounts.models import User

            probe = User(email=self.email, first_name=data.get("nome", ""), last_name=data.get("cognome", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class RichiestaAccessoForm(forms.ModelForm):
    comune = ComuneField(
        label=_("Municipality"),
        help_text=_("The name of the comune where the body has its seat (or its ISTAT code)."),
    )

    class Meta:
        model = RichiestaAccesso
        fields = [
            "denominazione",
            "tipo",
            "codice_fiscale",
            "comune",
            "pec",
            "rappresentante_legale",
            "nome",
            "cognome",
            "email",
        ]


class DecisioneForm(forms.Form):
    approva = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    motivo = forms.CharField(
        label=_("Reason (required to refuse)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
