from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infra import backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into a fresh database (or, with "
        "--sostituisci, in place of what the database holds). Stop web, worker and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The database backup (.dump or .sqlite3).")
        parser.add_argument("--media", help="The media archive (.tar.gz) to extract into MEDIA_ROOT.")
        parser.add_argument("--database-url", help="Restore into this database instead of the portal's.")
        parser.add_argument("--sostituisci", action="store_true", help="Drop what the database holds first.")

    def handle(self, *args, **options):
        try:
            db = backup.database(options["database_url"])
            backup.ripristina_database(Path(options["file"]), db, sostituisci=options["sostituisci"])
            if options["media"]:
                backup.ripristina_media(Path(options["media"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {options['file']}" + (f" and {options['media']}" if options["media"] else ""))
