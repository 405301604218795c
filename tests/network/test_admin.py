"""Every model has an admin page that lists, searches, filters and opens its rows."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import PresenzaFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.fixture
def superuser_client(client):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())  # the admin requires a second factor
    client.force_login(user)
    PresenzaFactory()  # a little of everything, down to a day of attendance
    return client


def test_every_project_model_is_registered():
    from django.apps import apps

    ours = {"accounts", "enti", "progetti", "volontari", "network"}
    missing = [m._meta.label for m in apps.get_models() if m._meta.app_label in ours and m not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_search_and_detail(superuser_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"q": "rossi"}).status_code == 200
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert superuser_client.get(change).status_code == 200
