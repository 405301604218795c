from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Ente, Olp, Sede


@require_safe
def lista(request):
    qs = Ente.objects.visible_to(request.user).select_related("comune", "nodo").order_by("denominazione")
    cerca = request.GET.get("q", "").strip()
    if cerca:
        qs = qs.filter(Q(denominazione__icontains=cerca) | Q(comune__nome__icontains=cerca))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "enti/lista.html", {"page": page, "cerca": cerca})


@require_safe
def dettaglio(request, pk: int):
    ente = get_object_or_404(Ente.objects.visible_to(request.user).select_related("comune__provincia", "nodo"), pk=pk)
    sedi = Sede.objects.visible_to(request.user).filter(ente=ente).select_related("comune")
    olp = Olp.objects.visible_to(request.user).filter(ente=ente)
    return render(request, "enti/dettaglio.html", {"ente": ente, "sedi": sedi, "olp": olp})
