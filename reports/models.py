"""Report jobs: certification evidence packs (PDF + files + CSVs in a ZIP) and per-system dossiers (a PDF).

One model, ``ReportJob``, for both kinds, so that one task, one progress bar and one download path serve them.
A job moves queued → running → complete (or failed); the worker records its ``stage`` and ``percent`` as it goes,
and the finished file's path, SHA-256 and size. Every download is recorded in ``PackDownload``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aims.models import ReferencedModel

USER = settings.AUTH_USER_MODEL


class JobKind(models.TextChoices):
    PACK = "pack", _("Evidence pack")
    DOSSIER = "dossier", _("AI system dossier")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete")
    FAILED = "failed", _("Failed")


# Frameworks a pack may cover; ISO/IEC 42001 is always included.
class PackFramework(models.TextChoices):
    ISO42001 = "iso42001", "ISO/IEC 42001"
    NIST = "nist_ai_rmf", "NIST AI RMF"
    EU_AI_ACT = "eu_ai_act", "EU AI Act"
    ISO27001 = "iso27001", "ISO/IEC 27001"


class ReportJob(ReferencedModel):
    """An evidence pack (``PCK-004``) or an AI system dossier, requested by a member and built by a worker."""

    REFERENCE_PREFIX = "PCK"
    OWNER_FIELDS = ("requested_by",)
    # Auditors request packs (view/add/export); contributors do not.
    AUDITOR_WRITABLE = True
    CONTRIBUTOR_MAY_ADD = False

    kind = models.CharField(max_length=10, choices=JobKind.choices, default=JobKind.PACK)
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    frameworks = models.JSONField(default=list, help_text=_("Framework keys; ISO/IEC 42001 is always included."))
    ai_system_ids = models.JSONField(
        _("AI systems"), default=list, blank=True, help_text=_("Ids of the systems covered; empty = all in scope.")
    )
    ai_system = models.ForeignKey(
        "registry.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The system of a dossier."),
    )
    as_of = models.DateTimeField(_("as of"), help_text=_("The pack shows the AIMS as it was at this moment."))
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(max_length=120, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The build that holds the job: a token and its last sign of life. A build whose heartbeat is stale (its
    # worker was killed) loses the job to the next attempt, and can no longer mark it complete.
    lease = models.CharField(max_length=36, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_path = models.CharField(max_length=300, blank=True, help_text=_("Relative to the reports folder."))
    file_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta(ReferencedModel.Meta):
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.kind == JobKind.DOSSIER:
            system = self.ai_system.reference if self.ai_system_id else _("a deleted system")
            return _("Dossier of %(system)s as of %(date)s") % {"system": system, "date": f"{self.as_of:%Y-%m-%d}"}
        return _("Evidence pack as of %(date)s") % {"date": f"{self.as_of:%Y-%m-%d}"}

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.COMPLETE, JobStatus.FAILED)

    @property
    def framework_labels(self) -> list[str]:
        labels = dict(PackFramework.choices)
        return [labels.get(key, key) for key in self.frameworks]

    def get_absolute_url(self) -> str:
        return reverse("reports:pack-detail", args=[self.pk])


class PackDownload(models.Model):
    """One download of a finished pack or dossier: who, when, from where."""

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="downloads")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    downloaded_at = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=10, default="web")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-downloaded_at"]

    def __str__(self) -> str:
        return f"{self.job.reference} downloaded {self.downloaded_at:%Y-%m-%d %H:%M}"
