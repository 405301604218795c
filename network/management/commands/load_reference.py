from django.core.management.base import BaseCommand

from enti.reference import load_territorio
from progetti.reference import load_parametri, load_settori


class Command(BaseCommand):
    help = "Load or update the reference data: territory (ISTAT), sectors and areas, default call parameters."

    def handle(self, *args, **options):
        territorio = load_territorio()
        settori = load_settori()
        bando = load_parametri()
        self.stdout.write(
            f"Reference data: {territorio['regioni']} regioni, {territorio['province']} province, "
            f"{territorio['comuni']} comuni; {settori['settori']} settori, {settori['aree']} aree; call '{bando}'."
        )
