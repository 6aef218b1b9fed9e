"""python manage.py perform_deletions: delete the organisations whose deletion grace period has ended."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete every organisation whose scheduled deletion is due (the daily Celery task does the same)."

    def handle(self, *args, **options):
        from stewardship.services import perform_due_deletions

        done = perform_due_deletions()
        self.stdout.write(f"{len(done)} organisation(s) deleted." + (" " + ", ".join(done) if done else ""))
