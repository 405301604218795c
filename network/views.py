from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import counters

# The three public figures, in the order the home page shows them.
CIFRE = [
    ("enti", _("Bodies and comuni"), _("members of the network")),
    ("olp", _("Active OLP"), _("tutors with a volunteer in service today")),
    ("volontari", _("Active volunteers"), _("young people in service today")),
]

# The network's aims, as the home page states them.
OBIETTIVI = [
    (
        _("Youth policies close to home"),
        _("Promote youth policies and support local bodies in running their Servizio Civile projects."),
    ),
    (
        _("An active part in the system"),
        _("Give comuni an active way into the Servizio Civile system, coordinated territory by territory."),
    ),
    (
        _("One strategy, shared quality"),
        _("One common strategy with shared quality criteria, and effective control and monitoring of every project."),
    ),
    (
        _("Experts in common"),
        _(
            "Pool the best trainers, selectors, tutors and monitoring experts, so that no single body has to pay "
            "for a whole project staff."
        ),
    ),
    (
        _("Quality for small comuni too"),
        _("Let the smallest and weakest bodies run quality projects as well."),
    ),
    (
        _("Networks that work together"),
        _(
            "Build on existing territorial networks (unions of comuni, social-health zone plans, library "
            "consortia) and grow new ones."
        ),
    ),
]


@require_safe
def home(request):
    """The public home page: the network's aims and its live counters.

    On a cache hit it runs no SQL: the counters come from the cache and an anonymous
    visitor has no session to load.
    """
    contatori = counters.get()
    cifre = [
        {"chiave": chiave, "etichetta": etichetta, "nota": nota, "valore": contatori["rete"][chiave]}
        for chiave, etichetta, nota in CIFRE
    ]
    return render(request, "network/home.html", {"contatori": contatori, "cifre": cifre, "obiettivi": OBIETTIVI})


def dashboard(request):
    """The personal page after sign-in: one panel per role the user holds."""
    from .dashboard import pannelli

    return render(request, "network/dashboard.html", {"pannelli": pannelli(request)})
