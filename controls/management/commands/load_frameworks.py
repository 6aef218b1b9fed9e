"""Load or upgrade the shipped framework catalogue and crosswalks from controls/data (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from controls.catalogue import CatalogueError, load_catalogue


class Command(BaseCommand):
    help = (
        "Load or upgrade the shipped frameworks (ISO/IEC 42001, NIST AI RMF, EU AI Act, ISO/IEC 27001, GDPR) "
        "and their crosswalks from controls/data. Safe to run again: only differences are written; "
        "requirements that were dropped from a file but are in use are marked withdrawn, not deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", metavar="KEY", help="One framework key (e.g. iso42001) or crosswalk key.")

    def handle(self, *args, only=None, **options):
        try:
            reports = load_catalogue(only=only)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            style = self.style.SUCCESS if report.changed else (self.style.WARNING if report.skipped else str)
            self.stdout.write(style(str(report)))
        if not any(report.changed for report in reports):
            self.stdout.write("The catalogue is up to date.")
