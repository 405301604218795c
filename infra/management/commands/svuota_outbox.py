from django.core.management.base import BaseCommand

from infra import outbox


class Command(BaseCommand):
    help = "Send the Celery tasks still waiting in the outbox (queued while the broker was down), oldest first."

    def handle(self, *args, **options):
        inviati = outbox.svuota()
        self.stdout.write(f"Outbox: {inviati} tasks sent, {outbox.in_attesa()} still waiting.")
