from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import selectors


def dashboard(request):
    """The personal page after sign-in: one panel per role the user holds."""
    from .dashboard import pannelli

    return render(request, "network/dashboard.html", {"pannelli": pannelli(request)})


@require_safe
def eventi(request):
    qs = selectors.eventi_visibili(request.user)
    verbo = request.GET.get("verbo", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if verbo:
        qs = qs.filter(verb__startswith=verbo)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/eventi.html", {"page": page, "verbo": verbo})
