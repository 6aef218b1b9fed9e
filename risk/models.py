"""AI risk criteria, the risk register with treatment, risk assessments and AI system impact assessments
(ISO/IEC 42001 clauses 6.1.1–6.1.4 and 8.2–8.4; Annex A.5).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.actions import ActionStateMixin
from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from registry.constants import LifecycleStage
from registry.models import AISystem
from risk import annex_c
from risk.constants import (
    ActionStatus,
    AssessmentStatus,
    CriteriaStatus,
    ImpactAreaKind,
    ImpactLikelihood,
    ImpactStatus,
    Reversibility,
    RiskCategory,
    RiskLevel,
    RiskStatus,
    RiskType,
    Severity,
    TreatmentOption,
)
from risk.querysets import RiskQuerySet, TreatmentActionQuerySet

USER = settings.AUTH_USER_MODEL


def _member_fk(verbose_name: str, related_name: str = "+"):
    return models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name=related_name, verbose_name=verbose_name
    )


class RiskCriteria(OrganisationScopedModel):
    """The organisation's own method for judging AI risk (clause 6.1.1 criteria, 6.1.2 repeatable assessment).

    Versioned: a draft is edited, then approved; approving supersedes the previous version. Approving never
    rescores risks: each risk keeps the version it was scored with until someone rescores it explicitly.
    ``likelihood_levels``/``impact_levels``: ``[{"level": 1, "label": ..., "description": ...}, ...]``;
    ``matrix``: ``{"L,I": "low"|"medium"|"high"|"critical"}``; ``review_months``: ``{level: months}``.
    """

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False  # the method is the organisation's, set by those who may approve

    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200, default="AI risk criteria")
    method = models.TextField(_("method"), blank=True, help_text=_("How risks are identified, analysed and evaluated."))
    likelihood_levels = models.JSONField(default=list)
    impact_levels = models.JSONField(_("impact (consequence) levels"), default=list)
    matrix = models.JSONField(default=dict)
    level_descriptions = models.JSONField(default=dict, blank=True)
    appetite = models.CharField(
        _("risk appetite"),
        max_length=10,
        choices=RiskLevel.choices,
        default=RiskLevel.MEDIUM,
        help_text=_("The highest level a risk owner may accept alone."),
    )
    appetite_approver = _member_fk(_("approver above appetite"))
    review_months = models.JSONField(_("reassessment cadence (months per level)"), default=dict)
    status = models.CharField(max_length=20, choices=CriteriaStatus.choices, default=CriteriaStatus.DRAFT)
    approved_by = _member_fk(_("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk criteria")
        verbose_name_plural = _("risk criteria")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="risk_riskcriteria_unique_version")
        ]

    def __str__(self) -> str:
        return gettext("Risk criteria v%(version)s (%(status)s)") % {
            "version": self.version,
            "status": self.get_status_display().lower(),
        }

    @property
    def is_saved(self) -> bool:
        """False for the unsaved default set pages show before the first risk is scored."""
        return not self._state.adding

    @property
    def n_likelihood(self) -> int:
        return len(self.likelihood_levels)

    @property
    def n_impact(self) -> int:
        return len(self.impact_levels)

    def likelihood_label(self, level: int) -> str:
        return _label(self.likelihood_levels, level)

    def impact_label(self, level: int) -> str:
        return _label(self.impact_levels, level)

    def review_months_for(self, level: str) -> int | None:
        value = (self.review_months or {}).get(level)
        return int(value) if value else None


def _label(levels: list, level) -> str:
    for item in levels or []:
        if item.get("level") == level:
            return item.get("label", str(level))
    return str(level) if level else ""


class Risk(OwnedMixin, ReferencedModel):
    """An AI risk or opportunity in the register (clauses 6.1.1–6.1.3, 8.2, 8.3).

    Scores are checked and levels looked up by the services with the criteria version in ``criteria``,
    which the risk keeps until it is rescored explicitly.
    """

    REFERENCE_PREFIX = "RSK"

    risk_type = models.CharField(_("type"), max_length=20, choices=RiskType.choices, default=RiskType.RISK)
    title = models.CharField(max_length=200)
    cause = models.TextField(blank=True, help_text=_("What could set it off (the risk source at work)."))
    event = models.TextField(blank=True, help_text=_("What could happen."))
    consequence = models.TextField(blank=True, help_text=_("What it would lead to, and for whom."))
    ai_systems = models.ManyToManyField(AISystem, blank=True, related_name="risks", verbose_name=_("AI systems"))
    lifecycle_stage = models.CharField(max_length=30, choices=LifecycleStage.choices, blank=True)
    category = models.CharField(max_length=20, choices=RiskCategory.choices, default=RiskCategory.OTHER)
    risk_source = models.CharField(
        _("risk source (Annex C)"), max_length=40, choices=annex_c.risk_source_choices, blank=True
    )
    objectives = models.CharField(
        _("objectives affected (Annex C)"), max_length=300, blank=True, help_text=_("Comma-separated objective keys.")
    )
    criteria = models.ForeignKey(
        RiskCriteria, null=True, blank=True, on_delete=models.PROTECT, related_name="risks", editable=False
    )
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, editable=False)
    # Free text until the controls app exists; it will add a many-to-many to its controls next to this.
    existing_controls = models.TextField(blank=True, help_text=_("Measures already in place before treatment."))
    treatment_option = models.CharField(max_length=10, choices=TreatmentOption.choices, blank=True)
    treatment_plan = models.TextField(_("treatment rationale"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, editable=False)
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED, editable=False)
    accepted_by = _member_fk(_("accepted by"))
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, editable=False)
    acceptance_comment = models.TextField(blank=True, editable=False)
    acceptance_approver = _member_fk(_("approved above appetite by"))
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closure_reason = models.TextField(blank=True, editable=False)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "inherent_level"]),
            models.Index(fields=["organisation", "residual_level"]),
            models.Index(fields=["organisation", "next_review"]),
            models.Index(fields=["organisation", "owner"]),
            models.Index(fields=["organisation", "risk_source"]),
            # Sorts of the register and its keyset API pages (issue 9).
            models.Index(fields=["organisation", "title"], name="risk_risk_org_title"),
            models.Index(fields=["organisation", "status", "title"], name="risk_risk_org_status_title"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def current_level(self) -> str:
        return self.residual_level or self.inherent_level

    @property
    def objective_list(self) -> list[str]:
        return [key for key in self.objectives.split(",") if key]

    def get_objectives_display(self) -> str:
        return ", ".join(annex_c.objective_title(key) for key in self.objective_list)

    @property
    def review_overdue(self) -> bool:
        return bool(self.next_review and self.status != RiskStatus.CLOSED and self.next_review < timezone.localdate())


class TreatmentAction(ActionStateMixin, OwnedMixin, ReferencedModel):
    """One action of a risk's treatment plan (clause 6.1.3, 8.3), with its owner and due date."""

    REFERENCE_PREFIX = "TRT"

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completion_note = models.TextField(blank=True)
    # Free text until the controls app exists; it will add a many-to-many to its controls next to this.
    controls_note = models.TextField(_("controls it implements"), blank=True)
    history = HistoricalRecords()

    objects = TreatmentActionQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("treatment action")
        verbose_name_plural = _("treatment actions")
        ordering = ["due_date", "reference"]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def is_owned_by(self, user) -> bool:
        """The action's owner, and the owner of its risk, may update it."""
        return self.owner_id == user.pk or self.risk.owner_id == user.pk


class RiskAssessment(OwnedMixin, ReferencedModel):
    """A dated risk assessment of one or more AI systems (clause 6.1.2, 8.2), led by ``owner``.

    ``snapshot`` freezes the scores of its risks when the assessment is completed, so later changes to the
    register never rewrite what this assessment found.
    """

    REFERENCE_PREFIX = "RA"

    title = models.CharField(max_length=200)
    ai_systems = models.ManyToManyField(AISystem, related_name="risk_assessments", verbose_name=_("AI systems"))
    scope = models.TextField(blank=True, help_text=_("What the assessment covers and what it leaves out."))
    criteria = models.ForeignKey(
        RiskCriteria, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("method (criteria version)")
    )
    assessors = models.ManyToManyField(USER, blank=True, related_name="+")
    participants = models.TextField(blank=True, help_text=_("Others who took part (names, roles, teams)."))
    assessment_date = models.DateField(default=timezone.localdate)
    risks = models.ManyToManyField(Risk, blank=True, related_name="assessments")
    conclusion = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS, editable=False
    )
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = _member_fk(_("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot = models.JSONField(default=list, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessment_date", "-reference"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title


class ImpactAssessment(OwnedMixin, ReferencedModel):
    """An AI system impact assessment (clause 6.1.4, 8.4; Annex A.5), versioned per AI system.

    It can double as a GDPR Art. 35 data-protection impact assessment and hold the elements of an EU AI Act
    Art. 27 fundamental-rights impact assessment for deployers of high-risk systems.
    """

    REFERENCE_PREFIX = "IA"

    ai_system = models.ForeignKey(
        AISystem, on_delete=models.CASCADE, related_name="impact_assessments", verbose_name=_("AI system")
    )
    version = models.PositiveIntegerField(editable=False)
    use_considered = models.TextField(
        _("use and misuse considered"), blank=True, help_text=_("The intended use and the foreseeable misuse assessed.")
    )
    affected_individuals = models.TextField(_("individuals affected"), blank=True)
    affected_groups = models.TextField(_("groups affected"), blank=True, help_text=_("Including vulnerable groups."))
    affected_society = models.TextField(_("effects on society"), blank=True)
    is_dpia = models.BooleanField(_("also a data-protection impact assessment (GDPR Art. 35)"), default=False)
    dpia_reference = models.CharField(_("DPIA reference"), max_length=100, blank=True)
    is_fria = models.BooleanField(
        _("includes a fundamental-rights impact assessment (EU AI Act Art. 27)"), default=False
    )
    fria_process = models.TextField(_("deployer's process using the system"), blank=True)
    fria_period = models.TextField(_("period and frequency of use"), blank=True)
    fria_oversight = models.TextField(_("human-oversight measures"), blank=True)
    fria_remedies = models.TextField(_("arrangements if risks materialise (governance, complaints)"), blank=True)
    fria_authority_notified = models.BooleanField(_("market surveillance authority notified"), default=False)
    conclusion = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ImpactStatus.choices, default=ImpactStatus.DRAFT, editable=False)
    approved_by = _member_fk(_("approved by"))
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")
        ordering = ["ai_system__reference", "-version"]
        constraints = [
            *ReferencedModel.Meta.constraints,
            models.UniqueConstraint(fields=["ai_system", "version"], name="risk_impactassessment_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.ai_system.name} v{self.version}"

    @property
    def name(self) -> str:
        return f"{self.ai_system.name} v{self.version}"

    def is_owned_by(self, user) -> bool:
        """The assessor, and the AI system's owners, may work on it."""
        return self.owner_id == user.pk or self.ai_system.is_owned_by(user)


class ImpactArea(OrganisationScopedModel):
    """One area of an impact assessment: the potential impact, how bad, how likely, how reversible, and the
    mitigations. A significant impact can raise a risk in the register (``raised_risk``), linked both ways."""

    OWNER_FIELDS = ()

    impact_assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="areas")
    area = models.CharField(max_length=30, choices=ImpactAreaKind.choices)
    affected = models.CharField(_("who is affected"), max_length=200, blank=True)
    potential_impact = models.TextField()
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MODERATE)
    likelihood = models.CharField(max_length=20, choices=ImpactLikelihood.choices, default=ImpactLikelihood.POSSIBLE)
    reversibility = models.CharField(max_length=20, choices=Reversibility.choices, default=Reversibility.REVERSIBLE)
    mitigations = models.TextField(blank=True)
    raised_risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.SET_NULL, related_name="raised_from_areas", editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("impact area")
        verbose_name_plural = _("impact areas")
        ordering = ["area", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.potential_impact[:60]}"

    @property
    def significant(self) -> bool:
        """Severe, or high and at least possible, or irreversible and at least moderate."""
        if self.severity == Severity.SEVERE:
            return True
        if self.severity == Severity.HIGH:
            return self.likelihood != ImpactLikelihood.UNLIKELY
        return self.severity == Severity.MODERATE and self.reversibility == Reversibility.IRREVERSIBLE

    def is_owned_by(self, user) -> bool:
        return self.impact_assessment.is_owned_by(user)
