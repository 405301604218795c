import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from dati_esempio.bench_data import SEED, BenchBuilder, network_present, svuota
from enti.models import Comune
from progetti.models import Bando, Settore
from pubblico import counters
from volontari.models import Presenza


class _Riga:
    """The progress line, rewritten in place: no newline added."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text: str) -> None:
        self.stream.write(text, ending="")

    def flush(self) -> None:
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Fill PostgreSQL with the benchmark network: --scale national (about 8,000 enti, 30,000 sedi, "
        "20,000 OLP, 60,000 volunteers in service and 22 million attendance days) or --scale demo (the "
        "demo's size). Deterministic by seed; refuses a database that already holds enti unless --reset."
    )

    def add_arguments(self, parser):
        # "tiny" is for the tests: a few dozen rows per table.
        parser.add_argument(
            "--scale", choices=["national", "demo", "tiny"], default="national", metavar="{national,demo}"
        )
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--reset", action="store_true", help="Delete the network data (not reference data) first.")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, default=None, help="Reference day (YYYY-MM-DD); default today."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, scale, seed, reset, today, no_progress, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_bench writes with PostgreSQL's COPY and this database is {connection.vendor}: "
                "point DATABASE_URL at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/scu_bench)."
            )
        if network_present():
            if not reset:
                raise CommandError(
                    "The database already holds enti: use --reset to delete the network data (reference data "
                    "stays) and build the benchmark network."
                )
            t = time.perf_counter()
            svuota()
            self.stdout.write(f"Network data deleted in {time.perf_counter() - t:.1f} s.")
        if not (Comune.objects.exists() and Settore.objects.exists() and Bando.objects.exists()):
            call_command("load_reference", stdout=self.stdout)
        inizio = time.perf_counter()
        builder = BenchBuilder(scale, today=today, seed=seed, out=None if no_progress else _Riga(self.stderr))
        tempi = builder.build()
        totale = time.perf_counter() - inizio

        larghezza = max(len(k) for k in tempi)
        self.stdout.write(f"\n{'table':<{larghezza}} {'rows':>12} {'seconds':>9} {'rows/s':>10}")
        for tabella, (righe, secondi) in tempi.items():
            ritmo = f"{righe / secondi:,.0f}" if righe and secondi else ""
            self.stdout.write(f"{tabella:<{larghezza}} {righe:>12,} {secondi:>9.1f} {ritmo:>10}")
        righe = sum(r for r, _s in tempi.values())
        self.stdout.write(f"{'total':<{larghezza}} {righe:>12,} {totale:>9.1f}")

        rete = counters.get(builder.today)["rete"]
        with connection.cursor() as c:
            c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            dimensione = c.fetchone()[0]
        self.stdout.write(
            self.style.SUCCESS(
                f"Benchmark network '{scale}' (seed {seed}, day {builder.today}) ready in {totale / 60:.1f} min: "
                f"{rete['enti']:,} enti, {rete['olp']:,} active OLP, {rete['volontari']:,} active volunteers, "
                f"{Presenza.objects.count():,} attendance days; database {dimensione}."
            )
        )
