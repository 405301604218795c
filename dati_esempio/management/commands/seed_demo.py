from django.core.management.base import BaseCommand
from django.db import transaction

from dati_esempio.demo import SEED, build_demo, delete_demo, demo_present
from pubblico import counters


class Command(BaseCommand):
    help = (
        "Build the deterministic demo network (1,308 member enti, 1,240 active OLP, 1,756 active "
        "volunteers). Idempotent: does nothing if a network is already there, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the network data and build the demo again.")
        parser.add_argument("--seed", type=int, default=SEED)

    def handle(self, *args, reset: bool, seed: int, **options):
        if demo_present() and not reset:
            self.stdout.write("A network is already present: nothing to do (use --reset to rebuild the demo).")
            return
        with transaction.atomic():
            if reset:
                delete_demo()
            stats = build_demo(seed=seed)
        rete = counters.get()["rete"]
        self.stdout.write(", ".join(f"{k} {v}" for k, v in stats.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {rete['enti']} enti, {rete['olp']} active OLP, "
                f"{rete['volontari']} active volunteers."
            )
        )
