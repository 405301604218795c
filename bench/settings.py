"""The benchmark deployment: production settings on loopback (no HTTPS redirect), plus one
bare Django view to compare the counters page with (bench/urls.py)."""

from network.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False  # the load generator signs in over plain HTTP on loopback
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
