"""The "Acknowledgements" tab governance adds to a policy's page (controls never imports governance)."""

from aims.permissions import can
from governance.awareness import acknowledgement_requests_for_policy
from governance.models import AcknowledgementRequirement


def policy_acknowledgements_tab(request, policy) -> dict:
    status = acknowledgement_requests_for_policy(policy)
    mine = next((line for line in status.lines if line.member.pk == request.user.pk), None)
    return {
        "ack_status": status,
        "ack_mine": mine,
        "ack_can_require": can(request.user, "add", AcknowledgementRequirement, request.organisation),
    }
