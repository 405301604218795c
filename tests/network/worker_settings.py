"""A worker as deployed: the test settings (database, media) with tasks going through the
broker, not run in-process, so that what the worker sends from the outbox really leaves
through Redis (tests/network/test_outbox_senza_beat.py)."""

from network.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
