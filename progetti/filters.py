import django_filters
from django.utils.translation import gettext_lazy as _

from enti.models import Regione
from enti.scelte import ENTE, PROVINCIA
from infra.scelte import TUTTE, TUTTI, SceltaRemota, intero

from .models import Progetto, Settore


def filtro_provincia(field_name: str | None = None, **kwargs) -> django_filters.ModelChoiceFilter:
    """The provinces, narrowed in the page by the chosen region (infra.scelte) and on the server:
    a province of another region is refused at the field."""
    return django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=PROVINCIA.per(None),
        widget=SceltaRemota(PROVINCIA, dipende_da="regione"),
        empty_label=TUTTE,
        error_messages={"invalid_choice": _("The province is not in the chosen region.")},
        **({"field_name": field_name} if field_name else {}),
        **kwargs,
    )


def filtro_regione(field_name: str | None = None, **kwargs) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Regione.objects.order_by("nome"),
        empty_label=TUTTE,
        **({"field_name": field_name} if field_name else {}),
        **kwargs,
    )


def province_della_regione(filterset: django_filters.FilterSet) -> None:
    """Only the chosen region's provinces are accepted (and offered)."""
    regione = intero(filterset.data.get("regione")) if filterset.is_bound else None
    filterset.filters["provincia"].queryset = PROVINCIA.per(None, regione=regione)


def _enti(request):
    return ENTE.per(getattr(request, "user", None))


class ProgettoFilter(django_filters.FilterSet):
    """The nodo's queue and the project lists of signed-in users."""

    stato = django_filters.MultipleChoiceFilter(label=_("State"), choices=Progetto.Stato.choices)
    settore = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Settore.objects.all(), empty_label=TUTTI)
    regione = filtro_regione("ente__comune__provincia__regione")
    provincia = filtro_provincia("ente__comune__provincia")
    # The enti the user sees (hundreds for network staff): a type-ahead list (infra.scelte).
    ente = django_filters.ModelChoiceFilter(
        label=_("Body"), queryset=_enti, widget=SceltaRemota(ENTE), empty_label=TUTTI
    )
    titolo = django_filters.CharFilter(label=_("Title contains"), lookup_expr="icontains")

    class Meta:
        model = Progetto
        fields = ["stato", "settore", "regione", "provincia", "ente", "titolo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province_della_regione(self)


class CatalogoFilter(django_filters.FilterSet):
    """The public catalogue: where, what, and which kind of place."""

    regione = filtro_regione(method="filtra_regione")
    provincia = filtro_provincia(method="filtra_provincia")
    comune = django_filters.CharFilter(label=_("Comune"), method="filtra_comune")
    settore = django_filters.ModelChoiceFilter(label=_("Sector"), queryset=Settore.objects.all(), empty_label=TUTTI)
    tipo_posto = django_filters.ChoiceFilter(
        label=_("Kind of place"),
        empty_label=TUTTI,
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province_della_regione(self)

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
