import os
import shutil

import pytest
from django.core.cache import cache

# CI sets REQUIRE_SERVICES=1: then a test that needs PostgreSQL, Redis or Chromium fails
# when they are missing instead of being skipped (a fresh laptop's `make test` skips them).
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required by CI but missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def chromium_path() -> str:
    need(shutil.which(CHROMIUM) is not None, "Debian's chromium is not installed")
    return CHROMIUM
