"""Settings are safe by default: checked in a fresh interpreter with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settings_value(module: str, expr: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = module
    code = f"import django; django.setup(); from django.conf import settings; print(repr(({expr})))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, check=False
    )


def test_production_requires_a_secret_key():
    result = settings_value("network.settings.production", "settings.DEBUG", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_debug_off_and_secure_cookies():
    result = settings_value(
        "network.settings.production",
        "settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS > 0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.stdout.strip() == "(False, True, True, True)", result.stderr


def test_without_database_url_sqlite_in_the_project_folder_and_in_process_tasks():
    result = settings_value(
        "network.settings.local",
        "settings.DATABASES['default']['ENGINE'], str(settings.DATABASES['default']['NAME']), "
        "settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['BACKEND']",
    )
    engine, name, eager, cache = eval(result.stdout)  # noqa: S307 - our own repr
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert eager is True
    assert cache.endswith("LocMemCache")


def test_with_service_urls_postgresql_and_redis():
    result = settings_value(
        "network.settings.production",
        "settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CACHES['default']['BACKEND']",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="example.org",
        DATABASE_URL="postgres://u@db:5432/scu",
        REDIS_URL="redis://redis:6379/0",
    )
    engine, broker, eager, cache = eval(result.stdout)  # noqa: S307 - our own repr
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://redis:6379/0"
    assert eager is False
    assert cache == "infra.cache.RedisTollerante"  # Django's RedisCache, surviving a Redis outage


def test_base_debug_is_off_unless_asked():
    result = settings_value("network.settings.base", "settings.DEBUG", DJANGO_SECRET_KEY="x")
    assert result.stdout.strip() == "False"
    result = settings_value("network.settings.base", "settings.DEBUG", DJANGO_SECRET_KEY="x", DJANGO_DEBUG="1")
    assert result.stdout.strip() == "True"
