"""Monitoring reports: order, watch the progress, download."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.files import file_privato
from enti.access import ambito
from enti.models import Nodo
from enti.scelte import ENTE, nodi
from infra.scelte import SELEZIONA, campo_scelta, preseleziona_unica
from progetti.scelte import PROGETTO
from volontari.forms import DataDiServizio

from . import reports
from .models import Report


class OrdineForm(forms.Form):
    tipo = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Report.Tipo.choices)
    mese = DataDiServizio(
        label=gettext_lazy("Month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m"],
        help_text=gettext_lazy("For the annual draft: any month of the year it covers."),
    )  # fmt: skip
    nodo = forms.ModelChoiceField(label=gettext_lazy("Network node"), queryset=Nodo.objects.none(), required=False)
    # Hundreds of rows for network staff: type-ahead lists (infra.scelte), the endpoint and the
    # form reading the same scoped rows.
    ente = campo_scelta(ENTE, label=gettext_lazy("Body"), required=False, preseleziona=True)
    progetto = campo_scelta(PROGETTO, label=gettext_lazy("Project"), required=False, preseleziona=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        a = ambito(user)
        self.fields["nodo"].queryset = nodi(user)
        self.fields["nodo"].empty_label = SELEZIONA
        self.fields["ente"].queryset = ENTE.per(user)
        self.fields["progetto"].queryset = PROGETTO.per(user)
        if not (a.nazionale or a.nodi):
            self.fields["tipo"].choices = [c for c in Report.Tipo.choices if c[0] != Report.Tipo.MENSILE_NODO]
            del self.fields["nodo"]
        else:
            preseleziona_unica(self.fields["nodo"])
        self.initial.setdefault(
            "mese", (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        )

    def clean(self):
        data = super().clean()
        tipo = data.get("tipo")
        campo = {"mensile_nodo": "nodo", "mensile_ente": "ente", "annuale_ente": "ente", "progetto": "progetto"}.get(
            tipo
        )
        if campo and not data.get(campo):
            self.add_error(campo, _("Choose it for this kind of report."))
        return data


@require_safe
def lista(request):
    qs = Report.objects.visible_to(request.user).select_related("nodo", "ente", "progetto")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "report/lista.html", {"page": page, "form": OrdineForm(user=request.user)})


@require_http_methods(["POST"])
def nuovo(request):
    form = OrdineForm(request.POST, user=request.user)
    if form.is_valid():
        d = form.cleaned_data
        if d["tipo"] == Report.Tipo.ANNUALE_ENTE:
            da, a = d["mese"].replace(month=1, day=1), d["mese"].replace(month=12, day=31)
        else:
            da, a = reports.periodo_del_mese(d["mese"])
        scope = {"mensile_nodo": "nodo", "mensile_ente": "ente", "annuale_ente": "ente", "progetto": "progetto"}[
            d["tipo"]
        ]
        try:
            report = reports.ordina(
                acting_user=request.user, tipo=d["tipo"], periodo_inizio=da, periodo_fine=a, **{scope: d[scope]}
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("Not allowed.")])))
            return redirect("report:lista")
        return redirect("report:dettaglio", pk=report.pk)
    qs = Report.objects.visible_to(request.user)
    return render(request, "report/lista.html", {"page": Paginator(qs, 30).get_page(1), "form": form}, status=422)


@require_safe
def dettaglio(request, pk: int):
    report = get_object_or_404(
        Report.objects.visible_to(request.user).select_related("nodo", "ente", "progetto"), pk=pk
    )
    template = "report/_stato.html" if request.headers.get("HX-Request") else "report/dettaglio.html"
    return render(request, template, {"report": report, "fase": reports.fase(report)})


# The report's files: format in the URL -> (field, content type).
FORMATI = {
    "pdf": ("file", "application/pdf"),
    "csv": ("file_csv", "text/csv; charset=utf-8"),
    "xlsx": ("file_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@require_safe
def scarica(request, pk: int, formato: str = "pdf"):
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
    campo, tipo = FORMATI.get(formato, (None, None))
    if campo is None or report.stato != Report.Stato.COMPLETATO or not getattr(report, campo):
        raise Http404
    # Stored under a random name (accounts.files.NomeCasuale); downloaded under a telling one.
    nome = f"report_{report.pk}_{report.tipo}_{report.periodo_inizio:%Y_%m}.{formato}"
    return file_privato(getattr(report, campo), nome, content_type=tipo)
