from dataclasses import asdict

from django.core.management.base import BaseCommand

from network.pseudonimizzazione import LOTTO, pseudonimizza


class Command(BaseCommand):
    help = (
        "Pseudonymise the volunteers whose every service ended more than PSEUDONIMIZZA_DOPO_ANNI years ago "
        "(what Celery beat runs every night). Idempotent; --dry-run only counts them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the volunteers, change nothing.")
        parser.add_argument("--lotto", type=int, default=LOTTO, help="Volunteers per transaction.")

    def handle(self, *args, dry_run: bool, lotto: int, **options):
        esito = pseudonimizza(dry_run=dry_run, lotto=lotto)
        riepilogo = ", ".join(f"{k} {v}" for k, v in asdict(esito).items() if k != "dry_run")
        if dry_run:
            self.stdout.write(f"Dry run, nothing changed: {esito.volontari} volunteers to pseudonymise ({riepilogo}).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Pseudonymised: {riepilogo}."))
