from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infra import backup


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump custom format; SQLite: online backup) and the "
        "media folder into a folder; prints the files written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cartella", default="backups", help="Where to write (default: ./backups).")
        parser.add_argument("--database-url", help="Back up this database instead of the portal's.")
        parser.add_argument("--senza-media", action="store_true", help="Only the database.")

    def handle(self, *args, **options):
        cartella = Path(options["cartella"])
        try:
            db = backup.database(options["database_url"])
            file_db = backup.salva_database(backup.nome_file(cartella, db), db)
            self.stdout.write(str(file_db))
            if not options["senza_media"]:
                file_media = backup.salva_media(file_db.with_name(file_db.stem + "-media.tar.gz"))
                if file_media:
                    self.stdout.write(str(file_media))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
