"""Policy acknowledgements (ISO/IEC 42001 clause 7.3): who must acknowledge a policy, and acknowledging it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.roles import Role
from aims.services import (
    ServiceError,
    check_members,
    check_same_organisation,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    split_fields,
)
from controls.constants import PolicyStatus
from controls.models import Policy
from governance.models import Acknowledgement, AcknowledgementRequirement
from governance.services.common import reason_text


def _validate_requirement(
    organisation, *, reference: str, aims_roles, membership_roles: str, due_days, exclude_pk=None
):
    errors: dict[str, list[str]] = {}
    reference = (reference or "").strip()
    if not reference:
        errors["policy_reference"] = [_("Choose the policy.")]
    elif not Policy.objects.filter(organisation=organisation, reference=reference).exists():
        errors["policy_reference"] = [_("There is no policy %(ref)s in this organisation.") % {"ref": reference}]
    elif (
        AcknowledgementRequirement.objects.filter(organisation=organisation, policy_reference=reference)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        errors["policy_reference"] = [
            _("%(ref)s already has an acknowledgement requirement: edit that one.") % {"ref": reference}
        ]
    unknown = [value for value in (membership_roles or "").split(",") if value and value not in Role.values]
    if unknown:
        errors["membership_roles"] = [_("Unknown access role: %(roles)s.") % {"roles": ", ".join(unknown)}]
    if not list(aims_roles or []) and not (membership_roles or "").strip(","):
        errors["aims_roles"] = [_("Choose at least one AIMS role or access role whose members must acknowledge.")]
    if due_days is None or not 1 <= int(due_days) <= 365:
        errors["due_days"] = [_("Give between 1 and 365 days.")]
    if errors:
        raise ServiceError(errors)


@transaction.atomic
def acknowledgement_requirement_create(*, actor, organisation, data: dict) -> AcknowledgementRequirement:
    """Say whose members must acknowledge each approved version of a policy (clause 7.3)."""
    plain, m2m = split_fields(AcknowledgementRequirement, data)
    roles = m2m.get("aims_roles", [])
    check_same_organisation(organisation, {"aims_roles": roles})
    _validate_requirement(
        organisation,
        reference=plain.get("policy_reference"),
        aims_roles=roles,
        membership_roles=plain.get("membership_roles", ""),
        due_days=plain.get("due_days", 30),
    )
    requirement = AcknowledgementRequirement(organisation=organisation, **plain)
    with model_errors_as_service_errors():
        save_with_history(requirement, actor=actor, reason="Acknowledgement required")
    requirement.aims_roles.set(roles)
    return requirement


@transaction.atomic
def acknowledgement_requirement_update(
    *, actor, requirement: AcknowledgementRequirement, data: dict, reason: str = "Edited"
) -> AcknowledgementRequirement:
    plain, m2m = split_fields(AcknowledgementRequirement, data)
    roles = m2m["aims_roles"] if "aims_roles" in m2m else list(requirement.aims_roles.all())
    check_same_organisation(requirement.organisation, {"aims_roles": roles})
    _validate_requirement(
        requirement.organisation,
        reference=plain.get("policy_reference", requirement.policy_reference),
        aims_roles=roles,
        membership_roles=plain.get("membership_roles", requirement.membership_roles),
        due_days=plain.get("due_days", requirement.due_days),
        exclude_pk=requirement.pk,
    )
    for name, value in plain.items():
        setattr(requirement, name, value)
    with model_errors_as_service_errors():
        save_with_history(requirement, actor=actor, reason=reason)
    requirement.aims_roles.set(roles)
    return requirement


@transaction.atomic
def acknowledgement_requirement_delete(*, actor, requirement: AcknowledgementRequirement) -> None:
    """Stop requiring acknowledgements; those already given stay on record."""
    delete_with_history(requirement, actor=actor, reason="No longer required")


@transaction.atomic
def policy_acknowledge(*, actor, policy: Policy) -> Acknowledgement:
    """``actor`` acknowledges having read the approved version ``policy`` (any member, for themselves)."""
    organisation = policy.organisation
    check_members(organisation, {"member": actor}, ("member",))
    current = Policy.objects.select_for_update().get(pk=policy.pk)
    if current.status != PolicyStatus.APPROVED:
        raise ServiceError(
            _("%(policy)s is %(status)s: only the approved version is acknowledged.")
            % {"policy": current, "status": current.get_status_display().lower()},
            conflict=True,
        )
    if Acknowledgement.objects.filter(policy=current, member=actor).exists():
        raise ServiceError(_("You have already acknowledged %(policy)s.") % {"policy": current}, conflict=True)
    acknowledgement = Acknowledgement(
        organisation=organisation, policy=current, member=actor, acknowledged_at=timezone.now()
    )
    with model_errors_as_service_errors():
        save_with_history(acknowledgement, actor=actor, reason=reason_text(f"Acknowledged {current}"))
    return acknowledgement
