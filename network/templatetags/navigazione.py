"""`{% briciole label url label url ... label %}`: the breadcrumbs of an inner page.

Pairs of label and address, the last label alone (the current page). The first crumb, the
personal area, is added here so that every trail starts at the same place.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.inclusion_tag("includes/briciole.html")
def briciole(*parti):
    parti = list(parti)
    corrente = parti.pop() if len(parti) % 2 else None
    passi = [{"etichetta": _("To do"), "url": reverse("dashboard")}]
    passi += [{"etichetta": parti[i], "url": parti[i + 1]} for i in range(0, len(parti), 2)]
    return {"passi": passi, "corrente": corrente}
