"""Requesting, building, downloading and verifying evidence packs and dossiers.

Building is idempotent and safe against a worker killed mid-build (``kill -9``):
- a build first *claims* the job with a conditional update that hands it a fresh lease token; a job already
  complete is left alone, and a job another live build holds (recent heartbeat) is not taken;
- the build writes to a temporary name in the reports folder and renames it into place only when the file is
  whole, then marks the job complete with a conditional update on its lease — a build that lost its lease (it
  was presumed dead and a new attempt took over) can never mark the job complete;
- a job whose build stopped showing signs of life is handed to a new attempt (``requeue_stale_jobs``, run by
  beat every minute and when a worker starts), and the broker redelivers the unacknowledged message as well
  (``acks_late``): whichever comes first claims it, the other finds it complete or held and does nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import record_access
from accounts.models import AccessKind
from aims.events import emit
from aims.permissions import can
from aims.services import ServiceError
from reports.models import JobKind, JobStatus, PackDownload, PackFramework, ReportJob

logger = logging.getLogger(__name__)

ALWAYS_FRAMEWORK = PackFramework.ISO42001.value


class RateLimited(ServiceError):
    """Too many pack requests for the organisation right now (HTTP 429)."""


# --- Requesting ----------------------------------------------------------------------------------------------------
def normalise_frameworks(keys) -> list[str]:
    valid = {key for key, _ in PackFramework.choices}
    unknown = [k for k in keys or [] if k not in valid]
    if unknown:
        raise ServiceError(
            _("Unknown framework: %(frameworks)s.") % {"frameworks": ", ".join(map(str, unknown))}, field="frameworks"
        )
    chosen = {ALWAYS_FRAMEWORK, *(keys or [])}
    return [key for key, _ in PackFramework.choices if key in chosen]


def resolve_as_of(value) -> dt.datetime:
    """A date means the end of that day (or now, for today); a datetime is taken as it is. Never the future."""
    now = timezone.now()
    if value is None or value == "":
        return now
    if isinstance(value, dt.datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value)
    elif isinstance(value, dt.date):
        moment = timezone.make_aware(dt.datetime.combine(value, dt.time.max))
    else:
        raise ServiceError(_("Give a date."), field="as_of")
    if moment.date() > timezone.localdate() and moment > now + dt.timedelta(minutes=5):
        raise ServiceError(_("The as-of date cannot be in the future."), field="as_of")
    return min(moment, now)


def _check_rate(organisation) -> None:
    since = timezone.now() - dt.timedelta(hours=1)
    jobs = ReportJob.objects.filter(organisation=organisation)
    if jobs.filter(created_at__gte=since).count() >= settings.REPORTS_MAX_PER_HOUR:
        raise RateLimited(
            _("This organisation has requested %(count)s packs in the last hour, the most allowed. Try again later.")
            % {"count": settings.REPORTS_MAX_PER_HOUR}
        )
    if jobs.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).count() >= settings.REPORTS_MAX_ACTIVE:
        raise RateLimited(
            _("%(count)s packs are already being built for this organisation. Wait for one to finish.")
            % {"count": settings.REPORTS_MAX_ACTIVE}
        )


def _enqueue(job: ReportJob) -> None:
    from aims.jobs import BrokerUnavailable, enqueue_on_commit
    from reports.tasks import build_report

    def refused(exc: BrokerUnavailable):
        ReportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now()
        )

    enqueue_on_commit(build_report, str(job.pk), on_error=refused)


def request_pack(*, user, organisation, frameworks=None, ai_systems=None, as_of=None) -> ReportJob:
    """Record a pack request and queue its build (after commit). Officers and auditors only."""
    if not can(user, "add", ReportJob, organisation):
        raise ServiceError(_("Only officers and auditors can request evidence packs."))
    system_ids = []
    for system in ai_systems or []:
        if getattr(system, "organisation_id", None) != organisation.pk:
            raise ServiceError(_("Choose AI systems of this organisation."), field="ai_systems")
        system_ids.append(str(system.pk))
    return _queue_job(
        organisation,
        kind=JobKind.PACK,
        requested_by=user,
        frameworks=normalise_frameworks(frameworks),
        ai_system_ids=system_ids,
        as_of=resolve_as_of(as_of),
    )


def request_dossier(*, user, organisation, system, as_of=None) -> ReportJob:
    """Queue the dossier of one AI system (anyone who may export in the organisation)."""
    if system.organisation_id != organisation.pk or not can(user, "view", system, organisation):
        raise ServiceError(_("No such AI system."))
    if not (can(user, "add", ReportJob, organisation) or can(user, "export", ReportJob, organisation)):
        raise ServiceError(_("You cannot build dossiers in this organisation."))
    return _queue_job(
        organisation,
        kind=JobKind.DOSSIER,
        requested_by=user,
        frameworks=[ALWAYS_FRAMEWORK],
        ai_system=system,
        ai_system_ids=[str(system.pk)],
        as_of=resolve_as_of(as_of),
    )


def _queue_job(organisation, **fields) -> ReportJob:
    """Within the organisation's rate limits, record the job and queue its build once the transaction commits."""
    from accounts.models import Organisation

    with transaction.atomic():
        # One request at a time per organisation, so that concurrent requests cannot pass the limit together.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        _check_rate(organisation)
        job = ReportJob(organisation=organisation, stage=gettext_noop("Waiting for a worker"), **fields)
        job.assign_reference()
        job.save()
        _enqueue(job)
    return job


# --- Claiming and progress ---------------------------------------------------------------------------------------------
def _stale_before():
    return timezone.now() - dt.timedelta(seconds=settings.REPORTS_STALE_SECONDS)


def claim(job_id) -> str | None:
    """Take the job for this build: returns the lease token, or None when the job is complete, failed for
    good, or held by a build that is still alive."""
    token = str(uuid.uuid4())
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=_stale_before())
    claimable |= Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
    taken = ReportJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING,
        lease=token,
        heartbeat_at=now,
        started_at=now,
        attempts=F("attempts") + 1,
        stage=gettext_noop("Starting"),
        percent=1,
        error="",
    )
    return token if taken else None


def progress(job_id, token: str, stage: str, percent: int) -> None:
    """Record the stage and percentage; raises ``LeaseLost`` when another attempt has taken the job over."""
    updated = ReportJob.objects.filter(pk=job_id, lease=token, status=JobStatus.RUNNING).update(
        stage=stage[:120], percent=max(1, min(99, percent)), heartbeat_at=timezone.now()
    )
    if not updated:
        raise LeaseLost(str(job_id))
    if settings.REPORTS_STAGE_DELAY:
        time.sleep(settings.REPORTS_STAGE_DELAY)


class LeaseLost(RuntimeError):
    """Another attempt holds the job now; this build must stop and leave no file behind."""


def fail(job_id, token: str | None, message: str) -> None:
    """Mark the job failed for good, with the error its requester will see."""
    jobs = ReportJob.objects.filter(pk=job_id).exclude(status=JobStatus.COMPLETE)
    if token:
        jobs = jobs.filter(lease=token)
    jobs.update(status=JobStatus.FAILED, error=message[:2000], finished_at=timezone.now(), stage=gettext_noop("Failed"))


def release(job_id, token: str, message: str) -> None:
    """Give the job back for a retry (a transient error): queued again, the error kept for the record."""
    ReportJob.objects.filter(pk=job_id, lease=token, status=JobStatus.RUNNING).update(
        status=JobStatus.QUEUED,
        lease="",
        stage=_("Retrying after an error: %(error)s") % {"error": message[:80]},
        percent=0,
    )


def stale_jobs():
    """Jobs whose build stopped showing signs of life (its worker died), and jobs queued long ago."""
    before = _stale_before()
    return ReportJob.objects.filter(
        Q(status=JobStatus.RUNNING, heartbeat_at__lt=before) | Q(status=JobStatus.QUEUED, created_at__lt=before)
    )


# --- Files ---------------------------------------------------------------------------------------------------------------
def reports_root() -> Path:
    root = Path(settings.REPORTS_DIR)
    root.mkdir(parents=True, exist_ok=True)
    return root


def job_folder(job: ReportJob) -> Path:
    folder = reports_root() / str(job.organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_of(job: ReportJob) -> Path | None:
    if not job.file_path:
        return None
    path = (reports_root() / job.file_path).resolve()
    if reports_root().resolve() not in path.parents:
        return None
    return path


def remove_file(sender=None, instance=None, **kwargs) -> None:
    """Delete a job's file (``post_delete`` of ``ReportJob``)."""
    path = file_of(instance)
    if path is not None:
        path.unlink(missing_ok=True)


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def remove_partials(job: ReportJob) -> None:
    """Delete temporary files a killed build of this job left behind."""
    for leftover in job_folder(job).glob(f"{job.pk}.*.part"):
        leftover.unlink(missing_ok=True)


def finish(job: ReportJob, token: str, temp: Path, final_name: str, *, page_count: int | None) -> bool:
    """Move the whole file into place and mark the job complete, only if this build still holds the lease."""
    final = job_folder(job) / final_name
    with open(temp, "rb") as handle:
        os.fsync(handle.fileno())
    digest, size = sha256_of(temp)
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().filter(pk=job.pk, lease=token, status=JobStatus.RUNNING).first()
        if locked is None:
            temp.unlink(missing_ok=True)
            return False
        os.replace(temp, final)
        ReportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.COMPLETE,
            stage=gettext_noop("Complete"),
            percent=100,
            finished_at=timezone.now(),
            file_path=str(final.relative_to(reports_root())),
            file_name=final_name,
            sha256=digest,
            size=size,
            page_count=page_count,
            heartbeat_at=timezone.now(),
        )
        if job.kind == JobKind.PACK:
            emit(job.organisation, "evidence_pack.ready", {"pack": job, "as_of": job.as_of, "size": size})
    return True


# --- Downloading ---------------------------------------------------------------------------------------------------------
def can_download(user, job: ReportJob) -> bool:
    return can(user, "export", job, job.organisation) or (
        job.kind == JobKind.DOSSIER and can(user, "view", job, job.organisation) and job.requested_by_id == user.pk
    )


def record_download(job: ReportJob, *, user, via: str = "web", ip_address: str | None = None) -> PackDownload:
    """The pack's own download list, and the organisation's access log (which the audit trail chains)."""
    with transaction.atomic():
        record_access(
            AccessKind.DOWNLOAD, user=user, organisation=job.organisation, detail=f"{job.reference} {job.file_name}"
        )
        return PackDownload.objects.create(
            job=job, organisation_id=job.organisation_id, user=user, via=via, ip_address=ip_address
        )
