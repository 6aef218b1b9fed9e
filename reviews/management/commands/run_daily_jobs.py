"""Run the daily review and KPI snapshot jobs now (what Celery beat triggers), once per organisation and day."""

from django.core.management.base import BaseCommand

from reviews import jobs


class Command(BaseCommand):
    help = (
        "Run today's review job (tasks, reminders, escalations) and KPI snapshots for every organisation. "
        "A job that already ran today for an organisation is skipped, even when started by another process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--any-hour", action="store_true", help="Run even before the daily start hour.")

    def handle(self, *args, any_hour=False, **options):
        for name, run in (("reviews", jobs.daily_reviews), ("kpi snapshots", jobs.daily_kpi_snapshots)):
            done = run(force=any_hour)
            if not done:
                self.stdout.write(f"{name}: nothing to do (already ran today, or before the start hour)")
            for slug, result in done.items():
                summary = ", ".join(f"{key} {value}" for key, value in result.items())
                self.stdout.write(f"{name}: {slug}: {summary}")
