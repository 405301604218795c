import django_filters
from django.utils.translation import gettext_lazy as _

from infra.scelte import TUTTI
from progetti.filters import filtro_provincia, filtro_regione, province_della_regione
from progetti.models import Settore
from volontari.models import Servizio


class MonitoraggioFilter(django_filters.FilterSet):
    """The dashboard's filters. The first four narrow the services of the scope (so the
    indicators, the trend and the parts all follow them); the last two pick among the parts."""

    settore = django_filters.ModelChoiceFilter(
        label=_("Sector"), queryset=Settore.objects.all(), field_name="posto__progetto__settore", empty_label=TUTTI
    )
    regione = filtro_regione("posto__sede__comune__provincia__regione")
    provincia = filtro_provincia("posto__sede__comune__provincia")
    stato = django_filters.ChoiceFilter(
        label=_("State of the service"), choices=Servizio.Stato.choices, empty_label=TUTTI
    )
    q = django_filters.CharFilter(label=_("Name contains"), method="nessun_filtro")
    solo_problemi = django_filters.BooleanFilter(
        label=_("Only those with days without an entry"),
        method="nessun_filtro",
        widget=django_filters.widgets.forms.CheckboxInput,
    )

    class Meta:
        model = Servizio
        fields = ["settore", "regione", "provincia", "stato"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province_della_regione(self)

    def nessun_filtro(self, qs, name, value):
        return qs  # applied to the parts, after grouping (see views_monitoraggio._parti)
