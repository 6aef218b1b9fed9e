"""Models of the controls app, one module per subject; import them from here (``controls.models.Control``)."""

from django.utils.translation import gettext_lazy as _

from aims.model_names import name_models
from controls.models.catalogue import CatalogueModel, Framework, Requirement, RequirementMapping
from controls.models.evidence import Evidence, EvidenceRevision, evidence_upload_to
from controls.models.implementation import Control
from controls.models.policies import Policy
from controls.models.roadmap import RoadmapAction
from controls.models.soa import SoALine, SoAVersion, StatementOfApplicability

__all__ = [
    "CatalogueModel",
    "Control",
    "Evidence",
    "EvidenceRevision",
    "Framework",
    "Policy",
    "Requirement",
    "RequirementMapping",
    "RoadmapAction",
    "SoALine",
    "SoAVersion",
    "StatementOfApplicability",
    "evidence_upload_to",
]

# Translatable names for the models Django would name itself (see aims.model_names: no migration).
name_models(
    {
        Framework: (_("framework"), _("frameworks")),
        Requirement: (_("requirement"), _("requirements")),
        RequirementMapping: (_("requirement mapping"), _("requirement mappings")),
        Control: (_("control"), _("controls")),
        RoadmapAction: (None, _("roadmap actions")),
        EvidenceRevision: (None, _("evidence revisions")),
        SoALine: (None, _("SoA lines")),
        SoAVersion: (None, _("approved SoA versions")),
    }
)
