"""The organisation's implemented controls (ISO/IEC 42001 clause 6.1.3, 8.1; Annex A).

A control says how something is done here, who owns it and how far it is in place. It links the chain
the auditor follows: the requirements it satisfies (any framework), the AI systems and risks it applies
to, and the risk treatment actions that asked for it.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from controls.constants import CheckFrequency, CheckResult, ControlType, ImplementationStatus
from controls.models.catalogue import Requirement
from controls.querysets import ControlQuerySet
from registry.models import AISystem
from risk.models import Risk, TreatmentAction


class Control(OwnedMixin, ReferencedModel):
    """One implemented (or planned) control, ``CTL-031``."""

    REFERENCE_PREFIX = "CTL"

    title = models.CharField(max_length=200)
    description = models.TextField(
        _("how it is done here"), blank=True, help_text=_("The control as your organisation runs it, in your words.")
    )
    control_type = models.CharField(_("type"), max_length=20, choices=ControlType.choices, default=ControlType.PROCESS)
    implementation_status = models.CharField(
        max_length=20, choices=ImplementationStatus.choices, default=ImplementationStatus.NOT_STARTED
    )
    requirements = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="controls",
        help_text=_("The requirements it satisfies, in any framework."),
    )
    ai_systems = models.ManyToManyField(AISystem, blank=True, related_name="controls", verbose_name=_("AI systems"))
    risks = models.ManyToManyField(Risk, blank=True, related_name="controls", help_text=_("The risks it treats."))
    treatment_actions = models.ManyToManyField(
        TreatmentAction, blank=True, related_name="controls", help_text=_("Risk treatment actions it implements.")
    )
    check_frequency = models.CharField(
        _("test or check frequency"), max_length=20, choices=CheckFrequency.choices, blank=True
    )
    last_checked = models.DateField(_("last checked"), null=True, blank=True)
    last_check_result = models.CharField(max_length=20, choices=CheckResult.choices, blank=True)
    last_check_note = models.TextField(_("notes on the last check"), blank=True)
    next_review = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ControlQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["organisation", "implementation_status"]),
            models.Index(fields=["organisation", "owner"]),
            models.Index(fields=["organisation", "next_review"]),
            models.Index(fields=["organisation", "title"], name="controls_ctl_org_title"),  # sorts (issue 9)
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_implemented(self) -> bool:
        return self.implementation_status == ImplementationStatus.IMPLEMENTED

    @property
    def review_overdue(self) -> bool:
        return bool(self.next_review and self.next_review < timezone.localdate())
