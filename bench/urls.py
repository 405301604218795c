"""The portal's URLs plus /bench/nudo/: the least a Django view can do, through the same
middleware (its policy entry is added here, for this deployment only) and the same
workers. The baseline of the counters page."""

import os
from pathlib import Path

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from enti import policy
from network.urls import urlpatterns as portale

policy.URL_POLICY["bench_nudo"] = policy.TUTTI

# With BENCH_SQL_DIR set, every SQL statement a worker sends adds a line to a file named after
# the worker's pid: bench/run.py counts them around a load run ("no SQL on a cache hit",
# measured in the application rather than guessed from PostgreSQL's statistics). Nothing is
# written, and nothing costs, while no SQL runs. gunicorn's sync workers have one thread, so
# this one connection object serves every request of the process.
CARTELLA_SQL = os.environ.get("BENCH_SQL_DIR")


def conta_sql(execute, sql, params, many, context):
    with open(Path(CARTELLA_SQL) / str(os.getpid()), "a") as f:
        f.write("1\n")
    return execute(sql, params, many, context)


if CARTELLA_SQL:
    connection.execute_wrappers.append(conta_sql)


def nudo(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/nudo/", nudo, name="bench_nudo"), *portale]
