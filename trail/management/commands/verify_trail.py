"""Recompute every organisation's audit-trail chain (or one's) and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from trail.services import adopt_unchained, verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident audit trail; exits with status 1 when a chain is broken."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Slug of one organisation (default: all).")
        parser.add_argument(
            "--adopt-unchained",
            action="store_true",
            help="First chain history written before the trail was installed (once, after upgrading).",
        )

    def handle(self, *args, **options):
        organisations = Organisation.objects.order_by("slug")
        if options["organisation"]:
            organisations = organisations.filter(slug=options["organisation"])
            if not organisations.exists():
                raise CommandError(f"No organisation with slug {options['organisation']!r}.")
        broken = 0
        for organisation in organisations:
            if options["adopt_unchained"]:
                adopted = adopt_unchained(organisation)
                self.stdout.write(f"{organisation.slug}: {adopted} earlier history records chained")
            result = verify_chain(organisation)
            if result.ok:
                self.stdout.write(
                    f"{organisation.slug}: intact, {result.checked} records, head #{result.head_seq} {result.head_hash}"
                )
                if result.content_unchecked:
                    self.stdout.write(f"  ({result.content_unchecked} records of a kind with no loader: chain only)")
            else:
                broken += 1
                self.stdout.write(f"{organisation.slug}: BROKEN at {result.first_break}")
                for item in result.breaks[1:20]:
                    self.stdout.write(f"  also {item}")
        if broken:
            raise CommandError(f"{broken} organisation(s) have a broken audit trail.", returncode=1)
