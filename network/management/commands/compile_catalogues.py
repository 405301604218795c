from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the .po catalogues to .mo with polib, so that no gettext install is needed."

    def handle(self, *args, **options):
        try:
            import polib
        except ImportError as exc:  # polib is a development dependency
            raise CommandError("polib is not installed: pip install -r requirements-dev.txt") from exc
        for base in settings.LOCALE_PATHS:
            for po_path in sorted(Path(base).glob("*/LC_MESSAGES/*.po")):
                po = polib.pofile(str(po_path))
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                done, todo = len(po.translated_entries()), len(po.untranslated_entries())
                self.stdout.write(f"{po_path}: {done} translated, {todo} untranslated")
