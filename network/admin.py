from django.contrib import admin


def _adatta_admin_allauth() -> None:
    """allauth's session admin searches by username, which this User model does not have."""
    from allauth.usersessions.models import UserSession

    model_admin = admin.site._registry.get(UserSession)
    if model_admin is not None:
        model_admin.search_fields = ["user__email", "ip"]


_adatta_admin_allauth()
