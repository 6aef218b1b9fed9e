"""Awareness (ISO/IEC 42001 clause 7.3; Annex A.2.2, A.3.2): who must acknowledge a policy, and who has.

An ``AcknowledgementRequirement`` names a policy by its reference (``POL-001``, so it holds for every version)
and the AIMS roles and membership roles whose members must acknowledge it. Whenever a version is approved,
those members owe an acknowledgement of *that* version: an ``Acknowledgement`` is always of one version. The
controls app never calls governance: who must acknowledge is computed from the policy's approved version when
it is read (``governance.awareness``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel
from aims.roles import Role
from controls.models import Policy
from governance.models.roles import AimsRole

USER = settings.AUTH_USER_MODEL


class AcknowledgementRequirement(OrganisationScopedModel):
    """Members who must acknowledge the approved version of a policy, and within how many days."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    policy_reference = models.CharField(
        _("policy"), max_length=20, help_text=_("The policy's reference; every approved version must be acknowledged.")
    )
    aims_roles = models.ManyToManyField(
        AimsRole, blank=True, related_name="acknowledgement_requirements", verbose_name=_("holders of AIMS roles")
    )
    membership_roles = models.CharField(
        _("members with access roles"),
        max_length=100,
        blank=True,
        help_text=_("Comma-separated access roles (officer, contributor ...) whose members must acknowledge."),
    )
    due_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"), default=30, help_text=_("Counted from the approval of each version.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acknowledgement requirement")
        verbose_name_plural = _("policy acknowledgements")
        ordering = ["policy_reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "policy_reference"], name="governance_ackrequirement_one_per_policy"
            )
        ]

    def __str__(self) -> str:
        return gettext("Acknowledgement of %(ref)s") % {"ref": self.policy_reference}

    @property
    def reference(self) -> str:
        return self.policy_reference

    @property
    def name(self) -> str:
        return gettext("Acknowledgements")

    @property
    def membership_role_list(self) -> list[str]:
        return [value for value in self.membership_roles.split(",") if value]

    def get_membership_roles_display(self) -> str:
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(value, value)) for value in self.membership_role_list)


class Acknowledgement(OrganisationScopedModel):
    """A member's acknowledgement that they have read one approved version of a policy."""

    OWNER_FIELDS = ("member",)

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="+", verbose_name=_("policy version"))
    member = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "member"], name="governance_acknowledgement_once_per_version")
        ]
        indexes = [models.Index(fields=["organisation", "member"])]

    def __str__(self) -> str:
        return gettext("%(member)s acknowledged %(policy)s") % {"member": self.member, "policy": self.policy}

    @property
    def reference(self) -> str:
        return f"{self.policy.reference} v{self.policy.version}"
