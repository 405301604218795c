"""The type-ahead endpoint: `/cerca/<tipo>/?q=...`, one URL name per choice list (`cerca:<tipo>`,
each in enti.policy.URL_POLICY with the roles whose forms use it).

It answers from the list's `righe(user, ...)`, the rows the form validates against, always
through `visible_to`: nobody gets a row outside their scope. At most `infra.scelte.RISULTATI`
rows, matched by name or code, in the list's order.
"""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_safe

# Importing the apps' lists registers them.
from enti import scelte as enti_scelte  # noqa: F401
from infra import scelte
from progetti import scelte as progetti_scelte  # noqa: F401
from volontari import scelte as volontari_scelte  # noqa: F401


@require_safe
def cerca(request, tipo: str):
    scelta = scelte.REGISTRO[tipo]
    qs = scelta.per(request.user, **scelta.leggi_parametri(request.GET))
    righe = list(scelta.cerca_testo(qs, request.GET.get("q", "")).order_by(*scelta.ordine)[: scelte.RISULTATI + 1])
    response = JsonResponse(
        {
            "risultati": [{"value": str(o.pk), "text": scelta.etichetta(o)} for o in righe[: scelte.RISULTATI]],
            "altri": len(righe) > scelte.RISULTATI,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


def urlpatterns() -> list:
    return [path(f"{tipo}/", cerca, {"tipo": tipo}, name=tipo) for tipo in sorted(scelte.REGISTRO)]
