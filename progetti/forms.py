from django import forms
from django.utils.translation import gettext_lazy as _

from enti.models import Esperto, Olp, ReteTerritoriale
from enti.scelte import ENTE_PROPONENTE
from infra.scelte import campo_scelta, intero, preseleziona_unica

from . import actions
from .models import AmbitoAzione, Bando, IncaricoEsperto, Progetto, Programma
from .scelte import AREA, ENTE_COPROGETTANTE, ESPERTO, PROGETTO_PROGRAMMA, SEDE_PROGETTO


def area_del_settore(form: forms.BaseForm, settore_id) -> None:
    """The area: a type-ahead narrowed in the page by the chosen sector (infra.scelte) and, on the
    server, to the areas of the sector sent (or the project's): another sector's area is refused."""
    dati = form.data.get(form.add_prefix("settore")) if form.is_bound else None
    settore = intero(dati) if form.is_bound else settore_id
    campo = campo_scelta(
        AREA, dipende_da="settore", label=form.fields["area"].label, required=form.fields["area"].required
    )
    campo.error_messages["invalid_choice"] = _("The area does not belong to the chosen sector.")
    campo.queryset = AREA.per(None, settore=settore)
    campo.help_text = _("Choose the sector first: the areas follow it.")
    form.fields["area"] = campo


class NuovoProgettoForm(forms.ModelForm):
    ente = campo_scelta(ENTE_PROPONENTE, label=_("Lead body"))

    class Meta:
        model = Progetto
        fields = ["ente", "titolo", "bando", "settore", "area"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ente"].queryset = ENTE_PROPONENTE.per(user)
        self.fields["bando"].queryset = Bando.objects.all()
        area_del_settore(self, None)

    def clean(self):
        data = super().clean()
        if data.get("area") and data.get("settore") and data["area"].settore_id != data["settore"].pk:
            self.add_error("area", _("The area does not belong to the chosen sector."))
        return data


class PassoForm(forms.Form):
    """A step of the project: a plain form over some of its fields. The rules are checked
    by the service, which names the field that breaks each one; the database constraints
    behind them stay as the last guard (a ModelForm would report them as anonymous
    constraint violations instead)."""

    campi: list[str] = []
    campi_facoltativi: tuple[str, ...] = ()
    help_texts: dict = {}

    def __init__(self, data=None, *, instance: Progetto, user=None, **kwargs):
        self.instance, self.user = instance, user
        initial = forms.model_to_dict(instance, fields=self.campi)
        super().__init__(data, initial=initial, **kwargs)
        for name, field in forms.fields_for_model(Progetto, fields=self.campi, help_texts=self.help_texts).items():
            self.fields[name] = field
        self.order_fields(self.campi)
        # Fields with a default that a step may leave empty (the weekly band matters only with an
        # annual quota): empty keeps the project's value.
        for name in self.campi_facoltativi:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in self.campi_facoltativi:
            if data.get(name) in (None, ""):
                data[name] = getattr(self.instance, name)
        return data


class GeneraleForm(PassoForm):
    campi = ["titolo", "descrizione", "settore", "area", "rete", "enti_coprogettanti"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ente = self.instance.ente
        self.fields["descrizione"].widget = forms.Textarea(attrs={"rows": 5})
        area_del_settore(self, self.instance.settore_id)
        self.fields["rete"].queryset = ReteTerritoriale.objects.filter(nodo_id=ente.nodo_id)
        # The member enti of the nodo (hundreds in a large region): a type-ahead list.
        campo = campo_scelta(
            ENTE_COPROGETTANTE,
            multipla=True,
            required=False,
            label=self.fields["enti_coprogettanti"].label,
            help_text=_("Other member bodies of your node that share the project."),
        )
        campo.queryset = ENTE_COPROGETTANTE.per(self.user, progetto=self.instance.pk)
        campo.widget.parametri = {"progetto": self.instance.pk}
        self.fields["enti_coprogettanti"] = campo


class OrarioForm(PassoForm):
    campi = [
        "durata_mesi", "modello_orario", "ore_settimanali", "monte_ore", "ore_settimana_min", "ore_settimana_max",
        "giorni_settimana",
    ]  # fmt: skip
    campi_facoltativi = ("ore_settimana_min", "ore_settimana_max")
    help_texts = {
        "durata_mesi": _("From 8 to 12 months."),
        "ore_settimanali": _("25 hours a week with the weekly timetable."),
        "monte_ore": _(
            "With the annual quota: 765 h for 8 months up to 1,145 h for 12, pro rata; 20 to 36 hours in any week."
        ),
        "ore_settimana_min": _("With the annual quota: the fewest hours of any week, at least 20."),
        "ore_settimana_max": _("With the annual quota: the most hours of any week, at most 36."),
        "giorni_settimana": _("5 or 6 days a week."),
    }


class FormazioneForm(PassoForm):
    campi = ["formazione_generale_ore", "formazione_specifica_ore", "formazione_specifica_tranche"]
    campi_facoltativi = ("formazione_specifica_tranche",)
    help_texts = {
        "formazione_generale_ore": _("At least 30 hours, within 180 days of the start."),
        "formazione_specifica_ore": _("At least 50 hours; general and specific together 80 to 150 hours."),
        "formazione_specifica_tranche": _("The register, the indicators and the alerts follow this choice."),
    }


class MisureForm(PassoForm):
    campi = ["mesi_estero", "mesi_tutoraggio", "ore_tutoraggio", "ore_tutoraggio_individuali"]
    help_texts = {
        "mesi_estero": _("Up to 3 months in an EU country; 0 if none."),
        "mesi_tutoraggio": _("Or 1 to 3 months of tutoring, with at least 20 hours of which 4 individual; 0 if none."),
    }


class PostoForm(forms.Form):
    # The open sedi of the project's enti: a type-ahead list (a large comune has many).
    sede = campo_scelta(SEDE_PROGETTO, label=_("Site"))
    posti_vitto_alloggio = forms.IntegerField(label=_("Places with board and lodging"), min_value=0, initial=0)
    posti_solo_vitto = forms.IntegerField(label=_("Places with board only"), min_value=0, initial=0)
    posti_senza_vitto_alloggio = forms.IntegerField(label=_("Places without board or lodging"), min_value=0, initial=0)
    posti_gmo = forms.IntegerField(
        label=_("Of which for young people with fewer opportunities"), min_value=0, initial=0
    )
    olp = forms.ModelMultipleChoiceField(
        label=_("OLP"), queryset=Olp.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sedi, olp, progetto_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedi
        self.fields["sede"].widget.parametri = {"progetto": progetto_id}
        self.fields["olp"].queryset = olp


class BasePostiFormSet(forms.BaseFormSet):
    def __init__(self, *args, sedi, olp, progetto_id: int, **kwargs):
        self.sedi, self.olp, self.progetto_id = sedi, olp, progetto_id
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"sedi": self.sedi, "olp": self.olp, "progetto_id": self.progetto_id}


PostiFormSet = forms.formset_factory(PostoForm, formset=BasePostiFormSet, extra=1, can_delete=True)


class EspertiRichiestiForm(forms.Form):
    ruoli = forms.MultipleChoiceField(
        label=_("Shared experts the project asks the network for"),
        choices=IncaricoEsperto.Ruolo.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class AssegnaEspertoForm(forms.Form):
    esperto = campo_scelta(ESPERTO, label=_("Expert"))

    def __init__(self, *args, user, ruolo: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The active experts of the user's pools who have the role the project asks for.
        self.fields["esperto"].queryset = ESPERTO.per(user, ruolo=ruolo)
        self.fields["esperto"].widget.parametri = {"ruolo": ruolo}


class ProgrammaForm(forms.ModelForm):
    progetti = campo_scelta(
        PROGETTO_PROGRAMMA,
        multipla=True,
        label=_("Projects"),
        required=False,
        help_text=_("Type part of a project's title, code or lead body and pick it; repeat for each project."),
    )

    class Meta:
        model = Programma
        fields = ["titolo", "nodo", "bando", "obiettivo_2030", "ambito", "rete"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        nodi = actions.nodi_gestiti(user)
        self.fields["nodo"].queryset = nodi
        preseleziona_unica(self.fields["nodo"])
        self.fields["ambito"].queryset = AmbitoAzione.objects.all()
        self.fields["rete"].queryset = ReteTerritoriale.objects.filter(nodo__in=nodi)
        self.fields["progetti"].queryset = PROGETTO_PROGRAMMA.per(user)
        if self.instance.pk:
            self.initial["progetti"] = list(self.instance.progetti.values_list("pk", flat=True))


class EspertoForm(forms.ModelForm):
    class Meta:
        model = Esperto
        fields = [
            "nodo", "nome", "cognome", "email", "telefono", "formatore", "selettore", "esperto_monitoraggio", "tutor",
            "competenze", "disponibilita_ore_mese", "attivo",
        ]  # fmt: skip
        widgets = {"competenze": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, nodi, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nodo"].queryset = nodi
        preseleziona_unica(self.fields["nodo"])

    def clean(self):
        data = super().clean()
        if not any(data.get(r) for r in ("formatore", "selettore", "esperto_monitoraggio", "tutor")):
            self.add_error("formatore", _("Tick at least one role."))
        return data
