"""``python manage.py verify_pack <ZIP file | pack id | reference>``: recompute the SHA-256 of every file of a
pack against its manifest and report each mismatch. Exits 1 when anything differs."""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import ReportJob
from reports.verify import verify_job, verify_zip


class Command(BaseCommand):
    help = "Verify an evidence pack's files against the SHA-256 hashes of its manifest."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="A pack ZIP file, a pack id, or a reference (PCK-004) with --organisation")
        parser.add_argument("--organisation", help="Organisation slug, to find a pack by its reference")

    def handle(self, *args, **options):
        target = options["pack"]
        if Path(target).is_file():
            result = verify_zip(target)
            label = Path(target).name
        else:
            job = self._job(target, options.get("organisation"))
            result = verify_job(job)
            label = job.reference
        for problem in result.problems:
            self.stderr.write(f"MISMATCH {problem}")
        if not result.ok:
            raise CommandError(f"{label}: {len(result.problems)} problem(s) in {result.checked} file(s) checked")
        self.stdout.write(self.style.SUCCESS(f"{label}: all {result.checked} files match the manifest"))

    def _job(self, target, organisation):
        jobs = ReportJob.objects.select_related("organisation")
        try:
            return jobs.get(pk=uuid.UUID(target))
        except (ValueError, ReportJob.DoesNotExist):
            pass
        if organisation:
            jobs = jobs.filter(organisation__slug=organisation)
        matches = list(jobs.filter(reference=target)[:2])
        if len(matches) != 1:
            raise CommandError(f"No single pack matches {target!r} (give a file, an id, or --organisation)")
        return matches[0]
