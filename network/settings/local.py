"""Development: `make run`. DEBUG on (asked for by choosing these settings) and a
development-only secret key when none is given."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Serve static files from the app folders without collectstatic.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True

# Development only (allauth refuses it when DEBUG is off): the demo's network staff type
# this code at the two-step verification prompt.
if DEBUG:
    MFA_TOTP_INSECURE_BYPASS_CODE = env.str("DEMO_TOTP_CODE", default="123456")
