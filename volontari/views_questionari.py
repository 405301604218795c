"""The volunteer's questionnaires and the OLP's monthly reports."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from . import questionari, rules
from .models import Questionario, RelazioneMensile


class QuestionarioForm(forms.Form):
    commento = forms.CharField(
        label=gettext_lazy("Anything you want to add (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        domande = {}
        for campo, domanda in questionari.DOMANDE:
            domande[campo] = forms.TypedChoiceField(
                label=domanda,
                choices=questionari.ETICHETTE_SCALA,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Choose an answer.")},
            )
        self.fields = {**domande, "commento": self.fields["commento"]}


@require_http_methods(["GET", "POST"])
def questionario(request, pk):
    """A volunteer's own questionnaire: answered once, then read-only."""
    q = get_object_or_404(
        Questionario.objects.select_related("servizio__posto__progetto", "servizio__posto__sede__ente"),
        pk=pk,
        servizio__volontario__user=request.user,
    )
    form = QuestionarioForm(request.POST or None)
    if request.method == "POST" and q.compilato_il is None and form.is_valid():
        try:
            questionari.compila(q, acting_user=request.user, risposte=form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("Thank you: your answers were recorded."))
            return redirect("volontari:mio")
    risposte = [(domanda, getattr(q, campo)) for campo, domanda in questionari.DOMANDE]
    return render(
        request,
        "volontari/questionario.html",
        {"q": q, "form": form, "risposte": risposte, "scala": dict(questionari.ETICHETTE_SCALA)},
    )


def _mese(request) -> datetime.date:
    mese = rules.leggi_mese(request.GET.get("mese") or request.POST.get("mese") or "")
    if mese is None:
        oggi = timezone.localdate()
        # From the last week of a month its report is due; before, the previous month's.
        if oggi >= questionari.fine_del_mese(oggi) - datetime.timedelta(days=6):
            return oggi.replace(day=1)
        return (oggi.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return mese


@require_http_methods(["GET", "POST"])
def relazioni(request):
    """The OLP's monthly report: one row per volunteer, saved all together or not at all."""
    mese = _mese(request)
    servizi = questionari.servizi_da_relazionare(request.user, mese)
    esistenti = {r.servizio_id: r for r in RelazioneMensile.objects.filter(servizio__in=servizi, mese=mese)}
    errori, valori = {}, {}
    if request.method == "POST":
        righe = {}
        for s in servizi:
            p = f"s{s.pk}-"
            righe[s.pk] = {
                "andamento": request.POST.get(p + "andamento", ""),
                "obiettivi": request.POST.get(p + "obiettivi", ""),
                "criticita": request.POST.get(p + "criticita") == "on",
                "note": request.POST.get(p + "note", ""),
            }
        valori = {k: dict(v) for k, v in righe.items()}
        try:
            n = questionari.salva_relazioni(acting_user=request.user, mese=mese, righe=righe)
        except questionari.ErroriRelazioni as e:
            errori = e.righe
            messages.error(request, e.messages[0])
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, _("%(n)s reports saved.") % {"n": n})
            return redirect(f"{request.path}?mese={mese:%Y-%m}")
    righe = []
    for s in servizi:
        r = esistenti.get(s.pk)
        v = valori.get(s.pk) or (
            {"andamento": r.andamento, "obiettivi": r.obiettivi, "criticita": r.criticita, "note": r.note} if r else {}
        )
        righe.append({"servizio": s, "valori": v, "errori": errori.get(s.pk, []), "scritta": r})
    precedente = (mese - datetime.timedelta(days=1)).replace(day=1)
    successivo = questionari.fine_del_mese(mese) + datetime.timedelta(days=1)
    return render(
        request,
        "volontari/relazioni.html",
        {
            "mese": mese,
            "righe": righe,
            "scala": questionari.ETICHETTE_SCALA,
            "precedente": precedente,
            "successivo": successivo if successivo <= timezone.localdate() else None,
        },
    )
