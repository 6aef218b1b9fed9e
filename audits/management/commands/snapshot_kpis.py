"""Take today's snapshot of every active computed KPI, for every organisation (or one).

What the daily job runs: idempotent per KPI and day in each organisation's time zone, so running it again the same
day changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation
from audits.constants import SnapshotSource
from audits.services import kpi_snapshot_take


class Command(BaseCommand):
    help = (
        "Take today's snapshot of every active KPI computed from AIMS data (all organisations, or --organisation). "
        "Safe to run again the same day: a KPI gets one scheduled snapshot per day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="Only this organisation.")

    def handle(self, *args, organisation=None, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation {organisation!r}.")
        for org in organisations:
            with transaction.atomic():
                taken = kpi_snapshot_take(organisation=org, source=SnapshotSource.JOB, job="snapshot_kpis")
            self.stdout.write(f"{org.slug}: {len(taken)} KPI snapshot{'s' if len(taken) != 1 else ''} for today")
