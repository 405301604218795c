"""The public catalogue: approved projects with their places. No personal data.

It lives in the top app because open places are places minus volunteers in service."""

from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from progetti.filters import CatalogoFilter
from progetti.models import PostoSede, Progetto
from volontari.models import Servizio

from . import pagine

STATI_PUBBLICI = (Progetto.Stato.APPROVATO, Progetto.Stato.FINANZIATO, Progetto.Stato.IN_CORSO)


def catalogo_queryset():
    oggi = timezone.localdate()
    occupati = (
        Servizio.objects.in_corso(oggi)
        .filter(posto__progetto=OuterRef("pk"))
        .order_by()
        .values("posto__progetto")
        .annotate(n=Count("pk"))
        .values("n")
    )
    posti = (
        PostoSede.objects.filter(progetto=OuterRef("pk"))
        .order_by()
        .values("progetto")
        .annotate(n=Sum("posti_vitto_alloggio") + Sum("posti_solo_vitto") + Sum("posti_senza_vitto_alloggio"))
        .values("n")
    )
    return (
        Progetto.objects.filter(stato__in=STATI_PUBBLICI)
        .annotate(
            posti_totali=Coalesce(Subquery(posti, output_field=IntegerField()), 0),
            occupati=Coalesce(Subquery(occupati, output_field=IntegerField()), 0),
        )
        # Open places: a running project whose places are all taken is not offered.
        .filter(posti_totali__gt=F("occupati"))
        .select_related("ente__comune__provincia", "settore", "area")
        .order_by("titolo", "pk")
    )


@require_safe
@pagine.in_cache
def lista(request):
    filtro = CatalogoFilter(request.GET or None, queryset=catalogo_queryset())
    query = request.GET.copy()
    query.pop("page", None)
    # Finding the open projects weighs every project's places and volunteers (300-500 ms at
    # national scale): their ids, in order, are kept for every visitor under the public data's
    # generation, and only the page's 20 projects are read.
    ids = pagine.dati(f"catalogo:{query.urlencode()}", lambda: list(filtro.qs.values_list("pk", flat=True)))
    page = Paginator(ids, 20).get_page(request.GET.get("page"))
    progetti = (
        catalogo_queryset()
        .filter(pk__in=page.object_list)
        .prefetch_related(
            Prefetch("posti", queryset=PostoSede.objects.select_related("sede__comune__provincia").order_by("pk"))
        )
    )
    per_pk = {p.pk: p for p in progetti}
    page.object_list = [per_pk[pk] for pk in page.object_list if pk in per_pk]
    return render(request, "catalogo/lista.html", {"filtro": filtro, "page": page, "querystring": query.urlencode()})


@require_safe
@pagine.in_cache
def dettaglio(request, pk: int):
    progetto = get_object_or_404(catalogo_queryset(), pk=pk)
    posti = progetto.posti.select_related("sede__comune__provincia").order_by("sede__comune__nome")
    return render(request, "catalogo/dettaglio.html", {"progetto": progetto, "posti": posti})
