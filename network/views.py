from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import counters


@require_safe
def home(request):
    """The public home page: the network's aims and its live counters.

    On a cache hit it runs no SQL: the counters come from the cache and an anonymous
    visitor has no session to load.
    """
    return render(request, "network/home.html", {"contatori": counters.get()})
