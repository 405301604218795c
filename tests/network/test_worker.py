"""A real Celery worker, in its own process, on the Redis broker and the test database."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from network import counters
from network.celery import app
from tests.conftest import need
from tests.factories import ServizioFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_refreshes_counters_from_a_queued_task():
    need(bool(settings.REDIS_URL), "REDIS_URL is not set")
    need(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    ServizioFactory()
    ServizioFactory()
    cache.clear()

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="network.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
    )
    queue = f"test-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "network",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    try:
        app.conf.task_always_eager = False
        from network.tasks import refresh_counters

        refresh_counters.apply_async(queue=queue)
        key = counters.cache_key(timezone.localdate())
        deadline = time.monotonic() + 60
        while cache.get(key) is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        cached = cache.get(key)
        assert cached is not None, "the worker did not run the task"
        assert cached["rete"] == {"enti": 2, "olp": 2, "volontari": 2}
    finally:
        app.conf.task_always_eager = eager
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "Traceback" not in output, output
