"""python manage.py restore <archive.zip>: verify a backup and load it into an empty database."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Restore a backup archive into an empty (freshly migrated) database, after checking every SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the backup ZIP.")
        parser.add_argument(
            "--replace", action="store_true", help="Discard the data already in the database (careful)."
        )

    def handle(self, *args, **options):
        from stewardship.archive import ArchiveError
        from stewardship.services import restore

        try:
            manifest = restore(options["archive"], replace=options["replace"])
        except (ArchiveError, OSError) as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["entries"] if name.startswith("media/"))
        self.stdout.write(f"Restored {rows} rows and {files} files from the backup of {manifest['created_at']}.")
