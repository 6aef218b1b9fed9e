"""Write docs/spreadsheets.md: the columns of every register's XLSX/CSV layout (``--check`` fails when stale)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.spreadsheets import columns_markdown


class Command(BaseCommand):
    help = "Write the spreadsheet column reference (docs/spreadsheets.md)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is not up to date.")

    def handle(self, *args, check=False, **options):
        path = Path(settings.BASE_DIR) / "docs" / "spreadsheets.md"
        text = columns_markdown()
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `python manage.py spreadsheet_columns`.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
