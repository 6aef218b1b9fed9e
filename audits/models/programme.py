"""The internal audit programme, audits with their checklists, and audit findings (ISO/IEC 42001 clause 9.2).

An audit's checklist has one item per requirement of its criteria (any framework). The auditor records a result
per item; every result other than "conforming" is a finding, and a nonconformity-grade finding raises a
nonconformity (``audits.models.improvement``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from audits.constants import (
    NC_RESULTS,
    AuditStatus,
    ChecklistResult,
    FindingKind,
    Importance,
    ProgrammeStatus,
)
from audits.querysets import AuditQuerySet
from controls.models import Control, Evidence, Requirement
from registry.models import AISystem
from risk.models import Risk

USER = settings.AUTH_USER_MODEL


def _member_fk(verbose_name: str, **kwargs):
    return models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=verbose_name, **kwargs
    )


class AuditProgramme(OwnedMixin, ReferencedModel):
    """The internal audit programme for a period, ``APR-001`` (clause 9.2.2): its objectives, how often areas
    are audited (importance and earlier results) and the audits planned in it."""

    REFERENCE_PREFIX = "APR"
    CONTRIBUTOR_MAY_ADD = False

    title = models.CharField(max_length=200)
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    objectives = models.TextField(_("objectives of the programme"), blank=True)
    planning_basis = models.TextField(
        _("how audits are planned"),
        blank=True,
        help_text=_("How importance and earlier results set which areas are audited and how often."),
    )
    status = models.CharField(
        max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT, editable=False
    )
    approved_by = _member_fk(_("approved by"), editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-period_start", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title


class Audit(ReferencedModel):
    """An internal audit, ``AUD-004`` (clause 9.2): scope, criteria, dates, team, independence, checklist and
    report. The auditor role may plan and run audits (``AUDITOR_WRITABLE``)."""

    REFERENCE_PREFIX = "AUD"
    AUDITOR_WRITABLE = True
    CONTRIBUTOR_MAY_ADD = False
    OWNER_FIELDS = ("lead_auditor",)

    programme = models.ForeignKey(
        AuditProgramme, null=True, blank=True, on_delete=models.SET_NULL, related_name="audits"
    )
    title = models.CharField(max_length=200)
    scope = models.TextField(_("scope"), blank=True, help_text=_("What the audit covers, and what it leaves out."))
    criteria = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="audits",
        verbose_name=_("audit criteria"),
        help_text=_("Requirements of any framework; the checklist has one line for each."),
    )
    controls = models.ManyToManyField(Control, blank=True, related_name="audits", verbose_name=_("controls audited"))
    ai_systems = models.ManyToManyField(AISystem, blank=True, related_name="audits", verbose_name=_("AI systems"))
    risks = models.ManyToManyField(Risk, blank=True, related_name="audits", verbose_name=_("risks in scope"))
    units = models.CharField(_("units and processes"), max_length=300, blank=True)
    importance = models.CharField(max_length=10, choices=Importance.choices, default=Importance.MEDIUM)
    frequency_months = models.PositiveSmallIntegerField(
        _("audit again after (months)"), null=True, blank=True, help_text=_("Left empty, it follows the importance.")
    )
    planning_rationale = models.TextField(
        _("why this audit, now"), blank=True, help_text=_("The importance of the area and what earlier audits found.")
    )
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True, editable=False)
    actual_end = models.DateField(null=True, blank=True, editable=False)
    lead_auditor = _member_fk(_("lead auditor"))
    team = models.ManyToManyField(USER, blank=True, related_name="+", verbose_name=_("audit team"))
    external_auditors = models.CharField(
        _("external auditors"),
        max_length=300,
        blank=True,
        help_text=_("Names and firms of auditors who are not members."),
    )
    independence_statement = models.TextField(
        _("independence declaration"),
        blank=True,
        help_text=_("The auditors declare they do not audit their own work, or say how a conflict is handled."),
    )
    independence_declared_by = _member_fk(_("independence declared by"), editable=False)
    independence_declared_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED, editable=False)
    summary = models.TextField(_("report summary"), blank=True)
    conclusion = models.TextField(blank=True)
    report_recipients = models.CharField(
        _("report sent to"), max_length=300, blank=True, help_text=_("The managers who receive the report.")
    )
    reported_by = _member_fk(_("reported by"), editable=False)
    reported_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = AuditQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_start", "-reference"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "planned_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    def is_owned_by(self, user) -> bool:
        """The lead auditor; members of the team are read from the prefetched team when there is one."""
        return self.lead_auditor_id == user.pk

    @property
    def is_open(self) -> bool:
        return self.status in (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


class ChecklistItem(OrganisationScopedModel):
    """One requirement of an audit's criteria and what the auditor found against it: the result, notes, the
    records sampled and the evidence consulted. A result recorded despite an independence warning stores the
    warning and who acknowledged it."""

    AUDITOR_WRITABLE = True
    CONTRIBUTOR_MAY_ADD = False
    OWNER_FIELDS = ()

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    result = models.CharField(max_length=20, choices=ChecklistResult.choices, blank=True, default="")
    notes = models.TextField(blank=True, help_text=_("What was seen, and why the result."))
    sampled_records = models.TextField(blank=True, help_text=_("The records sampled (references, dates, numbers)."))
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="+", verbose_name=_("evidence consulted"))
    recorded_by = _member_fk(_("recorded by"), editable=False)
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    independence_warning = models.TextField(blank=True, editable=False)
    independence_acknowledged_by = _member_fk(_("warning acknowledged by"), editable=False)
    independence_acknowledged_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["audit", "position"]
        constraints = [models.UniqueConstraint(fields=["audit", "requirement"], name="audits_checklist_unique")]

    def __str__(self) -> str:
        return f"{self.requirement.identifier} {self.requirement.title}"

    @property
    def reference(self) -> str:
        return self.requirement.identifier

    @property
    def is_nonconformity(self) -> bool:
        return self.result in NC_RESULTS

    @property
    def assessed(self) -> bool:
        return self.result != ChecklistResult.NOT_ASSESSED


class Finding(ReferencedModel):
    """An audit finding, ``FND-012``: a nonconformity (major or minor), an observation or an opportunity for
    improvement, against a requirement. Recorded by the auditor (``AUDITOR_WRITABLE``)."""

    REFERENCE_PREFIX = "FND"
    AUDITOR_WRITABLE = True
    CONTRIBUTOR_MAY_ADD = False
    OWNER_FIELDS = ("raised_by",)

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    checklist_item = models.OneToOneField(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="finding", editable=False
    )
    requirement = models.ForeignKey(Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text=_("What was found and the evidence for it."))
    raised_by = _member_fk(_("raised by"))
    raised_on = models.DateField(default=timezone.localdate)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["-raised_on", "-reference"]
        indexes = [
            models.Index(fields=["organisation", "kind"]),
            # The default ordering and the title sort of the register and its keyset API pages (issue 9).
            models.Index(fields=["organisation", "-raised_on", "-reference"], name="audits_fnd_org_raised"),
            models.Index(fields=["organisation", "title"], name="audits_fnd_org_title"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in (FindingKind.MAJOR_NC, FindingKind.MINOR_NC)
