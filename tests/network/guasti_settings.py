"""The deployment of the PostgreSQL-restart test (tests/network/test_guasti_postgres.py):
bench's production settings on loopback, with static files served from the sources so that
no collectstatic (and no shared staticfiles folder) is needed."""

from bench.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
