"""The Statement of Applicability (ISO/IEC 42001 clause 6.1.3 d–f): one per organisation, one line per
Annex A control, versioned by approval.

The working copy (``StatementOfApplicability`` and its ``SoALine`` rows) is edited freely; an officer
approves it, which freezes every line as it then read into a ``SoAVersion``. The next edit starts the next
draft version, so an approved version always shows exactly what was approved.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel
from controls.constants import ExclusionReason, SoAStatus
from controls.models.catalogue import Requirement
from risk.models import Risk

USER = settings.AUTH_USER_MODEL


class StatementOfApplicability(OrganisationScopedModel):
    """The organisation's current SoA: its working version number, status and last approval."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    title = models.CharField(max_length=200, default="Statement of Applicability")
    version = models.PositiveIntegerField(default=1, editable=False, help_text=_("The version being worked on."))
    status = models.CharField(max_length=20, choices=SoAStatus.choices, default=SoAStatus.DRAFT, editable=False)
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("statement of applicability")
        verbose_name_plural = _("statements of applicability")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="controls_soa_one_per_organisation")]

    def __str__(self) -> str:
        return gettext("%(title)s v%(version)s (%(status)s)") % {
            "title": self.title,
            "version": self.version,
            "status": self.get_status_display().lower(),
        }

    @property
    def reference(self) -> str:
        return f"SoA v{self.version}"


class SoALine(OrganisationScopedModel):
    """One Annex A control in the SoA: applicable or not, and why; the owner of the decision.

    The implementing controls are the organisation's controls linked to this Annex A requirement (one
    source of truth: ``Control.requirements``); their risks count as justification for inclusion.
    """

    OWNER_FIELDS = ("owner",)

    soa = models.ForeignKey(StatementOfApplicability, on_delete=models.CASCADE, related_name="lines")
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="soa_lines", verbose_name=_("Annex A control")
    )
    applicable = models.BooleanField(null=True, help_text=_("Empty until decided."))
    risks = models.ManyToManyField(
        Risk, blank=True, related_name="soa_lines", help_text=_("Risks that call for this control.")
    )
    obligations = models.TextField(
        _("legal or contractual obligations"),
        blank=True,
        help_text=_("Laws, regulations or contracts that require it."),
    )
    business_need = models.TextField(blank=True, help_text=_("Why the organisation wants it regardless."))
    exclusion_reason = models.CharField(max_length=30, choices=ExclusionReason.choices, blank=True)
    exclusion_justification = models.TextField(blank=True, help_text=_("Why it is not needed here, in full."))
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SoA line")
        verbose_name_plural = _("SoA lines")
        ordering = ["requirement__sort_order"]
        constraints = [models.UniqueConstraint(fields=["soa", "requirement"], name="controls_soaline_unique")]

    def __str__(self) -> str:
        return f"{self.requirement.identifier} {self.requirement.title}"

    @property
    def reference(self) -> str:
        return self.requirement.identifier


class SoAVersion(OrganisationScopedModel):
    """An approved version of the SoA, frozen: ``lines`` holds every line as approved (see
    ``controls.selectors_soa.soa_line_rows`` for its shape)."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    soa = models.ForeignKey(StatementOfApplicability, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField()
    note = models.TextField(_("approval note"), blank=True)
    lines = models.JSONField(default=list)
    applicable_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("approved SoA version")
        verbose_name_plural = _("approved SoA versions")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["soa", "version"], name="controls_soaversion_unique")]

    def __str__(self) -> str:
        return gettext("SoA version %(version)s, approved %(date)s") % {
            "version": self.version,
            "date": f"{self.approved_at:%Y-%m-%d}",
        }

    @property
    def reference(self) -> str:
        return f"SoA v{self.version}"
