from django.shortcuts import render


def dashboard(request):
    """The personal page after sign-in: one panel per role the user holds."""
    from .dashboard import pannelli

    return render(request, "network/dashboard.html", {"pannelli": pannelli(request)})
