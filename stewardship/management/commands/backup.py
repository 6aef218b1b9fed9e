"""python manage.py backup <archive.zip>: every table and stored file, as one consistent archive."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Write a consistent backup (portable JSON of every table, media files, SHA-256 manifest) to a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Path of the ZIP file to write.")

    def handle(self, *args, **options):
        from stewardship.services import backup

        manifest = backup(options["archive"])
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["entries"] if name.startswith("media/"))
        self.stdout.write(f"Backup written to {options['archive']}: {rows} rows, {files} files.")
