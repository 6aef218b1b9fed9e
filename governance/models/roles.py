"""AIMS roles and responsibilities, who holds them, and the RACI view (ISO/IEC 42001 clause 5.3; Annex A.3.2, A.3.3).

A role says what someone is responsible for and what they may decide. Members hold roles for a period
(``RoleAssignment``, from/to dates), so the register answers "who held it on that day" as well as "who holds
it now". The RACI entries place each role against the AIMS processes.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, ReferencedModel
from governance.constants import AimsProcess, Raci
from governance.querysets import RoleAssignmentQuerySet

USER = settings.AUTH_USER_MODEL


class AimsRole(ReferencedModel):
    """One AIMS role, ``ROL-003`` (clause 5.3): responsibilities, authorities and reporting lines.

    ``reports_performance`` marks the role that reports the AIMS's performance to top management (5.3 b);
    ``receives_concerns`` the role that takes concerns about AI raised through ``concern_channel`` (A.3.3).
    """

    REFERENCE_PREFIX = "ROL"
    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False  # the organisation's structure is set by those who may approve

    name = models.CharField(max_length=200)
    purpose = models.TextField(blank=True, help_text=_("Why the role exists, in a sentence or two."))
    responsibilities = models.TextField(help_text=_("What the holder is responsible for in the AIMS."))
    authorities = models.TextField(blank=True, help_text=_("What the holder may decide or approve."))
    reports_to = models.CharField(
        max_length=200, blank=True, help_text=_("Whom the holder reports to (a role, board or committee).")
    )
    reports_performance = models.BooleanField(
        _("reports AIMS performance to top management"),
        default=False,
        help_text=_("Clause 5.3: someone is assigned to report on the AIMS's performance to top management."),
    )
    receives_concerns = models.BooleanField(
        _("receives concerns about AI"),
        default=False,
        help_text=_("Annex A.3.3: people can raise concerns about the organisation's AI with this role."),
    )
    concern_channel = models.TextField(
        _("reporting channel for concerns"),
        blank=True,
        help_text=_("How to raise a concern: address, form, hotline; whether it can be anonymous."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    history = HistoricalRecords()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AIMS role")
        verbose_name_plural = _("AIMS roles")
        ordering = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class RoleAssignment(OrganisationScopedModel):
    """A member holding an AIMS role from ``start`` until ``end`` (open-ended when empty)."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    role = models.ForeignKey(AimsRole, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    start = models.DateField(_("from"), default=timezone.localdate)
    end = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty while the member holds the role."))
    note = models.CharField(max_length=300, blank=True, help_text=_("E.g. deputy, interim, or the decision behind it."))
    history = HistoricalRecords()

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["role__reference", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="governance_assignment_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["organisation", "member"]), models.Index(fields=["organisation", "end"])]

    def __str__(self) -> str:
        return gettext("%(member)s as %(role)s") % {"member": self.member, "role": self.role.name}

    @property
    def reference(self) -> str:
        return self.role.reference

    def is_active_on(self, day) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    @property
    def is_active(self) -> bool:
        return self.is_active_on(timezone.localdate())


class RaciEntry(OrganisationScopedModel):
    """One cell of the RACI view: a role's part (R, A, C or I) in an AIMS process."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    role = models.ForeignKey(AimsRole, on_delete=models.CASCADE, related_name="raci_entries")
    process = models.CharField(max_length=30, choices=AimsProcess.choices)
    code = models.CharField(_("part"), max_length=1, choices=Raci.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RACI entry")
        verbose_name_plural = _("RACI entries")
        ordering = ["process", "role__reference"]
        constraints = [
            models.UniqueConstraint(fields=["role", "process"], name="governance_raci_one_part_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_process_display()}: {self.role.name} {self.code}"
