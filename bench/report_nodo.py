"""Time and peak memory of the largest nodo's monthly report on the demo network.

Run it after `make run` has built the demo (or against PostgreSQL with DATABASE_URL set):

    .venv/bin/python bench/report_nodo.py [--runs 3]

It orders the previous month's report of the nodo with the most volunteers, generates it in
this process (as a worker would) and prints the median wall time, the CPU time of this process
(all its threads; PostgreSQL's own work is not in it), the machine's load average during the
run, and the peak resident memory of the process. Absolute times depend on the machine and on
what else runs on it: compare runs on the same one, and read the wall time against the load.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings.local")  # bench/run.py sets its own

import django

django.setup()

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from enti.models import Nodo  # noqa: E402
from monitoraggio import reports  # noqa: E402
from monitoraggio.models import Report  # noqa: E402


def _cpu() -> float:
    uso = resource.getrusage(resource.RUSAGE_SELF)
    return uso.ru_utime + uso.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tipo", choices=["nodo", "ente"], default="nodo", help="the largest nodo, or an ente")
    parser.add_argument("--json", action="store_true", help="one JSON line, for bench/run.py")
    args = parser.parse_args()
    nodo = Nodo.objects.annotate(n=Count("enti__sedi__posti__servizi")).order_by("-n").first()
    if nodo is None:
        sys.exit("No network: build the demo first (make run, or manage.py seed_demo).")
    da, a = reports.periodo_del_mese(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))
    if args.tipo == "nodo":
        ambito = {"tipo": Report.Tipo.MENSILE_NODO, "nodo": nodo}
    else:  # the largest ente of that nodo: the heaviest single-body report
        ente = nodo.enti.annotate(n=Count("sedi__posti__servizi")).order_by("-n").first()
        ambito = {"tipo": Report.Tipo.MENSILE_ENTE, "ente": ente}
    tempi, cpu, carichi = [], [], []
    for _ in range(args.runs):
        report = Report.objects.create(periodo_inizio=da, periodo_fine=a, **ambito)
        inizio, inizio_cpu = time.perf_counter(), _cpu()
        reports.genera(report.pk)
        tempi.append(time.perf_counter() - inizio)
        cpu.append(_cpu() - inizio_cpu)
        carichi.append(os.getloadavg()[0])
        report.refresh_from_db()
        pagine = report.file.size
        for campo in (report.file, report.file_csv, report.file_xlsx):
            campo.delete(save=False)
        report.delete()
    picco_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nome = str(ambito.get("nodo") or ambito.get("ente"))
    if args.json:
        print(json.dumps({"ambito": nome, "secondi": statistics.median(tempi), "cpu_s": statistics.median(cpu),
                          "carico": max(carichi), "picco_mib": round(picco_mib)}))  # fmt: skip
        return
    print(f"{args.tipo}: {nome}; period {da:%m/%Y}; PDF {pagine / 1024:.0f} KiB")
    singoli = ", ".join(f"{t:.2f}" for t in tempi)
    print(f"report time, median of {args.runs}: {statistics.median(tempi):.2f} s (runs: {singoli})")
    print(f"CPU time of this process, median: {statistics.median(cpu):.2f} s; load average up to {max(carichi):.1f}")
    print(f"peak memory of the process: {picco_mib:.0f} MiB")


if __name__ == "__main__":
    main()
