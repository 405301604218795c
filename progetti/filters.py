import django_filters
from django.utils.translation import gettext_lazy as _

from enti.models import Provincia, Regione

from .models import Progetto, Settore


class ProgettoFilter(django_filters.FilterSet):
    """The nodo's queue and the project lists of signed-in users."""

    stato = django_filters.MultipleChoiceFilter(label=_("State"), choices=Progetto.Stato.choices)
    settore = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Settore.objects.all())
    provincia = django_filters.ModelChoiceFilter(
        label=_("Province"), queryset=Provincia.objects.all(), field_name="ente__comune__provincia"
    )
    # An id, within the column's range: beyond it SQLite cannot even compare (OverflowError).
    ente = django_filters.NumberFilter(label=_("Body"), field_name="ente_id", min_value=1, max_value=2**63 - 1)
    titolo = django_filters.CharFilter(label=_("Title contains"), lookup_expr="icontains")

    class Meta:
        model = Progetto
        fields = ["stato", "settore", "provincia", "ente", "titolo"]


class CatalogoFilter(django_filters.FilterSet):
    """The public catalogue: where, what, and which kind of place."""

    regione = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Regione.objects.all(), method="filtra_regione"
    )
    provincia = django_filters.ModelChoiceFilter(
        label=_("Province"), queryset=Provincia.objects.all(), method="filtra_provincia"
    )
    comune = django_filters.CharFilter(label=_("Comune"), method="filtra_comune")
    settore = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Settore.objects.all())
    tipo_posto = django_filters.ChoiceFilter(
        label=_("Kind of place"),
        choices=[
            ("1", _("with board and lodging")),
            ("2", _("with board only")),
            ("3", _("without board or lodging")),
            ("gmo", _("reserved for young people with fewer opportunities")),
        ],
        method="filtra_tipo_posto",
    )

    class Meta:
        model = Progetto
        fields = ["regione", "provincia", "comune", "settore", "tipo_posto"]

    def filtra_regione(self, qs, name, value):
        return qs.filter(posti__sede__comune__provincia__regione=value).distinct()

    def filtra_provincia(self, qs, name, value):
        return qs.filter(posti__sede__comune__provincia=value).distinct()

    def filtra_comune(self, qs, name, value):
        return qs.filter(posti__sede__comune__nome__icontains=value.strip()).distinct()

    def filtra_tipo_posto(self, qs, name, value):
        campo = {
            "1": "posti__posti_vitto_alloggio__gt",
            "2": "posti__posti_solo_vitto__gt",
            "3": "posti__posti_senza_vitto_alloggio__gt",
            "gmo": "posti__posti_gmo__gt",
        }[value]
        return qs.filter(**{campo: 0}).distinct()
