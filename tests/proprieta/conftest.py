"""Property tests of bad input: every form, import and query string of the portal receives
random and hostile values through the real views.

Profiles: "proprieta" (the default here) is deterministic, so CI and a laptop try the same
examples; "a-fondo" tries many more, randomly (`HYPOTHESIS_PROFILE=a-fondo pytest tests/proprieta`).
Each example runs inside a savepoint that is rolled back, so examples do not see each
other's rows and the world of the personas is built once per test.
"""

import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings

# The world is a function-scoped fixture shared by the examples of a test on purpose:
# every example rolls its writes back (see `esempio`).
_COMUNI = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile("proprieta", max_examples=30, derandomize=True, **_COMUNI)
settings.register_profile("a-fondo", max_examples=1000, **_COMUNI)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "proprieta"))


@contextmanager
def esempio():
    """One example: a clean cache (rate limits, counters) and a savepoint rolled back at the end."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def isolato():
    return esempio
