"""python manage.py export_organisation <slug> <archive.zip>: everything of one organisation."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Export all of an organisation's data (JSON per table) and files as a ZIP with a SHA-256 manifest."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("archive")

    def handle(self, *args, **options):
        from accounts.models import Organisation
        from stewardship.services import export_organisation

        organisation = Organisation.objects.filter(slug=options["slug"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {options['slug']!r}.")
        manifest = export_organisation(organisation, options["archive"])
        self.stdout.write(f"Exported {sum(manifest['counts'].values())} rows to {options['archive']}.")
