"""Tests: fast hashing, mail kept in memory, tasks in-process unless a test starts a
worker. DATABASE_URL and REDIS_URL, when set, point the suite at the real services."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-secret-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if REDIS_URL:  # noqa: F405
    # Keep test keys apart from anything else on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "scu-test"  # noqa: F405
LANGUAGE_CODE = "it"
CACHE_LOCALE_SECONDI = 0  # tests see the shared cache exactly (tests/network/test_memoria.py turns it on)
