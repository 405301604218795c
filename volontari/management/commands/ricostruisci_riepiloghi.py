import time

from django.core.management.base import BaseCommand, CommandError

from volontari import riepiloghi

MOSTRATE = 20


class Command(BaseCommand):
    help = (
        "Rebuild the register's monthly rollup (RiepilogoMensile) from scratch from the attendance rows. "
        "With --check, change nothing: compare the table with the rollup computed from scratch, list the "
        "differences and exit with status 1 if there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; exit 1 on any difference.")

    def handle(self, *args, check: bool, **options):
        inizio = time.perf_counter()
        if not check:
            n = riepiloghi.ricostruisci()
            self.stdout.write(
                self.style.SUCCESS(f"Rollup rebuilt: {n:,} rows in {time.perf_counter() - inizio:.1f} s.")
            )
            return
        d = riepiloghi.verifica()
        secondi = time.perf_counter() - inizio
        if d.nessuna:
            self.stdout.write(
                self.style.SUCCESS(f"Rollup checked: {d.righe:,} rows, all as the register ({secondi:.1f} s).")
            )
            return
        for servizio_id, mese in d.mancanti[:MOSTRATE]:
            self.stdout.write(f"missing: service {servizio_id}, month {mese:%Y-%m}")
        for servizio_id, mese in d.in_piu[:MOSTRATE]:
            self.stdout.write(f"not expected: service {servizio_id}, month {mese:%Y-%m}")
        for servizio_id, mese, campo, valore, atteso in d.diverse[:MOSTRATE]:
            self.stdout.write(
                f"differs: service {servizio_id}, month {mese:%Y-%m}, {campo}: {valore} instead of {atteso}"
            )
        raise CommandError(
            f"The rollup differs from the register: {len(d.mancanti)} rows missing, {len(d.in_piu)} not expected, "
            f"{len(d.diverse)} values different (of {d.righe:,} rows compared). "
            "`manage.py ricostruisci_riepiloghi` rebuilds it."
        )
