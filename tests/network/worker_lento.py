"""A Celery worker whose PDF step hangs: the test kills it there, mid-report.

Run as `python tests/network/worker_lento.py <celery worker args>`."""

import sys
import time
from pathlib import Path

import weasyprint

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project, as `celery -A network` needs

_write_pdf = weasyprint.HTML.write_pdf


def _lento(self, *args, **kwargs):
    time.sleep(120)
    return _write_pdf(self, *args, **kwargs)


weasyprint.HTML.write_pdf = _lento

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(main())
