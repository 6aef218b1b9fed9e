"""Every change to the controls app goes through these functions (views, API, imports, demo data).

One entry point, split by subject: ``catalogue`` (own frameworks, requirements, mappings), ``implementation``
(controls and their links to risks), ``soa`` (the Statement of Applicability), ``evidence``, ``policies`` and
``roadmap``. Callers use ``from controls import services``.
"""

from aims.services import ServiceError
from controls.services.catalogue import (
    ImportResult,
    framework_create,
    framework_delete,
    framework_update,
    mapping_create,
    mapping_delete,
    mapping_update,
    renumber,
    requirement_create,
    requirement_delete,
    requirement_update,
    requirements_import,
)
from controls.services.evidence import (
    evidence_add_revision,
    evidence_create,
    evidence_delete,
    evidence_placeholder_create,
    evidence_review,
    evidence_update,
)
from controls.services.implementation import (
    control_create,
    control_create_for_treatment,
    control_delete,
    control_link_risk,
    control_record_check,
    control_unlink_risk,
    control_update,
)
from controls.services.policies import (
    policy_approve,
    policy_create,
    policy_delete,
    policy_new_version,
    policy_retire,
    policy_return_to_draft,
    policy_submit,
    policy_update,
)
from controls.services.roadmap import (
    gap_title,
    roadmap_action_create,
    roadmap_action_delete,
    roadmap_action_update,
)
from controls.services.soa import soa_approve, soa_ensure, soa_line_update, soa_sync_lines

__all__ = [
    "ImportResult",
    "ServiceError",
    "control_create",
    "control_create_for_treatment",
    "control_delete",
    "control_link_risk",
    "control_record_check",
    "control_unlink_risk",
    "control_update",
    "evidence_add_revision",
    "evidence_create",
    "evidence_delete",
    "evidence_placeholder_create",
    "evidence_review",
    "evidence_update",
    "framework_create",
    "framework_delete",
    "framework_update",
    "gap_title",
    "mapping_create",
    "mapping_delete",
    "mapping_update",
    "policy_approve",
    "policy_create",
    "policy_delete",
    "policy_new_version",
    "policy_retire",
    "policy_return_to_draft",
    "policy_submit",
    "policy_update",
    "renumber",
    "requirement_create",
    "requirement_delete",
    "requirement_update",
    "requirements_import",
    "roadmap_action_create",
    "roadmap_action_delete",
    "roadmap_action_update",
    "soa_approve",
    "soa_ensure",
    "soa_line_update",
    "soa_sync_lines",
]
