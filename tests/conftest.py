import datetime
import os
import shutil
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache

# CI sets REQUIRE_SERVICES=1: then a test that needs PostgreSQL, Redis or Chromium fails
# when they are missing instead of being skipped (a fresh laptop's `make test` skips them).
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"

# The session's clock. `--oggi=YYYY-MM-DD` (or SCU_OGGI=YYYY-MM-DD) runs the whole session as
# if today were that day; without it, today is the machine's date. Either way the clock
# travels (time-machine) to 10:30 in Rome of that day and keeps ticking from there, so that a
# run never crosses midnight between two reads of today, and the UTC date equals Rome's.
# `--oggi=off` keeps the machine's clock as it is. The travel patches this process's clock:
# Django, the factories and the live-server threads of the browser tests all see it;
# processes started by a test (a real Celery worker, gunicorn, Chromium) keep the machine's
# clock, see `_orologio_dei_processi_esterni`.
ORA_DEL_GIORNO = datetime.time(10, 30)
FUSO = zoneinfo.ZoneInfo("Europe/Rome")


def pytest_addoption(parser):
    parser.addoption(
        "--oggi",
        default=os.environ.get("SCU_OGGI") or None,
        metavar="YYYY-MM-DD",
        help="run the suite as if today were this date, at 10:30 in Rome (default: $SCU_OGGI, else the "
        "machine's date); 'off' keeps the machine's clock",
    )


def pytest_configure(config):
    oggi = config.getoption("--oggi")
    if oggi == "off":
        return
    try:
        giorno = datetime.date.fromisoformat(oggi) if oggi else datetime.datetime.now(FUSO).date()
    except ValueError:
        raise pytest.UsageError(f"--oggi / SCU_OGGI: expected YYYY-MM-DD or off, got {oggi!r}") from None
    viaggio = time_machine.travel(datetime.datetime.combine(giorno, ORA_DEL_GIORNO, tzinfo=FUSO), tick=True)
    viaggio.start()
    config._scu_viaggio = viaggio
    config._scu_oggi = giorno


def pytest_unconfigure(config):
    viaggio = getattr(config, "_scu_viaggio", None)
    if viaggio is not None:
        viaggio.stop()


@pytest.fixture(autouse=True)
def _orologio_dei_processi_esterni(request):
    """A test marked `worker` starts real Celery workers, which keep the machine's clock and
    compute "today" from it: such a test runs at the machine's time (time-machine's escape
    hatch reads it), so that its data and the worker's today agree.

    Chromium (browser tests) keeps the machine's clock too, harmlessly: Django's cookies carry
    a Max-Age, which the browser counts from its own now, and sign-ins last until the browser
    closes; gunicorn and the scripts of the PostgreSQL-restart test build their data in the
    same subprocesses that read it."""
    if getattr(request.config, "_scu_viaggio", None) is None or request.node.get_closest_marker("worker") is None:
        yield
        return
    with time_machine.travel(time_machine.escape_hatch.time.time(), tick=True):
        yield


def pytest_report_header(config):
    giorno = getattr(config, "_scu_oggi", None)
    if giorno is None:
        return "today: the machine's clock (--oggi=off)"
    return f"today: {giorno} from 10:30 in Rome, ticking (--oggi / SCU_OGGI)"


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


@pytest.fixture(autouse=True)
def _cartella_opendata(settings, tmp_path_factory):
    """Each test starts with no open-data file built, like the cache (pubblico.opendata)."""
    settings.OPENDATA_ROOT = str(tmp_path_factory.mktemp("opendata"))


@pytest.fixture
def chromium_path() -> str:
    need(shutil.which(CHROMIUM) is not None, "Debian's chromium is not installed")
    return CHROMIUM
