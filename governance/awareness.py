"""Who must acknowledge a policy, and who has (ISO/IEC 42001 clause 7.3).

Nothing in the controls app calls governance when a policy version is approved. Instead, who must acknowledge
is computed when it is read: the policy's approved version (by reference), the ``AcknowledgementRequirement``
for that reference, the members holding the chosen AIMS roles or access roles, and their acknowledgements of
that version. A new approved version therefore starts a new round at once, and nothing can fall out of step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Membership
from controls.constants import PolicyKind, PolicyStatus
from controls.models import Policy
from governance.models import Acknowledgement, AcknowledgementRequirement, RoleAssignment


@dataclass
class AckLine:
    member: object
    because: list  # why they must: role names and access roles
    acknowledged_at: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return self.acknowledged_at is not None


@dataclass
class AckStatus:
    """Who must acknowledge the approved version of one policy, and who has."""

    requirement: AcknowledgementRequirement | None
    policy: Policy | None  # the approved version; None when no version is approved
    lines: list = field(default_factory=list)
    due: dt.date | None = None
    today: dt.date | None = None

    @property
    def required(self) -> int:
        return len(self.lines)

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.done)

    @property
    def pending(self) -> list:
        return [line for line in self.lines if not line.done]

    @property
    def acknowledged(self) -> list:
        return [line for line in self.lines if line.done]

    @property
    def share(self) -> int | None:
        return round(100 * self.done / self.required) if self.required else None

    @property
    def overdue(self) -> bool:
        return bool(self.pending and self.due and self.today and self.due < self.today)


def _due(requirement, policy) -> dt.date | None:
    if requirement is None or policy is None or policy.approved_at is None:
        return None
    return timezone.localdate(policy.approved_at) + dt.timedelta(days=requirement.due_days)


def _statuses(requirements: list, organisation, *, today: dt.date) -> list[AckStatus]:
    """The status of every requirement in a fixed number of queries (policies, assignments, memberships,
    acknowledgements), however many requirements and members there are."""
    references = [r.policy_reference for r in requirements]
    approved = {
        p.reference: p
        for p in Policy.objects.filter(
            organisation=organisation, reference__in=references, status=PolicyStatus.APPROVED
        ).select_related("approved_by")
    }
    role_ids = {role.pk for r in requirements for role in r.aims_roles.all()}
    assignments = list(
        RoleAssignment.objects.filter(organisation=organisation, role_id__in=role_ids)
        .active(today)
        .select_related("member", "role")
    )
    access_roles = {value for r in requirements for value in r.membership_role_list}
    memberships = list(
        Membership.objects.filter(organisation=organisation, role__in=access_roles).select_related("user")
    )
    acks = {
        (a.policy_id, a.member_id): a.acknowledged_at
        for a in Acknowledgement.objects.filter(organisation=organisation, policy__in=approved.values())
    }
    statuses = []
    for requirement in requirements:
        policy = approved.get(requirement.policy_reference)
        lines: dict = {}
        if policy is not None:
            wanted_roles = {role.pk for role in requirement.aims_roles.all()}
            for assignment in assignments:
                if assignment.role_id in wanted_roles:
                    line = lines.setdefault(assignment.member_id, AckLine(member=assignment.member, because=[]))
                    line.because.append(assignment.role.name)
            wanted_access = set(requirement.membership_role_list)
            for membership in memberships:
                if membership.role in wanted_access:
                    line = lines.setdefault(membership.user_id, AckLine(member=membership.user, because=[]))
                    line.because.append(membership.get_role_display())
            for member_id, line in lines.items():
                line.acknowledged_at = acks.get((policy.pk, member_id))
        ordered = sorted(lines.values(), key=lambda line: (line.done, str(line.member).lower()))
        statuses.append(
            AckStatus(requirement=requirement, policy=policy, lines=ordered, due=_due(requirement, policy), today=today)
        )
    return statuses


def acknowledgement_requests_for_policy(policy: Policy, *, today: dt.date | None = None) -> AckStatus:
    """Who must acknowledge ``policy`` (any version: its approved version is used), and who has.

    The entry point the controls pages, the API and the leadership view use: it needs nothing from controls
    beyond the policy itself.
    """
    today = today or timezone.localdate()
    requirement = (
        AcknowledgementRequirement.objects.filter(
            organisation_id=policy.organisation_id, policy_reference=policy.reference
        )
        .prefetch_related("aims_roles")
        .first()
    )
    if requirement is None:
        approved = policy if policy.status == PolicyStatus.APPROVED else None
        return AckStatus(requirement=None, policy=approved, today=today)
    return _statuses([requirement], policy.organisation, today=today)[0]


def acknowledgement_statuses(*, user, organisation, requirements=None, today: dt.date | None = None) -> list[AckStatus]:
    """The status of every acknowledgement requirement the user may see."""
    today = today or timezone.localdate()
    if requirements is None:
        requirements = AcknowledgementRequirement.objects.visible_to(user, organisation)
    requirements = list(requirements.prefetch_related("aims_roles").order_by("policy_reference"))
    if not requirements:
        return []
    return _statuses(requirements, organisation, today=today)


def acknowledgements_waiting_for(*, user, organisation, today: dt.date | None = None) -> list[AckStatus]:
    """The approved policies ``user`` must acknowledge and has not yet."""
    statuses = acknowledgement_statuses(user=user, organisation=organisation, today=today)
    return [s for s in statuses if any(line.member.pk == user.pk and not line.done for line in s.lines)]


def acknowledgement_summary_for_ai_policy(*, user, organisation) -> AckStatus | None:
    """The acknowledgement status of the approved AI policy, for the leadership view."""
    policy = (
        Policy.objects.filter(organisation=organisation, kind=PolicyKind.AI_POLICY, status=PolicyStatus.APPROVED)
        .order_by("-approved_at")
        .first()
    )
    if policy is None or AcknowledgementRequirement.objects.visible_to(user, organisation).query.is_empty():
        return None
    return acknowledgement_requests_for_policy(policy)
