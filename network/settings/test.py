"""Tests: fast hashing, mail kept in memory, tasks in-process unless a test starts a
worker. DATABASE_URL and REDIS_URL, when set, point the suite at the real services."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="test-only-secret-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
TASK_IN_PROCESSO_SU_THREAD = False  # a test runs the task where it is queued, or on a thread it starts
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
if REDIS_URL:  # noqa: F405
    # Keep test keys apart from anything else on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "scu-test"  # noqa: F405
LANGUAGE_CODE = "it"
CACHE_LOCALE_SECONDI = 0  # tests see the shared cache exactly (tests/pubblico/test_memoria.py turns it on)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared memory: the browser tests' live server writes (sessions, registers)
    # from its own thread, and shared-memory SQLite answers a concurrent lock with "table is
    # locked" at once, where a file database waits for the lock (the connection timeout).
    # One file per test process, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"scu-test-{os.getpid()}.sqlite3")
    }
    # The shipped options (base.py: WAL, IMMEDIATE, busy timeout), with nothing synced to disk.
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA synchronous=OFF;"  # noqa: F405
# The open-data files of this test process (pubblico.opendata), never the project's media.
OPENDATA_ROOT = Path(tempfile.mkdtemp(prefix="scu-test-opendata-"))
